export type { ReversibleScheme } from './scheme.ts';
export { CoupledScheme, DEFAULT_LAMBDA, checkLambda } from './coupled.ts';
export { ReversibleHeun } from './reversible-heun.ts';
export { Mali } from './mali.ts';
export {
  stabilityPolynomial, evalR, couplingMatrix, isStable, couplingSpectralRadius, stabilityRegion, stabilityRegionToJSON,
  realStabilityIntervals, olderSchemeMatrix, olderSchemeSpectralRadius,
} from './stability.ts';
export { slidesStabilityFigure, stabilityFigureToJSON } from './stability-data.ts';
