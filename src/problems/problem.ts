/**
 * What the benchmark problems of `src/problems/` have in common: a learnable vector field with its initialisation,
 * data generated in code (no files fetched), a loss with its cotangent, and the training settings of the paper
 * being reproduced (McCallum & Foster 2024, arXiv 2410.11648; Chen et al. 2018). One `Problem` is everything a bench script needs to run one training loop:
 *
 *   const pb = whiteDwarfProblem();
 *   const params = pb.init(0), opt = trainingOptimizer(pb.training);
 *   for (let i = 0; i < pb.training.steps; i++) {
 *     const run = solve(pb.field, pb.y0, { ...pb.solveOptions, params, gradient: 'checkpoint' });
 *     const dYs = new Float64Array(run.ys.length);
 *     pb.loss(run.ys, dYs);
 *     opt.step(params, run.backward(dYs).dParams);
 *   }
 */
import { TideError, checkFunction, checkInteger, checkOptions, fmtGot, firstNonFinite, rethrowUser } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import { checkModel } from '../nn/model.ts';
import type { VectorField } from '../core/field.ts';
import type { Rng } from '../core/random.ts';
import type { Model } from '../nn/model.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import { adamw } from '../optim/adamw.ts';
import type { GradientSolveOptions } from '../gradients/solve.ts';
import type { Solver } from '../solvers/solver.ts';
import type { Tableau } from '../solvers/tableau.ts';
import { ralston3 } from './ralston3.ts';

/** A learnable vector field: a VectorField with a VJP, the network inside it, and that network's initialisation. */
export interface NeuralField extends VectorField {
  /** The network whose flat parameters are the field's params (paramCount = net.paramCount). */
  readonly net: Model;
  vjp(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array,
    params: Float64Array, fOut?: Float64Array): number;
  /** Fills params (length paramCount) with the problem's initial values, drawn from rng. Returns params. */
  init(params: Float64Array, rng: Rng): Float64Array;
}

/** Trajectory data: targets ys (ts.length rows of `dim` values, row-major) at times ts, and the initial state y0. */
export interface TrajectoryData {
  /** Save times of the targets, increasing. */
  readonly ts: Float64Array;
  /** Targets, ts.length × dim, row-major. */
  readonly ys: Float64Array;
  /** Initial state (not learned). */
  readonly y0: Float64Array;
}

/**
 * A loss of the predictions `ys` (same layout as the data's ys). Returns L and, when dYs is given, overwrites it with
 * ∂L/∂ys — the cotangent `GradientSolution.backward` takes.
 */
export type Loss = (ys: Readonly<Float64Array>, dYs?: Float64Array) => number;

/**
 * Optimiser and length of a training run. AdamW with optax's defaults β = (0.9, 0.999), ε = 1e-8, decay on all parameters.
 * @property optimizer always 'adamw'.
 * @property lr learning rate.
 * @property weightDecay AdamW's decoupled weight decay.
 */
export interface TrainingSettings {
  readonly optimizer: 'adamw';
  readonly lr: number;
  readonly weightDecay: number;
  /** Number of full-batch training steps. */
  readonly steps: number;
}

/**
 * One benchmark problem: model field, data, the solve the loss needs, the loss and the training settings.
 * @property name the problem's name, e.g. 'white dwarf'.
 * @property field the neural vector field to train (its network, VJP and initialiser).
 * @property data the training targets: save times, target states and the initial state.
 * @property loss the loss of the saved outputs against data (value and ∂L/∂ys).
 * @property training the paper's training settings.
 */
export interface Problem {
  readonly name: string;
  readonly field: NeuralField;
  readonly data: TrajectoryData;
  /** Initial state of every training solve (= data.y0). */
  readonly y0: Float64Array;
  /** Options for `solve` (give params and gradient): t0, t1, method, steps/tolerances, saveAt.ts = data.ts. */
  readonly solveOptions: GradientSolveOptions;
  readonly loss: Loss;
  readonly training: TrainingSettings;
  /** Fresh initial parameters from `new Rng(seed)` (tide's generator: not JAX's PRNG keys, so not the paper's draws). */
  init(seed?: number): Float64Array;
}

/** The optimiser of a problem's training settings. */
export function trainingOptimizer(settings: TrainingSettings): Optimizer {
  if (settings === null || typeof settings !== 'object') {
    throw new TideError('BAD_ARGUMENT', `trainingOptimizer: expected a problem's training settings (problem.training), got ${fmtGot(settings)}.`);
  }
  if (settings.optimizer !== 'adamw') {
    throw new TideError('BAD_OPTION', `trainingOptimizer: the settings name optimizer ${fmtGot(settings.optimizer)}; the benchmark problems train with 'adamw'.`, { option: 'optimizer' });
  }
  return adamw({ lr: settings.lr, weightDecay: settings.weightDecay, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
}

/**
 * Mean squared error against fixed targets: L = mean over all entries of (target − y)², ∂L/∂y = 2(y − target)/N.
 * @throws TideError('SHAPE') when ys (or dYs) does not have the targets' length.
 */
export function mseLoss(target: Readonly<Float64Array>, name = 'mse'): Loss {
  if (!(target instanceof Float64Array)) {
    throw new TideError('DTYPE', `mseLoss: target must be a Float64Array (the data's ys), got ${describe(target)}.${Array.isArray(target) ? ' Use Float64Array.from(...).' : ''}`);
  }
  if (target.length === 0) throw new TideError('SHAPE', 'mseLoss: target is empty; a mean squared error needs at least one target value.');
  const bad = firstNonFinite(target);
  if (bad >= 0) throw new TideError('NONFINITE', `mseLoss: target[${bad}] is ${target[bad]}; targets must be finite (clean the data first).`, { index: bad });
  if (typeof name !== 'string') throw new TideError('BAD_ARGUMENT', `mseLoss: name must be a string (used in messages), got ${fmtGot(name)}.`);
  const n = target.length;
  return (ys: Readonly<Float64Array>, dYs?: Float64Array): number => {
    if (!(ys instanceof Float64Array) || (dYs !== undefined && !(dYs instanceof Float64Array))) {
      throw new TideError('DTYPE', `${name} loss: ys and dYs must be Float64Arrays of length ${n}, got ${describe(ys)}${dYs !== undefined ? ` and ${describe(dYs)}` : ''}.`);
    }
    if (ys.length !== n || (dYs !== undefined && dYs.length !== n)) {
      throw new TideError('SHAPE', `${name} loss: predictions have length ${ys.length}${dYs !== undefined ? ` and dYs ${dYs.length}` : ''}; the targets have ${n}. Save at the data's ts.`, { expected: n, got: ys.length });
    }
    let L = 0;
    const s = 2 / n;
    for (let i = 0; i < n; i++) {
      const r = ys[i] - target[i];
      L += r * r;
      if (dYs !== undefined) dYs[i] = s * r;
    }
    return L / n;
  };
}

/** Rows of a flat [rows, dim] array from `start` on, as a new array. */
export function rowsFrom(ys: Readonly<Float64Array>, dim: number, start: number): Float64Array {
  return Float64Array.from(ys.subarray(start * dim));
}

/** n equispaced points on [a, b] (both ends exact), as NumPy's linspace. */
export function linspace(a: number, b: number, n: number): Float64Array {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new TideError('BAD_ARGUMENT', `linspace: the ends must be finite numbers, got ${fmtGot(a)} and ${fmtGot(b)}.`);
  }
  checkInteger('linspace', 'n', n, 1, 'It is the number of points, both ends included.', 'BAD_ARGUMENT');
  if (n === 1) return Float64Array.of(a);
  const out = new Float64Array(n);
  const h = (b - a) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = a + i * h;
  out[n - 1] = b;
  return out;
}

/** t_i = i·(t1/steps) for i = 0 … steps, the last one exactly t1: the times of a fixed-step solve. */
export function stepGrid(t1: number, steps: number): Float64Array {
  if (typeof t1 !== 'number' || !Number.isFinite(t1)) throw new TideError('BAD_ARGUMENT', `stepGrid: t1 must be a finite number, got ${fmtGot(t1)}.`);
  checkInteger('stepGrid', 'steps', steps, 1, '', 'BAD_ARGUMENT');
  const h = t1 / steps;
  const g = new Float64Array(steps + 1);
  for (let i = 0; i <= steps; i++) g[i] = i * h;
  g[steps] = t1;
  return g;
}

/**
 * A NeuralField from a field with a VJP and the network inside it. `init` defaults to the network's own scheme
 * (tide's 'pytorch' = equinox's default: weights and biases ~ U(−1/√fan_in, 1/√fan_in)).
 */
export function neuralField(field: VectorField & { vjp: NeuralField['vjp'] }, net: Model,
  init?: (params: Float64Array, rng: Rng) => void): NeuralField {
  const f = field as Partial<VectorField> | null;
  if (f === null || typeof f !== 'object' || typeof f.eval !== 'function' || typeof f.vjp !== 'function' || !Number.isInteger(f.dim) || !Number.isInteger(f.paramCount)) {
    throw new TideError('BAD_ARGUMENT', `neuralField: field must be a VectorField with a vjp (fieldFromModel or fieldFromTrace), got ${fmtGot(field)}.`);
  }
  checkModel('neuralField', net);
  if (net.paramCount !== field.paramCount) {
    throw new TideError('SHAPE', `neuralField: the network ${net.name} has ${net.paramCount} parameters but the field has ${field.paramCount}; the field's params must be the network's.`, { expected: field.paramCount, got: net.paramCount });
  }
  if (init !== undefined) checkFunction('neuralField', 'init', init, '(params, rng) => void');
  const fill = init ?? ((params: Float64Array, rng: Rng): void => net.init(params, rng));
  return {
    dim: field.dim, paramCount: field.paramCount, name: field.name, net,
    eval: (out, t, y, params) => field.eval(out, t, y, params),
    vjp: (dY, dParams, v, t, y, params, fOut) => field.vjp(dY, dParams, v, t, y, params, fOut),
    // Keep the field's stage slots, so taped pullbacks skip re-evaluating the network.
    ...(typeof field.tape === 'function' ? { tape: (slots: number) => field.tape!(slots) } : {}),
    init(params: Float64Array, rng: Rng): Float64Array {
      if (!(params instanceof Float64Array)) throw new TideError('DTYPE', `${field.name ?? 'field'}: init needs params as a Float64Array of length ${field.paramCount}, got ${describe(params)}.`);
      if (rng === null || typeof rng !== 'object' || typeof rng.fillNormal !== 'function') throw new TideError('BAD_ARGUMENT', `${field.name ?? 'field'}: init needs an Rng, e.g. init(params, new Rng(0)), got ${fmtGot(rng)}.`);
      if (params.length !== field.paramCount) {
        throw new TideError('SHAPE', `${field.name ?? 'field'}: init got params of length ${params.length}; the field has ${field.paramCount} parameters.`, { expected: field.paramCount, got: params.length });
      }
      try { fill(params, rng); } catch (e) { rethrowUser(`${field.name ?? 'field'}`, 'init', 'init', e); }
      return params;
    },
  };
}

/**
 * A fixed-step base method of the experiment: a method string of `solve`, 'ralston3' (the RK3Simple tableau of
 * {@link ralston3}), a tableau or a Solver. The paper's four: 'euler', 'midpoint', 'ralston3', 'rk4'.
 */
export type BaseMethod = string | Tableau | Solver;

/** A method for `solve`: 'ralston3' is this module's tableau (not a registered method name); anything else passes through. */
export function baseMethod(method: BaseMethod): string | Tableau | Solver {
  if (typeof method !== 'string' && (method === null || typeof method !== 'object')) {
    throw new TideError('BAD_ARGUMENT', `baseMethod: expected a method name ('euler', 'midpoint', 'ralston3', 'rk4'), a tableau or a Solver, got ${fmtGot(method)}.`);
  }
  return method === 'ralston3' ? ralston3 : method;
}

/** Checks a state batch size argument (a positive integer). */
export function checkBatchArg(where: string, batch: unknown): void {
  checkInteger(where, 'batch', batch, 1, 'It is the number of independent states solved together (default 1).');
}

/** Checks a problem's options object: an object (or undefined) with known keys, and trainingSteps / t1 when given. */
export function checkProblemOptions(where: string, options: unknown, keys: readonly string[], example: string): void {
  checkOptions(where, options, keys, example);
  const o = (options ?? {}) as { trainingSteps?: unknown; t1?: unknown };
  if (o.trainingSteps !== undefined) checkInteger(where, 'trainingSteps', o.trainingSteps, 0, '', 'BAD_OPTION');
  if (o.t1 !== undefined && (typeof o.t1 !== 'number' || !(o.t1 > 0 && o.t1 <= Number.MAX_VALUE))) {
    throw new TideError('BAD_OPTION', `${where}: t1 must be a finite number > 0 (the end time), got ${fmtGot(o.t1)}.`, { option: 't1' });
  }
}
