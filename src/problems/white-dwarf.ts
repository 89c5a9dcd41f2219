/**
 * Chandrasekhar's white dwarf equation, the first experiment of the reversible-solver paper (McCallum & Foster
 * 2024, arXiv 2410.11648; code sammccallum/reversible-solvers `experiments/white_dwarf/white_dwarf.py`):
 *
 *     x' = v,   v' = −(x² − C)^{3/2} − (2/t) v,   C = 0.001,
 *
 * integrated in the shifted clock of the experiment scripts (sammccallum/reversible-solvers `white_dwarf.py`): solver time s ∈ [0, 5],
 * physical time t = s + 0.5 (which keeps away from the 2/t singularity at t = 0), (x, v)(s = 0) = (1, 0).
 * x² − C stays positive on the whole span (minimum 7.756e-4 at s = 5), so (x² − C)^{3/2} is smooth there.
 *
 * The learning task (`white_dwarf.py`, `reversible/_training.py`, `_models.py`): data = the true ODE solved with the same fixed-step base solver (h = 0.005, 1000
 * steps, states at s_1 … s_1000); model = a time-dependent MLP [s, x, v] → 10 → tanh → 2 (62 parameters); loss =
 * mean squared error over 1000 × 2; AdamW lr 1e-2, weight decay 1e-5, 1000 full-batch steps.
 */
import { TideError, checkOptions, fmtGot } from '../core/errors.ts';
import { Rng } from '../core/random.ts';
import * as ops from '../core/autodiff/ops.ts';
import { fieldFromTrace, type TracedField } from '../core/autodiff/trace-field.ts';
import { mlp } from '../nn/chain.ts';
import { solve } from '../gradients/solve.ts';
import { checkBatchArg, checkProblemOptions, baseMethod, mseLoss, neuralField, type BaseMethod, type NeuralField, type Problem, type TrajectoryData } from './problem.ts';

/** C of the experiment (sammccallum/reversible-solvers `white_dwarf.py`). */
export const WHITE_DWARF_C = 0.001;
/** Physical time t = s + WHITE_DWARF_T_SHIFT. */
export const WHITE_DWARF_T_SHIFT = 0.5;
/** (x, v) at s = 0. */
export const WHITE_DWARF_Y0: Readonly<Float64Array> = Float64Array.of(1, 0);

/** Options of {@link whiteDwarfField}. */
export interface WhiteDwarfFieldOptions {
  /** Make C the one parameter (params = [C]); default false: C = 0.001 is built in and paramCount = 0. */
  learnC?: boolean;
}

/**
 * The true white-dwarf field in the shifted clock, f(s, (x, v)) = (v, −(x² − C)^{3/2} − 2v/(s + 0.5)), as a traced
 * field of state shape [1, 2] with a VJP (∂/∂y, ∂/∂C when learned, and ∂/∂s).
 * Gives NaN where x² < C (outside the experiment's span); 2/(s + 0.5) is singular at s = −0.5.
 */
export function whiteDwarfField(options: WhiteDwarfFieldOptions = {}): TracedField {
  checkOptions('whiteDwarfField', options, ['learnC'], '{ learnC: true }');
  const learnC = options?.learnC ?? false;
  if (typeof learnC !== 'boolean') throw new TideError('BAD_OPTION', `whiteDwarfField: learnC must be true or false, got ${fmtGot(learnC)}.`, { option: 'learnC' });
  return fieldFromTrace((s, y, p) => {
    const x = ops.cols(y, 0), v = ops.cols(y, 1);
    const g = ops.sub(ops.square(x), learnC ? ops.at(p, 0) : WHITE_DWARF_C);
    // 2v/t with t = s + 0.5 the physical time.
    const drag = ops.div(ops.scale(v, 2), ops.shift(s, WHITE_DWARF_T_SHIFT));
    return ops.concat([v, ops.neg(ops.add(ops.pow(g, 1.5), drag))]);
  }, { shape: [1, 2], paramCount: learnC ? 1 : 0, name: learnC ? 'white dwarf (learn C)' : 'white dwarf' });
}

/** Options of {@link whiteDwarfData}: the fixed-step grid. */
export interface WhiteDwarfDataOptions {
  /** Number of fixed steps (default 1000). */
  steps?: number;
  /** Step size in solver time s (default 0.005, so s ∈ [0, 5]). */
  h?: number;
}

/**
 * The experiment's data (as in sammccallum/reversible-solvers `white_dwarf.py`): the true ODE solved with `method` at fixed step h, saving the state
 * after every step (s_1 … s_N, not s_0), both components.
 * @returns ts (N step times, exactly the times a fixed-step solve with the same h lands on), ys (N × 2), y0 = (1, 0).
 * @throws TideError('BAD_OPTION') for a non-positive-integer `steps` or a non-positive `h`, and whatever `solve`
 *   throws for the method (e.g. UNKNOWN_NAME).
 */
export function whiteDwarfData(method: BaseMethod, options: WhiteDwarfDataOptions = {}): TrajectoryData {
  checkProblemOptions('whiteDwarfData', options, ['steps', 'h'], '{ steps: 1000, h: 0.005 }');
  const steps = options?.steps ?? 1000, h = options?.h ?? 0.005;
  if (!Number.isInteger(steps) || steps < 1) throw new TideError('BAD_OPTION', `whiteDwarfData: steps must be a positive integer, got ${fmtGot(steps)}.`, { option: 'steps' });
  if (typeof h !== 'number' || !(h > 0) || !Number.isFinite(h)) throw new TideError('BAD_OPTION', `whiteDwarfData: h must be a finite number > 0, got ${fmtGot(h)}.`, { option: 'h' });
  baseMethod(method);
  const y0 = Float64Array.from(WHITE_DWARF_Y0);
  const sol = solve(whiteDwarfField(), y0, {
    t0: 0, t1: steps * h, method: baseMethod(method), stepSize: h, adaptive: false, saveAt: { steps: true },
  });
  return { ts: Float64Array.from(sol.ts), ys: Float64Array.from(sol.ys), y0 };
}

/**
 * The experiment's model (equinox-style `TimeDependentVectorField`): f(s, y) = MLP([s, x, v]) with
 * Linear(3, 10) → tanh → Linear(10, 2), 62 parameters, s the (unshifted) solver time. State shape [batch, 2]; the
 * VJP includes ∂f/∂s (through the first layer's s column). Init: U(−1/√fan_in, 1/√fan_in) for weights and biases.
 */
export function whiteDwarfModel(batch = 1): NeuralField {
  checkBatchArg('whiteDwarfModel', batch);
  const net = mlp([3, 10, 2]);
  const field = fieldFromTrace((s, y, p) => {
    // s as a [batch, 1] column (a broadcast add: its pullback sums the column back into ∂/∂s).
    const sCol = ops.add(ops.constant(0, [batch, 1]), s);
    return ops.model(net, p, ops.concat([sCol, y]));
  }, { shape: [batch, 2], paramCount: net.paramCount, name: 'white dwarf model' });
  return neuralField(field, net);
}

/** Options of {@link whiteDwarfProblem}. */
export interface WhiteDwarfProblemOptions extends WhiteDwarfDataOptions {
  /** Base method of the data and of every training solve (default 'midpoint', the slides' table). */
  method?: BaseMethod;
  /** Training steps (default 1000). */
  trainingSteps?: number;
}

/**
 * The whole white-dwarf experiment: model field, data from `method`, the fixed-step training solve (same method,
 * same h, saving at the data's step times), the MSE loss over N × 2 and AdamW(lr 1e-2, wd 1e-5) for 1000 steps.
 * The paper reports the minimum training loss seen (≈ 0.87e-4 for every base method; Foster & McCallum slides'
 * table and the raw result files of sammccallum/reversible-solvers).
 */
export function whiteDwarfProblem(options: WhiteDwarfProblemOptions = {}): Problem {
  checkProblemOptions('whiteDwarfProblem', options, ['steps', 'h', 'method', 'trainingSteps'], "{ method: 'midpoint', trainingSteps: 100 }");
  options ??= {};
  const method = options.method ?? 'midpoint';
  const steps = options.steps ?? 1000, h = options.h ?? 0.005;
  const data = whiteDwarfData(method, { steps, h });
  const field = whiteDwarfModel();
  return {
    name: 'white dwarf',
    field, data, y0: data.y0,
    solveOptions: {
      t0: 0, t1: data.ts[data.ts.length - 1], saveAt: { ts: data.ts, t0: false, t1: false }, method: baseMethod(method), stepSize: h, adaptive: false, maxSteps: steps,
    },
    loss: mseLoss(data.ys, 'white dwarf'),
    training: { optimizer: 'adamw', lr: 1e-2, weightDecay: 1e-5, steps: options.trainingSteps ?? 1000 },
    init: (seed = 0) => field.init(new Float64Array(field.paramCount), new Rng(seed)),
  };
}
