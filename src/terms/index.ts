/** Terms: ODE, control (CDE), diffusion (SDE) and sums; control paths. */
export type { Term, TermTape } from './term.ts';
export { isTerm } from './term.ts';
export { odeTerm } from './ode.ts';
export type { OdeTerm } from './ode.ts';
export { controlTerm } from './control.ts';
export type { MatrixField, ControlTermOptions } from './control.ts';
export { diffusionTerm } from './diffusion.ts';
export type { DiffusionTermOptions } from './diffusion.ts';
export { sumTerms } from './sum.ts';
export { linearPath, brownianPath } from './paths.ts';
export type { ControlPath } from './paths.ts';
