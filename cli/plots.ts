/**
 * The CLI's plots: Vega-Lite specs with their data inline, compiled to Vega and rendered to SVG in Node by Vega's
 * headless renderer (no canvas, no browser). Every plot is written twice: NAME.svg and NAME.vl.json (the spec with
 * its data, so a plot can be restyled or checked against the numbers).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
type Spec = Record<string, unknown>;

/** SVG text of a Vega-Lite spec. Vega and Vega-Lite load on the first plot, so --help and bad input stay quick. */
export async function renderSvg(spec: Spec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vl.compile(spec as unknown as TopLevelSpec).spec), { renderer: 'none' });
  try { return await view.toSVG(); } finally { view.finalize(); }
}

/** Writes dir/name.svg and dir/name.vl.json; returns the two file names. */
export async function writePlot(dir: string, name: string, spec: Spec): Promise<string[]> {
  const full = { $schema: SCHEMA, background: 'white', ...spec };
  writeFileSync(join(dir, `${name}.vl.json`), `${JSON.stringify(full)}\n`);
  writeFileSync(join(dir, `${name}.svg`), await renderSvg(full));
  return [`${name}.svg`, `${name}.vl.json`];
}

/** At most n evenly spaced indices of 0 … len − 1 (first and last kept). */
export function thin(len: number, n: number): number[] {
  if (len <= n) return Array.from({ length: len }, (_, i) => i);
  return Array.from({ length: n }, (_, k) => Math.round((k * (len - 1)) / (n - 1)));
}

/** Loss per training step, log scale. */
export function lossSpec(title: string, losses: ArrayLike<number>): Spec {
  const values = thin(losses.length, 2000).map((i) => ({ step: i + 1, loss: losses[i] }));
  return {
    title, width: 480, height: 280, data: { values },
    mark: { type: 'line', strokeWidth: 1.5, aria: false },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'training step' },
      y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'loss', axis: { format: '.0e' } },
    },
  };
}

/** Rows of a trajectory: t, each component. */
export interface Trajectory { readonly ts: ArrayLike<number>; readonly ys: ArrayLike<number> }

function longRows(tr: Trajectory, labels: readonly string[], source: string, n: number): Spec[] {
  const dim = labels.length, rows: Spec[] = [];
  for (const i of thin(tr.ts.length, n)) for (let c = 0; c < dim; c++) rows.push({ t: tr.ts[i], value: tr.ys[i * dim + c], component: labels[c], source });
  return rows;
}

/** Each component against time: the model as lines, the data as open points. */
export function trajectorySpec(title: string, labels: readonly string[], model: Trajectory, data: Trajectory | null, modelName = 'model'): Spec {
  const color = { field: 'component', type: 'nominal', title: null, scale: { domain: [...labels] } };
  const layers: Spec[] = [{
    data: { values: longRows(model, labels, modelName, 600) },
    mark: { type: 'line', strokeWidth: 1.5, aria: false },
    encoding: { x: { field: 't', type: 'quantitative', title: 't' }, y: { field: 'value', type: 'quantitative', title: 'state' }, color },
  }];
  if (data !== null) {
    layers.push({
      data: { values: longRows(data, labels, 'data', 120) },
      mark: { type: 'point', size: 22, filled: false, opacity: 0.9, aria: false },
      encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color, shape: { field: 'source', type: 'nominal', title: null } },
    });
  }
  return { title: data !== null ? `${title}: ${modelName} (lines) against data (points)` : title, width: 520, height: 300, layer: layers };
}

/** Phase portrait of components 0 and 1: the model's path as a line (in time order), the data as points. */
export function phaseSpec(title: string, labels: readonly string[], model: Trajectory, data: Trajectory | null, modelName = 'model'): Spec {
  const dim = labels.length;
  const rows = (tr: Trajectory, source: string, n: number): Spec[] => thin(tr.ts.length, n).map((i) => ({ t: tr.ts[i], a: tr.ys[i * dim], b: tr.ys[i * dim + 1], source }));
  const x = { field: 'a', type: 'quantitative', title: labels[0], scale: { zero: false } };
  const y = { field: 'b', type: 'quantitative', title: labels[1], scale: { zero: false } };
  const color = { field: 'source', type: 'nominal', title: null, scale: { domain: [modelName, 'data'], range: ['#1f77b4', '#d62728'] } };
  const layers: Spec[] = [{ data: { values: rows(model, modelName, 600) }, mark: { type: 'line', strokeWidth: 1.5, aria: false }, encoding: { x, y, order: { field: 't', type: 'quantitative' }, color } }];
  if (data !== null) layers.push({ data: { values: rows(data, 'data', 120) }, mark: { type: 'point', size: 22, filled: false, aria: false }, encoding: { x, y, color } });
  return { title: `${title}: phase portrait`, width: 360, height: 360, layer: layers };
}

/** One stable run of a grid row: re[j0] … re[j1] at im[i]. */
export interface StableRun { re0: number; re1: number; im: number }

/**
 * Stable cells of a region grid merged into horizontal runs, each drawn as one rectangle spanning its cells
 * (cell = the grid point ± half a spacing), so the SVG stays small on fine grids.
 */
export function stableRuns(region: { re: ArrayLike<number>; im: ArrayLike<number>; nRe: number; nIm: number; stable: ArrayLike<number> }): StableRun[] {
  const runs: StableRun[] = [];
  for (let i = 0; i < region.nIm; i++) {
    let j = 0;
    while (j < region.nRe) {
      if (!region.stable[i * region.nRe + j]) { j++; continue; }
      const j0 = j;
      while (j + 1 < region.nRe && region.stable[i * region.nRe + j + 1]) j++;
      runs.push({ re0: region.re[j0], re1: region.re[j], im: region.im[i] });
      j++;
    }
  }
  return runs;
}

/** Pixel size of a stability panel's plotting area. */
export const STABILITY_PANEL = { width: 300, height: 360 } as const;

/**
 * The stable region of one scheme as rectangles on the z = hα plane (x = Re z, y = Im z, scales fixed to the grid
 * window ± half a spacing, so pixels map back to z exactly), with the real-axis stable intervals as red bars.
 */
export function stabilitySpec(title: string, region: { re: ArrayLike<number>; im: ArrayLike<number>; nRe: number; nIm: number; stable: ArrayLike<number> },
  intervals: readonly (readonly [number, number])[]): Spec {
  const dRe = (region.re[region.nRe - 1] - region.re[0]) / (region.nRe - 1), dIm = (region.im[region.nIm - 1] - region.im[0]) / (region.nIm - 1);
  const xDomain = [region.re[0] - dRe / 2, region.re[region.nRe - 1] + dRe / 2], yDomain = [region.im[0] - dIm / 2, region.im[region.nIm - 1] + dIm / 2];
  const runs = stableRuns(region).map((r) => ({ x: r.re0 - dRe / 2, x2: r.re1 + dRe / 2, y: r.im - dIm / 2, y2: r.im + dIm / 2, im: r.im, re0: r.re0, re1: r.re1 }));
  const xs = { type: 'linear', domain: xDomain, nice: false, zero: false }, ys = { type: 'linear', domain: yDomain, nice: false, zero: false };
  return {
    title, width: STABILITY_PANEL.width, height: STABILITY_PANEL.height,
    layer: [
      {
        data: { values: runs },
        mark: { type: 'rect', color: '#4c78a8', stroke: '#4c78a8', strokeWidth: 0.8, aria: false }, // the stroke closes antialiasing seams between rows
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: xs, title: 'Re z (z = hα)' }, x2: { field: 'x2' },
          y: { field: 'y', type: 'quantitative', scale: ys, title: 'Im z' }, y2: { field: 'y2' },
        },
      },
      {
        data: { values: intervals.map(([lo, hi]) => ({ lo, hi, zero: 0 })) },
        mark: { type: 'rule', color: '#d62728', strokeWidth: 3, aria: false },
        encoding: { x: { field: 'lo', type: 'quantitative', scale: xs }, x2: { field: 'hi' }, y: { field: 'zero', type: 'quantitative', scale: ys } },
      },
    ],
  };
}

/** Several specs side by side, `columns` per row. */
export function concatSpec(title: string, specs: Spec[], columns: number): Spec {
  return { title, columns, concat: specs, resolve: { scale: { x: 'independent', y: 'independent' } } };
}

/** Bar chart of a bench's median seconds per route, NFE as text. */
export function benchSpec(title: string, rows: readonly { route: string; sec_median: number; nfe_total: number }[]): Spec {
  return {
    title, width: 420, height: { step: 22 }, data: { values: rows },
    layer: [
      { mark: 'bar', encoding: { y: { field: 'route', type: 'nominal', sort: null, title: null }, x: { field: 'sec_median', type: 'quantitative', title: 'median seconds per call' } } },
      {
        mark: { type: 'text', align: 'left', dx: 4 },
        encoding: { y: { field: 'route', type: 'nominal', sort: null }, x: { field: 'sec_median', type: 'quantitative' }, text: { field: 'nfe_total', type: 'quantitative', format: ',d', title: 'NFE' } },
      },
    ],
  };
}
