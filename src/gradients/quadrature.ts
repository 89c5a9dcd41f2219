/**
 * The quadrature adjoint (Kim, Ji, Deng, Ma & Rackauckas, "Stiff Neural Ordinary Differential Equations", Chaos 31,
 * 2021, §3; SciMLSensitivity's QuadratureAdjoint): split the continuous adjoint in two.
 *   1. Solve the state adjoint alone backward, da_y/dt = −(∂f/∂y)ᵀ a_y, with y(t) read from the forward's dense output,
 *      adding the loss cotangent at every save time; keep the backward solve's dense output. Its state has d
 *      components, not d + p: the parameter adjoint no longer constrains the steps, and each stage skips ∂f/∂θ.
 *   2. ∂L/∂θ = ∫_{t0}^{T} a_y(t)ᵀ ∂f/∂θ(t, y(t)) dt, by m-point Gauss–Legendre quadrature on every backward step.
 * Worth it when p ≫ d and the VJP with respect to θ is the expensive part. Accuracy: both interpolants' orders (4 for
 * tsit5/dopri5) and the tolerances; memory: the forward and backward dense outputs, O(N·d).
 */
import { TideError, checkOptionKeys } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { VectorField } from '../core/field.ts';
import { integrate } from '../integrate/solve.ts';
import { resolveSolveOptions, type ResolvedOptions } from '../integrate/options.ts';
import type { Solution } from '../integrate/solution.ts';
import { odeTerm } from '../terms/ode.ts';
import { trustField } from '../integrate/field-check.ts';
import { justAfter } from '../integrate/time.ts';
import type { Solver } from '../solvers/solver.ts';
import type { Tableau } from '../solvers/tableau.ts';
import { adjointSolverFor } from './adjoint-solve.ts';
import { newReport, type ForwardRecord, type GradientMethod, type GradientRun } from './method.ts';

/**
 * Options of {@link quadrature}; unknown keys throw TideError('BAD_OPTION').
 * @property atol absolute tolerance of the backward a_y solve (default: the forward's).
 */
export interface QuadratureOptions {
  /** Tolerances of the backward a_y solve (default: the forward's). */
  rtol?: number;
  atol?: number;
  /** Solver of the backward solve (an adaptive RK method with dense output; default: the forward's if adaptive, else tsit5). */
  solver?: string | Solver | Tableau;
  /** Gauss–Legendre points per backward step (1 … 5, default 5: exact for polynomials of degree 9). */
  points?: number;
}

/** Gauss–Legendre nodes on [−1, 1] and weights, m = 1 … 5 (Abramowitz & Stegun, Table 25.4). */
const GAUSS: readonly (readonly [readonly number[], readonly number[]])[] = [
  [[0], [2]],
  [[-0.5773502691896257, 0.5773502691896257], [1, 1]],
  [[-0.7745966692414834, 0, 0.7745966692414834], [5 / 9, 8 / 9, 5 / 9]],
  [[-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526],
    [0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538]],
  [[-0.9061798459386640, -0.5384693101056831, 0, 0.5384693101056831, 0.9061798459386640],
    [0.2369268850561891, 0.4786286704993665, 0.5688888888888889, 0.4786286704993665, 0.2369268850561891]],
];

/** `gradient: quadrature({ points: 5 })` (or 'quadrature'). */
export function quadrature(options: QuadratureOptions = {}): GradientMethod {
  checkOptionKeys('quadrature', options, ['rtol', 'atol', 'solver', 'points']);
  const m = options.points ?? 5;
  if (!Number.isInteger(m) || m < 1 || m > 5) throw new TideError('BAD_OPTION', `quadrature: points must be an integer in 1 … 5, got ${describe(m)}.`, { option: 'points' });
  for (const k of ['rtol', 'atol'] as const) {
    const v = options[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new TideError('BAD_OPTION', `quadrature: the adjoint ${k} must be a finite number > 0, got ${describe(v)}.`, { option: k });
  }
  const [xs, gw] = GAUSS[m - 1];
  return {
    name: 'quadrature',
    prepare({ where, cfg }): GradientRun {
      const field = cfg.field;
      if (field === null || typeof field.vjp !== 'function') {
        throw new TideError('BAD_OPTION', `${where}: gradient 'quadrature' solves the adjoint ODE of dy/dt = f(t, y), so it needs an ODE term with a vjp; use 'direct' or 'checkpoint' for SDE/CDE terms.`, { option: 'gradient' });
      }
      const d = field.dim;
      let fwd: ForwardRecord | null = null;
      const y = new Float64Array(d), v = new Float64Array(d), a = new Float64Array(d), dY = new Float64Array(d);
      let vjps = 0;
      // da_y/dt = −(∂f/∂y)ᵀ a_y at y(t) from the forward's dense output; no parameter cotangent (dParams = null).
      const adjointField: VectorField = trustField({
        dim: d, paramCount: 0, name: `state adjoint of ${field.name ?? 'f'}`,
        eval(out, t, S) {
          (fwd as ForwardRecord).solution.evaluate(t, y);
          for (let k = 0; k < d; k++) v[k] = -S[k];
          field.vjp!(out, null, v, t, y, (fwd as ForwardRecord).params as Float64Array);
          vjps++;
        },
      });
      // As the other continuous adjoints: the forward's solver (the base of a reversible one) and stepping mode.
      const solver = adjointSolverFor('quadrature', cfg.solver, options.solver);
      const adaptive = cfg.adaptive && solver.errorOrder !== undefined;
      if (!adaptive && cfg.stepSize === undefined) throw new TideError('BAD_OPTION', `${where}: the state-adjoint solve of 'quadrature' steps with fixed steps but the forward has no stepSize.`, { option: 'stepSize' });
      const S = new Float64Array(d);
      const base: ResolvedOptions = resolveSolveOptions(odeTerm(adjointField), S, {
        t0: 1, t1: 0, method: solver, adaptive, ...(adaptive ? {} : { stepSize: cfg.stepSize }),
        rtol: options.rtol ?? scalar(cfg.rtol), atol: options.atol ?? scalar(cfg.atol),
        maxSteps: cfg.maxSteps, saveAt: { dense: true }, stabilityCheck: false,
      });
      const ws = base.solver.workspace(base.term);
      const stops = Float64Array.from(cfg.tstops), stopSet = new Set(stops);
      return {
        forwardNeeds: { dense: true },
        beginForward() {},
        endForward(f) { fwd = f; },
        backward(f, dYs, dY0, dParams, onStep) {
          fwd = f; vjps = 0;
          const ts = f.saveTimes, K = ts.length, t0 = f.grid.times[0];
          const dir = f.grid.N > 0 && f.grid.times[f.grid.N] < t0 ? -1 : 1;
          S.fill(0); dParams.fill(0);
          let q = K - 1, tCur = K > 0 ? ts[q] : t0, nfe = 0, steps = 0, hCarry = NaN;
          const addSavesAt = (tau: number): void => { while (q >= 0 && ts[q] === tau) { for (let k = 0; k < d; k++) S[k] += dYs[q * d + k]; q--; } };
          addSavesAt(tCur);
          const legs: { sol: Solution; t0: number }[] = [];
          while (dir * (tCur - t0) > 0) {
            const tNext = q >= 0 ? ts[q] : t0;
            let sol: Solution;
            // The forward's tstops are restarts of the backward solve too (f may jump there), entered from the far side.
            const inside = stops.filter((v) => dir * (v - tNext) > 0 && dir * (tCur - v) > 0).sort();
            if (dir > 0) inside.reverse();
            const start = stopSet.has(tCur) ? justAfter(tCur, -dir) : tCur;
            try {
              sol = integrate({ ...base, t0: start, t1: tNext, tstops: inside, landings: inside, restartAt: new Uint8Array(inside.length).fill(1),
                ...(!base.adaptive ? {} : Number.isFinite(hCarry) ? { stepSize: Math.min(Math.abs(hCarry), Math.abs(tCur - tNext)) } : { stepSize: undefined }) }, S, ws);
            } catch (e) {
              if (e instanceof TideError && (e.code === 'NONFINITE' || e.code === 'STEP_UNDERFLOW' || e.code === 'MAX_STEPS')) {
                throw new TideError(e.code, `${where}: the backward state-adjoint solve from t = ${tCur} to ${tNext} failed: the VJP of f or the adjoint state became non-finite, or the step collapsed. Check the field's derivatives along the solution, or use gradient 'direct'. (${e.message})`, { ...e.details, method: 'quadrature' }, { cause: e });
              }
              throw e;
            }
            S.set(sol.yFinal);
            nfe += sol.stats.nfe; steps += sol.stats.nAccepted + sol.stats.nRejected;
            if (Number.isFinite(sol.nextStepSize)) hCarry = sol.nextStepSize;
            legs.push({ sol, t0: start });
            tCur = tNext;
            addSavesAt(tCur);
            if (onStep) onStep(K - Math.max(q + 1, 0), K);
          }
          dY0.set(S);
          // ∂L/∂θ = Σ over backward steps of ∫ a_yᵀ ∂f/∂θ dt (the steps run backward, so the forward-time integral is −h·…).
          let quadBytes = 0;
          for (const { sol: leg, t0: start } of legs) {
            let t = start;
            const hs = leg.stepSizes;
            quadBytes += 8 * d * base.solver.denseWidth * hs.length;
            for (let j = 0; j < hs.length; j++) {
              const h = hs[j], mid = t + 0.5 * h, half = -0.5 * h;
              for (let i = 0; i < xs.length; i++) {
                const ti = mid + 0.5 * h * xs[i];
                leg.evaluate(ti, a);
                f.solution.evaluate(ti, y);
                for (let k = 0; k < d; k++) v[k] = half * gw[i] * a[k];
                field.vjp!(dY, dParams, v, ti, y, f.params as Float64Array);
                vjps++;
              }
              t += h;
            }
          }
          const report = newReport('quadrature');
          report.nfeForward = f.solution.stats.nfe;
          report.nfeBackward = nfe;
          report.vjpBackward = vjps;
          report.steps = f.grid.N;
          report.backwardSteps = steps;
          report.stateBytes = 8 * d * cfg.solver.denseWidth * f.grid.N + quadBytes + 8 * d * 8;
          report.peakBytes = report.stateBytes + 8 * f.solution.ys.length;
          report.effectiveCheckpoints = f.grid.N + 1;
          return report;
        },
      };
    },
  };
}

/** Strictest scalar of a tolerance. */
function scalar(t: number | Readonly<Float64Array>): number { return typeof t === 'number' ? t : t.reduce((a, b) => Math.min(a, b), Infinity); }
