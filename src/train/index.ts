export { fit } from './fit.ts';
export type { FitOptions, FitStep, FitResult } from './fit.ts';
