/**
 * Continuous DEQ, the infinite-time neural ODE (Pal, Edelman & Rackauckas 2022, "Mixing implicit and explicit deep
 * learning with skip DEQs and infinite time neural ODEs (continuous DEQs)"; Pal 2023 thesis §4.1): the fixed point
 * z* = f_θ(z*, x) is the steady state of
 *
 *     dz/dt = f_θ(z, x) − z,   z(0) = z₀   (0, or a Skip DEQ's initial guess),
 *
 * integrated with an adaptive ODE solver (VCAB3 by default, as the thesis' CIFAR/ImageNet runs; Tsit5 as its MNIST
 * runs) until the residual rule of the discrete solvers holds at an accepted step: with du = dz/dt at z_n,
 * ‖du‖₂ ≤ tol·(‖du + z_n‖₂ + ε) ('rel'; du + z_n = f(z_n)) or ‖du‖₂ ≤ tol ('abs'), plus the stagnation and protective
 * rules and a cap on accepted steps (Bai et al. 2019's termination, as DeepEquilibriumNetworks.jl applies it after
 * every ODE step). The rule uses f at the step's end, which the solver has already computed (the FSAL stage of
 * Tsit5/BS3, the end evaluation of a VCAB3 Adams step), so testing it costs no extra evaluation.
 *
 * The residual cannot fall much below the step tolerances: near the steady state the controller holds the step at
 * the explicit method's stability limit, where the trajectory error is about rtol/atol. Keep tol ≥ rtol (the
 * default rtol = atol = tol) and cap the accepted steps with maxIter in training (the thesis' runs use 18–27).
 *
 * The layer's output is z* := f_θ(z_T, x) (one more evaluation): closer to the fixed point than z_T, since f
 * contracts the error by ρ(J). The backward pass is the implicit-function-theorem one linearised at z_T
 * (thesis §4.1: backprop through the last f, then the steady-state adjoint (I − Jᵀ)μ = Jᵀv at z_T; v + μ =
 * (I − Jᵀ)⁻¹v, which is what implicit() solves), never backprop through the ODE steps: its cost is the adjoint
 * solve's VJPs, independent of the number of steps.
 *
 * `deq.layer(f, { solver: deq.continuous({ method: 'vcab3', tol: 0.005 }), backward: deq.implicit() })`.
 */
import { TideError, checkOptionKeys, fmtGot } from '../core/errors.ts';
import type { VectorField } from '../core/field.ts';
import { trustField } from '../integrate/field-check.ts';
import { solve } from '../gradients/solve.ts';
import type { AcceptedStep, StepInfo } from '../integrate/options.ts';
import type { Solution } from '../integrate/solution.ts';
import type { ForwardSolver, IterMap, SolverWorkspace } from './forward/solver.ts';
import { Monitor, TERMINATION_KEYS, resolveTermination } from './forward/termination.ts';
import type { ForwardStats, ResolvedTermination, StopReason, TerminationOptions } from './forward/termination.ts';

/** ODE solvers the continuous DEQ can integrate dz/dt = f(z) − z with. */
export type ContinuousMethod = 'vcab3' | 'tsit5';

export interface ContinuousOptions extends TerminationOptions {
  /** ODE solver: 'vcab3' (default) or 'tsit5'. */
  method?: ContinuousMethod;
  /** Step-size relative tolerance of the ODE solve (default: tol; the thesis uses 0.005 for MNIST, 0.05 for CIFAR). */
  rtol?: number;
  /** Step-size absolute tolerance (default: rtol). */
  atol?: number;
  /** Largest time the solve may reach before stopping with 'maxIter' (default 1e4). */
  tMax?: number;
}

/**
 * ForwardStats plus the ODE solve's figures.
 * @property rejectedSteps rejected ODE steps.
 */
export interface ContinuousStats extends ForwardStats {
  /** Termination time T. */
  readonly tFinal: number;
  /** Accepted ODE steps (= iterations: the rule is tested once per accepted step). */
  readonly acceptedSteps: number;
  readonly rejectedSteps: number;
  /** f evaluations of the ODE solve alone (nfe − 1: the output f(z_T) is the last). */
  readonly solverNfe: number;
}

interface ContinuousWs extends SolverWorkspace {
  readonly mon: Monitor;
  /** f(z_T): the layer's output. */
  readonly out: Float64Array;
  /** The last point f was evaluated at, and f there (reused when the solver asks for it again). */
  readonly lastZ: Float64Array;
  readonly lastF: Float64Array;
  readonly zT: Float64Array;
}

/** Ends the ODE solve from inside onAccept once the rule holds (never leaves this file). */
class Stop extends TideError {
  constructor(readonly reason: StopReason) { super('BAD_ARGUMENT', 'continuous DEQ: internal stop'); }
}

function same(a: Readonly<Float64Array>, b: Readonly<Float64Array>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The continuous-DEQ forward solver (see the module header): integrates dz/dt = f(z) − z until the residual rule holds. Made by {@link continuous}.
 * @property method the ODE solver.
 * @property rtol relative tolerance of the ODE solve's step control.
 * @property atol absolute tolerance of the ODE solve's step control.
 * @property tMax largest time the solve may reach before stopping with 'maxIter'.
 */
export class ContinuousSolver implements ForwardSolver<ContinuousWs> {
  readonly name: string;
  readonly termination: ResolvedTermination;
  readonly method: ContinuousMethod;
  readonly rtol: number;
  readonly atol: number;
  readonly tMax: number;

  constructor(o?: ContinuousOptions) {
    const where = 'continuous';
    checkOptionKeys(where, o, [...TERMINATION_KEYS, 'method', 'rtol', 'atol', 'tMax']);
    const { method, rtol, atol, tMax, ...term } = o ?? {};
    // maxIter counts accepted ODE steps here (DeepEquilibriumNetworks.jl's maxiters); default 1000 (a tight tol takes
    // VCAB3, a third-order method, hundreds of steps).
    this.termination = resolveTermination(where, { maxIter: 1000, ...term }, [], 1e-9);
    const m = method ?? 'vcab3';
    if (m !== 'vcab3' && m !== 'tsit5') throw new TideError('BAD_OPTION', `continuous: method must be 'vcab3' or 'tsit5', got ${fmtGot(method)}.`, { option: 'method' });
    this.method = m;
    const pos = (name: string, v: unknown, d: number): number => {
      const x = v ?? d;
      if (typeof x !== 'number' || !(x > 0) || !Number.isFinite(x)) throw new TideError('BAD_OPTION', `continuous: ${name} must be a finite number > 0, got ${fmtGot(v)}.`, { option: name });
      return x;
    };
    this.rtol = pos('rtol', rtol, this.termination.tol);
    this.atol = pos('atol', atol, this.rtol);
    this.tMax = pos('tMax', tMax, 1e4);
    this.name = `continuous(${m})`;
  }

  workspace(n: number, batch: number): ContinuousWs {
    const len = n * batch;
    return {
      n, batch, mon: new Monitor(n, batch, this.termination), out: new Float64Array(len), lastZ: new Float64Array(len),
      lastF: new Float64Array(len), zT: new Float64Array(len), bytes: 8 * len * 6,
    };
  }

  /** z holds z₀ on entry and z_T on return; ws.out holds f(z_T) (see {@link output}). */
  solve(z: Float64Array, F: IterMap, ws: ContinuousWs): ContinuousStats {
    const { mon, lastZ, lastF, zT } = ws, len = z.length;
    mon.reset();
    let nfe = 0, accepted = 0, rejected = 0, haveLast = false, tFinal = 0;
    const evalF = (zz: Readonly<Float64Array>): void => { F.eval(lastF, zz); lastZ.set(zz); haveLast = true; nfe++; };
    const field: VectorField = trustField({
      dim: len, paramCount: 0, name: 'f(z, x) − z',
      eval(out: Float64Array, _t: number, y: Float64Array): void {
        // The solver asks again for f at the point the rule was just tested at (VCAB3's end evaluation): reuse it.
        if (!(haveLast && same(y, lastZ))) evalF(y);
        for (let i = 0; i < len; i++) out[i] = lastF[i] - y[i];
      },
    });
    const onAccept = (rec: AcceptedStep): void => {
      accepted++;
      // f(z_{n+1}): the FSAL stage was the last evaluation (Tsit5, BS3); an Adams step evaluates it next, here instead.
      if (!(haveLast && same(rec.yNew, lastZ))) evalF(rec.yNew);
      tFinal = rec.tNew;
      zT.set(rec.yNew);
      let stop = mon.observe(rec.yNew, lastF);
      if (stop === null && accepted >= this.termination.maxIter) stop = 'maxIter';
      if (stop !== null) throw new Stop(stop);
    };
    const onStep = (info: StepInfo): void => { if (!info.accepted) rejected++; };
    let stop: StopReason;
    try {
      const sol = solve(field, Float64Array.from(z), {
        t1: this.tMax, method: this.method, rtol: this.rtol, atol: this.atol, onAccept, onStep, throwOnFailure: false,
        saveAt: { t0: false, t1: false },
      }) as Solution;
      // Reached tMax (or the solve failed) before the rule held.
      stop = sol.status === 'success' ? 'maxIter' : 'nonfinite';
      if (sol.status === 'success') { tFinal = sol.tFinal; zT.set(sol.yFinal); }
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      stop = e.reason;
    }
    // The returned state: the last one when converged, else the lowest-residual one (Bai et al.'s lowest_xest).
    z.set(stop === 'converged' || mon.count === 0 ? zT : mon.best);
    const solverNfe = nfe;
    F.eval(ws.out, z); nfe++;
    const s = mon.stats(this.name, nfe, stop);
    return { ...s, tFinal, acceptedSteps: accepted, rejectedSteps: rejected, solverNfe };
  }

  /** The layer output z* := f_θ(z_T, x), computed by the last solve. */
  output(out: Float64Array, _z: Readonly<Float64Array>, ws: ContinuousWs): void { out.set(ws.out); }
}

/**
 * A continuous-DEQ forward solver for {@link deq} (see the file header): `continuous({ method: 'vcab3', tol: 0.005 })`.
 * `tol`/`stopMode`/`maxIter` are the termination rule (maxIter counts accepted ODE steps); `rtol`/`atol` the ODE
 * solver's step tolerances (default: tol).
 * @throws TideError('BAD_OPTION') for a bad option.
 */
export function continuous(options?: ContinuousOptions): ContinuousSolver {
  return new ContinuousSolver(options);
}
