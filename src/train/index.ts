export { fit, fitLogToJSON, fitLogToCSV } from './fit.ts';
export type { FitOptions, FitStep, FitResult, FitBatch, FitLogRow, FitState } from './fit.ts';
export { mse, l1, crossEntropy } from './losses.ts';
export type { LossFn, LossOptions } from './losses.ts';
