/**
 * `solve`: the forward integration loop for dy/dt = f(t, y, params): embedded error
 * estimate and step-size control as in Hairer, Nørsett & Wanner, Solving ODEs I, §II.4.
 *
 *     t ← t0; y ← y0; f0 ← f(t0, y0); h ← stepSize or selectInitialStep(…)          (1 + 1 NFE)
 *     while t has not reached t1:
 *        target ← next tstop or t1; if t + h reaches target: h ← target − t (land exactly)
 *        attempt: y_new, err ← solver.step(…);  E ← norm(err, y, y_new, rtol, atol)
 *        accepted (E ≤ 1, or any fixed step): onAccept; dense/saves/events/steady-state; t ← t + h; y ← y_new
 *        h ← h · controller.factor(E, accepted)       (never differentiated)
 *
 * Steps are never shortened for output times (saves and events read the dense output of accepted steps), only
 * for t1 and `tstops`. A tstop is treated as a possible jump of f: the step landing on it evaluates f only before it,
 * and the next step restarts with a fresh f(tstop, y) (1 NFE; FSAL is not carried over, VCAB3 restarts with BS3). A non-finite E is a rejection with the smallest factor (tide's rule: NaN never enters the controller state); a step size below
 * max(minStep, 1e-14·max(|t|, |t1 − t0|)) that is still rejected is a step-size underflow.
 *
 * Allocation: workspaces, buffers and the two callback records are made once per solve; the step loop allocates
 * only when a growable output buffer doubles.
 */
import { TideError, firstNonFinite, rethrowUser } from '../core/errors.ts';
import type { FieldFunction, VectorField } from '../core/field.ts';
import type { Term } from '../terms/term.ts';
import type { SolverWorkspace } from '../solvers/solver.ts';
import { evalDense, evalDenseInto } from '../solvers/dense/polynomial.ts';
import { justAfter, justBefore } from './time.ts';
import { growthOf, instabilityError, stabilityRate, STABILITY_LIMIT, type StabilityRate } from './stability-check.ts';
import { selectInitialStep } from '../control/initial-step.ts';
import { resolveSolveOptions, type AcceptedStep, type ResolvedOptions, type SolveOptions, type StepInfo } from './options.ts';
import { DenseStore, GrowableBuffer, OdeSolution, SaveBuffer, type Solution, type SolveStatus } from '../integrate/solution.ts';
import { EventTracker, type EventInfo } from '../integrate/events.ts';
import { freezeStats, newStats, type MutableStats } from '../integrate/stats.ts';
import { stiffnessEstimate } from '../integrate/stiffness.ts';

/** Remainders below this fraction of |h| are absorbed into the step that lands on t1 or a tstop. */
const LANDING_SLACK = 1e-10;
/** Relative rounding floor of |h| (times max(|t|, |t1 − t0|)). */
const STEP_FLOOR = 1e-14;

/**
 * Solves dy/dt = f(t, y, params) from y(t0) = y0 to t1 (or backward when t1 < t0).
 *
 * @param field a VectorField, or a plain function (out, t, y, params) => void (dim = y0.length)
 * @param y0 initial state, a Float64Array of length n = field.dim (a batch [batch, dim] flattened row-major; give
 *   `shape` for messages that name the row)
 * @param options t0, t1 and the options of {@link SolveOptions}. Defaults: method 'tsit5', adaptive for methods
 *   with an error estimate, rtol 1e-3, atol 1e-6, PI controller, RMS norm, maxSteps 100000, saveAt { t0, t1 }.
 * @returns a Solution: saved times/states, `evaluate(t)` with saveAt.dense, stats, accepted step sizes, status.
 * @throws TideError — always for bad input: BAD_OPTION (unknown or invalid option, non-positive tolerance,
 *   non-monotone save times, fixed-step method without stepSize), SHAPE (y0 vs field.dim, params length, per-component
 *   tolerance length, shape), DTYPE (y0/params not Float64Array), NONFINITE (NaN/Inf in y0 or params),
 *   UNKNOWN_NAME (method). Unless throwOnFailure is false (then status and error are set instead): NONFINITE
 *   (f or the state became NaN/Inf: names step, t, h, stage and component), STEP_UNDERFLOW (names the t reached),
 *   MAX_STEPS (names maxSteps, t reached, rejections).
 *
 * Papers: Hairer, Nørsett & Wanner, *Solving ODEs I* §II.4 (step control, initial step), §II.6 (dense output);
 * Tsitouras 2011 (Tsit5); Dormand & Prince 1980 (DP5); Bogacki & Shampine 1989 (BS3). For stiff problems an explicit
 * method is the wrong tool: expect many rejected steps and a MAX_STEPS failure.
 */
export function solve(field: Term | VectorField | FieldFunction, y0: Float64Array, options: SolveOptions): Solution {
  const cfg = resolveSolveOptions(field, y0, options);
  return integrate(cfg, y0);
}


/** For messages: `y[37]`, or `y[37] (row 12, component 1)` when a [batch, dim] shape was given. */
function component(cfg: ResolvedOptions, i: number): string {
  const s = cfg.shape;
  if (s.length !== 2) return `y[${i}]`;
  return `y[${i}] (row ${Math.floor(i / s[1])}, component ${i % s[1]})`;
}

/** Numbers in messages: enough digits to tell t from t1 near the end of a span. */
function fmt(x: number): string {
  return Number.isInteger(x) || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6) ? String(+x.toPrecision(12)) : x.toExponential(3);
}

/** Names where a non-finite value first shows up in an attempted step: f's output at some stage, or the new state. */
function whereNonFinite(cfg: ResolvedOptions, ws: SolverWorkspace, yNew: Float64Array): string {
  const k = ws.stepK;
  // Stage 0 of an Adams step is history; RK stages are f's outputs at this step.
  for (let i = 0; i < k.length; i++) {
    const j = firstNonFinite(k[i]);
    if (j >= 0) {
      const stage = ws.stepTableau ? `stage ${i + 1} of ${k.length}` : `history entry ${i}`;
      return `f returned ${k[i][j]} at ${stage} in ${component(cfg, j)}`;
    }
  }
  const j = firstNonFinite(yNew);
  if (j >= 0) return `the new state has ${yNew[j]} in ${component(cfg, j)} although f's outputs are finite (overflow: the solution is blowing up)`;
  return 'the error norm is not finite although f and the state are (check a custom norm)';
}

function failure(code: 'NONFINITE' | 'STEP_UNDERFLOW' | 'MAX_STEPS', message: string, details: Record<string, unknown>): TideError {
  return new TideError(code, message, details);
}

const STATUS_OF: Record<string, SolveStatus> = { NONFINITE: 'nonfinite', STEP_UNDERFLOW: 'step-underflow', MAX_STEPS: 'max-steps' };

/**
 * The state-sized buffers of one solve (the state and its successor, the error vector, the step's dense
 * coefficients, interpolation and event scratch), allocated once by {@link integrateScratch} so that repeated solves
 * (a prepared solve's runs) allocate no state-sized memory but what they return.
 */
export interface IntegrateScratch {
  readonly n: number;
  readonly width: number;
  readonly y: Float64Array;
  readonly yNew: Float64Array;
  readonly err: Float64Array;
  readonly coef: Float64Array;
  readonly yInterp: Float64Array;
  readonly yEvent: Float64Array;
}

/** Buffers for solves of cfg's size and solver (see {@link IntegrateScratch}). */
export function integrateScratch(cfg: ResolvedOptions): IntegrateScratch {
  const n = cfg.dim, width = cfg.solver.denseWidth;
  return {
    n, width, y: new Float64Array(n), yNew: new Float64Array(n), err: new Float64Array(n),
    coef: new Float64Array(width * n), yInterp: new Float64Array(n), yEvent: new Float64Array(n),
  };
}

/** The loop proper, on checked options. */
export function integrate(cfg: ResolvedOptions, y0: Readonly<Float64Array>, ws: SolverWorkspace = cfg.solver.workspace(cfg.term)): Solution {
  return integrateWith(cfg, y0, ws, null);
}

/** {@link integrate} with the state-sized buffers of a prepared solve (null: allocated here). Internal. */
export function integrateWith(cfg: ResolvedOptions, y0: Readonly<Float64Array>, ws: SolverWorkspace,
  scratch: IntegrateScratch | null): Solution {
  const { field, term, solver, params, dim: n, t0, t1, where, saveAt, adaptive, norm, rtol, atol } = cfg;
  const dir = t1 >= t0 ? 1 : -1;
  const span = Math.abs(t1 - t0);
  ws.trackStiffness = cfg.onStep !== undefined && solver.stiffnessStages !== null && field !== null;

  // Phase 1: buffers, allocated once.
  const width = solver.denseWidth;
  const sc = scratch !== null && scratch.n === n && scratch.width === width ? scratch : null;
  let y: Float64Array = sc !== null ? sc.y : new Float64Array(n);
  y.set(y0);
  let yNew: Float64Array = sc !== null ? sc.yNew : new Float64Array(n);
  // The error vector is formed when it controls the step or a callback may read it.
  const wantErr = solver.errorOrder !== undefined && (adaptive || cfg.onStep !== undefined || cfg.onAccept !== undefined);
  const err = wantErr ? (sc !== null ? sc.err : new Float64Array(n)) : null;
  const coef = sc !== null ? sc.coef : new Float64Array(width * n);
  const yInterp = sc !== null ? sc.yInterp : new Float64Array(n);
  const yEvent = sc !== null ? sc.yEvent : new Float64Array(n);
  const ts = saveAt.ts;
  const rows = (saveAt.t0 ? 1 : 0) + ts.length + (saveAt.t1 ? 1 : 0) + (saveAt.steps ? 64 : 0);
  const saves = new SaveBuffer(n, rows);
  const stepSizes = new GrowableBuffer(64);
  // The controller's proposal after the last attempt: lets a caller continue with a warm step size.
  let nextStepSize = NaN;
  const dense = saveAt.dense ? new DenseStore(n, width) : null;
  const events = cfg.events.length > 0 ? new EventTracker(where, cfg.events, n) : null;
  const stats: MutableStats = newStats();
  const info = { n: 0, t: 0, h: 0, E: NaN, err: err as Readonly<Float64Array> | null, stiffness: NaN, accepted: false };
  const rec = { n: 0, t: 0, h: 0, tNew: 0, y: y as Readonly<Float64Array>, yNew: yNew as Readonly<Float64Array>, k: ws.stepK, tableau: ws.stepTableau, E: NaN, ws, restart: false };
  const onStep = cfg.onStep as ((i: StepInfo) => void) | undefined;
  const onAccept = cfg.onAccept as ((r: AcceptedStep) => void) | undefined;

  let status: SolveStatus = 'success';
  let error: TideError | null = null;
  let event: EventInfo | null = null;
  let t = t0;

  // Phase 2: saves at t0.
  if (saveAt.t0) saves.push(t0, y);
  let iTs = 0;
  while (iTs < ts.length && ts[iTs] === t0) saves.push(ts[iTs++], y);

  // A fixed step outside the scheme's stability region: the excess growth rate of the worst mode (the dominant
  // eigenvalues of ∂f/∂y there) is sampled along the solve and summed over the steps it stands for; past a factor 10³
  // it is an error. The next sample comes sooner the closer the projected sum is to the limit (N/100 … N/4 steps), so
  // a benign solve costs about 4 samples. Solves of fewer than 100 steps cannot grow that much and are not checked.
  const checkStability = cfg.stabilityCheck && !adaptive && field !== null && t0 !== t1 && cfg.stepSize !== undefined
    && growthOf(solver) !== null && span / (cfg.stepSize as number) >= 100;
  const fixedSteps = checkStability ? Math.ceil(span / (cfg.stepSize as number) - 1e-9) : 0;
  const hFixed = dir * (cfg.stepSize as number);
  let excess = 0, lastCheck = 0, nextCheck = 0;
  let lastRate: StabilityRate = { rate: 0, re: NaN, im: NaN, growth: 1 };
  /** Adds the last sample's rate over the steps since it; throws past the limit; takes a new sample unless final. */
  const checkHere = (tc: number, yc: Readonly<Float64Array>, done: number, final: boolean): void => {
    if (done > lastCheck) excess = Math.max(0, excess + lastRate.rate * (done - lastCheck));
    if (excess > STABILITY_LIMIT) throw instabilityError(where, solver, tc, hFixed, lastRate, excess, fixedSteps);
    if (final) return;
    lastRate = stabilityRate(solver, field as VectorField, tc, yc, params, hFixed);
    lastCheck = done;
    const rest = fixedSteps - done, projected = excess + Math.max(0, lastRate.rate) * rest;
    const step = projected <= STABILITY_LIMIT / 4 ? Math.ceil(fixedSteps / 4)
      : Math.min(Math.ceil(fixedSteps / 8), Math.max(Math.ceil(fixedSteps / 100), Math.ceil((STABILITY_LIMIT - excess) / (2 * lastRate.rate))));
    nextCheck = done + step;
  };
  if (checkStability) checkHere(t0, y, 0, false);
  // params are constant for the loop: a field that can prepare them once (VectorField.hold) is told so.
  const holder = field !== null && field.hold !== undefined ? field : null;
  if (holder !== null) holder.hold!(params as Float64Array);
  // A user's exception inside f, an event condition or a callback is re-thrown with where it happened.
  try {
  if (t0 !== t1) {
    // Phase 3: start the solver and pick the first step.
    stats.nfe += solver.begin(t0, y, params, ws);
    const f0 = solver.currentF(ws);
    const bad0 = f0 === null ? -1 : firstNonFinite(f0);
    let h = 0;
    if (bad0 >= 0) {
      error = failure('NONFINITE', `${where}: f returned ${(f0 as Float64Array)[bad0]} in ${component(cfg, bad0)} at t0 = ${fmt(t0)}; y0 and params are finite, so f made it here. Check f at the initial state.`, { t: t0, index: bad0, step: 0 });
    } else {
      if (events !== null) events.start(t0, y);
      if (!adaptive) {
        h = dir * (cfg.stepSize as number);
      } else if (cfg.stepSize !== undefined) {
        h = dir * Math.min(cfg.stepSize, cfg.maxStep, span);
      } else if (field !== null && f0 !== null) {
        h = selectInitialStep(field, t0, t1, y as Float64Array, f0, params, solver.order, rtol, atol,
          { norm, maxStep: cfg.maxStep, scratch: [yNew, yInterp] });
        stats.nfe++;
      } else {
        // No derivative to probe (SDE/CDE terms, reversible states): start at 1 % of the span, as diffrax does for non-ODE terms.
        h = dir * Math.min(0.01 * span, cfg.maxStep);
      }
      if (adaptive && Math.abs(h) < cfg.minStep) h = dir * Math.min(cfg.minStep, span);
      cfg.controller.reset(solver.order, solver.piGains);
    }

    // Phase 4: the step loop.
    let iStop = 0;
    const stops = cfg.landings;
    let target = stops.length > 0 ? stops[0] : t1;
    let tBase = t0, since = 0;       // fixed steps: t = tBase + since·h, no accumulated rounding
    let rejectsInRow = 0;
    let lastBad = '';
    while (error === null && dir * (t1 - t) > 0) {
      if (stats.nSteps >= cfg.maxSteps) {
        error = failure('MAX_STEPS', `${where}: reached maxSteps = ${cfg.maxSteps} at t = ${fmt(t)} of [${fmt(t0)}, ${fmt(t1)}] (${stats.nAccepted} accepted, ${stats.nRejected} rejected). Raise maxSteps, loosen rtol/atol, or check stiffness (an explicit method crawls on stiff problems).`, { t, maxSteps: cfg.maxSteps, nRejected: stats.nRejected });
        break;
      }
      // Land exactly on the next tstop or t1 when this step reaches it (or falls short by a rounding sliver).
      const tTry = adaptive ? t + h : tBase + (since + 1) * h;
      const rem = dir * (target - tTry);
      let hStep = h, tNew = tTry, landing = false;
      const atStop = iStop < stops.length;
      const restartHere = atStop && cfg.restartAt[iStop] === 1;
      if (rem <= LANDING_SLACK * Math.abs(h)) {
        landing = true;
        tNew = target;
        if (restartHere) {
          // A tstop may be a jump of f: keep every stage of this step strictly before it (diffrax's prevbefore).
          hStep = justBefore(target, dir) - t;
          if (!(dir * hStep > 0)) hStep = target - t;
        } else if (adaptive || rem < -LANDING_SLACK * Math.abs(h)) {
          // A fixed step that hits t1 up to rounding keeps its exact size.
          hStep = target - t;
        }
      }

      stats.nfe += solver.step(yNew, err, t, hStep, y, params, ws);
      stats.nSteps++;
      let E = NaN, accepted = true, factor = 1;
      if (err !== null) E = solver.errorNorm !== undefined ? solver.errorNorm(norm, err, y, yNew, rtol, atol, ws) : norm(err, y, yNew, rtol, atol);
      if (adaptive) {
        accepted = E < Infinity && cfg.controller.accept(E);
        // A step at the user's minStep is accepted whatever its error (torchdiffeq's and diffrax's dtmin), unless told to fail.
        if (!accepted && E < Infinity && cfg.minStep > 0 && cfg.minStepPolicy === 'accept' && Math.abs(hStep) <= cfg.minStep * (1 + 1e-12)) accepted = true;
        factor = cfg.controller.factor(E, accepted);
        // The loop terminates only if rejected steps shrink; a custom controller must honour that.
        if (!(factor > 0 && factor < Infinity) || (!accepted && factor >= 1)) {
          throw new TideError('BAD_OPTION', `${where}: controller '${cfg.controller.name}' returned factor ${factor} for ${accepted ? 'an accepted' : 'a rejected'} step (E = ${fmt(E)}); factors must be finite and > 0, and < 1 after a rejection.`, { option: 'controller', factor });
        }
      }
      if (onStep !== undefined) {
        info.n = stats.nSteps - 1; info.t = t; info.h = hStep; info.E = E; info.accepted = accepted;
        info.stiffness = ws.trackStiffness ? stiffnessEstimate(solver, ws, yNew) : NaN;
        onStep(info);
      }

      if (accepted) {
        // One multiply-add per component: any NaN/Inf makes the sum NaN (a custom norm may have ignored it).
        let probe = 0;
        for (let m = 0; m < n; m++) probe += yNew[m] * 0;
        if (probe !== 0) {
          error = failure('NONFINITE', `${where}: non-finite value at step ${stats.nAccepted + 1} (t = ${fmt(t)}, h = ${fmt(hStep)}): ${whereNonFinite(cfg, ws, yNew)}. y was finite at the start of the step and params are finite${adaptive ? '' : '; a smaller stepSize may help if the solution is smooth'}. Inspect f near this t.`, { t, h: hStep, step: stats.nAccepted + 1 });
          break;
        }
        stats.nAccepted++;
        stepSizes.push(hStep);
        if (checkStability && stats.nAccepted >= nextCheck && stats.nAccepted < fixedSteps) checkHere(tNew, yNew, stats.nAccepted, false);
        if (onAccept !== undefined) {
          rec.n = stats.nAccepted - 1; rec.t = t; rec.h = hStep; rec.tNew = tNew; rec.y = y; rec.yNew = yNew;
          rec.k = ws.stepK; rec.tableau = ws.stepTableau; rec.E = E; rec.restart = landing && restartHere;
          onAccept(rec);
        }
        const tsDue = iTs < ts.length && dir * (tNew - ts[iTs]) >= 0;
        const wantCoef = dense !== null || tsDue || events !== null;
        stats.nfe += solver.accept(wantCoef ? coef : null, cfg.steadyState !== null, t, hStep, y, yNew, params, ws);
        if (dense !== null) dense.push(t, hStep, coef);

        // Events may end the output inside this step.
        let tEnd = tNew;
        let yEnd: Float64Array = yNew;
        if (events !== null && events.detect(tNew, yNew)) {
          const theta = events.locate(t, hStep, coef, width);
          if (theta < 1) {
            tEnd = t + theta * hStep;
            yEnd = evalDense(yEvent, theta, coef, width);
          }
          status = 'event';
          const spec = cfg.events[events.hit];
          event = Object.freeze({ index: events.hit, name: spec.name ?? `event ${events.hit}`, t: tEnd, y: Float64Array.from(yEnd) });
        }
        // Saves inside (t, tEnd] from the interpolant; the step end itself is exact.
        while (iTs < ts.length && dir * (tEnd - ts[iTs]) >= 0) {
          const tau = ts[iTs++];
          if (tau === tEnd) saves.push(tau, yEnd);
          else {
            const at = saves.pushSlot(tau); // before reading ys.data: the slot may grow the buffer
            evalDenseInto(saves.ys.data, at, n, (tau - t) / hStep, coef, width);
          }
        }
        if (saveAt.steps) saves.push(tEnd, yEnd);
        if (status === 'event') {
          t = tEnd;
          y.set(yEnd);
          break;
        }
        const tmp = y; y = yNew; yNew = tmp;
        t = tNew;
        if (landing) {
          tBase = t; since = 0;
          if (atStop) {
            iStop++;
            target = iStop < stops.length ? stops[iStop] : t1;
            // Restart past a possible jump: fresh f(tstop, y) instead of the FSAL stage (VCAB3 restarts with BS3).
            // f is taken on the far side of the stop (one ulp past it in the direction of travel): right-continuous
            // forward, left-continuous backward (t1 < t0).
            if (restartHere) stats.nfe += solver.begin(justAfter(t, dir), y, params, ws, true);
          }
        } else {
          since++;
        }
        if (events !== null) events.advance();
        rejectsInRow = 0;
        if (cfg.steadyState !== null) {
          const f = solver.currentF(ws);
          if (f !== null && norm(f, y, y, cfg.steadyState.rtol, cfg.steadyState.atol) < cfg.steadyState.threshold) {
            status = 'steady-state';
            break;
          }
        }
      } else {
        stats.nRejected++;
        rejectsInRow++;
        if (!(E < Infinity)) lastBad = whereNonFinite(cfg, ws, yNew);
        else lastBad = '';
      }

      if (adaptive) {
        let hNext = hStep * factor;
        // After landing on a tstop with a shortened step, resume from the step the controller had proposed.
        if (accepted && landing && Math.abs(hStep) < Math.abs(h)) hNext = dir * Math.max(Math.abs(hNext), Math.abs(h));
        if (Math.abs(hNext) > cfg.maxStep) hNext = dir * cfg.maxStep;
        const floor = Math.max(cfg.minStep, STEP_FLOOR * Math.max(Math.abs(t), span));
        if (Math.abs(hNext) < floor) {
          if (!accepted && Math.abs(hStep) <= floor) {
            const why = lastBad !== ''
              ? ` The last attempt gave non-finite values: ${lastBad}; f is probably undefined just past t.`
              : ` The error estimate stays above the tolerance however small the step (E = ${fmt(E)}): a singularity, a discontinuity (use tstops), or stiffness.`;
            error = failure('STEP_UNDERFLOW', `${where}: step size underflow at t = ${fmt(t)} of [${fmt(t0)}, ${fmt(t1)}]: h = ${fmt(hStep)} is at the floor ${fmt(floor)} (max(minStep, 1e-14·max(|t|, |t1 − t0|))) after ${rejectsInRow} rejections in a row.${why}`, { t, h: hStep, floor, rejectsInRow });
            break;
          }
          hNext = dir * floor;
        }
        h = hNext;
        nextStepSize = hNext;
      }
    }
  }
  } catch (e) {
    rethrowUser(where, `the field '${term.name}' (or an event condition or callback)`, `the solve at t = ${fmt(t)} (step ${stats.nSteps + 1}, ${stats.nAccepted} accepted)`, e, { t, step: stats.nSteps + 1 });
  } finally {
    if (holder !== null) holder.hold!(null);
  }

  // Phase 5: finish (the last sample's rate over the remaining steps).
  if (checkStability && error === null && status === 'success') checkHere(t, y, stats.nAccepted, true);
  if (error !== null) {
    status = STATUS_OF[error.code];
    if (cfg.throwOnFailure) throw error;
  }
  if (saveAt.t1) saves.push(t, y);
  return new OdeSolution({
    status, method: solver.name, saves, shape: cfg.shape, t0, tFinal: t, yFinal: Float64Array.from(y),
    stats: freezeStats(stats), stepSizes, event, error, dense, nextStepSize,
  });
}
