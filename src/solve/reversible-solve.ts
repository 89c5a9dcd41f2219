/**
 * The forward loop of the algebraically reversible schemes (src/solvers/reversible): fixed steps, or adaptive steps
 * driven by the scheme's error estimate (for the λ-coupled wrapper: the embedded error of its second base step,
 * reversible.md §4). The accepted grid (t_n, h_n) is recorded so a backward pass can replay exactly these steps;
 * step sizes are not differentiated. Saves at grid times are exact; a save strictly inside a step is the linear
 * interpolation of the two grid states (second order; reversible.md §3 "saved outputs off the grid" — put save
 * times on the grid, e.g. with `tstops`, when that matters).
 */
import type { VectorField } from '../core/field.ts';
import { checkParams } from '../core/field.ts';
import { TideError, checkFinite, firstNonFinite } from '../core/errors.ts';
import type { ReversibleScheme } from '../solvers/reversible/scheme.ts';
import { allocState } from '../solvers/reversible/scheme.ts';
import { GrowableBuffer } from './solution.ts';
import { rmsNorm } from '../control/norms.ts';
import type { Norm, Tolerance } from '../control/norms.ts';
import { PIController } from '../control/pi.ts';
import type { StepSizeController } from '../control/pi.ts';
import { IController } from '../control/i-controller.ts';
import { selectInitialStep } from '../control/initial-step.ts';
import type { PiGains } from '../solvers/tableau.ts';

export interface ReversibleSolveOptions {
  t0: number;
  t1: number;
  params: Float64Array;
  /** Save times, increasing, inside [t0, t1]. */
  ts: Float64Array;
  /** Fixed step (required for schemes without an error estimate, or with adaptive: false); initial step otherwise. */
  stepSize?: number;
  adaptive: boolean;
  rtol: Tolerance;
  atol: Tolerance;
  norm?: Norm;
  controller?: 'pi' | 'i' | StepSizeController;
  maxSteps: number;
  /** PI gains of the base method (for the default controller). */
  gains?: PiGains;
  /** Called after every accepted step with the new state (valid during the call). */
  onAccept?: (n: number, t: number, h: number, state: readonly Float64Array[]) => void;
}

export interface ReversibleForward {
  /** Final state (all parts). */
  readonly state: Float64Array[];
  /** Accepted grid t_0 … t_N and steps h_0 … h_{N−1}. */
  readonly times: Float64Array;
  readonly hs: Float64Array;
  readonly N: number;
  /** Outputs y(ts[q]) (rows of length d). */
  readonly ys: Float64Array;
  readonly nfe: number;
  readonly rejected: number;
}

export function reversibleSolve(scheme: ReversibleScheme, field: VectorField, y0: Float64Array, o: ReversibleSolveOptions): ReversibleForward {
  const where = `solve (${scheme.name})`;
  const d = field.dim;
  if (!(y0 instanceof Float64Array) || y0.length !== d) throw new TideError('SHAPE', `${where}: y0 has length ${y0?.length}; the field '${field.name ?? 'f'}' has dimension ${d}.`);
  checkFinite(where, 'y0', y0);
  checkParams(where, field, o.params);
  const { t0, t1, params, ts } = o;
  const adaptive = o.adaptive;
  if (adaptive && scheme.errorOrder === undefined) {
    throw new TideError('BAD_OPTION', `${where}: ${scheme.name} has no error estimate, so it cannot step adaptively; give stepSize (or wrap a base method with an embedded pair, e.g. bs3 or dopri5).`, { option: 'adaptive' });
  }
  if (!adaptive && !(typeof o.stepSize === 'number' && o.stepSize > 0)) {
    throw new TideError('BAD_OPTION', `${where}: fixed steps need a positive stepSize, got ${String(o.stepSize)}.`, { option: 'stepSize' });
  }
  const ws = scheme.workspace(d);
  let state = allocState(scheme.parts, d), next = allocState(scheme.parts, d);
  const err = adaptive ? new Float64Array(d) : null;
  let nfe = scheme.init(state, y0, field, t0, params, ws);
  const times = new GrowableBuffer(64), hs = new GrowableBuffer(64);
  times.push(t0);
  const ys = new Float64Array(ts.length * d);
  let q = 0;
  while (q < ts.length && ts[q] === t0) { ys.set(y0, q * d); q++; }
  const norm = o.norm ?? rmsNorm;
  let controller: StepSizeController | null = null;
  let h: number;
  if (adaptive) {
    controller = o.controller === 'i' ? new IController() : typeof o.controller === 'object' ? o.controller : new PIController();
    controller.reset(scheme.order, o.gains ?? { beta1: 7 / (10 * scheme.order), beta2: 2 / (5 * scheme.order) });
    if (o.stepSize !== undefined) h = o.stepSize;
    else {
      const f0 = new Float64Array(d);
      field.eval(f0, t0, y0, params);
      h = selectInitialStep(field, t0, t1, y0, f0, params, scheme.order, o.rtol, o.atol);
      nfe += 2;
    }
  } else h = o.stepSize!;
  let t = t0, n = 0, rejected = 0, attempts = 0;
  const span = t1 - t0;
  while (t < t1) {
    if (attempts >= o.maxSteps) {
      throw new TideError('MAX_STEPS', `${where}: reached maxSteps = ${o.maxSteps} at t = ${t} of [${t0}, ${t1}] (${rejected} rejected). Raise maxSteps, loosen rtol/atol or use a larger stepSize.`, { t, maxSteps: o.maxSteps });
    }
    attempts++;
    // Fixed steps sit on t0 + n·h (no accumulated rounding); every solve lands exactly on t1 (a last step within a
    // relative 1e-12 of t1 is stretched to it). The stages use hStep; the backward pass replays (t_n, hStep_n).
    let tNew = adaptive ? t + h : t0 + (n + 1) * h;
    if (tNew >= t1 - 1e-12 * Math.abs(span)) tNew = t1;
    const hStep = tNew - t;
    nfe += scheme.step(next, err, field, t, hStep, state, params, ws);
    const bad = firstNonFinite(next[0]);
    if (adaptive) {
      const E = bad >= 0 ? NaN : norm(err!, state[0], next[0], o.rtol, o.atol);
      const ok = controller!.accept(E);
      const fac = controller!.factor(E, ok);
      if (!ok) {
        rejected++;
        h = hStep * fac;
        if (!(Math.abs(h) > 1e-14 * Math.max(Math.abs(t), Math.abs(span)))) {
          throw new TideError('STEP_UNDERFLOW', `${where}: step size underflow at t = ${t} (h = ${h}) after ${rejected} rejections; the solution may be blowing up (try a smaller λ or a tighter tolerance).`, { t });
        }
        continue;
      }
      h = hStep * fac;
    } else if (bad >= 0) {
      throw new TideError('NONFINITE', `${where}: ${next[0][bad]} in y[${bad}] at step ${n + 1}, t = ${tNew}, h = ${hStep}; the reversible scheme diverged (λ too close to 1 for this step on a damped problem? reversible.md §5) or f made it.`, { t: tNew, step: n + 1, index: bad });
    }
    // Saves in (t, tNew]: on the grid exactly, otherwise linear between the grid states.
    while (q < ts.length && ts[q] <= tNew) {
      const th = (ts[q] - t) / hStep, off = q * d, a = state[0], b = next[0];
      if (ts[q] === tNew) ys.set(b, off);
      else for (let m = 0; m < d; m++) ys[off + m] = (1 - th) * a[m] + th * b[m];
      q++;
    }
    times.push(tNew); hs.push(hStep);
    const tmp = state; state = next; next = tmp;
    t = tNew; n++;
    if (o.onAccept) o.onAccept(n - 1, t - hStep, hStep, state);
  }
  return { state, times: times.view(), hs: hs.view(), N: n, ys, nfe, rejected };
}

