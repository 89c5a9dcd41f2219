/**
 * `tidediff stability` against the `stability` module: region.json holds exactly stabilityRegionToJSON(
 * stabilityRegion(...)) and realStabilityIntervals(...) for every (method, λ); each panel's Vega-Lite spec holds
 * exactly the stable runs of that grid; and each panel's SVG, decoded back from pixels to z through the plot's
 * fixed scales, marks exactly the stable grid points and the real intervals. So the plots show the exported data;
 * the same check holds for the example plots committed under docs/cli/stability.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stability, tableaus, problems } from '../../src/index.ts';
import { STABILITY_PANEL, stableRuns } from '../../cli/plots.ts';
import { root, runCli, tempDir } from './run-cli.ts';

const METHODS = ['midpoint', 'ralston3', 'rk4'], LAMBDAS = [0.8, 0.95];
const RE: [number, number] = [-3, 0.5], IM: [number, number] = [-2.5, 2.5], N_RE = 36, N_IM = 51;

/** The contents of every group of class `mark-CLASS role-mark`, in document order. */
function markGroups(svg: string, cls: string): string[] {
  const out: string[] = [];
  for (let start = svg.indexOf(`<g class="mark-${cls} role-mark`); start >= 0; start = svg.indexOf(`<g class="mark-${cls} role-mark`, start + 1)) {
    let depth = 0, i = start;
    for (;;) {
      const open = svg.indexOf('<g', i + 1), close = svg.indexOf('</g>', i + 1);
      if (open >= 0 && open < close) { depth++; i = open; } else { if (depth === 0) { out.push(svg.slice(start, close)); break; } depth--; i = close; }
    }
  }
  return out;
}

function markGroup(svg: string, cls: string): string {
  const groups = markGroups(svg, cls);
  assert.equal(groups.length, 1, `one mark-${cls} group`);
  return groups[0];
}

/** Decodes a panel's SVG (pixels → z through its fixed scales) and checks it marks exactly region's stable points and intervals. */
function checkSvg(svg: string, region: ReturnType<typeof stability.stabilityRegion>, intervals: readonly (readonly [number, number])[], nRuns: number, what: string): void {
  const { nRe: N_RE, nIm: N_IM } = region;
  const RE = [region.re[0], region.re[N_RE - 1]], IM = [region.im[0], region.im[N_IM - 1]];
  const dRe = (RE[1] - RE[0]) / (N_RE - 1), dIm = (IM[1] - IM[0]) / (N_IM - 1);
  const x0 = RE[0] - dRe / 2, x1 = RE[1] + dRe / 2, y0 = IM[0] - dIm / 2, y1 = IM[1] + dIm / 2;
  const { width: W, height: H } = STABILITY_PANEL;
  const rects = [...markGroup(svg, 'rect').matchAll(/d="M([-\d.e]+),([-\d.e]+)h([-\d.e]+)v([-\d.e]+)h/g)].map((m) => m.slice(1).map(Number));
  assert.equal(rects.length, nRuns, `${what}: one rectangle per stable run`);
  const drawn = new Uint8Array(N_RE * N_IM);
  for (const [x, y, w, h] of rects) {
    const i = Math.round((y0 + (1 - (y + h / 2) / H) * (y1 - y0) - IM[0]) / dIm);
    const jLo = Math.round((x0 + (x / W) * (x1 - x0) + dRe / 2 - RE[0]) / dRe), jHi = Math.round((x0 + ((x + w) / W) * (x1 - x0) - dRe / 2 - RE[0]) / dRe);
    assert.ok(Math.abs(h / H - dIm / (y1 - y0)) < 1e-9, 'each rectangle is one grid row high');
    for (let j = jLo; j <= jHi; j++) drawn[i * N_RE + j] = 1;
  }
  assert.deepEqual(drawn, region.stable, `${what}: the SVG's stable cells are the module's`);
  // The red bars on the real axis are the real intervals.
  const lines = [...markGroup(svg, 'rule').matchAll(/<line transform="translate\(([-\d.e]+),([-\d.e]+)\)" x2="([-\d.e]+)"/g)].map((m) => m.slice(1).map(Number));
  assert.equal(lines.length, intervals.length);
  lines.forEach(([tx, ty, x2], k) => {
    const lo = x0 + (tx / W) * (x1 - x0), hi = x0 + ((tx + x2) / W) * (x1 - x0);
    assert.ok(Math.abs(lo - intervals[k][0]) < 1e-6 && Math.abs(hi - intervals[k][1]) < 1e-6, `${what}: interval ${k} drawn (${lo}, ${hi}), data ${intervals[k]}`);
    assert.ok(Math.abs(y0 + (1 - ty / H) * (y1 - y0)) < 1e-9, 'on the real axis');
  });
}

test('stability: region.json, the specs and the SVGs agree with the stability module', async () => {
  const out = tempDir('stability');
  const r = await runCli(['stability', '--method', METHODS.join(','), '--lambda', LAMBDAS.join(','), '--re', RE.join(','), '--im', IM.join(','),
    '--grid', `${N_RE}x${N_IM}`, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const data = JSON.parse(readFileSync(join(out, 'region.json'), 'utf8'));
  assert.equal(data.panels.length, METHODS.length * LAMBDAS.length);
  const csv = readFileSync(join(out, 'intervals.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'method,lambda,real_lo,real_hi,stable_points,stable_area');
  let totalRuns = 0;
  for (const lambda of LAMBDAS) {
    for (const m of METHODS) {
      const tab = m === 'ralston3' ? problems.ralston3 : tableaus[m];
      const region = stability.stabilityRegion(tab, lambda, { reMin: RE[0], reMax: RE[1], imMin: IM[0], imMax: IM[1], nRe: N_RE, nIm: N_IM });
      const intervals = stability.realStabilityIntervals(tab, lambda, { min: RE[0], max: RE[1] });
      const panel = data.panels.find((p: { method: string; lambda: number }) => p.method === m && p.lambda === lambda);
      assert.ok(panel, `no panel ${m} λ = ${lambda}`);
      assert.deepEqual(panel.region, stability.stabilityRegionToJSON(region), `${m} λ = ${lambda}: region data`);
      assert.deepEqual(panel.realIntervals, intervals.map(([a, b]) => [a, b]));
      const nStable = region.stable.reduce((s, v) => s + v, 0);
      assert.ok(nStable > 0, `${m} λ = ${lambda} has a stable region in the window`);
      assert.ok(csv.some((l) => l.startsWith(`${m},${lambda},`) && l.split(',')[4] === String(nStable)), `intervals.csv row of ${m} λ = ${lambda}`);

      const base = join(out, `region-${m}-lambda-${lambda}`);
      const spec = JSON.parse(readFileSync(`${base}.vl.json`, 'utf8'));
      const runs = stableRuns(region);
      assert.deepEqual(spec.layer[0].data.values.map((v: { re0: number; re1: number; im: number }) => ({ re0: v.re0, re1: v.re1, im: v.im })), runs);
      totalRuns += runs.length;

      checkSvg(readFileSync(`${base}.svg`, 'utf8'), region, intervals, runs.length, `${m} λ = ${lambda}`);
    }
  }
  // All panels together in stability.svg.
  const all = readFileSync(join(out, 'stability.svg'), 'utf8');
  const groups = markGroups(all, 'rect');
  assert.equal(groups.length, METHODS.length * LAMBDAS.length);
  assert.equal(groups.reduce((n, g) => n + (g.match(/<path /g) ?? []).length, 0), totalRuns);
  assert.match(all, /midpoint, λ = 0\.8/);
});

test('the example plots in docs/cli/stability draw the slides\' figure data (stability.slidesStabilityFigure)', () => {
  const figure = stability.slidesStabilityFigure();   // the exported data "for the plotting script": λ = 0.8, 201 × 301
  const files: Record<string, string> = { Euler: 'euler', Midpoint: 'midpoint', RK3: 'ralston3', RK4: 'rk4' };
  assert.deepEqual(figure.panels.map((p) => p.label), Object.keys(files));
  for (const panel of figure.panels) {
    const svg = readFileSync(join(root, 'docs', 'cli', 'stability', `region-${files[panel.label]}-lambda-0.8.svg`), 'utf8');
    checkSvg(svg, panel.region, panel.realIntervals, stableRuns(panel.region).length, `docs ${panel.label}`);
  }
});
