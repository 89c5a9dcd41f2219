/**
 * Implicit-function-theorem backward pass (Bai et al. 2019, Theorem 1; Pal 2023 thesis §3.2, §3.3.3): solve the
 * adjoint system (I − J)ᵀ λ = v at z*, matrix-free (one VJP of f per operator application, J never formed), then
 * dℓ/dθ = λᵀ ∂f/∂θ and dℓ/dx = λᵀ ∂f/∂x. Memory is independent of the forward iterations: one taped evaluation of
 * f at z* plus the adjoint solver's vectors. Solvers: restarted GMRES (default; Saad & Schultz 1986), the fixed-point
 * iteration λ ← Jᵀλ + v (converges iff ρ(J) < 1), or Broyden / Anderson on that same map (Bai et al.'s backward hook).
 */
import { TideError, checkOptionKeys, fmtGot } from '../../core/errors.ts';
import type { DeqBackward, DeqBackwardContext, DeqBackwardRun, DeqRecord, DeqReport } from './method.ts';
import { newDeqReport } from './method.ts';
import { gmres, gmresWorkspace, resolveGmres } from './gmres.ts';
import type { GmresOptions, LinearOperator } from './gmres.ts';
import { fixedPoint } from '../forward/fixed-point.ts';
import { broyden } from '../forward/broyden.ts';
import { anderson } from '../forward/anderson.ts';
import type { ForwardSolver, IterMap } from '../forward/solver.ts';
import { fmtHistory } from '../forward/termination.ts';
import type { DeqMap } from '../map.ts';

/** Solvers of the adjoint system (I − J)ᵀ λ = v that {@link implicit} accepts. */
export type AdjointSolverName = 'gmres' | 'fixed-point' | 'broyden' | 'anderson';
/** Every {@link AdjointSolverName}, in a stable order. */
export const ADJOINT_SOLVERS: readonly AdjointSolverName[] = ['gmres', 'fixed-point', 'broyden', 'anderson'];

/** Options of {@link implicit}: the adjoint solver and its tolerances (GMRES's own options included); unknown keys throw TideError('BAD_OPTION'). */
export interface ImplicitOptions extends GmresOptions {
  /** The adjoint solver (default 'gmres'). */
  solver?: AdjointSolverName;
  /** Tolerance of the fixed-point / quasi-Newton adjoint solves (relative residual; default 1e-10). GMRES uses rtol. */
  tol?: number;
  /** Anderson / Broyden memory. */
  memory?: number;
  /** Throw when the adjoint solve does not converge (default true); false reports backwardConverged = false. */
  throwOnFailure?: boolean;
}

/** Vector–Jacobian products at the last point the map was applied to. */
class AdjointOps implements LinearOperator, IterMap {
  v: Readonly<Float64Array> = new Float64Array(0);
  params: Readonly<Float64Array> = new Float64Array(0);
  vjps = 0;
  constructor(readonly map: DeqMap, readonly ws: unknown) {}
  /** out = (I − Jᵀ) v: the GMRES operator. */
  apply(out: Float64Array, lam: Readonly<Float64Array>): void {
    this.map.vjp(null, out, null, lam, this.params, this.ws); this.vjps++;
    for (let i = 0; i < out.length; i++) out[i] = lam[i] - out[i];
  }
  /** out = Jᵀ λ + v: the fixed-point form. */
  eval(out: Float64Array, lam: Readonly<Float64Array>): void {
    this.map.vjp(null, out, null, lam, this.params, this.ws); this.vjps++;
    for (let i = 0; i < out.length; i++) out[i] += this.v[i];
  }
}

class ImplicitRun implements DeqBackwardRun {
  readonly bytes: number;
  private readonly ops: AdjointOps;
  private readonly fz: Float64Array;
  private readonly lam: Float64Array;
  private readonly mapWs: unknown;
  private readonly gws: ReturnType<typeof gmresWorkspace> | null;
  private readonly iter: ForwardSolver | null;
  private readonly iws: ReturnType<ForwardSolver['workspace']> | null;

  constructor(private readonly m: ImplicitMethod, private readonly ctx: DeqBackwardContext) {
    const { map, batch } = ctx, len = map.zDim * batch;
    this.mapWs = map.workspace(batch);
    this.fz = new Float64Array(len); this.lam = new Float64Array(len);
    this.ops = new AdjointOps(map, this.mapWs);
    this.gws = m.solver === 'gmres' ? gmresWorkspace(len, m.gmres) : null;
    this.iter = m.iterSolver;
    this.iws = this.iter ? this.iter.workspace(map.zDim, batch) : null;
    this.bytes = 8 * 3 * len + (this.gws?.bytes ?? 0) + (this.iws?.bytes ?? 0);
  }

  backward(rec: DeqRecord, dZ: Readonly<Float64Array>, dParams: Float64Array, dX: Float64Array): DeqReport {
    const { map } = this.ctx, ops = this.ops, lam = this.lam;
    // One taped evaluation at z* (Bai et al.: the forward iterations themselves run without a tape).
    map.apply(this.fz, rec.params, rec.zStar, rec.x, this.mapWs);
    ops.params = rec.params; ops.v = dZ; ops.vjps = 0;
    const r = newDeqReport(this.m.name, rec.forward);
    lam.fill(0);
    let residual: number, converged: boolean, history: Float64Array, its: number;
    if (this.gws !== null) {
      const s = gmres(lam, ops, dZ, this.m.gmres, this.gws);
      residual = s.residual; converged = s.converged; history = s.residualHistory; its = s.iterations;
      if (!converged && this.m.throwOnFailure) {
        throw new TideError('MAX_STEPS', `${this.ctx.where} (implicit, gmres): the adjoint system (I − Jᵀ)λ = ∂ℓ/∂z* did not converge: residual ${s.residual.toExponential(3)} after ${s.iterations} iterations, target ${Math.max(this.m.gmres.atol, this.m.gmres.rtol * s.bNorm).toExponential(3)} (rtol ${this.m.gmres.rtol} × ‖∂ℓ/∂z*‖ ${s.bNorm.toExponential(3)}); residual history ${fmtHistory(s.residualHistory)}. Raise maxIter or restart, loosen rtol, or check that I − J is well conditioned at z* (ρ(J) near 1 makes it nearly singular: regularise f with jacobianPenalty). Pass throwOnFailure: false to use λ anyway.`,
          { residual: s.residual, iterations: s.iterations, residualHistory: Array.from(s.residualHistory) });
      }
    } else {
      const s = this.iter!.solve(lam, ops, this.iws!);
      // The solvers return the best iterate λ_k; its residual is ‖Jᵀλ_k + v − λ_k‖ (relative to ‖Jᵀλ_k + v‖).
      residual = s.residual; converged = s.converged; history = s.residualHistory; its = s.iterations;
      if (!converged && this.m.throwOnFailure) {
        throw new TideError('MAX_STEPS', `${this.ctx.where} (implicit, ${this.m.solver}): the adjoint iteration λ ← Jᵀλ + ∂ℓ/∂z* did not converge (${s.stop}): relative residual ${s.residual.toExponential(3)} after ${s.nfe} VJPs, target ${this.m.tol}; residual history ${fmtHistory(s.residualHistory)}. It converges only when ρ(J) < 1 at z*; use solver: 'gmres', raise maxIter, or pass throwOnFailure: false.`,
          { residual: s.residual, stop: s.stop, residualHistory: Array.from(s.residualHistory) });
      }
    }
    map.vjp(dParams, null, dX, lam, rec.params, this.mapWs);
    r.nfeBackward = 1; r.vjpBackward = ops.vjps + 1; r.backwardSteps = its;
    r.backwardResidual = residual; r.backwardConverged = converged; r.backwardHistory = history;
    r.peakBytes = this.bytes; r.stateBytes = 8 * 2 * lam.length;
    return r;
  }
}

class ImplicitMethod implements DeqBackward {
  readonly name: string;
  readonly solver: AdjointSolverName;
  readonly gmres: ReturnType<typeof resolveGmres>;
  readonly tol: number;
  readonly throwOnFailure: boolean;
  readonly iterSolver: ForwardSolver | null;
  constructor(o?: ImplicitOptions) {
    const where = 'implicit';
    checkOptionKeys(where, o, ['solver', 'tol', 'memory', 'throwOnFailure', 'rtol', 'atol', 'restart', 'maxIter']);
    const solver = o?.solver ?? 'gmres';
    if (!ADJOINT_SOLVERS.includes(solver)) throw new TideError('BAD_OPTION', `implicit: solver must be one of ${ADJOINT_SOLVERS.join(', ')}, got ${fmtGot(o?.solver)}.`, { option: 'solver' });
    this.solver = solver;
    this.name = `implicit(${solver})`;
    const { solver: _s, tol, memory, throwOnFailure, ...g } = o ?? {};
    if (solver === 'gmres' && (tol !== undefined || memory !== undefined)) throw new TideError('BAD_OPTION', `implicit: with solver 'gmres' set rtol/atol/restart/maxIter (tol and memory are for the iterative adjoint solvers).`, { option: tol !== undefined ? 'tol' : 'memory' });
    if (solver !== 'gmres' && (g.rtol !== undefined || g.atol !== undefined || g.restart !== undefined)) throw new TideError('BAD_OPTION', `implicit: rtol, atol and restart are GMRES options; with solver '${solver}' use tol and maxIter.`, { option: 'rtol' });
    this.gmres = resolveGmres(where, solver === 'gmres' ? g : { maxIter: g.maxIter });
    this.tol = tol ?? 1e-10;
    if (throwOnFailure !== undefined && typeof throwOnFailure !== 'boolean') throw new TideError('BAD_OPTION', `implicit: throwOnFailure must be true or false, got ${fmtGot(throwOnFailure)}.`, { option: 'throwOnFailure' });
    this.throwOnFailure = throwOnFailure ?? true;
    const term = { tol: this.tol, maxIter: g.maxIter ?? 200, stopMode: 'rel' as const, eps: 1e-12 };
    this.iterSolver = solver === 'fixed-point' ? fixedPoint(term)
      : solver === 'broyden' ? broyden(memory !== undefined ? { ...term, memory } : term)
        : solver === 'anderson' ? anderson({ ...term, ridge: 'relative', lambda: 1e-10, ...(memory !== undefined ? { memory } : {}) }) : null;
  }
  prepare(ctx: DeqBackwardContext): DeqBackwardRun { return new ImplicitRun(this, ctx); }
}

/**
 * The implicit-function-theorem gradient (exact at the fixed point, up to the adjoint solve's tolerance).
 * @throws TideError('BAD_OPTION') for an unknown or misplaced option; at backward time TideError('MAX_STEPS') when
 *   the adjoint solve does not converge (unless throwOnFailure: false), naming the residual reached.
 */
export function implicit(options?: ImplicitOptions): DeqBackward {
  return new ImplicitMethod(options);
}
