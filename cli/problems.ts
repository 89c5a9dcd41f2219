/**
 * The CLI's built-in problems: each is a learnable field with data, its training solve and loss (src/problems/),
 * plus what the CLI needs around it: the true system (for `solve`), state labels for plots, and the default
 * gradient method. `custom` builds a neural ODE on data given in a JSON config.
 */
import { problems, mlp, mse, fieldFromModel, getSolver, solverNames, Rng, TideError, ACTIVATION_NAMES } from '../src/index.ts';
import type { VectorField, GradientSolveOptions, ActivationName, FitBatch, LossFn } from '../src/index.ts';

/** What `train`, `solve` and `bench` run. */
export interface CliProblem {
  readonly key: string;
  readonly title: string;
  /** The learnable field (params = the trained parameters). */
  readonly field: VectorField;
  readonly y0: Float64Array;
  /** Targets ys (ts.length × dim, row-major) at ts. */
  readonly data: { readonly ts: Float64Array; readonly ys: Float64Array };
  readonly solveOptions: GradientSolveOptions;
  readonly loss: (ys: Readonly<Float64Array>, dYs?: Float64Array) => number;
  readonly lr: number;
  readonly weightDecay: number;
  readonly steps: number;
  readonly gradient: string;
  init(seed: number): Float64Array;
  /** Names of the state components, for plots and CSV columns. */
  readonly labels: readonly string[];
  /** The true system and its parameters (what generated the data), when known. */
  readonly truth?: { readonly field: VectorField; readonly params: Float64Array; readonly method: string; readonly rtol: number; readonly atol: number };
  /**
   * Minibatch training instead of the full trajectory (the spiral: ode_demo.py's random windows): the training field
   * (same params as `field`), its solve, a batch hook and a loss that reads the batch's target.
   */
  readonly minibatch?: { readonly field: VectorField; readonly y0: Float64Array; readonly solveOptions: GradientSolveOptions; readonly batch: (step: number, rng: Rng) => FitBatch; readonly loss: LossFn; readonly describe: string };
  /** Named learned parameters worth reporting (e.g. the hybrid model's damping), by index into params. */
  readonly report?: readonly { name: string; index: number; truth: number }[];
}

export const PROBLEM_NAMES = ['white-dwarf', 'spiral', 'lotka-volterra', 'hybrid'] as const;

/** One line per built-in problem, for --help. */
export const PROBLEM_HELP: Readonly<Record<(typeof PROBLEM_NAMES)[number], string>> = {
  'white-dwarf': 'Chandrasekhar white dwarf, time-dependent MLP [s, x, v] → 10 → 2, 1000 midpoint steps (McCallum & Foster 2024); reversible gradients',
  spiral: 'cubic spiral y\' = Aᵀy³ of Chen et al. 2018, MLP(y³) 2 → 50 → 2, 1000 points on [0, 25]; trains on 20 random 10-point windows (ode_demo.py), dopri5',
  'lotka-volterra': 'predator–prey x\' = 1.5x − xy, y\' = xy − 3y, neural ODE MLP 2 → 32 → 2, 50 points on [0, 3], RK4',
  hybrid: 'damped pendulum: known physics with learnable damping k + MLP(θ) for a missing spring, 60 points on [0, 6], RK4',
};

/** Options every built-in problem takes from the command line or a config. */
export interface ProblemOptions {
  /** Base solver of the training solves (a method name), default the problem's. */
  method?: string;
  hidden?: number;
}

/** A built-in problem by name (validated by the caller). */
export function builtinProblem(key: string, o: ProblemOptions = {}): CliProblem {
  const withMethod = (s: GradientSolveOptions): GradientSolveOptions => (o.method !== undefined ? { ...s, method: o.method } : s);
  switch (key) {
    case 'white-dwarf': {
      const pb = problems.whiteDwarfProblem({ method: o.method ?? 'midpoint' });
      return {
        key, title: 'white dwarf', field: pb.field, y0: pb.y0, data: pb.data, solveOptions: pb.solveOptions, loss: pb.loss,
        lr: pb.training.lr, weightDecay: pb.training.weightDecay, steps: pb.training.steps, gradient: 'reversible', init: pb.init,
        labels: ['x', 'v'],
        truth: { field: problems.whiteDwarfField(), params: new Float64Array(0), method: 'dopri5', rtol: 1e-10, atol: 1e-12 },
      };
    }
    case 'spiral': {
      // torchdiffeq's ode_demo.py: 1000 points on [0, 25]; train on 20 random windows of 10 points, test from y(0).
      const D = problems.SPIRAL_DEMO;
      const d = problems.spiralData({ points: 1000, t1: 25 });
      const ts = d.ts.subarray(1).slice(), ys = d.ys.subarray(2).slice();
      const hidden = o.hidden ?? D.hidden;
      const field = problems.neuralSpiralField(1, hidden), batched = problems.neuralSpiralField(D.batchSize, hidden);
      const dt = d.ts[1] - d.ts[0];
      const wts = Float64Array.from({ length: D.batchTime - 1 }, (_, k) => (k + 1) * dt);
      const y0 = new Float64Array(2 * D.batchSize), target = new Float64Array((D.batchTime - 1) * 2 * D.batchSize);
      const adaptive = { method: o.method ?? D.method, rtol: D.rtol, atol: D.atol };
      return {
        key, title: 'spiral', field, y0: d.y0, data: { ts, ys },
        solveOptions: { t0: 0, t1: 25, saveAt: { ts, t0: false, t1: false }, ...adaptive, maxSteps: 100_000 },
        loss: problems.mseLoss(ys, 'spiral'), lr: 1e-2, weightDecay: 0, steps: 2000, gradient: 'direct',
        init: (seed) => field.init(new Float64Array(field.paramCount), new Rng(seed)),
        labels: ['y1', 'y2'],
        truth: { field: problems.spiralField(), params: Float64Array.from(problems.SPIRAL_A), method: 'dopri5', rtol: 1e-10, atol: 1e-12 },
        minibatch: {
          field: batched, y0,
          solveOptions: { t0: 0, t1: wts[wts.length - 1], saveAt: { ts: wts, t0: false, t1: false }, ...adaptive, maxSteps: 100_000 },
          loss: mse(),
          describe: `${D.batchSize} windows of ${D.batchTime} points per step (ode_demo.py)`,
          batch: (_step, rng) => {
            // Window starts drawn without replacement from [0, 990); row k of the save is the state k + 1 points on.
            const starts = rng.choice(D.startRange, D.batchSize, { replace: false });
            problems.fillWindows(d.ys, 2, starts, D.batchTime - 1, y0, target, 1);
            return { y0, target };
          },
        },
      };
    }
    case 'lotka-volterra': {
      const pb = problems.lotkaVolterraProblem({ hidden: o.hidden });
      return {
        key, title: 'Lotka–Volterra', field: pb.field, y0: pb.y0, data: pb.data, solveOptions: withMethod(pb.solveOptions), loss: pb.loss,
        lr: pb.training.lr, weightDecay: pb.training.weightDecay, steps: pb.training.steps, gradient: 'direct', init: pb.init,
        labels: ['prey x', 'predators y'],
        truth: { field: problems.lotkaVolterraField(), params: Float64Array.from(problems.LOTKA_VOLTERRA_PARAMS), method: 'dopri5', rtol: 1e-10, atol: 1e-12 },
      };
    }
    case 'hybrid': {
      const pb = problems.hybridPendulumProblem({ hidden: o.hidden });
      const T = problems.HYBRID_PENDULUM_TRUTH;
      return {
        key, title: 'hybrid pendulum', field: pb.field, y0: pb.y0, data: pb.data, solveOptions: withMethod(pb.solveOptions), loss: pb.loss,
        lr: pb.training.lr, weightDecay: pb.training.weightDecay, steps: pb.training.steps, gradient: 'direct', init: pb.init,
        labels: ['θ', 'ω'],
        truth: { field: problems.hybridPendulumTruth(), params: Float64Array.of(T.damping, T.spring), method: 'dopri5', rtol: 1e-10, atol: 1e-12 },
        report: [{ name: 'damping k', index: 0, truth: T.damping }],
      };
    }
    default:
      throw new Error(`internal error in the tide CLI: unknown problem '${key}' passed validation`);
  }
}

/** Data of a JSON config: one trajectory, ys[i] the state at ts[i]; row 0 is the initial state (not a target). */
export interface CustomData {
  ts: number[];
  ys: number[][];
}

/** A neural ODE y' = MLP(y) on the config's data (checked by the config reader). */
export function customProblem(d: CustomData, o: { hidden: number[]; activation: ActivationName; method: string; rtol: number; atol: number; stepSize?: number }): CliProblem {
  const dim = d.ys[0].length;
  const net = mlp([dim, ...o.hidden, dim], { activation: o.activation });
  const field = fieldFromModel(net, 1);
  const ts = Float64Array.from(d.ts.slice(1)), ys = Float64Array.from(d.ys.slice(1).flat()), y0 = Float64Array.from(d.ys[0]);
  const t0 = d.ts[0], t1 = ts[ts.length - 1];
  const stepping = o.stepSize !== undefined ? { stepSize: o.stepSize, adaptive: false } : { rtol: o.rtol, atol: o.atol };
  return {
    key: 'custom', title: 'config data', field, y0, data: { ts, ys },
    solveOptions: { t0, t1, saveAt: { ts, t0: false, t1: false }, method: o.method, ...stepping, maxSteps: 100_000 },
    loss: problems.mseLoss(ys, 'config data'), lr: 1e-2, weightDecay: 0, steps: 500, gradient: 'direct',
    init: (seed) => { const p = new Float64Array(net.paramCount); net.init(p, new Rng(seed)); return p; },
    labels: Array.from({ length: dim }, (_, i) => `y${i + 1}`),
  };
}

export { ACTIVATION_NAMES };

/** Whether a method name has an error estimate, so it can step adaptively ('ralston3' has none). */
export function isAdaptive(method: string): boolean {
  return method !== 'ralston3' && getSolver(method).errorOrder !== undefined;
}

/** The adaptive method names, for messages. */
export const ADAPTIVE_METHODS: readonly string[] = solverNames.filter((m) => isAdaptive(m));

/** Rejects a fixed-step-only method for an adaptive solve, naming the fix (`flagFix`: e.g. "or give --step-size"). */
export function checkAdaptive(where: string, method: string, flagFix: string): void {
  if (!isAdaptive(method)) {
    throw new TideError('BAD_OPTION', `${where}: --method ${method} has no error estimate, so it cannot step adaptively here. Use an adaptive method (${ADAPTIVE_METHODS.join(', ')})${flagFix}.`);
  }
}
