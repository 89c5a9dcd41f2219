/**
 * `tidediff train`: trains a built-in problem or a neural ODE on the data of a JSON config with `fit`, shows a
 * progress bar, and writes the log (log.json, log.csv), the trained parameters (params.json), the settings and
 * summary (run.json), the model's trajectory against the data (trajectory.csv) and plots: loss, trajectories,
 * phase portrait.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { fit, fitLogToCSV, fitLogToJSON, adamw, reversible, solve, problems, solverNames, GRADIENT_METHOD_NAMES, TideError } from '../../src/index.ts';
import type { ActivationName, GradientMethod } from '../../src/index.ts';
import { integer, number, oneOf, validList } from '../args.ts';
import { PROBLEM_HELP, PROBLEM_NAMES, builtinProblem, customProblem, checkAdaptive, ACTIVATION_NAMES, type CliProblem, type CustomData } from '../problems.ts';
import { listFiles, outDir, progress, tideVersion, toCSV, writeJSON, writeText } from '../output.ts';
import { lossSpec, phaseSpec, trajectorySpec, writePlot } from '../plots.ts';

/** Base solvers a training solve may use: every method string, plus the paper's 'ralston3'. */
export const TRAIN_METHODS: readonly string[] = [...solverNames, 'ralston3'];

/** Keys of a train config file, with what each holds (also the --help text). */
const CONFIG_KEYS: Record<string, string> = {
  problem: `a built-in problem (${PROBLEM_NAMES.join(', ')}), or leave out and give data`,
  data: '{ "ts": [t0, t1, …], "ys": [[…], [...], …] }: one trajectory, ys[i] the state at ts[i]; ys[0] is the initial state',
  hidden: 'hidden widths of the MLP for data, e.g. [32] (default [32]); for spiral, lotka-volterra and hybrid one number',
  activation: `activation of the MLP for data (${ACTIVATION_NAMES.join(', ')}; default tanh)`,
  method: 'base solver of the training solves', rtol: 'relative tolerance (data, adaptive solvers; default 1e-6)',
  atol: 'absolute tolerance (data; default 1e-8)', stepSize: 'fixed step size (data; default: adaptive)',
  steps: 'training steps', lr: 'learning rate', weightDecay: 'AdamW weight decay', gradient: 'gradient method',
  lambda: 'λ of the reversible gradient', seed: 'initialisation seed',
};

interface TrainFlags {
  problem?: string; config?: string; steps?: number; lr?: number; weightDecay?: number; gradient?: string; lambda?: number;
  method?: string; seed?: number; hidden?: number; out?: string; quiet?: boolean;
}

/** Settings after flags, config and the problem's defaults are merged. */
interface TrainSettings {
  problem: string; steps: number; lr: number; weightDecay: number; gradient: string; lambda: number; method: string; seed: number;
  config?: string; hidden?: number | number[];
}

function usage(msg: string): never {
  throw new TideError('BAD_OPTION', msg);
}

function readConfig(path: string): Record<string, unknown> {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { usage(`train: cannot read the config file '${path}' (${(e as Error).message}). Give the path of a JSON file, e.g. --config train.json.`); }
  let cfg: unknown;
  try { cfg = JSON.parse(text); } catch (e) { usage(`train: the config file '${path}' is not valid JSON (${(e as Error).message}). Fix the file; see \`tidediff train --help\` for its keys.`); }
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg)) usage(`train: the config file '${path}' must hold a JSON object such as {"problem": "spiral", "steps": 200}.`);
  for (const k of Object.keys(cfg as object)) {
    if (!(k in CONFIG_KEYS)) usage(`train: unknown key '${k}' in the config file '${path}'. ${validList(k, Object.keys(CONFIG_KEYS))}`);
  }
  return cfg as Record<string, unknown>;
}

/** Checks one config value with the same parser as its flag, so a config and the command line say the same thing. */
function cfgValue<T>(cfg: Record<string, unknown>, key: string, parse: (raw: string) => T, path: string): T | undefined {
  const v = cfg[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' && typeof v !== 'string') usage(`train: '${key}' in '${path}' must be a ${typeof parse('1') === 'number' ? 'number' : 'string'}, got ${JSON.stringify(v)}.`);
  try { return parse(String(v)); } catch (e) { usage(`train: '${key}' = ${JSON.stringify(v)} in '${path}' is invalid. ${(e as Error).message.replace(/e\.g\. --\S+ /, `e.g. "${key}": `)}`); }
}

function checkData(d: unknown, path: string): CustomData {
  const bad = (what: string): never => usage(`train: 'data' in '${path}' ${what}. It must be { "ts": [0, 0.1, …], "ys": [[1, 0], [0.9, 0.1], …] }: at least 2 increasing times, one row per time, all rows the same length, finite numbers.`);
  if (d === null || typeof d !== 'object' || Array.isArray(d)) bad('is not an object');
  const { ts, ys, ...rest } = d as { ts?: unknown; ys?: unknown };
  if (Object.keys(rest).length > 0) bad(`has unknown key '${Object.keys(rest)[0]}'`);
  if (!Array.isArray(ts) || ts.length < 2 || !ts.every((t) => typeof t === 'number' && Number.isFinite(t))) bad('needs "ts": an array of at least 2 finite numbers');
  for (let i = 1; i < (ts as number[]).length; i++) if (!((ts as number[])[i] > (ts as number[])[i - 1])) bad(`has ts[${i}] = ${(ts as number[])[i]} not after ts[${i - 1}] = ${(ts as number[])[i - 1]}`);
  if (!Array.isArray(ys) || ys.length !== (ts as number[]).length) bad(`needs "ys" with one row per time (${(ts as number[]).length}), got ${Array.isArray(ys) ? ys.length : typeof ys}`);
  const dim = Array.isArray((ys as unknown[])[0]) ? ((ys as unknown[][])[0]).length : 0;
  if (dim < 1) bad('needs ys rows that are non-empty arrays');
  (ys as unknown[]).forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== dim || !r.every((v) => typeof v === 'number' && Number.isFinite(v))) bad(`has ys[${i}] = ${JSON.stringify(r)}, not ${dim} finite numbers`);
  });
  return { ts: ts as number[], ys: ys as number[][] };
}

/** Merges the command line over the config over the problem's defaults; builds the problem. */
function resolveRun(flags: TrainFlags, cmd: Command): { s: TrainSettings; pb: CliProblem } {
  const fromCli = (k: string): boolean => cmd.getOptionValueSource(k) === 'cli';
  const cfg = flags.config !== undefined ? readConfig(flags.config) : {};
  const path = flags.config ?? '';
  const pick = <T>(k: keyof TrainFlags & string, parse: (raw: string) => T): T | undefined => (fromCli(k) ? flags[k] as T : cfgValue(cfg, k, parse, path));
  const problem = pick('problem', oneOf('--problem', PROBLEM_NAMES, 'problem'));
  const method = pick('method', oneOf('--method', TRAIN_METHODS, 'method'));
  if (cfg.data !== undefined && problem !== undefined) usage(`train: give a built-in problem or data, not both (the config has data; ${fromCli('problem') ? '--problem' : "'problem'"} says ${problem}).`);
  let pb: CliProblem, hidden: number | number[] | undefined;
  if (cfg.data !== undefined) {
    const d = checkData(cfg.data, path);
    const h = cfg.hidden ?? [32];
    if (!Array.isArray(h) || h.length === 0 || !h.every((n) => Number.isInteger(n) && n >= 1 && n <= 4096)) usage(`train: 'hidden' in '${path}' must be a non-empty array of layer widths (integers 1 … 4096), e.g. "hidden": [32, 32]; got ${JSON.stringify(h)}.`);
    const activation = cfgValue(cfg, 'activation', oneOf('"activation":', ACTIVATION_NAMES, 'activation'), path) ?? 'tanh';
    const rtol = cfgValue(cfg, 'rtol', number('--rtol', 'relative tolerance', 1e-6, { lo: 0, open: true }), path) ?? 1e-6;
    const atol = cfgValue(cfg, 'atol', number('--atol', 'absolute tolerance', 1e-8, { lo: 0, open: true }), path) ?? 1e-8;
    const stepSize = cfgValue(cfg, 'stepSize', number('--step-size', 'fixed step size', 0.01, { lo: 0, open: true }), path);
    if (fromCli('hidden')) usage('train: --hidden sets the width of a built-in problem\'s network; for config data give "hidden": [widths] in the config.');
    hidden = h as number[];
    pb = customProblem(d, { hidden: h as number[], activation: activation as ActivationName, method: method ?? 'dopri5', rtol, atol, stepSize });
  } else {
    for (const k of ['activation', 'rtol', 'atol', 'stepSize']) if (cfg[k] !== undefined) usage(`train: '${k}' in '${path}' applies to config data only; the built-in problems fix their own solve.`);
    if ((problem ?? 'white-dwarf') === 'white-dwarf' && (fromCli('hidden') || cfg.hidden !== undefined)) usage('train: the white dwarf model is the paper\'s fixed [s, x, v] → 10 → 2; leave out hidden.');
    hidden = pick('hidden', integer('--hidden', 1, 'hidden width', 32));
    pb = builtinProblem(problem ?? 'white-dwarf', { method, hidden });
  }
  const s: TrainSettings = {
    problem: pb.key,
    steps: pick('steps', integer('--steps', 1, 'training steps', 200)) ?? pb.steps,
    lr: pick('lr', number('--lr', 'learning rate', 0.01, { lo: 0, open: true })) ?? pb.lr,
    weightDecay: pick('weightDecay', number('--weight-decay', 'AdamW weight decay', 1e-5, { lo: 0 })) ?? pb.weightDecay,
    gradient: pick('gradient', oneOf('--gradient', GRADIENT_METHOD_NAMES, 'gradient method')) ?? pb.gradient,
    lambda: pick('lambda', number('--lambda', 'reversible coupling λ', 0.999, { lo: 0, hi: 1, open: true })) ?? 0.999,
    method: typeof pb.solveOptions.method === 'string' ? pb.solveOptions.method : String((pb.solveOptions.method as { name?: string }).name),
    seed: pick('seed', integer('--seed', 0, 'seed', 0)) ?? 0,
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(hidden !== undefined ? { hidden } : {}),
  };
  const adaptive = (pb.minibatch?.solveOptions ?? pb.solveOptions).adaptive !== false && (pb.minibatch?.solveOptions ?? pb.solveOptions).stepSize === undefined;
  if (adaptive) checkAdaptive('train', s.method, pb.key === 'custom' ? ', or set "stepSize" in the config for fixed steps' : ` (the ${pb.title} problem steps adaptively)`);
  if (s.gradient !== 'reversible') delete (s as Partial<TrainSettings>).lambda;
  if ((fromCli('lambda') || cfg.lambda !== undefined) && s.gradient !== 'reversible') usage(`train: --lambda is the reversible gradient's coupling; this run uses --gradient ${s.gradient}. Add --gradient reversible or leave out --lambda.`);
  return { s, pb };
}

async function train(flags: TrainFlags, cmd: Command): Promise<void> {
  const { s, pb } = resolveRun(flags, cmd);
  const gradient: string | GradientMethod = s.gradient === 'reversible' ? reversible({ lambda: s.lambda }) : s.gradient;
  const solveOptions = { ...pb.solveOptions, method: problems.baseMethod(pb.solveOptions.method as string), gradient };
  const params = pb.init(s.seed);
  const dir = outDir(flags.out, 'train', pb.key);
  console.log(`tidediff train: ${pb.title}, ${pb.field.paramCount} parameters; ${s.steps} steps of AdamW (lr ${s.lr}, weight decay ${s.weightDecay}), `
    + `gradient ${s.gradient}${s.gradient === 'reversible' ? ` (λ = ${s.lambda})` : ''}, solver ${s.method}, seed ${s.seed}${pb.minibatch ? `; ${pb.minibatch.describe}` : ''}`);
  const bar = progress(flags.quiet ?? false, s.steps, 'train', ' | loss {loss}');
  const start = performance.now();
  let result;
  try {
    const mb = pb.minibatch;
    result = fit({
      field: mb?.field ?? pb.field, y0: mb?.y0 ?? pb.y0, params, loss: mb?.loss ?? pb.loss, optimizer: adamw({ lr: s.lr, weightDecay: s.weightDecay }), steps: s.steps,
      solve: mb !== undefined ? { ...mb.solveOptions, method: solveOptions.method, gradient } : solveOptions, seed: s.seed, log: true,
      ...(mb !== undefined ? { batch: mb.batch } : {}),
      onStep: ({ step, loss }) => bar.update(step + 1, { loss: loss.toExponential(3) }),
    });
  } finally { bar.stop(); }
  const sec = (performance.now() - start) / 1000;

  // The trained model along the data's times, from the initial state.
  const base = { ...pb.solveOptions, method: problems.baseMethod(pb.solveOptions.method as string), params };
  const fwd = solve(pb.field, pb.y0, base);
  // A smooth curve for the plots: the same solve read at 400 times (dense output between steps).
  const t0 = pb.solveOptions.t0 ?? 0, tEnd = pb.data.ts[pb.data.ts.length - 1];
  const curveTs = pb.data.ts.length >= 400 ? Float64Array.of(t0, ...pb.data.ts) : problems.linspace(t0, tEnd, 400);
  const curve = { ts: curveTs, ys: solve(pb.field, pb.y0, { ...base, saveAt: { ts: curveTs } }).ys };
  const dim = pb.y0.length, n = pb.data.ts.length;
  const ts = Float64Array.of(t0, ...pb.data.ts);
  const modelYs = Float64Array.of(...pb.y0, ...fwd.ys), dataYs = Float64Array.of(...pb.y0, ...pb.data.ys);
  const rows = Array.from({ length: n + 1 }, (_, i) => {
    const r: Record<string, number> = { t: ts[i] };
    pb.labels.forEach((l, c) => { r[`data_${c}`] = dataYs[i * dim + c]; r[`model_${c}`] = modelYs[i * dim + c]; });
    return r;
  });
  const fullLoss = pb.loss(fwd.ys);
  const learned = (pb.report ?? []).map((r) => ({ ...r, learned: params[r.index] }));
  const summary = {
    firstLoss: result.losses[0], finalLoss: result.finalLoss, minLoss: result.minLoss, trajectoryLoss: fullLoss, sec, stepsRun: result.stepsRun,
    nfeForwardLastStep: result.lastReport?.nfeForward, nfeBackwardLastStep: result.lastReport?.nfeBackward, peakBytes: result.peakBytes,
    ...(learned.length > 0 ? { learned } : {}),
  };
  const files = [
    writeText(dir, 'log.json', `${fitLogToJSON(result.log)}\n`),
    writeText(dir, 'log.csv', fitLogToCSV(result.log)),
    writeJSON(dir, 'params.json', { problem: pb.key, paramCount: params.length, seed: s.seed, params: Array.from(params) }),
    writeJSON(dir, 'run.json', { command: 'train', tide: tideVersion(), argv: process.argv.slice(2), settings: s, labels: pb.labels, summary }),
    writeText(dir, 'trajectory.csv', toCSV(rows)),
    ...(await writePlot(dir, 'loss', lossSpec(`${pb.title}: training loss (${s.gradient} gradient)`, result.losses))),
    ...(await writePlot(dir, 'trajectories', trajectorySpec(pb.title, pb.labels, curve, { ts, ys: dataYs }))),
  ];
  if (dim >= 2) files.push(...await writePlot(dir, 'phase', phaseSpec(pb.title, pb.labels, curve, { ts, ys: dataYs })));
  console.log(`${pb.minibatch ? 'minibatch ' : ''}loss ${result.losses[0].toExponential(3)} → ${result.finalLoss.toExponential(3)} (minimum ${result.minLoss.toExponential(3)}) in ${sec.toFixed(1)} s; `
    + `peak gradient memory ${result.peakBytes.toLocaleString('en-US')} bytes`);
  if (pb.minibatch) console.log(`loss on the whole trajectory from the initial state: ${fullLoss.toExponential(3)}`);
  for (const l of learned) console.log(`learned ${l.name} = ${l.learned.toPrecision(4)} (truth ${l.truth})`);
  listFiles(dir, files);
}

export function trainCommand(): Command {
  const problems = PROBLEM_NAMES.map((p) => `  ${p.padEnd(15)} ${PROBLEM_HELP[p]}`).join('\n');
  const keys = Object.entries(CONFIG_KEYS).map(([k, v]) => `  ${k.padEnd(12)} ${v}`).join('\n');
  return new Command('train')
    .description('Train a neural ODE (a built-in problem or the data of a JSON config); writes the log, parameters and plots.')
    .addOption(new Option('-p, --problem <name>', 'built-in problem (default white-dwarf)').argParser(oneOf('--problem', PROBLEM_NAMES, 'problem')))
    .addOption(new Option('-c, --config <file>', 'JSON config: a problem or data, and any of the settings below (flags win)'))
    .addOption(new Option('-n, --steps <n>', "training steps (default: the problem's; white dwarf 1000)").argParser(integer('--steps', 1, 'training steps', 200)))
    .addOption(new Option('--lr <x>', 'AdamW learning rate (default 1e-2)').argParser(number('--lr', 'learning rate', 0.01, { lo: 0, open: true })))
    .addOption(new Option('--weight-decay <x>', "AdamW weight decay (default: the problem's)").argParser(number('--weight-decay', 'AdamW weight decay', 1e-5, { lo: 0 })))
    .addOption(new Option('-g, --gradient <name>', `gradient method: ${GRADIENT_METHOD_NAMES.join(', ')} (default reversible for white-dwarf, else direct)`).argParser(oneOf('--gradient', GRADIENT_METHOD_NAMES, 'gradient method')))
    .addOption(new Option('--lambda <x>', 'coupling λ in (0, 1] of the reversible gradient (default 0.999)').argParser(number('--lambda', 'reversible coupling λ', 0.999, { lo: 0, hi: 1, open: true })))
    .addOption(new Option('-m, --method <name>', "base solver of the training solves (default: the problem's)").argParser(oneOf('--method', TRAIN_METHODS, 'method')))
    .addOption(new Option('--hidden <n>', 'hidden width of the network (spiral 50, lotka-volterra 32, hybrid 16)').argParser(integer('--hidden', 1, 'hidden width', 32)))
    .addOption(new Option('-s, --seed <n>', 'initialisation seed (default 0)').argParser(integer('--seed', 0, 'seed', 0)))
    .addOption(new Option('-o, --out <dir>', 'output folder (default runs/train-PROBLEM-TIMESTAMP)'))
    .addOption(new Option('-q, --quiet', 'no progress bar'))
    .addHelpText('after', `\nProblems:\n${problems}\n\nConfig keys (JSON):\n${keys}\n\nWrites to --out: log.json, log.csv (step, loss, sec, nfe_fwd, nfe_bwd), params.json, run.json (settings and summary),\ntrajectory.csv, and plots as SVG + Vega-Lite JSON: loss, trajectories (model against data), phase (phase portrait).\n\nExamples:\n  tidediff train --problem lotka-volterra --steps 300 --out runs/lv\n  tidediff train --config train.json --gradient checkpoint`)
    .action(train);
}
