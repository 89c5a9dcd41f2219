/**
 * `tidediff stability`: the linear stability region of the λ-coupled reversible scheme (McCallum & Foster 2024,
 * arXiv 2410.11648) around any explicit RK base method, for any λ in (0, 1], on a grid of z = hα. Writes the region
 * data (region.json: the `stability` module's stabilityRegionToJSON output and real-axis intervals per panel,
 * intervals.csv) and plots drawn from exactly that data: one SVG per (method, λ) and all panels in stability.svg.
 */
import { Command, Option } from 'commander';
import { stability, tableaus, problems } from '../../src/index.ts';
import type { Tableau } from '../../src/index.ts';
import { gridSize, listOf, number, numberList, range } from '../args.ts';
import { listFiles, outDir, progress, tideVersion, toCSV, writeJSON, writeText } from '../output.ts';
import { concatSpec, stabilitySpec, writePlot } from '../plots.ts';

/** Base methods by name: the registered tableaus and the paper's 'ralston3'. */
export const STABILITY_METHODS: Readonly<Record<string, Tableau>> = { ...tableaus, ralston3: problems.ralston3 };
const MAX_POINTS = 4_000_000;

interface StabilityFlags {
  method: string[]; lambda: number[]; re: [number, number]; im: [number, number]; grid: [number, number]; out?: string; quiet?: boolean;
}

/** File-name part for λ: 0.8 → 0.8, 0.999 → 0.999. */
const lam = (l: number): string => String(l).replace(/[^0-9.e-]/g, '');

async function run(flags: StabilityFlags): Promise<void> {
  const [nRe, nIm] = flags.grid;
  const dir = outDir(flags.out, 'stability', flags.method.join('-'));
  const panels: { label: string; method: string; lambda: number; region: ReturnType<typeof stability.stabilityRegionToJSON>; realIntervals: [number, number][] }[] = [];
  const files: string[] = [], specs: Record<string, unknown>[] = [];
  const total = flags.method.length * flags.lambda.length;
  const bar = progress(flags.quiet ?? false, total, 'stability');
  const t0 = performance.now();
  try {
    for (const lambda of flags.lambda) {
      for (const m of flags.method) {
        const tab = STABILITY_METHODS[m];
        const region = stability.stabilityRegion(tab, lambda, { reMin: flags.re[0], reMax: flags.re[1], imMin: flags.im[0], imMax: flags.im[1], nRe, nIm });
        const intervals = stability.realStabilityIntervals(tab, lambda, { min: flags.re[0], max: flags.re[1] }).map(([a, b]) => [a, b] as [number, number]);
        const label = `${m}, λ = ${lambda}`;
        panels.push({ label, method: m, lambda, region: stability.stabilityRegionToJSON(region), realIntervals: intervals });
        const spec = stabilitySpec(label, region, intervals);
        specs.push(spec);
        files.push(...await writePlot(dir, `region-${m}-lambda-${lam(lambda)}`, spec));
        bar.update(panels.length);
      }
    }
  } finally { bar.stop(); }
  const title = `Stability regions of the λ-coupled reversible scheme (z = hα; red: stable real intervals)`;
  files.push(...await writePlot(dir, 'stability', concatSpec(title, specs, Math.min(4, flags.method.length))));
  const sec = (performance.now() - t0) / 1000;
  const cellArea = ((flags.re[1] - flags.re[0]) / (nRe - 1)) * ((flags.im[1] - flags.im[0]) / (nIm - 1));
  const rows = panels.flatMap((p) => (p.realIntervals.length > 0 ? p.realIntervals : [null]).map((iv) => ({
    method: p.method, lambda: p.lambda, real_lo: iv?.[0] ?? '', real_hi: iv?.[1] ?? '',
    stable_points: p.region.stable.reduce((s, v) => s + v, 0), stable_area: p.region.stable.reduce((s, v) => s + v, 0) * cellArea,
  })));
  files.unshift(
    writeJSON(dir, 'region.json', {
      command: 'stability', tide: tideVersion(), argv: process.argv.slice(2),
      note: 'stable[i * nRe + j] = 1 iff the λ-coupled scheme is stable at z = re[j] + i·im[i]; realIntervals are the open stable intervals of the real axis.',
      panels,
    }),
    writeText(dir, 'intervals.csv', toCSV(rows)),
    writeJSON(dir, 'run.json', { command: 'stability', tide: tideVersion(), argv: process.argv.slice(2), settings: { ...flags, out: undefined }, summary: { sec, panels: panels.length } }),
  );
  for (const p of panels) {
    const f = (v: number): string => (Math.abs(v) < 5e-5 ? 0 : v).toFixed(4);
    const iv = p.realIntervals.map(([a, b]) => `(${f(a)}, ${f(b)})`).join(' ∪ ') || 'none';
    console.log(`${p.label.padEnd(22)} stable on ${p.region.stable.reduce((s, v) => s + v, 0)} of ${nRe * nIm} grid points; real axis: ${iv}`);
  }
  listFiles(dir, files);
}

export function stabilityCommand(): Command {
  const names = Object.keys(STABILITY_METHODS);
  return new Command('stability')
    .description('Stability region of the λ-coupled reversible scheme around any RK method, for any λ; writes the region data and its plots.')
    .addOption(new Option('-m, --method <list>', `base methods, comma-separated: ${names.join(', ')}`).argParser(listOf('--method', names, 'methods', 'midpoint,rk4')).default(['euler', 'midpoint', 'ralston3', 'rk4'], 'euler,midpoint,ralston3,rk4'))
    .addOption(new Option('-l, --lambda <list>', 'coupling λ in (0, 1], comma-separated').argParser(numberList('--lambda', number('--lambda', 'coupling λ', 0.8, { lo: 0, hi: 1, open: true }), '0.8,0.999')).default([0.8], '0.8'))
    .addOption(new Option('--re <min,max>', 'range of Re z').argParser(range('--re', 'range of Re z', '-3.5,0.5')).default([-3.5, 0.5], '-3.5,0.5'))
    .addOption(new Option('--im <min,max>', 'range of Im z').argParser(range('--im', 'range of Im z', '-3,3')).default([-3, 3], '-3,3'))
    .addOption(new Option('--grid <NxM>', 'grid points along Re z and Im z').argParser(gridSize('--grid', '201x301', MAX_POINTS)).default([201, 301], '201x301'))
    .addOption(new Option('-o, --out <dir>', 'output folder (default runs/stability-METHODS-TIMESTAMP)'))
    .addOption(new Option('-q, --quiet', 'no progress bar'))
    .addHelpText('after', `\nThe defaults are the setting of the reversible-solver slides' figure (h = 1, λ = 0.8; Euler, Midpoint, RK3, RK4).\nWrites to --out: region.json (per panel: the grid, stable 0/1 and spectral radius per point, real stable\nintervals), intervals.csv, run.json, and plots (SVG + Vega-Lite JSON): region-METHOD-lambda-L per panel and\nstability (all panels).\n\nExamples:\n  tidediff stability\n  tidediff stability --method midpoint,rk4 --lambda 0.9,0.999 --re -3,0.5 --grid 141x241`)
    .action(run);
}
