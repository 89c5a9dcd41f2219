/**
 * The tide ops, for use inside `trace`, `vjp` and `fieldFromTrace`: `import { ops } from 'tidediff'`.
 * Every op takes Vars (numbers where noted) and returns a new Var; forward and pullback live with each op.
 */
export { add, sub, mul, div, neg, exp, log, sin, cos, sqrt, square, cube, abs, reciprocal, pow, scale, shift,
  activation, tanh, sigmoid, softplus, relu, gelu, swish } from './elementwise.ts';
export type { Operand } from './elementwise.ts';
export { matmul } from './linalg.ts';
export { sum, mean, sumAxis } from './reduce.ts';
export { reshape, slice, at, cols, concat } from './shape.ts';
export { model } from './model-op.ts';
export { constant } from './constant.ts';
