/** Linear stability of the reversible schemes (exported as the `stability` namespace). */
export {
  stabilityPolynomial, evalR, couplingMatrix, isStable, couplingSpectralRadius, stabilityRegion, stabilityRegionToJSON,
  realStabilityIntervals, olderSchemeMatrix, olderSchemeSpectralRadius,
} from './stability.ts';
export type {
  StabilityPolynomial, BaseMethod, ComplexInput, OpenInterval, StabilityGrid, StabilityRegion, StabilityRegionJSON, RealIntervalOptions,
  OlderScheme,
} from './stability.ts';
export { slidesStabilityFigure, stabilityFigureToJSON } from './stability-data.ts';
export type { StabilityFigureData, StabilityFigurePanel, StabilityFigureOptions, StabilityFigureJSON, StabilityFigurePanelJSON } from './stability-data.ts';
