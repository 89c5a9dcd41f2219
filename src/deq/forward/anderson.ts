/**
 * Anderson acceleration, type II with a ridge (Anderson 1965; Walker & Ni 2011, "Anderson acceleration for
 * fixed-point iterations", SINUM 49; the form of Bai et al. 2019's DEQ code). Ring buffers X, F of the m most recent
 * iterates and their images; with G_i = F_i − X_i (the residual rows of one sample):
 *
 *     α = argmin ‖Σ α_i G_i‖² + λ‖α‖²  s.t. Σ α_i = 1,  from the bordered system  [[0, 1ᵀ], [1, GGᵀ + λI]] [ν; α] = [1; 0]
 *     X_new = β Σ α_i F_i + (1 − β) Σ α_i X_i,   F_new = f(X_new), stored in slot k mod m.
 *
 * Start: X_0 = z_0, X_1 = f(X_0). Ridge 'absolute' uses λ as given (Bai et al.); with tiny residuals it dominates GGᵀ
 * and slows convergence, so ridge 'relative' scales it by trace(GGᵀ)/n. Each batch row has its own α (per-sample
 * state, as Bai et al.'s batched solve). Finite termination on a linear map of dimension d needs m ≥ d + 1.
 */
import { TideError, fmtGot } from '../../core/errors.ts';
import type { ForwardSolver, IterMap, SolverWorkspace } from './solver.ts';
import { Monitor, resolveTermination } from './termination.ts';
import type { ForwardStats, ResolvedTermination, StopReason, TerminationOptions } from './termination.ts';

export interface AndersonOptions extends TerminationOptions {
  /** m, past iterates kept (default 6, at least 2). */
  memory?: number;
  /** λ, the ridge on the Gram matrix (default 1e-4). */
  lambda?: number;
  /** 'absolute' (default, Bai et al.): λ; 'relative': λ·trace(GGᵀ)/n. */
  ridge?: 'absolute' | 'relative';
  /** β, the mixing of images and iterates, in (0, 1] (default 1). */
  damping?: number;
}

interface AndersonWs extends SolverWorkspace {
  readonly X: Float64Array[]; readonly F: Float64Array[]; readonly G: Float64Array[];
  /** Bordered system (m+1)², right-hand side / solution (m+1), per row. */
  readonly H: Float64Array; readonly y: Float64Array;
  readonly mon: Monitor;
}

/**
 * Anderson acceleration of the fixed-point iteration (see the module header). Made by {@link anderson}.
 * @property memory m, past iterates kept.
 * @property lambda λ, the ridge on the Gram matrix.
 * @property ridge 'absolute' (λ) or 'relative' (λ·trace(GGᵀ)/n).
 * @property damping β, the mixing of images and iterates, in (0, 1].
 */
export class AndersonSolver implements ForwardSolver<AndersonWs> {
  readonly name = 'anderson';
  readonly termination: ResolvedTermination;
  readonly memory: number; readonly lambda: number; readonly ridge: 'absolute' | 'relative'; readonly damping: number;
  constructor(o?: AndersonOptions) {
    this.termination = resolveTermination('anderson', o, ['memory', 'lambda', 'ridge', 'damping'], 1e-5);
    const m = o?.memory ?? 6;
    if (!Number.isInteger(m) || m < 2) throw new TideError('BAD_OPTION', `anderson: memory must be an integer ≥ 2 (past iterates kept), got ${fmtGot(o?.memory)}. Bai et al. use 5–6; a linear map of dimension d needs d + 1 for finite termination.`, { option: 'memory' });
    const lam = o?.lambda ?? 1e-4;
    if (typeof lam !== 'number' || !(lam >= 0) || !Number.isFinite(lam)) throw new TideError('BAD_OPTION', `anderson: lambda must be a finite number ≥ 0 (the ridge), got ${fmtGot(o?.lambda)}.`, { option: 'lambda' });
    const ridge = o?.ridge ?? 'absolute';
    if (ridge !== 'absolute' && ridge !== 'relative') throw new TideError('BAD_OPTION', `anderson: ridge must be 'absolute' or 'relative', got ${fmtGot(o?.ridge)}.`, { option: 'ridge' });
    const beta = o?.damping ?? 1;
    if (typeof beta !== 'number' || !(beta > 0 && beta <= 1)) throw new TideError('BAD_OPTION', `anderson: damping must be a number in (0, 1], got ${fmtGot(o?.damping)}.`, { option: 'damping' });
    this.memory = m; this.lambda = lam; this.ridge = ridge; this.damping = beta;
  }

  workspace(n: number, batch: number): AndersonWs {
    const m = this.memory, len = n * batch;
    const mk = (): Float64Array[] => Array.from({ length: m }, () => new Float64Array(len));
    return {
      n, batch, X: mk(), F: mk(), G: mk(), H: new Float64Array((m + 1) * (m + 1)), y: new Float64Array(m + 1),
      mon: new Monitor(n, batch, this.termination), bytes: 8 * (3 * m * len + (m + 1) * (m + 2) + 2 * len),
    };
  }

  solve(z: Float64Array, Fmap: IterMap, ws: AndersonWs): ForwardStats {
    const { X, F, G, mon, n, batch } = ws, m = this.memory, maxIter = this.termination.maxIter, len = n * batch;
    mon.reset();
    X[0].set(z);
    Fmap.eval(F[0], X[0]);
    let nfe = 1;
    let stop: StopReason | null = mon.observe(X[0], F[0]);
    for (let i = 0; i < len; i++) G[0][i] = F[0][i] - X[0][i];
    for (let k = 1; stop === null; k++) {
      if (nfe >= maxIter) { stop = 'maxIter'; break; }
      const s = k % m;
      if (k === 1) X[1].set(F[0]);
      else this.mix(X[s], Math.min(k, m), ws);
      Fmap.eval(F[s], X[s]); nfe++;
      stop = mon.observe(X[s], F[s]);
      const Xs = X[s], Fs = F[s], Gs = G[s];
      for (let i = 0; i < len; i++) Gs[i] = Fs[i] - Xs[i];
    }
    z.set(mon.best);
    return mon.stats(this.name, nfe, stop);
  }

  /** out = the Anderson mix of the first nu slots (per row); out is the slot about to be overwritten. */
  private mix(out: Float64Array, nu: number, ws: AndersonWs): void {
    const { X, F, G, H, y, n, batch } = ws, beta = this.damping, N = nu + 1;
    for (let b = 0; b < batch; b++) {
      const o = b * n;
      // Bordered system: H[0][0] = 0, H[0][j] = H[j][0] = 1, H[i][j] = ⟨G_i, G_j⟩ + λδ_ij.
      let trace = 0;
      for (let i = 0; i < nu; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          const gi = G[i], gj = G[j];
          for (let q = o; q < o + n; q++) s += gi[q] * gj[q];
          H[(i + 1) * N + (j + 1)] = s; H[(j + 1) * N + (i + 1)] = s;
        }
        trace += H[(i + 1) * N + (i + 1)];
      }
      const lam = this.ridge === 'absolute' ? this.lambda : this.lambda * trace / nu;
      H[0] = 0;
      for (let i = 1; i < N; i++) { H[i] = 1; H[i * N] = 1; H[i * N + i] += lam; y[i] = 0; }
      y[0] = 1;
      solveDense(H, y, N);
      // α = y[1..nu]; mixing into out (which is one of the slots: read it before writing).
      for (let q = o; q < o + n; q++) {
        let sf = 0, sx = 0;
        for (let i = 0; i < nu; i++) { sf += y[i + 1] * F[i][q]; sx += y[i + 1] * X[i][q]; }
        out[q] = beta * sf + (1 - beta) * sx;
      }
    }
  }
}

/**
 * Solves A x = b in place (A is N×N row-major, overwritten; b becomes x) by Gaussian elimination with partial
 * pivoting. A singular pivot leaves the corresponding entries 0 (the ridge keeps Anderson's system regular).
 */
export function solveDense(A: Float64Array, b: Float64Array, N: number): void {
  for (let c = 0; c < N; c++) {
    let p = c, best = Math.abs(A[c * N + c]);
    for (let r = c + 1; r < N; r++) { const v = Math.abs(A[r * N + c]); if (v > best) { best = v; p = r; } }
    if (p !== c) {
      for (let j = 0; j < N; j++) { const t = A[c * N + j]; A[c * N + j] = A[p * N + j]; A[p * N + j] = t; }
      const t = b[c]; b[c] = b[p]; b[p] = t;
    }
    const piv = A[c * N + c];
    if (piv === 0) continue;
    for (let r = c + 1; r < N; r++) {
      const f = A[r * N + c] / piv;
      if (f === 0) continue;
      for (let j = c; j < N; j++) A[r * N + j] -= f * A[c * N + j];
      b[r] -= f * b[c];
    }
  }
  for (let c = N - 1; c >= 0; c--) {
    let s = b[c];
    for (let j = c + 1; j < N; j++) s -= A[c * N + j] * b[j];
    const piv = A[c * N + c];
    b[c] = piv === 0 ? 0 : s / piv;
  }
}

/** Anderson acceleration (see the file header). @throws TideError('BAD_OPTION') for a bad option. */
export function anderson(options?: AndersonOptions): AndersonSolver {
  return new AndersonSolver(options);
}
