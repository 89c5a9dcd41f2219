/**
 * Chaotic double pendulum, the third (adaptive) experiment of the reversible-solver paper
 * (McCallum & Foster 2024, arXiv 2410.11648; real data of Schmidt & Lipson 2009).
 *
 * The paper trains on real data (Schmidt & Lipson 2009, `real_double_pend_h_1.txt`), which tide does not ship.
 * This module generates an offline substitute instead: the point-mass double pendulum with four fitted
 * coefficients (angles from the downward vertical, Δ = θ1 − θ2),
 *
 *     θ1'' + p1 (θ2'' cos Δ + ω2² sin Δ) + p2 sin θ1 = 0,
 *     θ2'' + q1 (θ1'' cos Δ − ω1² sin Δ) + q2 sin θ2 = 0,
 *
 * solved for the angular accelerations as the 2×2 linear system
 * [[1, p1 cos Δ], [q1 cos Δ, 1]]·(θ1'', θ2'') = (−p1 ω2² sin Δ − p2 sin θ1, q1 ω1² sin Δ − q2 sin θ2),
 * with p1 = 0.4006, p2 = 61.90, q1 = 1.305, q2 = 72.55 and y(0) = (θ1, θ2, ω1, ω2) = (−1.1015, −1.2797, −0.6558,
 * −5.9683). It tracks the real pendulum to 0.0121 rad rms over [0, 2]; beyond ~2 s the two diverge (chaos), so
 * only [0, 2] is used. Data = states on 500 equispaced points of [0, 2], divided by 10 as in sammccallum/reversible-solvers `pendulum.py`.
 *
 * The learning task (sammccallum/reversible-solvers `pendulum.py`): autonomous MLP 4 → 10 → tanh → 4; Bogacki–Shampine 3(2) with an I controller
 * (rtol = atol = 1e-6, first step 2/499, at most 1000 steps); MSE over 500 × 4; AdamW lr 1e-2, wd 1e-5, 10,000 steps.
 */
import { TideError, fmtGot } from '../core/errors.ts';
import { Rng } from '../core/random.ts';
import * as ops from '../core/autodiff/ops.ts';
import { fieldFromTrace, type TracedField } from '../core/autodiff/trace-field.ts';
import { mlp } from '../nn/chain.ts';
import { fieldFromModel } from '../nn/field.ts';
import { solve } from '../gradients/solve.ts';
import { checkBatchArg, checkProblemOptions, linspace, mseLoss, neuralField, type NeuralField, type Problem, type TrajectoryData } from './problem.ts';

/**
 * The fitted coefficients (p1, p2, q1, q2) of tide's offline substitute (fitted to the Schmidt & Lipson 2009 data; not
 * published): the field's params.
 */
export const DOUBLE_PENDULUM_PARAMS: Readonly<Float64Array> = Float64Array.of(0.4006, 61.90, 1.305, 72.55);
/** (θ1, θ2, ω1, ω2) at t = 0, unscaled (radians, radians per second). */
export const DOUBLE_PENDULUM_Y0: Readonly<Float64Array> = Float64Array.of(-1.1015, -1.2797, -0.6558, -5.9683);

/**
 * The substitute's true field, state shape [batch, 4] rows (θ1, θ2, ω1, ω2), params (p1, p2, q1, q2) (give
 * {@link DOUBLE_PENDULUM_PARAMS}); traced, so it has a VJP in the state and the four coefficients. With `scale` the
 * state is in scaled units z = scale · y and the field is scale · f(z / scale): `doublePendulumField(1, 0.1)` is the
 * true dynamics of the training data. The system is singular where p1 q1 cos² Δ = 1, which the fitted values
 * (p1 q1 ≈ 0.52) never reach.
 */
export function doublePendulumField(batch = 1, scale = 1): TracedField {
  checkBatchArg('doublePendulumField', batch);
  if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale)) throw new TideError('BAD_OPTION', `doublePendulumField: scale must be a finite number > 0, got ${fmtGot(scale)}.`, { option: 'scale' });
  return fieldFromTrace((_t, z, p) => {
    const y = scale === 1 ? z : ops.scale(z, 1 / scale);
    const th1 = ops.cols(y, 0), th2 = ops.cols(y, 1), w1 = ops.cols(y, 2), w2 = ops.cols(y, 3);
    const p1 = ops.at(p, 0), p2 = ops.at(p, 1), q1 = ops.at(p, 2), q2 = ops.at(p, 3);
    const d = ops.sub(th1, th2);
    const cd = ops.cos(d), sd = ops.sin(d);
    // Right-hand side of the 2×2 system, then Cramer's rule.
    const r1 = ops.neg(ops.add(ops.mul(p1, ops.mul(ops.square(w2), sd)), ops.mul(p2, ops.sin(th1))));
    const r2 = ops.sub(ops.mul(q1, ops.mul(ops.square(w1), sd)), ops.mul(q2, ops.sin(th2)));
    const det = ops.sub(1, ops.mul(ops.mul(p1, q1), ops.square(cd)));
    const a1 = ops.div(ops.sub(r1, ops.mul(ops.mul(p1, cd), r2)), det);
    const a2 = ops.div(ops.sub(r2, ops.mul(ops.mul(q1, cd), r1)), det);
    const f = ops.concat([w1, w2, a1, a2]);
    return scale === 1 ? f : ops.scale(f, scale);
  }, { shape: [batch, 4], paramCount: 4, name: scale === 1 ? 'double pendulum' : `double pendulum (scaled ×${scale})` });
}

/**
 * Options of {@link doublePendulumData}.
 * @property atol absolute tolerance of the dopri5 solve (default 1e-12).
 */
export interface DoublePendulumDataOptions {
  /** Grid points on [0, t1], both ends included (default 500). */
  points?: number;
  /** End time (default 2; the substitute is only meaningful up to ~2 s). */
  t1?: number;
  /** Factor applied to the states (default 0.1, the experiment's /10). */
  scale?: number;
  /** Tolerances of the dopri5 solve (default rtol = atol = 1e-12; the system is chaotic). */
  rtol?: number;
  atol?: number;
}

/**
 * The substitute's data: states on linspace(0, t1, points) by a tight dopri5 solve, times `scale`.
 * @returns ts = all grid points (t = 0 included: the paper's loss compares all 500 rows), ys = points × 4 scaled
 *   targets, y0 = scale · y(0) (the initial state of the training solves).
 */
export function doublePendulumData(options: DoublePendulumDataOptions = {}): TrajectoryData {
  checkProblemOptions('doublePendulumData', options, DATA_KEYS, '{ points: 500, t1: 2 }');
  return data(options ?? {});
}

const DATA_KEYS = ['points', 't1', 'scale', 'rtol', 'atol'];

function data(options: DoublePendulumDataOptions): TrajectoryData {
  const points = options.points ?? 500, t1 = options.t1 ?? 2, scale = options.scale ?? 0.1;
  if (!Number.isInteger(points) || points < 2) throw new TideError('BAD_OPTION', `doublePendulumData: points must be an integer ≥ 2, got ${fmtGot(points)}.`, { option: 'points' });
  if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale)) throw new TideError('BAD_OPTION', `doublePendulumData: scale must be a finite number > 0, got ${fmtGot(scale)}.`, { option: 'scale' });
  const ts = linspace(0, t1, points);
  const sol = solve(doublePendulumField(), Float64Array.from(DOUBLE_PENDULUM_Y0), {
    t0: 0, t1, params: Float64Array.from(DOUBLE_PENDULUM_PARAMS), method: 'dopri5',
    rtol: options.rtol ?? 1e-12, atol: options.atol ?? 1e-12, saveAt: { ts },
  });
  const ys = Float64Array.from(sol.ys);
  for (let i = 0; i < ys.length; i++) ys[i] *= scale;
  return { ts, ys, y0: ys.slice(0, 4) };
}

/** The experiment's model: autonomous MLP 4 → 10 → tanh → 4 (94 parameters) as a field of state shape [batch, 4]. */
export function doublePendulumModel(batch = 1): NeuralField {
  checkBatchArg('doublePendulumModel', batch);
  const net = mlp([4, 10, 4]);
  return neuralField(fieldFromModel(net, batch), net);
}

/** Options of {@link doublePendulumProblem}. */
export interface DoublePendulumProblemOptions extends DoublePendulumDataOptions {
  /** Training steps (default 10,000 as in the paper; lower it for quick runs). */
  trainingSteps?: number;
}

/**
 * The whole double-pendulum experiment on the offline substitute data: adaptive bs3 with `controller: 'i'`
 * (diffrax's PIDController(pcoeff = 0, icoeff = 1): safety 0.9, factors in [0.2, 10], RMS norm), rtol = atol = 1e-6,
 * first step 2/499, maxSteps 1000, and the MSE over the 500 × 4 grid.
 *
 * Difference from the paper: sammccallum/reversible-solvers saves the states at the accepted step times (`SaveAt(steps=True)`) and
 * interpolates them linearly onto the 500-point grid (the t = 0 row by linear extrapolation from the first two
 * accepted steps). tide's `solveWithGradient` saves at given times through each step's dense output (cubic Hermite
 * for bs3) instead, so here the predictions are saved directly at the grid times (`solveOptions.ts` = the grid,
 * t = 0 included, where the prediction is y0 itself). The two losses differ by the linear-interpolation error
 * (O(h²) between accepted steps ≈ 2/440 apart), which is small against the losses reported (≈ 8e-3).
 */
export function doublePendulumProblem(options: DoublePendulumProblemOptions = {}): Problem {
  checkProblemOptions('doublePendulumProblem', options, [...DATA_KEYS, 'trainingSteps'], '{ trainingSteps: 100 }');
  const d = data(options ?? {});
  const points = d.ts.length, t1 = d.ts[points - 1];
  const field = doublePendulumModel();
  return {
    name: 'double pendulum',
    field, data: d, y0: d.y0,
    solveOptions: {
      t0: 0, t1, saveAt: { ts: d.ts, t0: false, t1: false }, method: 'bs3', adaptive: true, rtol: 1e-6, atol: 1e-6, controller: 'i',
      stepSize: t1 / (points - 1), maxSteps: 1000,
    },
    loss: mseLoss(d.ys, 'double pendulum'),
    training: { optimizer: 'adamw', lr: 1e-2, weightDecay: 1e-5, steps: options?.trainingSteps ?? 10_000 },
    init: (seed = 0) => field.init(new Float64Array(field.paramCount), new Rng(seed)),
  };
}
