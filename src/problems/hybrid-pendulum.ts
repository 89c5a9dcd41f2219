/**
 * A hybrid (universal differential equation; Rackauckas et al. 2020, arXiv 2001.04385) model of a damped pendulum:
 * known physics with one learnable coefficient plus a small network for what the physics leaves out.
 *
 *     truth:  θ' = ω,   ω' = −(g/L) sin θ − k ω − c θ³          (g/L = 9.81, k = 0.3, c = 0.2)
 *     model:  θ' = ω,   ω' = −(g/L) sin θ − k̂ ω + MLP(θ)        (k̂ learned; MLP 1 → 16 → tanh → 1)
 *
 * The stiffening spring −c θ³ is missing from the physics. The network sees θ only, so it can model that force but
 * not the damping, which stays identifiable: a fit recovers k̂ ≈ k. (θ, ω)(0) = (2, 0), data at 60 points of (0, 6]
 * by dopri5 at rtol 1e-10. Parameters: [k̂, network parameters]; init k̂ = 0 and the network at 0.1× its default
 * draw, so training starts from "physics without damping". Training solve: fixed-step RK4, h = 0.05; AdamW
 * lr 1e-2, no weight decay.
 */
import { TideError, checkInteger, fmtGot } from '../core/errors.ts';
import { Rng } from '../core/random.ts';
import * as ops from '../core/autodiff/ops.ts';
import { fieldFromTrace, type TracedField } from '../core/autodiff/trace-field.ts';
import { mlp } from '../nn/chain.ts';
import type { Model } from '../nn/model.ts';
import { solve } from '../gradients/solve.ts';
import { checkProblemOptions, mseLoss, rowsFrom, stepGrid, type Problem, type TrajectoryData } from './problem.ts';

/**
 * The true system's constants.
 * @namespace
 * @property gOverL g/L, the gravity term's coefficient in ω' = −(g/L) sin θ − kω − cθ³ (9.81).
 * @property damping the damping k (0.3), the coefficient the hybrid model learns as k̂.
 * @property spring the cubic spring c (0.2), which the hybrid model leaves to its network.
 */
export const HYBRID_PENDULUM_TRUTH = Object.freeze({ gOverL: 9.81, damping: 0.3, spring: 0.2 });
/** (θ, ω) at t = 0. */
export const HYBRID_PENDULUM_Y0: Readonly<Float64Array> = Float64Array.of(2, 0);

/**
 * The true pendulum (with the spring) on states [1, 2], params = (k, c) (give [0.3, 0.2] for the truth); traced,
 * with a VJP.
 */
export function hybridPendulumTruth(): TracedField {
  const g = HYBRID_PENDULUM_TRUTH.gOverL;
  return fieldFromTrace((_t, y, p) => {
    const theta = ops.cols(y, 0, 1), omega = ops.cols(y, 1, 1);
    const accel = ops.sub(ops.sub(ops.scale(ops.sin(theta), -g), ops.mul(ops.at(p, 0), omega)), ops.mul(ops.at(p, 1), ops.cube(theta)));
    return ops.concat([omega, accel]);
  }, { shape: [1, 2], paramCount: 2, name: 'true pendulum' });
}

/** Options of {@link hybridPendulumData}. */
export interface HybridPendulumDataOptions {
  /** Grid points on [0, t1], t = 0 included (default 61: 60 targets). */
  points?: number;
  /** End time (default 6). */
  t1?: number;
}

const DATA_KEYS = ['points', 't1'];

/**
 * The true trajectory on t_i = i·t1/(points − 1) by dopri5 (rtol 1e-10, atol 1e-12).
 * @returns ts = t_1 … t_{points−1}, ys = (points − 1) × 2, y0 = (2, 0).
 */
export function hybridPendulumData(options: HybridPendulumDataOptions = {}): TrajectoryData {
  checkProblemOptions('hybridPendulumData', options, DATA_KEYS, '{ points: 61, t1: 6 }');
  return data(options ?? {});
}

function data(options: HybridPendulumDataOptions): TrajectoryData {
  const points = options.points ?? 61, t1 = options.t1 ?? 6;
  if (!Number.isInteger(points) || points < 2) throw new TideError('BAD_OPTION', `hybridPendulumData: points must be an integer ≥ 2, got ${fmtGot(points)}.`, { option: 'points' });
  const grid = stepGrid(t1, points - 1);
  const y0 = Float64Array.from(HYBRID_PENDULUM_Y0);
  const truth = Float64Array.of(HYBRID_PENDULUM_TRUTH.damping, HYBRID_PENDULUM_TRUTH.spring);
  const sol = solve(hybridPendulumTruth(), y0, { t0: 0, t1, params: truth, method: 'dopri5', rtol: 1e-10, atol: 1e-12, saveAt: { ts: grid } });
  return { ts: grid.subarray(1).slice(), ys: rowsFrom(sol.ys, 2, 1), y0 };
}

/** The hybrid field and the network inside it: params = [k̂, net's parameters], paramCount = 1 + net.paramCount. */
export interface HybridPendulumModel {
  /** The hybrid vector field on states [1, 2] (θ, ω), with a VJP; params = [k̂, net's parameters]. */
  readonly field: TracedField;
  /** The correction network MLP(θ), 1 → hidden → tanh → 1; its parameters are params[1 …]. */
  readonly net: Model;
  /** Fills params with the problem's start: k̂ = 0, the network at 0.1× its default draw from rng. Returns params. */
  init(params: Float64Array, rng: Rng): Float64Array;
}

/** The hybrid model θ' = ω, ω' = −(g/L) sin θ − k̂ ω + MLP(θ), MLP 1 → hidden → tanh → 1 (default hidden 16). */
export function hybridPendulumModel(hidden = 16): HybridPendulumModel {
  checkInteger('hybridPendulumModel', 'hidden', hidden, 1, 'It is the hidden width of the correction network (default 16).');
  const g = HYBRID_PENDULUM_TRUTH.gOverL;
  const net = mlp([1, hidden, 1], { activation: 'tanh' });
  const field = fieldFromTrace((_t, y, p) => {
    const theta = ops.cols(y, 0, 1), omega = ops.cols(y, 1, 1);
    const physics = ops.sub(ops.scale(ops.sin(theta), -g), ops.mul(ops.at(p, 0), omega));
    return ops.concat([omega, ops.add(physics, ops.model(net, ops.slice(p, 1, net.paramCount), theta))]);
  }, { shape: [1, 2], paramCount: 1 + net.paramCount, name: 'hybrid pendulum' });
  return {
    field, net,
    init(params: Float64Array, rng: Rng): Float64Array {
      if (!(params instanceof Float64Array) || params.length !== field.paramCount) {
        throw new TideError('SHAPE', `hybridPendulumModel: init needs params as a Float64Array of length ${field.paramCount}, got ${fmtGot(params)}.`, { expected: field.paramCount });
      }
      const w = params.subarray(1);
      net.init(w, rng);
      for (let i = 0; i < w.length; i++) w[i] *= 0.1;
      params[0] = 0;
      return params;
    },
  };
}

/** Options of {@link hybridPendulumProblem}. */
export interface HybridPendulumProblemOptions extends HybridPendulumDataOptions {
  /** Hidden width of the correction network (default 16). */
  hidden?: number;
  /** Training steps (default 1000). */
  trainingSteps?: number;
}

/**
 * The hybrid task as a {@link Problem} (its field is the hybrid field, not a pure network: `net` is the correction).
 * @property name the problem's name, 'hybrid pendulum'.
 * @property data the training targets: save times, states of the true pendulum (a dopri5 solve at rtol 1e-10) and the initial state.
 * @property loss the MSE of the saved states against data (value and ∂L/∂ys).
 * @property training the training settings (AdamW, lr 1e-2, no weight decay).
 */
export interface HybridPendulumProblem extends Omit<Problem, 'field'> {
  /** The hybrid vector field (physics with a learned damping k̂ plus the correction network), with a VJP. */
  readonly field: TracedField;
  /** The correction network inside field; its parameters are params[1 …]. */
  readonly net: Model;
}

/** The hybrid-pendulum task: model, data, RK4 training solve (h = 0.05 for t1 = 6), MSE, AdamW(lr 1e-2, no decay). */
export function hybridPendulumProblem(options: HybridPendulumProblemOptions = {}): HybridPendulumProblem {
  checkProblemOptions('hybridPendulumProblem', options, [...DATA_KEYS, 'hidden', 'trainingSteps'], '{ t1: 6, trainingSteps: 300 }');
  options ??= {};
  const d = data(options);
  const t1 = d.ts[d.ts.length - 1];
  const model = hybridPendulumModel(options.hidden ?? 16);
  const steps = Math.max(1, Math.round(t1 / 0.05));
  return {
    name: 'hybrid pendulum',
    field: model.field, net: model.net, data: d, y0: d.y0,
    solveOptions: { t0: 0, t1, saveAt: { ts: d.ts, t0: false, t1: false }, method: 'rk4', stepSize: t1 / steps, adaptive: false, maxSteps: 10 * steps },
    loss: mseLoss(d.ys, 'hybrid pendulum'),
    training: { optimizer: 'adamw', lr: 1e-2, weightDecay: 0, steps: options.trainingSteps ?? 1000 },
    init: (seed = 0) => model.init(new Float64Array(model.field.paramCount), new Rng(seed)),
  };
}
