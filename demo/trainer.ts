/**
 * The demo's training loop, free of DOM and Node APIs: the page's Web Worker runs it, and bench/browser.ts runs the
 * same code in Node, so the two step times compare like for like.
 *
 * Problems (from tide's `problems` namespace):
 *  - white dwarf (McCallum & Foster 2024, arXiv 2410.11648, experiment 1): 1000 fixed steps of the base solver,
 *    time-dependent MLP [s, x, v] → 10 → tanh → 2, AdamW lr 1e-2, full batch; the demo's default, with the
 *    reversible midpoint solver at λ = 0.999 as in the paper;
 *  - coupled oscillator (the paper's experiment 2, on its offline substitute data), fixed steps, full batch;
 *  - spiral (Chen et al. 2018, torchdiffeq's ode_demo): 2 → 50 → 2 tanh net on y³, minibatches of 20 windows of 10
 *    points drawn from the 1000-point trajectory, mean |pred − true| loss, adaptive solver; the trajectory shown is
 *    the solve over all of [0, 25] from y(0), and its loss is the "test loss".
 * Gradient methods: direct, checkpoint (8 slots), backsolve, interpolated (IRDM), reversible (λ-coupled base solver).
 */
import {
  problems, prepareSolve, solve, adam, l1, Rng, direct, checkpoint, backsolve, interpolated, reversible, TideError,
} from '../src/index.ts';
import type { GradientMethod, GradientReport, GradientSolveOptions, Optimizer, PreparedSolve } from '../src/index.ts';

type NeuralField = problems.NeuralField;
type Problem = problems.Problem;

export type ProblemId = 'white-dwarf' | 'coupled-oscillator' | 'spiral';
export type GradientId = 'direct' | 'checkpoint' | 'backsolve' | 'interpolated' | 'reversible';

/** What the user picks in the page. */
export interface TrainConfig {
  readonly problem: ProblemId;
  /** A solver of that problem's list ({@link PROBLEMS}). */
  readonly solver: string;
  readonly gradient: GradientId;
  /** Coupling λ ∈ (0, 1] of the reversible method. */
  readonly lambda: number;
  /** Learning rate of the optimiser (default: the problem's). */
  readonly lr?: number;
  /** Seed of the initial parameters (and of the spiral's window draws). */
  readonly seed?: number;
}

export interface ProblemInfo {
  readonly label: string;
  /** Solvers offered; the first is the default. Fixed-step problems regenerate their data with the chosen solver. */
  readonly solvers: readonly string[];
  readonly adaptive: boolean;
  readonly lr: number;
  /** Names of the state components, for the plot legend. */
  readonly components: readonly string[];
  readonly timeName: string;
}

export const PROBLEMS: Readonly<Record<ProblemId, ProblemInfo>> = {
  'white-dwarf': { label: 'White dwarf (McCallum & Foster, exp. 1)', solvers: ['midpoint', 'ralston3', 'rk4', 'euler'], adaptive: false, lr: 1e-2, components: ['x', 'v'], timeName: 's' },
  'coupled-oscillator': { label: 'Coupled oscillator (exp. 2)', solvers: ['midpoint', 'ralston3', 'rk4', 'euler'], adaptive: false, lr: 1e-2, components: ['x1', 'x2', 'v1', 'v2'], timeName: 't' },
  spiral: { label: 'Spiral (Chen et al., ode_demo)', solvers: ['dopri5', 'tsit5', 'bs3'], adaptive: true, lr: 3e-3, components: ['y1', 'y2'], timeName: 't' },
};

export const GRADIENTS: readonly GradientId[] = ['reversible', 'direct', 'checkpoint', 'backsolve', 'interpolated'];

/** The demo's default: the paper's white dwarf with the reversible midpoint solver. */
export const DEFAULT_CONFIG: TrainConfig = Object.freeze({ problem: 'white-dwarf', solver: 'midpoint', gradient: 'reversible', lambda: 0.999, seed: 0 });

/** The part of a gradient report the page shows (plain numbers, so it crosses postMessage). */
export interface StepReport {
  nfeForward: number; nfeBackward: number; vjpBackward: number; steps: number; peakBytes: number; stateBytes: number;
  reconstructionError?: number;
}

export interface StepResult { readonly loss: number; readonly report: StepReport }

/** What the page needs to draw the data once. */
export interface TaskInfo {
  readonly paramCount: number;
  readonly dim: number;
  /** Plot times and the data at them (rows of dim). */
  readonly ts: Float64Array;
  readonly ys: Float64Array;
  readonly lossName: string;
}

const SPIRAL = { points: 1000, t1: 25, batch: 20, window: 10, rtol: 1e-6, atol: 1e-8 } as const;

function gradientMethod(id: GradientId, lambda: number): GradientMethod {
  switch (id) {
    case 'direct': return direct();
    case 'checkpoint': return checkpoint({ slots: 8 });
    case 'backsolve': return backsolve();
    case 'interpolated': return interpolated();
    case 'reversible': return reversible({ lambda });
    default: throw new TideError('BAD_OPTION', `demo: unknown gradient method '${String(id)}'; expected one of ${GRADIENTS.join(', ')}.`);
  }
}

function toReport(r: GradientReport): StepReport {
  const out: StepReport = { nfeForward: r.nfeForward, nfeBackward: r.nfeBackward, vjpBackward: r.vjpBackward, steps: r.steps, peakBytes: r.peakBytes, stateBytes: r.stateBytes };
  if (r.reconstructionError !== undefined) out.reconstructionError = r.reconstructionError;
  return out;
}

function checkConfig(cfg: TrainConfig): ProblemInfo {
  const info = (PROBLEMS as Record<string, ProblemInfo | undefined>)[cfg.problem];
  if (info === undefined) throw new TideError('BAD_OPTION', `demo: unknown problem '${String(cfg.problem)}'; expected one of ${Object.keys(PROBLEMS).join(', ')}.`);
  if (!info.solvers.includes(cfg.solver)) throw new TideError('BAD_OPTION', `demo: the ${info.label} problem offers the solvers ${info.solvers.join(', ')}, got '${String(cfg.solver)}'.`);
  if (!GRADIENTS.includes(cfg.gradient)) throw new TideError('BAD_OPTION', `demo: unknown gradient method '${String(cfg.gradient)}'; expected one of ${GRADIENTS.join(', ')}.`);
  if (typeof cfg.lambda !== 'number' || !(cfg.lambda > 0 && cfg.lambda <= 1)) throw new TideError('BAD_OPTION', `demo: λ must be in (0, 1], got ${String(cfg.lambda)}.`);
  if (cfg.lr !== undefined && !(cfg.lr > 0 && cfg.lr < 1)) throw new TideError('BAD_OPTION', `demo: the learning rate must be in (0, 1), got ${String(cfg.lr)}; Adam on these problems works with 1e-3 to 1e-2.`);
  return info;
}

/** One training run: build once, then `step()` per optimiser step; `prediction()` for the plot. */
export class Trainer {
  readonly config: TrainConfig;
  readonly info: TaskInfo;
  readonly params: Float64Array;
  private readonly optimizer: Optimizer;
  private readonly prepared: PreparedSolve;
  private readonly runStep: () => StepResult;
  private readonly predict: () => { ys: Float64Array; loss: number };
  stepsDone = 0;

  constructor(config: TrainConfig) {
    const pi = checkConfig(config);
    this.config = config;
    const seed = config.seed ?? 0;
    const lr = config.lr ?? pi.lr;
    const gradient = gradientMethod(config.gradient, config.lambda);
    this.optimizer = adam({ lr });
    if (config.problem === 'spiral') {
      const data = problems.spiralData({ points: SPIRAL.points, t1: SPIRAL.t1 });
      const { batch: B, window: T } = SPIRAL;
      const field: NeuralField = problems.neuralSpiralField(B, 50);
      const testField = problems.neuralSpiralField(1, 50);
      this.params = field.init(new Float64Array(field.paramCount), new Rng(seed));
      const windowTs = data.ts.slice(0, T);
      const tol = { method: config.solver, rtol: SPIRAL.rtol, atol: SPIRAL.atol };
      this.prepared = prepareSolve(field, { t1: windowTs[T - 1], saveAt: { ts: windowTs }, params: this.params, ...tol, gradient });
      const rng = new Rng(seed + 1);
      const y0 = new Float64Array(B * 2), target = new Float64Array(T * B * 2), dYs = new Float64Array(target.length);
      // mean |pred − true| (torch.nn.L1Loss, as ode_demo.py): over the windows, and over the whole trajectory.
      const windowLoss = l1(target), trajectoryLoss = l1(data.ys), predD = new Float64Array(data.ys.length);
      const N = data.ts.length;
      this.runStep = () => {
        problems.fillWindows(data.ys, 2, rng.choice(N - T, B), T, y0, target); // ode_demo.py's get_batch
        const run = this.prepared.run(y0, this.params);
        const loss = windowLoss(run.ys, dYs);
        const g = run.backward(dYs);
        this.optimizer.step(this.params, g.dParams);
        return { loss, report: toReport(g.report) };
      };
      const pred = new Float64Array(data.ys.length);
      this.predict = () => {
        const sol = solve(testField, data.y0, { t1: SPIRAL.t1, params: this.params, ...tol, saveAt: { ts: data.ts } });
        pred.set(sol.ys);
        return { ys: pred, loss: trajectoryLoss(pred, predD) };
      };
      this.info = { paramCount: field.paramCount, dim: 2, ts: data.ts, ys: data.ys, lossName: 'mean |pred − true| (20 windows of 10 points)' };
    } else {
      const pb: Problem = config.problem === 'white-dwarf'
        ? problems.whiteDwarfProblem({ method: config.solver })
        : problems.coupledOscillatorProblem({ method: config.solver });
      this.params = pb.init(seed);
      const options: GradientSolveOptions = { ...pb.solveOptions, params: this.params, gradient };
      this.prepared = prepareSolve(pb.field, options);
      const dYs = new Float64Array(pb.data.ys.length), pred = new Float64Array(pb.data.ys.length);
      let lastLoss = NaN;
      this.runStep = () => {
        const run = this.prepared.run(pb.y0, this.params);
        pred.set(run.ys);
        const loss = pb.loss(run.ys, dYs);
        lastLoss = loss;
        const g = run.backward(dYs);
        this.optimizer.step(this.params, g.dParams);
        return { loss, report: toReport(g.report) };
      };
      // The prediction of the last step's forward solve (before its update): the curve the loss was measured on.
      this.predict = () => {
        if (this.stepsDone === 0) { this.runForward(pb, pred); lastLoss = pb.loss(pred); }
        return { ys: pred, loss: lastLoss };
      };
      this.info = { paramCount: pb.field.paramCount, dim: pb.field.dim, ts: pb.data.ts, ys: pb.data.ys, lossName: 'mean squared error (full trajectory)' };
    }
  }

  private runForward(pb: Problem, out: Float64Array): void {
    const sol = solve(pb.field, pb.y0, { ...pb.solveOptions, params: this.params });
    out.set(sol.ys);
  }

  /** One optimiser step: forward solve, loss, backward pass by the chosen method, Adam update. */
  step(): StepResult {
    const r = this.runStep();
    this.stepsDone++;
    return r;
  }

  /** The model's trajectory at info.ts (a view reused between calls) and its loss against the data. */
  prediction(): { ys: Float64Array; loss: number } {
    return this.predict();
  }
}
