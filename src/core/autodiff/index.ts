import * as ops from './ops.ts';
export { ops };
export { trace, vjp, valueAndGrad, Graph } from './graph.ts';
export type { TraceOptions, VjpInput, VjpResult } from './graph.ts';
export type { Var } from './node.ts';
export { fieldFromTrace } from './trace-field.ts';
export type { TracedField, TraceFieldOptions, TracedFieldFunction } from './trace-field.ts';
export type { ApplyVjp } from './model-op.ts';
