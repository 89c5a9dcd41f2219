/**
 * Matrix-free restarted GMRES(mr) (Saad & Schultz 1986, "GMRES: a generalized minimal residual algorithm for solving
 * nonsymmetric linear systems", SISSC 7), as the implicit DEQ backward pass uses it (Bai et al. 2019 §3.1.3; Pal 2023
 * thesis §3.3.2): Arnoldi with modified Gram–Schmidt, Givens rotations on the Hessenberg column so |γ_{j+1}| is the
 * current residual norm, restart after mr vectors. Without restart it is exact in n iterations (in exact arithmetic)
 * and residual norms never increase, across restarts too. No preconditioner ("robust even without preconditioning"
 * for large networks, Pal 2023 §3.3.2).
 */
import { TideError, checkOptionKeys, fmtGot } from '../../core/errors.ts';

/** out = A v (both length n); out never aliases v. */
export interface LinearOperator {
  /** out = A v. */
  apply(out: Float64Array, v: Readonly<Float64Array>): void;
}

/** Options of {@link gmres} (and of the implicit backward mode's GMRES solve); unknown keys throw TideError('BAD_OPTION'). */
export interface GmresOptions {
  /** Stop when ‖b − Ax‖ ≤ max(atol, rtol·‖b‖). Default rtol 1e-10. */
  rtol?: number;
  /** Default 0. */
  atol?: number;
  /** mr, Krylov vectors per cycle (default 20). */
  restart?: number;
  /** Most operator applications in all (default 200). */
  maxIter?: number;
}
export const GMRES_KEYS = ['rtol', 'atol', 'restart', 'maxIter'] as const;

/**
 * What {@link gmres} reports.
 * @property bNorm ‖b‖, the scale of the relative test.
 * @property converged whether ‖b − Ax‖ ≤ max(atol, rtol·‖b‖) at the end.
 */
export interface GmresStats {
  /** Operator applications in Arnoldi steps (restart residuals excluded). */
  readonly iterations: number;
  /** Operator applications in all (Arnoldi steps plus the true residual at the end of every cycle). */
  readonly applications: number;
  /** ‖b − Ax‖ at the end (the true residual, recomputed). */
  readonly residual: number;
  readonly bNorm: number;
  readonly converged: boolean;
  /** Residual norm after each Arnoldi step (the rotated γ), starting with ‖b − Ax₀‖. */
  readonly residualHistory: Float64Array;
}

/**
 * {@link GmresOptions} checked, with the defaults filled in (rtol 1e-10, atol 0, restart 20, maxIter 200).
 * @property rtol relative tolerance on ‖b − Ax‖.
 * @property atol absolute tolerance on ‖b − Ax‖.
 * @property restart Krylov vectors per cycle, mr.
 * @property maxIter most operator applications in all.
 */
export interface ResolvedGmres { readonly rtol: number; readonly atol: number; readonly restart: number; readonly maxIter: number }

/**
 * Checks GMRES options (and `extra`, keys a caller adds) and fills in the defaults; `where` prefixes messages.
 * @throws TideError('BAD_OPTION') for an unknown key, a negative or non-finite tolerance, rtol = atol = 0, or a restart / maxIter that is not an integer ≥ 1.
 */
export function resolveGmres(where: string, o: GmresOptions | undefined, extra: readonly string[] = []): ResolvedGmres {
  checkOptionKeys(where, o, [...GMRES_KEYS, ...extra]);
  const num = (k: 'rtol' | 'atol', d: number): number => {
    const v = o?.[k] ?? d;
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new TideError('BAD_OPTION', `${where}: ${k} must be a finite number ≥ 0, got ${fmtGot(o?.[k])}.`, { option: k });
    return v;
  };
  const int = (k: 'restart' | 'maxIter', d: number): number => {
    const v = o?.[k] ?? d;
    if (!Number.isInteger(v) || v < 1) throw new TideError('BAD_OPTION', `${where}: ${k} must be an integer ≥ 1, got ${fmtGot(o?.[k])}.`, { option: k });
    return v;
  };
  const r = { rtol: num('rtol', 1e-10), atol: num('atol', 0), restart: int('restart', 20), maxIter: int('maxIter', 200) };
  if (r.rtol === 0 && r.atol === 0) throw new TideError('BAD_OPTION', `${where}: rtol and atol are both 0, so GMRES could never stop early; set rtol (e.g. 1e-10).`, { option: 'rtol' });
  return r;
}

export interface GmresWorkspace {
  readonly n: number; readonly Q: Float64Array[]; readonly H: Float64Array; readonly cs: Float64Array; readonly sn: Float64Array;
  readonly gamma: Float64Array; readonly y: Float64Array; readonly r: Float64Array; readonly w: Float64Array;
  readonly history: Float64Array; readonly bytes: number;
}

/** Allocates the buffers {@link gmres} needs for systems of size n with these options (min(restart, maxIter) + 1 Krylov vectors of length n and the Hessenberg factors); reuse it for every solve of that size. */
export function gmresWorkspace(n: number, o: ResolvedGmres): GmresWorkspace {
  const mr = Math.min(o.restart, o.maxIter);
  const Q = Array.from({ length: mr + 1 }, () => new Float64Array(n));
  const bytes = 8 * ((mr + 3) * n + (mr + 1) * mr + 4 * (mr + 1) + o.maxIter + 1);
  return {
    n, Q, H: new Float64Array((mr + 1) * mr), cs: new Float64Array(mr), sn: new Float64Array(mr), gamma: new Float64Array(mr + 1),
    y: new Float64Array(mr), r: new Float64Array(n), w: new Float64Array(n), history: new Float64Array(o.maxIter + 1), bytes,
  };
}

const dot = (a: Readonly<Float64Array>, b: Readonly<Float64Array>): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };

/**
 * Solves A x = b: x holds x₀ on entry (0 for the DEQ adjoint) and the solution on return. Does not throw when it
 * does not converge: see stats.converged and stats.residual.
 */
export function gmres(x: Float64Array, A: LinearOperator, b: Readonly<Float64Array>, o: ResolvedGmres, ws: GmresWorkspace): GmresStats {
  const { n, Q, H, cs, sn, gamma, y, r, w, history } = ws, mr = Q.length - 1;
  const bNorm = Math.sqrt(dot(b, b));
  const target = Math.max(o.atol, o.rtol * bNorm);
  let its = 0, apps = 0, h = 0, beta = 0;
  for (let cycle = 0; ; cycle++) {
    // r = b − A x (skipped for x₀ = 0 on the first cycle: r = b).
    let zero = cycle === 0;
    if (zero) for (let i = 0; i < n; i++) if (x[i] !== 0) { zero = false; break; }
    if (zero) r.set(b);
    else { A.apply(r, x); apps++; for (let i = 0; i < n; i++) r[i] = b[i] - r[i]; }
    beta = Math.sqrt(dot(r, r));
    if (cycle === 0) history[h++] = beta;
    if (beta <= target || its >= o.maxIter || beta !== beta) break;
    const q0 = Q[0];
    for (let i = 0; i < n; i++) q0[i] = r[i] / beta;
    gamma.fill(0); gamma[0] = beta;
    let j = 0, res = beta;
    for (; j < mr && its < o.maxIter;) {
      A.apply(w, Q[j]); apps++; its++;
      for (let i = 0; i <= j; i++) { const hij = dot(w, Q[i]); H[i * mr + j] = hij; const qi = Q[i]; for (let m = 0; m < n; m++) w[m] -= hij * qi[m]; }
      const hNext = Math.sqrt(dot(w, w));
      for (let i = 0; i < j; i++) {
        const a = H[i * mr + j], c = H[(i + 1) * mr + j];
        H[i * mr + j] = cs[i] * a + sn[i] * c; H[(i + 1) * mr + j] = -sn[i] * a + cs[i] * c;
      }
      const a = H[j * mr + j], rho = Math.hypot(a, hNext);
      cs[j] = rho === 0 ? 1 : a / rho; sn[j] = rho === 0 ? 0 : hNext / rho;
      H[j * mr + j] = rho;
      gamma[j + 1] = -sn[j] * gamma[j]; gamma[j] = cs[j] * gamma[j];
      res = Math.abs(gamma[j + 1]);
      history[h++] = res;
      j++;
      if (res <= target || hNext === 0) break; // converged, or happy breakdown (the Krylov space is invariant)
      if (j < mr) { const qn = Q[j]; for (let m = 0; m < n; m++) qn[m] = w[m] / hNext; }
    }
    // y = H[0:j, 0:j]⁻¹ γ[0:j]; x += Q y.
    for (let i = j - 1; i >= 0; i--) {
      let s = gamma[i];
      for (let k = i + 1; k < j; k++) s -= H[i * mr + k] * y[k];
      y[i] = H[i * mr + i] === 0 ? 0 : s / H[i * mr + i];
    }
    for (let i = 0; i < j; i++) { const qi = Q[i], yi = y[i]; for (let m = 0; m < n; m++) x[m] += yi * qi[m]; }
  }
  return {
    iterations: its, applications: apps, residual: beta, bNorm, converged: beta <= target,
    residualHistory: history.slice(0, h),
  };
}
