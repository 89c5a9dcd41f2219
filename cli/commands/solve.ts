/**
 * `tidediff solve`: solves a built-in problem's true system (or, with --params, its trained model from a `train`
 * run) over its data window, and writes the solution (solution.json, solution.csv), the solver's statistics
 * (run.json) and plots against the problem's data: trajectories and phase portrait.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { solve, solverNames, problems, TideError } from '../../src/index.ts';
import { integer, number, oneOf } from '../args.ts';
import { PROBLEM_HELP, PROBLEM_NAMES, builtinProblem, checkAdaptive } from '../problems.ts';
import { listFiles, outDir, tideVersion, toCSV, writeJSON, writeText } from '../output.ts';
import { phaseSpec, trajectorySpec, writePlot } from '../plots.ts';

interface SolveFlags {
  problem: string; params?: string; method?: string; rtol: number; atol: number; stepSize?: number; t1?: number; points: number;
  hidden?: number; out?: string;
}

function readParams(path: string, problem: string, count: number): Float64Array {
  let j: { problem?: unknown; params?: unknown };
  try { j = JSON.parse(readFileSync(path, 'utf8')) as typeof j; } catch (e) {
    throw new TideError('BAD_OPTION', `solve: cannot read --params '${path}' (${(e as Error).message}). Give the params.json that \`tidediff train\` wrote.`);
  }
  if (j === null || typeof j !== 'object' || !Array.isArray(j.params)) throw new TideError('BAD_OPTION', `solve: --params '${path}' has no "params" array; give the params.json that \`tidediff train\` wrote.`);
  if (j.problem !== problem) throw new TideError('BAD_OPTION', `solve: --params '${path}' was trained on problem '${String(j.problem)}', not '${problem}'. Add --problem ${String(j.problem)}${j.problem === 'custom' ? ' (config-data runs cannot be re-solved by name)' : ''}.`);
  if (j.params.length !== count || !j.params.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new TideError('BAD_OPTION', `solve: --params '${path}' holds ${j.params.length} values; the ${problem} model has ${count} finite parameters. Was it trained with another --hidden? Pass the same --hidden.`);
  }
  return Float64Array.from(j.params as number[]);
}

async function run(flags: SolveFlags): Promise<void> {
  const pb = builtinProblem(flags.problem, { hidden: flags.hidden });
  if (flags.hidden !== undefined && flags.params === undefined) throw new TideError('BAD_OPTION', 'solve: --hidden sizes the trained model; it only applies with --params.');
  const trained = flags.params !== undefined;
  const field = trained ? pb.field : pb.truth!.field;
  const params = trained ? readParams(flags.params!, pb.key, pb.field.paramCount) : pb.truth!.params;
  const t0 = pb.solveOptions.t0 ?? 0, t1 = flags.t1 ?? pb.data.ts[pb.data.ts.length - 1];
  if (!(t1 > t0)) throw new TideError('BAD_OPTION', `solve: --t1 must be after the problem's start time ${t0}, got ${t1}.`);
  const method = flags.method ?? (trained ? String(pb.solveOptions.method) : pb.truth!.method);
  const fixed = flags.stepSize !== undefined || (trained && flags.method === undefined && pb.solveOptions.adaptive === false);
  const stepSize = flags.stepSize ?? (fixed ? pb.solveOptions.stepSize : undefined);
  if (!fixed) checkAdaptive('solve', method, ', or give a fixed step, e.g. --step-size 0.01');
  const ts = problems.linspace(t0, t1, flags.points);
  const stepping = fixed ? { stepSize, adaptive: false } : { rtol: flags.rtol, atol: flags.atol };
  const t = performance.now();
  const sol = solve(field, pb.y0, { t0, t1, params, method: problems.baseMethod(method), ...stepping, maxSteps: 1_000_000, saveAt: { ts } });
  const sec = (performance.now() - t) / 1000;
  const dim = pb.y0.length;
  const dir = outDir(flags.out, 'solve', pb.key);
  const name = trained ? 'trained model' : 'true system';
  const dataTs = Float64Array.of(t0, ...pb.data.ts), dataYs = Float64Array.of(...pb.y0, ...pb.data.ys);
  const rows = Array.from(ts, (tt, i) => {
    const r: Record<string, number> = { t: tt };
    pb.labels.forEach((_, c) => { r[`y_${c}`] = sol.ys[i * dim + c]; });
    return r;
  });
  const stats = { ...sol.stats };
  const files = [
    writeJSON(dir, 'solution.json', { problem: pb.key, system: name, labels: pb.labels, status: sol.status, ts: Array.from(ts), ys: Array.from({ length: ts.length }, (_, i) => Array.from(sol.ys.subarray(i * dim, (i + 1) * dim))) }),
    writeText(dir, 'solution.csv', toCSV(rows)),
    writeJSON(dir, 'run.json', {
      command: 'solve', tide: tideVersion(), argv: process.argv.slice(2),
      settings: { problem: pb.key, system: name, params: flags.params ?? null, method, ...stepping, t0, t1, points: flags.points },
      summary: { status: sol.status, sec, stats },
    }),
    ...(await writePlot(dir, 'trajectories', trajectorySpec(pb.title, pb.labels, { ts, ys: sol.ys }, { ts: dataTs, ys: dataYs }, name))),
  ];
  if (dim >= 2) files.push(...await writePlot(dir, 'phase', phaseSpec(pb.title, pb.labels, { ts, ys: sol.ys }, { ts: dataTs, ys: dataYs }, name)));
  console.log(`tidediff solve: ${pb.title}, ${name}, ${method} on [${t0}, ${t1}]: ${sol.status}, ${stats.nfe} evaluations, `
    + `${stats.nAccepted} steps (${stats.nRejected} rejected) in ${(sec * 1000).toFixed(1)} ms; y(t1) = (${Array.from(sol.yFinal, (v) => v.toPrecision(6)).join(', ')})`);
  listFiles(dir, files);
}

export function solveCommand(): Command {
  const list = PROBLEM_NAMES.map((p) => `  ${p.padEnd(15)} ${PROBLEM_HELP[p]}`).join('\n');
  return new Command('solve')
    .description("Solve a built-in problem's true system, or its trained model (--params), and plot it against the data.")
    .addOption(new Option('-p, --problem <name>', 'built-in problem').argParser(oneOf('--problem', PROBLEM_NAMES, 'problem')).default('lotka-volterra'))
    .addOption(new Option('--params <file>', 'params.json of a `train` run: solve that trained model instead of the true system'))
    .addOption(new Option('-m, --method <name>', 'solver (default dopri5 for the true system, the training solver for a trained model)').argParser(oneOf('--method', [...solverNames, 'ralston3'], 'method')))
    .addOption(new Option('--rtol <x>', 'relative tolerance of adaptive solvers').argParser(number('--rtol', 'relative tolerance', 1e-8, { lo: 0, open: true })).default(1e-8))
    .addOption(new Option('--atol <x>', 'absolute tolerance of adaptive solvers').argParser(number('--atol', 'absolute tolerance', 1e-10, { lo: 0, open: true })).default(1e-10))
    .addOption(new Option('--step-size <h>', 'fixed step size (default: adaptive)').argParser(number('--step-size', 'fixed step size', 0.01, { lo: 0, open: true })))
    .addOption(new Option('--t1 <t>', 'end time (default: the end of the data)').argParser(number('--t1', 'end time', 10)))
    .addOption(new Option('--points <n>', 'save points on [t0, t1]').argParser(integer('--points', 2, 'save points', 200)).default(200))
    .addOption(new Option('--hidden <n>', 'hidden width the --params model was trained with').argParser(integer('--hidden', 1, 'hidden width', 32)))
    .addOption(new Option('-o, --out <dir>', 'output folder (default runs/solve-PROBLEM-TIMESTAMP)'))
    .addHelpText('after', `\nProblems:\n${list}\n\nWrites to --out: solution.json, solution.csv, run.json (settings, status and solver statistics), and plots\n(SVG + Vega-Lite JSON): trajectories and phase, against the problem's data.\n\nExamples:\n  tidediff solve --problem hybrid --method tsit5 --rtol 1e-6\n  tidediff solve --problem lotka-volterra --params runs/lv/params.json --t1 6`)
    .action(run);
}
