/**
 * Termination rules shared by the fixed-point solvers (Bai et al. 2019 DEQ reference code `broyden`/`anderson`;
 * Pal 2023 thesis §3.3): after each iterate z_k with f_k = f(z_k), g_k = f_k − z_k,
 *
 *     abs_k = ‖g_k‖₂,   rel_k = ‖g_k‖₂ / (‖f_k‖₂ + ε)         (stopMode 'abs' | 'rel')
 *
 * stop when obj_k < tol (converged); when obj_k < 3·tol, k > 30 and max/min of the last 30 objectives < 1.3
 * (stagnated); when obj_k > obj_1·P with P = 1e3·n (rel) or 1e6·n (abs), n the per-sample size (diverged: the
 * protective break); at maxIter; or on NaN/Inf. The lowest-objective iterate seen is returned, not the last.
 *
 * Norms are per sample (norm 'sample', default: each row of the batch is its own problem, the objective is the
 * worst row and each row keeps its own best iterate) or over the whole flattened batch (norm 'batch').
 */
import { TideError, checkOptionKeys, fmtGot } from '../../core/errors.ts';

/** Objective of the stopping test: 'rel' = ‖f(z) − z‖/(‖f(z)‖ + ε), 'abs' = ‖f(z) − z‖ (Euclidean norms). */
export type StopMode = 'rel' | 'abs';
/** Where norms are taken: 'sample' per batch row (each row its own problem, the objective the worst row), 'batch' over the whole flattened batch. */
export type BatchNorm = 'sample' | 'batch';
/** Why a solve stopped. */
export type StopReason = 'converged' | 'stagnated' | 'diverged' | 'maxIter' | 'nonfinite';

/** Options every forward solver takes. */
export interface TerminationOptions {
  /** Tolerance on the objective (default 1e-3, as Bai et al.). */
  tol?: number;
  /** 'rel' (default): ‖f(z) − z‖/(‖f(z)‖ + ε); 'abs': ‖f(z) − z‖. */
  stopMode?: StopMode;
  /** Most f evaluations of one solve (Bai et al.'s threshold; default 50). */
  maxIter?: number;
  /** 'sample' (default): norms per batch row; 'batch': over the whole flattened batch. */
  norm?: BatchNorm;
  /** ε in the relative objective's denominator (default 1e-9 for Broyden, 1e-5 for Anderson, as Bai et al.). */
  eps?: number;
  /** Stagnation and protective-break rules on (default true). */
  protect?: boolean;
}
export const TERMINATION_KEYS = ['tol', 'stopMode', 'maxIter', 'norm', 'eps', 'protect'] as const;

/**
 * {@link TerminationOptions} checked, with every default filled in.
 * @property tol tolerance on the objective.
 * @property stopMode objective of the test ('rel' or 'abs').
 * @property maxIter most f evaluations of one solve.
 * @property norm per row ('sample') or whole batch ('batch').
 * @property eps ε in the relative objective's denominator.
 * @property protect whether the stagnation and protective-break rules are on.
 */
export interface ResolvedTermination {
  readonly tol: number; readonly stopMode: StopMode; readonly maxIter: number; readonly norm: BatchNorm;
  readonly eps: number; readonly protect: boolean;
}

/**
 * What every forward solve reports.
 * @property solver name of the solver that ran.
 * @property nfe evaluations of f (Broyden's rejected line-search trials included).
 * @property stop why the solve stopped.
 * @property converged true iff stop is 'converged' (objective below tol).
 */
export interface ForwardStats {
  readonly solver: string;
  /** Iterates whose residual was measured (= f evaluations, except for Broyden's line search, whose rejected trials count only in nfe). */
  readonly iterations: number;
  readonly nfe: number;
  /** Objective of the returned (best) iterate: the worst row's for norm 'sample'. */
  readonly residual: number;
  /** Objective of every iterate, in order (a copy). */
  readonly residualHistory: Float64Array;
  readonly stop: StopReason;
  readonly converged: boolean;
}

/** Checks the shared options; `extra` are the solver's own keys. */
export function resolveTermination(where: string, o: TerminationOptions | undefined, extra: readonly string[], epsDefault: number): ResolvedTermination {
  checkOptionKeys(where, o, [...TERMINATION_KEYS, ...extra]);
  const opt = o ?? {};
  const tol = opt.tol ?? 1e-3;
  if (typeof tol !== 'number' || !(tol > 0) || !Number.isFinite(tol)) throw new TideError('BAD_OPTION', `${where}: tol must be a finite number > 0, got ${fmtGot(opt.tol)}. Bai et al. use 1e-3; 1e-8 for accurate implicit gradients.`, { option: 'tol' });
  const stopMode = opt.stopMode ?? 'rel';
  if (stopMode !== 'rel' && stopMode !== 'abs') throw new TideError('BAD_OPTION', `${where}: stopMode must be 'rel' or 'abs', got ${fmtGot(opt.stopMode)}.`, { option: 'stopMode' });
  const maxIter = opt.maxIter ?? 50;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new TideError('BAD_OPTION', `${where}: maxIter must be an integer ≥ 1, got ${fmtGot(opt.maxIter)}.`, { option: 'maxIter' });
  const norm = opt.norm ?? 'sample';
  if (norm !== 'sample' && norm !== 'batch') throw new TideError('BAD_OPTION', `${where}: norm must be 'sample' (per batch row) or 'batch' (whole batch), got ${fmtGot(opt.norm)}.`, { option: 'norm' });
  const eps = opt.eps ?? epsDefault;
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) throw new TideError('BAD_OPTION', `${where}: eps must be a finite number ≥ 0, got ${fmtGot(opt.eps)}.`, { option: 'eps' });
  const protect = opt.protect ?? true;
  if (typeof protect !== 'boolean') throw new TideError('BAD_OPTION', `${where}: protect must be true or false, got ${fmtGot(opt.protect)}.`, { option: 'protect' });
  return { tol, stopMode, maxIter, norm, eps, protect };
}

const WINDOW = 30;

/** Applies the rules to each iterate; keeps the best iterate per row (or for the batch). Allocated once per shape. */
export class Monitor {
  readonly best: Float64Array;
  private readonly bestObj: Float64Array;
  private readonly rowObj: Float64Array;
  readonly history: Float64Array;
  count = 0;
  private first = 0;

  constructor(readonly n: number, readonly batch: number, readonly opt: ResolvedTermination) {
    this.best = new Float64Array(n * batch);
    this.bestObj = new Float64Array(opt.norm === 'sample' ? batch : 1);
    this.rowObj = new Float64Array(batch);
    this.history = new Float64Array(opt.maxIter + 2);
  }

  reset(): void { this.count = 0; this.bestObj.fill(Infinity); }

  /** The returned residual: the worst row's best objective (or the batch's). */
  bestResidual(): number {
    let r = 0;
    for (let b = 0; b < this.bestObj.length; b++) r = Math.max(r, this.bestObj[b]);
    return r;
  }

  /** Measures (z, fz); returns why to stop, or null to go on. `fz` is f(z) (not the residual). */
  observe(z: Readonly<Float64Array>, fz: Readonly<Float64Array>): StopReason | null {
    const { n, batch, opt } = this;
    const rel = opt.stopMode === 'rel';
    let gAll = 0, fAll = 0, worst = 0;
    for (let b = 0; b < batch; b++) {
      let g2 = 0, f2 = 0;
      for (let i = b * n, e = i + n; i < e; i++) { const g = fz[i] - z[i]; g2 += g * g; f2 += fz[i] * fz[i]; }
      gAll += g2; fAll += f2;
      const o = rel ? Math.sqrt(g2) / (Math.sqrt(f2) + opt.eps) : Math.sqrt(g2);
      this.rowObj[b] = o;
      if (!(o <= worst)) worst = o; // NaN propagates
    }
    const obj = opt.norm === 'batch' ? (rel ? Math.sqrt(gAll) / (Math.sqrt(fAll) + opt.eps) : Math.sqrt(gAll)) : worst;
    const k = this.count++;
    this.history[k] = obj;
    if (obj !== obj || obj === Infinity) return 'nonfinite';
    if (opt.norm === 'batch') {
      if (obj < this.bestObj[0]) { this.bestObj[0] = obj; this.best.set(z); }
    } else {
      for (let b = 0; b < batch; b++) {
        if (this.rowObj[b] < this.bestObj[b]) {
          this.bestObj[b] = this.rowObj[b];
          for (let i = b * n, e = i + n; i < e; i++) this.best[i] = z[i];
        }
      }
    }
    if (k === 0) this.first = obj;
    if (obj < opt.tol) return 'converged';
    if (opt.protect) {
      if (obj < 3 * opt.tol && k + 1 > WINDOW) {
        let lo = Infinity, hi = 0;
        for (let j = k + 1 - WINDOW; j <= k; j++) { const h = this.history[j]; if (h < lo) lo = h; if (h > hi) hi = h; }
        if (hi / lo < 1.3) return 'stagnated';
      }
      if (k > 0 && obj > this.first * (rel ? 1e3 : 1e6) * n) return 'diverged';
    }
    return null;
  }

  stats(solver: string, nfe: number, stop: StopReason): ForwardStats {
    const residual = this.bestResidual();
    return {
      solver, iterations: this.count, nfe, residual, residualHistory: this.history.slice(0, this.count), stop,
      converged: stop === 'converged',
    };
  }
}

/** A short residual history for messages: the first 3 and last 3 objectives. */
export function fmtHistory(h: Readonly<Float64Array>): string {
  const f = (v: number): string => v.toExponential(2);
  if (h.length <= 7) return Array.from(h, f).join(', ');
  return `${f(h[0])}, ${f(h[1])}, ${f(h[2])}, …, ${f(h[h.length - 3])}, ${f(h[h.length - 2])}, ${f(h[h.length - 1])}`;
}

/**
 * The error of a solve that did not converge: names the solver, the stop reason, the residual history, and the fix
 * (a contractive f: ρ(∂f/∂z) < 1 through spectral normalisation or Jacobian regularisation; damping; Anderson or
 * Broyden; more iterations; or `throwOnFailure: false` to use the best iterate anyway, as DEQ training often does).
 */
export function notConvergedError(where: string, s: ForwardStats, tol: number, stopMode: StopMode): TideError {
  const h = s.residualHistory;
  const grew = h.length > 1 && h[h.length - 1] > h[0];
  const why = s.stop === 'nonfinite' ? 'the residual became NaN or Infinity (f overflowed or returned NaN)'
    : s.stop === 'diverged' ? 'the residual grew past the protective bound (1e3·n × the first for rel, 1e6·n for abs)'
    : s.stop === 'stagnated' ? 'the residual stagnated within 3·tol' : `it reached maxIter = ${h.length}`;
  const L = h.length, stalled = L >= 6 && h[L - 1] > 0.9 * h[L - 6];
  const fix = 'Make f contractive (smaller weights on z, spectral normalisation, a Jacobian penalty such as jacobianPenalty), damp the iteration (damping < 1), or try anderson/broyden.';
  const hint = grew || s.stop === 'diverged' || s.stop === 'nonfinite'
    ? `The residual grew: f is likely not contractive in z (spectral radius of ∂f/∂z above 1), so the fixed point is repelling or absent. ${fix}`
    : stalled ? `The residual stalled near ${h[L - 1].toExponential(2)}: the iteration no longer contracts, so f is likely not contractive in z near the fixed point (spectral radius of ∂f/∂z at or above 1). ${fix}`
      : 'Raise maxIter, loosen tol, use anderson or broyden, or regularise f towards a contraction (jacobianPenalty).';
  return new TideError(s.stop === 'nonfinite' ? 'NONFINITE' : s.stop === 'diverged' ? 'UNSTABLE' : 'MAX_STEPS',
    `${where} (${s.solver}): no fixed point to ${stopMode} residual ${tol}: ${why} after ${s.nfe} f evaluations; residual history ${fmtHistory(h)} (best ${s.residual.toExponential(2)}). ${hint} Pass throwOnFailure: false to continue with the best iterate.`,
    { stop: s.stop, residual: s.residual, residualHistory: Array.from(h), nfe: s.nfe });
}
