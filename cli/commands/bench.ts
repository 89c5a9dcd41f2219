/**
 * `tidediff bench`: a short built-in measurement that needs nothing but the installed package. On one problem's
 * training solve (its model at the initial parameters, its loss) it times a forward-only solve and, for each
 * gradient method, a forward + backward pass: median and minimum seconds over --repeats calls (after one warm-up),
 * evaluations forward and backward, the method's peak and state bytes, time relative to backprop ('direct'), and the
 * largest difference of its gradient from direct's (relative to direct's largest entry), so a fast but wrong
 * method shows. Rows as the repo's benches write them: a name and snake_case figures with units.
 */
import { Command, Option } from 'commander';
import { prepareSolve, solve, problems, GRADIENT_METHOD_NAMES } from '../../src/index.ts';
import { integer, listOf, oneOf } from '../args.ts';
import { PROBLEM_HELP, PROBLEM_NAMES, builtinProblem } from '../problems.ts';
import { listFiles, outDir, progress, tideVersion, toCSV, writeJSON, writeText } from '../output.ts';
import { benchSpec, writePlot } from '../plots.ts';

interface BenchFlags { problem: string; gradients: string[]; repeats: number; hidden?: number; out?: string; quiet?: boolean }

export interface BenchRow {
  name: string; route: string; sec_median: number; sec_min: number; nfe_fwd: number; nfe_bwd: number; nfe_total: number;
  peak_bytes: number | null; state_bytes: number | null; ratio_sec_vs_direct: number | null; max_rel_diff_vs_direct: number | null;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};

async function run(flags: BenchFlags): Promise<void> {
  const pb = builtinProblem(flags.problem, { hidden: flags.hidden });
  const params = pb.init(0);
  const method = problems.baseMethod(pb.solveOptions.method as string);
  const gradients = flags.gradients.includes('direct') ? flags.gradients : ['direct', ...flags.gradients];
  const total = (gradients.length + 1) * (flags.repeats + 1);
  console.log(`tidediff bench: ${pb.title} (${pb.field.paramCount} parameters, solver ${String(pb.solveOptions.method)}), ${flags.repeats} timed calls per route after 1 warm-up`);
  const bar = progress(flags.quiet ?? false, total, 'bench');
  let done = 0;
  const rows: BenchRow[] = [];
  let ref: Float64Array | null = null, refSec = NaN;
  try {
    // Forward only.
    const fwd: number[] = [];
    let nfe = 0;
    for (let r = 0; r <= flags.repeats; r++) {
      const t = performance.now();
      const sol = solve(pb.field, pb.y0, { ...pb.solveOptions, method, params });
      if (r > 0) fwd.push((performance.now() - t) / 1000);
      nfe = sol.stats.nfe;
      bar.update(++done);
    }
    rows.push({ name: `${pb.key}/solve`, route: 'solve (forward only)', sec_median: median(fwd), sec_min: Math.min(...fwd), nfe_fwd: nfe, nfe_bwd: 0, nfe_total: nfe,
      peak_bytes: null, state_bytes: null, ratio_sec_vs_direct: null, max_rel_diff_vs_direct: null });
    for (const g of gradients) {
      const prepared = prepareSolve(pb.field, { ...pb.solveOptions, method, params, gradient: g });
      const secs: number[] = [];
      let dParams = new Float64Array(0), report = null as null | { nfeForward: number; nfeBackward: number; peakBytes: number; stateBytes: number };
      for (let r = 0; r <= flags.repeats; r++) {
        const t = performance.now();
        const sol = prepared.run(pb.y0, params);
        const dYs = new Float64Array(sol.ys.length);
        pb.loss(sol.ys, dYs);
        const res = sol.backward(dYs);
        if (r > 0) secs.push((performance.now() - t) / 1000);
        dParams = Float64Array.from(res.dParams as Float64Array);
        report = res.report;
        bar.update(++done);
      }
      if (g === 'direct') { ref = dParams; refSec = median(secs); }
      let scale = 0, diff = 0;
      for (let i = 0; i < dParams.length; i++) { scale = Math.max(scale, Math.abs(ref![i])); diff = Math.max(diff, Math.abs(dParams[i] - ref![i])); }
      rows.push({
        name: `${pb.key}/${g}`, route: g, sec_median: median(secs), sec_min: Math.min(...secs),
        nfe_fwd: report!.nfeForward, nfe_bwd: report!.nfeBackward, nfe_total: report!.nfeForward + report!.nfeBackward,
        peak_bytes: report!.peakBytes, state_bytes: report!.stateBytes, ratio_sec_vs_direct: median(secs) / refSec,
        max_rel_diff_vs_direct: scale > 0 ? diff / scale : diff,
      });
    }
  } finally { bar.stop(); }
  const dir = outDir(flags.out, 'bench', pb.key);
  const files = [
    writeJSON(dir, 'bench.json', rows),
    writeText(dir, 'bench.csv', toCSV(rows as unknown as Record<string, unknown>[])),
    writeJSON(dir, 'run.json', { command: 'bench', tide: tideVersion(), argv: process.argv.slice(2), settings: { ...flags, out: undefined, gradients }, node: process.version }),
    ...(await writePlot(dir, 'bench', benchSpec(`${pb.title}: median seconds per call (labels: NFE forward + backward)`, rows))),
  ];
  const fmt = (v: number | null, d = 3): string => (v === null ? '—' : v.toPrecision(d));
  console.log(`${'route'.padEnd(22)} ${'median ms'.padStart(10)} ${'min ms'.padStart(9)} ${'NFE fwd'.padStart(8)} ${'NFE bwd'.padStart(8)} ${'peak bytes'.padStart(11)} ${'× direct'.padStart(9)} ${'grad diff'.padStart(9)}`);
  for (const r of rows) {
    console.log(`${r.route.padEnd(22)} ${(r.sec_median * 1e3).toFixed(2).padStart(10)} ${(r.sec_min * 1e3).toFixed(2).padStart(9)} ${String(r.nfe_fwd).padStart(8)} ${String(r.nfe_bwd).padStart(8)} `
      + `${(r.peak_bytes === null ? '—' : r.peak_bytes.toLocaleString('en-US')).padStart(11)} ${fmt(r.ratio_sec_vs_direct).padStart(9)} ${(r.max_rel_diff_vs_direct === null ? '—' : r.max_rel_diff_vs_direct.toExponential(1)).padStart(9)}`);
  }
  listFiles(dir, files);
}

export function benchCommand(): Command {
  const list = PROBLEM_NAMES.map((p) => `  ${p.padEnd(15)} ${PROBLEM_HELP[p]}`).join('\n');
  return new Command('bench')
    .description('Time a forward solve and every gradient method on one problem (seconds, NFE, memory, agreement with backprop).')
    .addOption(new Option('-p, --problem <name>', 'built-in problem').argParser(oneOf('--problem', PROBLEM_NAMES, 'problem')).default('spiral'))
    .addOption(new Option('-g, --gradients <list>', `gradient methods, comma-separated (direct is always run: it is the reference)`).argParser(listOf('--gradients', GRADIENT_METHOD_NAMES, 'gradient methods', 'direct,checkpoint,reversible')).default([...GRADIENT_METHOD_NAMES], GRADIENT_METHOD_NAMES.join(',')))
    .addOption(new Option('-r, --repeats <n>', 'timed calls per route (after one warm-up)').argParser(integer('--repeats', 1, 'timed calls per route', 5)).default(5))
    .addOption(new Option('--hidden <n>', "hidden width of the problem's network").argParser(integer('--hidden', 1, 'hidden width', 32)))
    .addOption(new Option('-o, --out <dir>', 'output folder (default runs/bench-PROBLEM-TIMESTAMP)'))
    .addOption(new Option('-q, --quiet', 'no progress bar'))
    .addHelpText('after', `\nWhat it measures: the problem's training solve, at its initial parameters, with its loss. Route 'solve' is a\nforward solve without gradient; each gradient route is one forward + backward pass (prepared once, as in training).\nPer route: median and minimum seconds over --repeats calls after one warm-up, NFE forward and backward, peak and\nstate bytes the method reports, time relative to 'direct' (backprop through the solver), and the largest difference\nof its gradient from direct's, relative to direct's largest entry (checkpointing: rounding; adjoints: their\ntolerances; reversible: the gradient of its λ-coupled scheme, close to but not the same discrete solve).\nTimings on a busy machine are noisy; compare ratios.\n\nProblems:\n${list}\n\nWrites to --out: bench.json (rows: name, figures with units), bench.csv, run.json, bench.svg + bench.vl.json.\n\nExample:\n  tidediff bench --problem white-dwarf --gradients direct,checkpoint,reversible --repeats 3`)
    .action(run);
}
