/**
 * Coupled (double linear) oscillator, the second experiment of the reversible-solver paper (McCallum &
 * Foster 2024, arXiv 2410.11648; real data of Schmidt & Lipson 2009, Science 324:81).
 *
 * The paper trains on real data (Schmidt & Lipson 2009, `real_double_linear_h_1.txt`), which tide does not ship.
 * This module generates an offline substitute instead: a linear spring–mass model fitted to that data,
 * in the scaled units of the experiment (positions / 100):
 *
 *     x1'' = −84.79 x1 + 76.82 x2 + 101.12,   x2'' = 31.71 x1 − 34.78 x2 − 41.56,
 *
 * state (x1, x2, v1, v2), y(0) = (0, −1.42, −0.44, 0), t ∈ [0, 3] (natural frequencies 1.71 Hz and 0.34 Hz).
 * Against the real data it is off by 0.0078 rms in position (data rms 0.82); the real data is also quantised to
 * 0.01 and its velocities are smoothed, so absolute losses differ from the paper's (1.0e-3); timings and their
 * ratios are what compare.
 *
 * The learning task (sammccallum/reversible-solvers `oscillator.py`): 500 equispaced grid points on [0, 3], y0 = grid row 0, targets = rows 1 … 499
 * against the states after each of 499 fixed steps of h = 3/499; model = autonomous MLP 4 → 10 → tanh → 4
 * (94 parameters); MSE over 499 × 4; AdamW lr 1e-2, wd 1e-5, 10,000 steps in the paper.
 */
import { TideError, fmtGot } from '../core/errors.ts';
import { Rng } from '../core/random.ts';
import * as ops from '../core/autodiff/ops.ts';
import { fieldFromTrace, type TracedField } from '../core/autodiff/trace-field.ts';
import { mlp } from '../nn/chain.ts';
import { fieldFromModel } from '../nn/field.ts';
import { solve } from '../gradients/solve.ts';
import { checkBatchArg, checkProblemOptions, baseMethod, mseLoss, neuralField, rowsFrom, stepGrid, type BaseMethod, type NeuralField, type Problem, type TrajectoryData } from './problem.ts';

/**
 * The fitted coefficients (a least-squares trajectory fit to the Schmidt & Lipson 2009 data, made for tide's offline
 * substitute; not published): x1'' = k11 x1 + k12 x2 + b1, x2'' = k21 x1 + k22 x2 + b2.
 * @namespace
 * @property k11 coefficient of x1 in x1''.
 * @property k12 coefficient of x2 in x1''.
 * @property b1 constant term of x1''.
 * @property k21 coefficient of x1 in x2''.
 * @property k22 coefficient of x2 in x2''.
 * @property b2 constant term of x2''.
 */
export const COUPLED_OSCILLATOR_COEFFS = Object.freeze({ k11: -84.79, k12: 76.82, b1: 101.12, k21: 31.71, k22: -34.78, b2: -41.56 });
/** (x1, x2, v1, v2) at t = 0 (v(0) fitted: the data's first-row velocities are a smoothing artefact). */
export const COUPLED_OSCILLATOR_Y0: Readonly<Float64Array> = Float64Array.of(0, -1.42, -0.44, 0);

/**
 * The substitute's true field, state shape [batch, 4] rows (x1, x2, v1, v2), no parameters; traced, so it has a VJP.
 */
export function coupledOscillatorField(batch = 1): TracedField {
  checkBatchArg('coupledOscillatorField', batch);
  const K = COUPLED_OSCILLATOR_COEFFS;
  return fieldFromTrace((_t, y) => {
    const x1 = ops.cols(y, 0), x2 = ops.cols(y, 1);
    const a1 = ops.shift(ops.add(ops.scale(x1, K.k11), ops.scale(x2, K.k12)), K.b1);
    const a2 = ops.shift(ops.add(ops.scale(x1, K.k21), ops.scale(x2, K.k22)), K.b2);
    return ops.concat([ops.cols(y, 2, 2), a1, a2]);
  }, { shape: [batch, 4], name: 'coupled oscillator' });
}

/**
 * Options of {@link coupledOscillatorData}.
 * @property atol absolute tolerance of that solve (default 1e-12).
 */
export interface CoupledOscillatorDataOptions {
  /** Grid points on [0, t1], t = 0 included (default 500). */
  points?: number;
  /** End time (default 3). */
  t1?: number;
  /** Tolerances of the dopri5 solve that makes the data (default rtol = atol = 1e-12). */
  rtol?: number;
  atol?: number;
}

/**
 * The substitute's data on the experiment grid t_i = i·h, h = t1/(points − 1) (the same products i·h a fixed-step
 * solve with stepSize h lands on; t_{points−1} = t1 exactly), by a tight adaptive dopri5 solve read at the grid.
 * @returns ts = t_1 … t_{points−1}, ys = (points − 1) × 4 targets, y0 = the state at t_0 = 0 (exactly y(0)).
 */
export function coupledOscillatorData(options: CoupledOscillatorDataOptions = {}): TrajectoryData {
  checkProblemOptions('coupledOscillatorData', options, DATA_KEYS, '{ points: 500, t1: 3 }');
  return data(options ?? {});
}

const DATA_KEYS = ['points', 't1', 'rtol', 'atol'];

function data(options: CoupledOscillatorDataOptions): TrajectoryData {
  const points = options.points ?? 500, t1 = options.t1 ?? 3;
  if (!Number.isInteger(points) || points < 2) throw new TideError('BAD_OPTION', `coupledOscillatorData: points must be an integer ≥ 2, got ${fmtGot(points)}.`, { option: 'points' });
  const grid = stepGrid(t1, points - 1);
  const y0 = Float64Array.from(COUPLED_OSCILLATOR_Y0);
  const sol = solve(coupledOscillatorField(), y0, {
    t0: 0, t1, method: 'dopri5', rtol: options.rtol ?? 1e-12, atol: options.atol ?? 1e-12, saveAt: { ts: grid },
  });
  return { ts: grid.subarray(1).slice(), ys: rowsFrom(sol.ys, 4, 1), y0 };
}

/** The experiment's model: autonomous MLP 4 → 10 → tanh → 4 (94 parameters) as a field of state shape [batch, 4]. */
export function coupledOscillatorModel(batch = 1): NeuralField {
  checkBatchArg('coupledOscillatorModel', batch);
  const net = mlp([4, 10, 4]);
  return neuralField(fieldFromModel(net, batch), net);
}

/** Options of {@link coupledOscillatorProblem}. */
export interface CoupledOscillatorProblemOptions extends CoupledOscillatorDataOptions {
  /** Fixed-step base method of the training solves (default 'midpoint', the slides' table; also 'euler', 'ralston3', 'rk4'). */
  method?: BaseMethod;
  /** Training steps (default 10,000 as in the paper; lower it for quick runs). */
  trainingSteps?: number;
}

/** The whole coupled-oscillator experiment on the offline substitute data. */
export function coupledOscillatorProblem(options: CoupledOscillatorProblemOptions = {}): Problem {
  checkProblemOptions('coupledOscillatorProblem', options, [...DATA_KEYS, 'method', 'trainingSteps'], "{ method: 'midpoint', trainingSteps: 100 }");
  options ??= {};
  if (options.method !== undefined) baseMethod(options.method);
  const d = data(options);
  const steps = d.ts.length, t1 = d.ts[steps - 1];
  const field = coupledOscillatorModel();
  return {
    name: 'coupled oscillator',
    field, data: d, y0: d.y0,
    solveOptions: {
      t0: 0, t1, saveAt: { ts: d.ts, t0: false, t1: false }, method: baseMethod(options.method ?? 'midpoint'), stepSize: t1 / steps, adaptive: false, maxSteps: steps,
    },
    loss: mseLoss(d.ys, 'coupled oscillator'),
    training: { optimizer: 'adamw', lr: 1e-2, weightDecay: 1e-5, steps: options.trainingSteps ?? 10_000 },
    init: (seed = 0) => field.init(new Float64Array(field.paramCount), new Rng(seed)),
  };
}
