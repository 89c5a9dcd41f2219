/**
 * The spiral ODE of Chen et al. 2018 (torchdiffeq `examples/ode_demo.py`), in torchdiffeq's
 * row-vector convention dy/dt = (y³) A, i.e. for a column vector
 *
 *     y' = Aᵀ y³,   A = [[−0.1, 2], [−2, −0.1]]:   y1' = −0.1 y1³ − 2 y2³,   y2' = 2 y1³ − 0.1 y2³,
 *
 * y(0) = (2, 0), t = linspace(0, 25, 1000). (Reading "y' = A y³" with column vectors flips the rotation.)
 * The demo learns it with f(y) = W2·tanh(W1·y³ + b1) + b2 (hidden width 50, 252 parameters), weights N(0, 0.1²),
 * biases 0. The same field is the oracle problem of tide's gradient and reversible-solver tests.
 */
import { TideError, checkInteger, fmtGot } from '../core/errors.ts';
import type { Rng } from '../core/random.ts';
import * as ops from '../core/autodiff/ops.ts';
import { fieldFromTrace, type TracedField } from '../core/autodiff/trace-field.ts';
import { mlp } from '../nn/chain.ts';
import { solve } from '../gradients/solve.ts';
import { checkBatchArg, checkProblemOptions, linspace, neuralField, type NeuralField, type TrajectoryData } from './problem.ts';

/** A flattened row-major, (A11, A12, A21, A22): the true parameters of {@link spiralField}. */
export const SPIRAL_A: Readonly<Float64Array> = Float64Array.of(-0.1, 2.0, -2.0, -0.1);
/** y(0) = (2, 0). */
export const SPIRAL_Y0: Readonly<Float64Array> = Float64Array.of(2, 0);

/**
 * The spiral field y' = Aᵀ y³ on a batch of states [batch, 2] (each row (y³)·A), params = A flattened row-major
 * (give {@link SPIRAL_A} for the true dynamics); traced, so it has a VJP in y and A.
 */
export function spiralField(batch = 1): TracedField {
  checkBatchArg('spiralField', batch);
  return fieldFromTrace((_t, y, p) => ops.matmul(ops.cube(y), ops.reshape(p, [2, 2])),
    { shape: [batch, 2], paramCount: 4, name: 'spiral' });
}

/**
 * Options of {@link spiralData}.
 * @property atol absolute tolerance of the dopri5 solve (default 1e-12).
 */
export interface SpiralDataOptions {
  /** Grid points on [0, t1], both ends included (default 1000). */
  points?: number;
  /** End time (default 25). */
  t1?: number;
  /** Tolerances of the dopri5 solve (default rtol 1e-10, atol 1e-12). */
  rtol?: number;
  atol?: number;
}

/**
 * The true trajectory on t = linspace(0, t1, points) by dopri5 (the demo's solver, here at rtol 1e-10).
 * @returns ts = all grid points (t = 0 included, as the demo's `t`), ys = points × 2 (row 0 = y(0)), y0 = (2, 0).
 */
export function spiralData(options: SpiralDataOptions = {}): TrajectoryData {
  checkProblemOptions('spiralData', options, ['points', 't1', 'rtol', 'atol'], '{ points: 1000, t1: 25 }');
  options ??= {};
  const points = options.points ?? 1000, t1 = options.t1 ?? 25;
  if (!Number.isInteger(points) || points < 2) throw new TideError('BAD_OPTION', `spiralData: points must be an integer ≥ 2, got ${fmtGot(points)}.`, { option: 'points' });
  const ts = linspace(0, t1, points);
  const y0 = Float64Array.from(SPIRAL_Y0);
  const sol = solve(spiralField(), y0, {
    t0: 0, t1, params: Float64Array.from(SPIRAL_A), method: 'dopri5', rtol: options.rtol ?? 1e-10, atol: options.atol ?? 1e-12, saveAt: { ts },
  });
  return { ts, ys: Float64Array.from(sol.ys), y0 };
}

/**
 * The demo's neural field f(y) = W2·tanh(W1·y³ + b1) + b2 (mlp([2, hidden, 2]) applied to y³) on states [batch, 2];
 * 4·hidden + hidden + 2 parameters (252 for hidden = 50). `init` follows the demo: weights N(0, 0.1²), biases 0.
 */
export function neuralSpiralField(batch = 1, hidden = 50): NeuralField {
  checkBatchArg('neuralSpiralField', batch);
  checkInteger('neuralSpiralField', 'hidden', hidden, 1, 'It is the hidden width of the network (default 50).');
  const net = mlp([2, hidden, 2]);
  const field = fieldFromTrace((_t, y, p) => ops.model(net, p, ops.cube(y)),
    { shape: [batch, 2], paramCount: net.paramCount, name: 'neural spiral' });
  return neuralField(field, net, (params: Float64Array, rng: Rng) => {
    for (const block of net.paramNames) {
      const n = block.shape.reduce((a, b) => a * b, 1);
      const view = params.subarray(block.offset, block.offset + n);
      if (block.name.endsWith('weight')) rng.fillNormal(view, 0, 0.1); else view.fill(0);
    }
  });
}

/**
 * The demo's training settings (torchdiffeq `examples/ode_demo.py`), for reference: RMSprop lr 1e-3 (tide's `rmsprop`),
 * 2000 iterations, 20 windows of 10 points (t[0:10], Δt·9 ≈ 0.225) starting at true_y[s] with s
 * drawn without replacement from [0, 990), loss mean |pred − true|, dopri5 at torchdiffeq's defaults
 * (rtol 1e-7, atol 1e-9), test every 20 iterations on the full trajectory from y(0).
 * @namespace
 * @property optimizer 'rmsprop', as the demo.
 * @property lr learning rate 1e-3.
 * @property iterations training iterations (2000).
 * @property batchSize windows per minibatch (20).
 * @property batchTime points per window (10).
 * @property startRange window starts are drawn from [0, startRange) without replacement (990).
 * @property method the solver, 'dopri5'.
 * @property rtol relative tolerance 1e-7 (torchdiffeq's default).
 * @property atol absolute tolerance 1e-9 (torchdiffeq's default).
 * @property testEvery iterations between tests on the full trajectory (20).
 * @property hidden hidden width of the demo's 2→50→2 MLP (50).
 */
export const SPIRAL_DEMO = Object.freeze({
  optimizer: 'rmsprop', lr: 1e-3, iterations: 2000, batchSize: 20, batchTime: 10, startRange: 990,
  method: 'dopri5', rtol: 1e-7, atol: 1e-9, testEvery: 20, hidden: 50,
});
