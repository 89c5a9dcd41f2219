/**
 * The data set behind the slides' stability figure (Foster & McCallum slides: "Stability regions
 * for different reversible schemes (h = 1 and λ = 0.8)"; McCallum & Foster 2024, arXiv 2410.11648): the λ-coupled
 * scheme around Euler, Midpoint, RK3 and RK4 on Re z ∈ [−3.5, 0.5], Im z ∈ [−3, 3], z = hα = α.
 *
 * The regions follow the coupling matrix derived in stability.ts (`couplingMatrix`), which was checked against simulated
 * steps. The slides' figure agrees with it for Euler only: its Midpoint/RK3/RK4 panels come from closed forms with R
 * replaced by R − 1 (`eig_*` in sammccallum/reversible `experiments/stability/plot.py`), e.g. a real Midpoint interval (−0.2154, 0) where the scheme has
 * (−2.401, −1.7746) ∪ (−0.2254, 0). Plot this data, not a copy of the slides.
 */
import { defineTableau, type Tableau } from '../tableau.ts';
import { TideError, checkOptions, fmtGot } from '../../core/errors.ts';
import { euler } from '../tableaus/euler.ts';
import { midpoint } from '../tableaus/midpoint.ts';
import { rk4 } from '../tableaus/rk4.ts';
import {
  realStabilityIntervals, stabilityRegion, stabilityRegionToJSON,
  type OpenInterval, type StabilityRegion, type StabilityRegionJSON,
} from './stability.ts';

/**
 * Ralston's three-stage third-order method, "RK3Simple" of the authors' experiments (sammccallum/reversible-solvers,
 * white-dwarf experiment; sammccallum/diffrax `_solver/simple_rk.py`):
 * c = (0, ½, ¾), a21 = ½, a32 = ¾, b = (2/9, 1/3, 4/9). Defined here for the figure only (not a registered method);
 * like every 3-stage order-3 method its R(z) = 1 + z + z²/2 + z³/6.
 */
export const ralston3: Tableau = defineTableau({
  name: 'ralston3', order: 3,
  c: [0, 1 / 2, 3 / 4],
  a: [[], [1 / 2], [0, 3 / 4]],
  b: [2 / 9, 1 / 3, 4 / 9],
  reference: 'A. Ralston, Math. Comp. 16 (1962) 431–437; "RK3Simple" in sammccallum/reversible-solvers (the white-dwarf experiment)',
});

/**
 * One panel of the figure: the base method, its region on the grid and its real-axis stable intervals.
 * @property label the base method's name as the slides print it ('Euler', 'Midpoint', 'RK3', 'RK4').
 * @property region the λ-coupled scheme's stability on the figure's grid.
 * @property realIntervals open intervals of the real axis (z = hα, α real) where the scheme is stable.
 */
export interface StabilityFigurePanel {
  readonly label: string;
  readonly region: StabilityRegion;
  readonly realIntervals: OpenInterval[];
}

/**
 * The whole figure: settings, provenance note, one panel per base method.
 * @property title the figure's title, with λ.
 * @property lambda the coupling λ (0.8 in the slides).
 * @property note provenance: how the regions were computed and where they differ from the slides' figure.
 * @property panels one panel per base method.
 */
export interface StabilityFigureData {
  readonly title: string;
  readonly lambda: number;
  /** Step size: the axes are z = hα, so with h = 1 they are α. */
  readonly h: number;
  readonly note: string;
  readonly panels: readonly StabilityFigurePanel[];
}

/**
 * Options of {@link slidesStabilityFigure}; the window and λ default to the slides' setting.
 * @property lambda coupling λ ∈ (0, 1]; default 0.8 (the slides').
 * @property nRe grid points on the real axis Re z ∈ [−3.5, 0.5]; default 201.
 * @property nIm grid points on the imaginary axis Im z ∈ [−3, 3]; default 301.
 */
export interface StabilityFigureOptions {
  readonly lambda?: number;
  readonly nRe?: number;
  readonly nIm?: number;
}

const NOTE = 'Regions of the λ-coupled McCallum–Foster scheme (arXiv 2410.11648) from its one-step coupling matrix M (det M = λ, tr M = 1 + λ − (R(−z) − 1)(R(z) − λ)), '
  + 'checked against simulated steps. The slides\' figure matches for Euler only; its Midpoint/RK3/RK4 shapes come from a '
  + 'slightly different matrix (R replaced by R − 1).';

/**
 * The slides' stability figure data: λ = 0.8, h = 1, Euler / Midpoint / RK3 (Ralston3) / RK4, Re ∈ [−3.5, 0.5],
 * Im ∈ [−3, 3], default grid 201 × 301 (spacing 0.02), plus the real-axis intervals of each panel.
 * @throws as {@link stabilityRegion} (λ outside (0, 1], bad grid sizes).
 */
export function slidesStabilityFigure(options: StabilityFigureOptions = {}): StabilityFigureData {
  checkOptions('slidesStabilityFigure', options, ['lambda', 'nRe', 'nIm'], '{ lambda: 0.8, nRe: 201, nIm: 301 }');
  const { lambda = 0.8, nRe = 201, nIm = 301 } = options ?? {};
  const bases: [string, Tableau][] = [['Euler', euler], ['Midpoint', midpoint], ['RK3', ralston3], ['RK4', rk4]];
  const panels = bases.map(([label, tableau]) => ({
    label,
    region: stabilityRegion(tableau, lambda, { reMin: -3.5, reMax: 0.5, imMin: -3, imMax: 3, nRe, nIm }),
    realIntervals: realStabilityIntervals(tableau, lambda, { min: -3.5, max: 0.5 }),
  }));
  return { title: `Stability regions of reversible schemes (h = 1, λ = ${lambda})`, lambda, h: 1, note: NOTE, panels };
}

/** {@link StabilityFigurePanel} as plain JSON-serialisable data. */
export interface StabilityFigurePanelJSON {
  /** The base method's name as the slides print it. */
  label: string;
  /** The panel's region with plain arrays. */
  region: StabilityRegionJSON;
  /** Open stable intervals of the real axis as [lo, hi] pairs. */
  realIntervals: [number, number][];
}

/**
 * {@link StabilityFigureData} as plain JSON-serialisable data.
 * @property title as {@link StabilityFigureData.title}.
 * @property lambda the coupling λ.
 * @property h step size (1).
 * @property note as {@link StabilityFigureData.note}.
 * @property panels the panels, with regions as {@link StabilityRegionJSON} and intervals as [lo, hi] pairs.
 */
export interface StabilityFigureJSON {
  title: string; lambda: number; h: number; note: string;
  panels: StabilityFigurePanelJSON[];
}

/** A JSON-serialisable copy of {@link slidesStabilityFigure}'s result (`JSON.stringify` it; `tidediff stability` writes it as region.json and plots it). */
export function stabilityFigureToJSON(data: StabilityFigureData): StabilityFigureJSON {
  if (data === null || typeof data !== 'object' || !Array.isArray(data.panels as unknown)) {
    throw new TideError('BAD_ARGUMENT', `stabilityFigureToJSON: expected the result of slidesStabilityFigure(...), got ${fmtGot(data)}.`);
  }
  return {
    title: data.title, lambda: data.lambda, h: data.h, note: data.note,
    panels: data.panels.map((p) => ({
      label: p.label, region: stabilityRegionToJSON(p.region),
      realIntervals: p.realIntervals.map(([lo, hi]) => [lo, hi] as [number, number]),
    })),
  };
}
