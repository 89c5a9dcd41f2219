/**
 * "Good" Broyden (Broyden 1965, "A class of methods for solving nonlinear simultaneous equations", Math. Comp. 19;
 * Bai et al. 2019 §3.1.2 and 2020 MDEQ; Pal 2023 thesis §3.3.1) on the residual g(z) = f(z) − z. B ≈ (∂g/∂z)⁻¹,
 * B_0 = −I (since ∂g/∂z = J − I ≈ −I). Each iteration:
 *
 *     z⁺ = z + s p,  p = −B g(z);   Δz = z⁺ − z,  Δg = g(z⁺) − g(z)
 *     vᵀ = Δzᵀ B,  u = (Δz − B Δg)/(vᵀ Δg),  B ← B + u vᵀ          (Sherman–Morrison form of the good update)
 *
 * with s = 1, or s from the optional Armijo backtracking line search below. Two representations of B:
 *
 * - limited memory (default, `memory: m`): B = −I + Σ_j u_j v_jᵀ, never formed, O(d·m) per iteration; when all m
 *   pairs are used the oldest is overwritten;
 * - dense (`memory: 'dense'`): B is stored as a d×d matrix per batch row and updated in place, O(d²) per iteration
 *   and O(d²) memory, so it is refused above d = 4096. With no pair evicted both are the same B in exact arithmetic.
 *
 * NaN entries of u, v are zeroed (as Bai et al.). Each batch row has its own B (the batch Jacobian is block
 * diagonal). The first step is a plain fixed-point step; on a linear map of dimension d the unit-step method
 * terminates in at most 2d iterations (Gay 1979).
 *
 * Line search (`lineSearch: true | { c1, shrink, maxBacktracks }`, off by default as Bai et al.): backtracking on
 * φ(s) = ‖g(z + s p)‖² from s = 1, s ← shrink·s, until the Armijo sufficient-decrease condition
 * φ(s) ≤ φ(0) + c₁ s φ'(0) holds (Nocedal & Wright, Numerical Optimization, 2nd ed., §3.1, eq. 3.4 and Algorithm
 * 3.1), with the slope taken as φ'(0) = −φ(0) as in Bai et al.'s code (for the Newton direction it is −2φ(0)). A
 * non-finite φ is rejected like an increase. It backtracks per batch row (one step for the whole batch under
 * norm 'batch'); rows already accepted keep their step while the others shrink. After maxBacktracks shrinks the last
 * (smallest) trial is taken (Bai et al. fall back to s = 1; the smallest step is already evaluated and moves least
 * along a poor direction). Every trial is an f evaluation counted in nfe and in maxIter; only the taken iterate is
 * measured by the termination rules, so `iterations` < `nfe` when it backtracks.
 */
import { TideError, checkOptionKeys, fmtGot } from '../../core/errors.ts';
import type { ForwardSolver, IterMap, SolverWorkspace } from './solver.ts';
import { Monitor, resolveTermination } from './termination.ts';
import type { ForwardStats, ResolvedTermination, StopReason, TerminationOptions } from './termination.ts';

/** Largest per-row dimension d of the dense variant (d² float64 entries per row: 128 MiB at d = 4096). */
export const DENSE_BROYDEN_MAX_DIM = 4096;
/** Largest dense storage over the batch, batch·d² entries (1 GiB of float64). */
const DENSE_MAX_ENTRIES = 2 ** 27;

/** Options of the Armijo backtracking line search. */
export interface BroydenLineSearchOptions {
  /** c₁ in (0, 1), the sufficient-decrease constant (default 1e-4, as Bai et al. and Nocedal & Wright). */
  c1?: number;
  /** Factor in (0, 1) by which a rejected step is shrunk (default 0.5). */
  shrink?: number;
  /** Most shrinks per iteration, an integer ≥ 1 (default 6: the smallest step 1/64 ≥ Bai et al.'s s_min = 1e-2). */
  maxBacktracks?: number;
}
/**
 * {@link BroydenLineSearchOptions} checked, with the defaults filled in.
 * @property c1 sufficient-decrease constant c₁ ∈ (0, 1).
 * @property shrink factor in (0, 1) by which a rejected step is shrunk.
 * @property maxBacktracks most shrinks per iteration.
 */
export interface ResolvedLineSearch { readonly c1: number; readonly shrink: number; readonly maxBacktracks: number }
export interface BroydenOptions extends TerminationOptions {
  /**
   * An integer m ≥ 1: limited memory, m rank-one pairs kept (default min(maxIter, 27), as DeepEquilibriumNetworks.jl);
   * 'dense': the full d×d inverse-Jacobian estimate (d ≤ 4096).
   */
  memory?: number | 'dense';
  /** Armijo backtracking line search (default false): true for the defaults, or its options. */
  lineSearch?: boolean | BroydenLineSearchOptions;
}

interface BroydenWs extends SolverWorkspace {
  readonly z: Float64Array; readonly f: Float64Array; readonly g: Float64Array; readonly gNew: Float64Array;
  readonly p: Float64Array; readonly dz: Float64Array; readonly dg: Float64Array; readonly t: Float64Array; readonly w: Float64Array;
  readonly U: Float64Array[]; readonly V: Float64Array[]; readonly coef: Float64Array; readonly mon: Monitor;
  /** Dense B, [batch, n, n] row-major (empty for limited memory). */
  readonly Bd: Float64Array;
  /** Line search: iterate before the step, and per group (batch row, or the batch) step, φ(0), accepted flag. */
  readonly zPrev: Float64Array; readonly step: Float64Array; readonly phi0: Float64Array; readonly accepted: Uint8Array;
  /** Line-search counters of the last solve: extra f evaluations (backtracks), and groups that took the last trial unaccepted. */
  backtracks: number;
  fallbacks: number;
}

function resolveLineSearch(ls: BroydenOptions['lineSearch']): ResolvedLineSearch | null {
  if (ls === undefined || ls === false) return null;
  const o = ls === true ? {} : ls;
  if (o === null || typeof o !== 'object') throw new TideError('BAD_OPTION', `broyden: lineSearch must be true, false or an object { c1, shrink, maxBacktracks }, got ${fmtGot(ls)}.`, { option: 'lineSearch' });
  checkOptionKeys('broyden lineSearch', o, ['c1', 'shrink', 'maxBacktracks']);
  const c1 = o.c1 ?? 1e-4;
  if (typeof c1 !== 'number' || !(c1 > 0 && c1 < 1)) throw new TideError('BAD_OPTION', `broyden: lineSearch.c1 must be a number in (0, 1) (the Armijo sufficient-decrease constant; 1e-4 is usual), got ${fmtGot(o.c1)}.`, { option: 'lineSearch.c1' });
  const shrink = o.shrink ?? 0.5;
  if (typeof shrink !== 'number' || !(shrink > 0 && shrink < 1)) throw new TideError('BAD_OPTION', `broyden: lineSearch.shrink must be a number in (0, 1) (the factor a rejected step is multiplied by), got ${fmtGot(o.shrink)}.`, { option: 'lineSearch.shrink' });
  const maxBacktracks = o.maxBacktracks ?? 6;
  if (!Number.isInteger(maxBacktracks) || maxBacktracks < 1) throw new TideError('BAD_OPTION', `broyden: lineSearch.maxBacktracks must be an integer ≥ 1, got ${fmtGot(o.maxBacktracks)}.`, { option: 'lineSearch.maxBacktracks' });
  return { c1, shrink, maxBacktracks };
}

/**
 * Broyden's quasi-Newton root solver on g(z) = f(z) − z (see the module header). Made by {@link broyden}.
 * @property lineSearch the Armijo line search's settings, or null when it is off (the default).
 */
export class BroydenSolver implements ForwardSolver<BroydenWs> {
  readonly name = 'broyden';
  readonly termination: ResolvedTermination;
  /** Rank-one pairs kept, or 'dense'. */
  readonly memory: number | 'dense';
  readonly lineSearch: ResolvedLineSearch | null;
  constructor(o?: BroydenOptions) {
    this.termination = resolveTermination('broyden', o, ['memory', 'lineSearch'], 1e-9);
    const m = o?.memory ?? Math.min(this.termination.maxIter, 27);
    if (m !== 'dense' && (!Number.isInteger(m) || (m as number) < 1)) throw new TideError('BAD_OPTION', `broyden: memory must be an integer ≥ 1 (rank-one pairs kept) or 'dense' (the full d×d matrix), got ${fmtGot(o?.memory)}.`, { option: 'memory' });
    this.memory = m;
    this.lineSearch = resolveLineSearch(o?.lineSearch);
  }

  workspace(n: number, batch: number): BroydenWs {
    const dense = this.memory === 'dense';
    if (dense && (n > DENSE_BROYDEN_MAX_DIM || batch * n * n > DENSE_MAX_ENTRIES)) {
      throw new TideError('BAD_OPTION', `broyden: memory 'dense' stores a ${n}×${n} matrix per batch row (${batch} rows, ${(8 * batch * n * n / 2 ** 20).toFixed(0)} MiB); it is refused above d = ${DENSE_BROYDEN_MAX_DIM} or 2^27 entries in all. Use the limited-memory form, e.g. broyden({ memory: 27 }) (the default), which needs O(d·memory).`, { option: 'memory', n, batch });
    }
    const len = n * batch, m = dense ? 0 : this.memory as number, v = (): Float64Array => new Float64Array(len);
    const ls = this.lineSearch !== null;
    const nBd = dense ? batch * n * n : 0;
    return {
      n, batch, z: v(), f: v(), g: v(), gNew: v(), p: v(), dz: v(), dg: v(), t: v(), w: v(),
      U: Array.from({ length: m }, v), V: Array.from({ length: m }, v), coef: new Float64Array(m),
      mon: new Monitor(n, batch, this.termination), Bd: new Float64Array(nBd),
      zPrev: new Float64Array(ls ? len : 0), step: new Float64Array(batch), phi0: new Float64Array(batch), accepted: new Uint8Array(batch),
      backtracks: 0, fallbacks: 0,
      bytes: 8 * (len * (10 + 2 * m + (ls ? 1 : 0)) + m + nBd + 2 * batch) + batch,
    };
  }

  /** out = B x per row, B = −I + Σ_{j<r, j≠skip} u_j v_jᵀ. out may alias x. */
  private applyB(out: Float64Array, x: Readonly<Float64Array>, r: number, skip: number, ws: BroydenWs): void {
    const { U, V, n, batch, coef } = ws;
    for (let b = 0; b < batch; b++) {
      const o = b * n, e = o + n;
      for (let j = 0; j < r; j++) { let s = 0; const vj = V[j]; if (j !== skip) for (let q = o; q < e; q++) s += vj[q] * x[q]; coef[j] = s; }
      for (let q = o; q < e; q++) { let s = -x[q]; for (let j = 0; j < r; j++) s += U[j][q] * coef[j]; out[q] = s; }
    }
  }

  /** out = (xᵀ B)ᵀ per row = −x + Σ_{j≠skip} (xᵀu_j) v_j. out may alias x. */
  private applyBt(out: Float64Array, x: Readonly<Float64Array>, r: number, skip: number, ws: BroydenWs): void {
    const { U, V, n, batch, coef } = ws;
    for (let b = 0; b < batch; b++) {
      const o = b * n, e = o + n;
      for (let j = 0; j < r; j++) { let s = 0; const uj = U[j]; if (j !== skip) for (let q = o; q < e; q++) s += uj[q] * x[q]; coef[j] = s; }
      for (let q = o; q < e; q++) { let s = -x[q]; for (let j = 0; j < r; j++) s += V[j][q] * coef[j]; out[q] = s; }
    }
  }

  /** Dense: out = B x per row (out must not alias x). */
  private denseB(out: Float64Array, x: Readonly<Float64Array>, ws: BroydenWs): void {
    const { Bd, n, batch } = ws;
    for (let b = 0; b < batch; b++) {
      const o = b * n, base = b * n * n;
      for (let r = 0; r < n; r++) {
        let s = 0; const row = base + r * n;
        for (let c = 0; c < n; c++) s += Bd[row + c] * x[o + c];
        out[o + r] = s;
      }
    }
  }

  /** Dense: out = Bᵀ x per row (out must not alias x). */
  private denseBt(out: Float64Array, x: Readonly<Float64Array>, ws: BroydenWs): void {
    const { Bd, n, batch } = ws;
    for (let b = 0; b < batch; b++) {
      const o = b * n, base = b * n * n;
      for (let c = 0; c < n; c++) out[o + c] = 0;
      for (let r = 0; r < n; r++) {
        const xr = x[o + r], row = base + r * n;
        for (let c = 0; c < n; c++) out[o + c] += xr * Bd[row + c];
      }
    }
  }

  /**
   * u = (Δz − t)/(vᵀΔg) into `u` with t = B Δg, v = BᵀΔz in `v` (Broyden 1965, Sherman–Morrison form); NaN/±Inf
   * entries of u and NaN entries of v are zeroed.
   */
  private pair(u: Float64Array, v: Float64Array, ws: BroydenWs): void {
    const { dz, dg, t, n, batch } = ws;
    for (let b = 0; b < batch; b++) {
      const o = b * n, e = o + n;
      let den = 0;
      for (let q = o; q < e; q++) den += v[q] * dg[q];
      for (let q = o; q < e; q++) {
        const uq = (dz[q] - t[q]) / den;
        u[q] = uq === uq && Math.abs(uq) !== Infinity ? uq : 0;
        if (v[q] !== v[q]) v[q] = 0;
      }
    }
  }

  /**
   * z ← zPrev + s·p with s from Armijo backtracking per group (see the file header); f = f(z) on return.
   * Returns the f evaluations made (≥ 1, never past maxIter − nfe).
   */
  private searchStep(Fmap: IterMap, ws: BroydenWs, nfe: number): number {
    const ls = this.lineSearch as ResolvedLineSearch;
    const { z, f, g, p, dz, zPrev, step, phi0, accepted, n, batch } = ws;
    const groups = this.termination.norm === 'batch' ? 1 : batch, gl = (n * batch) / groups;
    zPrev.set(z);
    for (let k = 0; k < groups; k++) {
      let s = 0;
      for (let q = k * gl, e = q + gl; q < e; q++) s += g[q] * g[q];
      phi0[k] = s; step[k] = 1; accepted[k] = 0;
    }
    const budget = this.termination.maxIter - nfe;
    let evals = 0;
    for (let tries = 0; ; tries++) {
      for (let k = 0; k < groups; k++) {
        const s = step[k];
        for (let q = k * gl, e = q + gl; q < e; q++) { dz[q] = s * p[q]; z[q] = zPrev[q] + dz[q]; }
      }
      Fmap.eval(f, z); evals++;
      let open = 0;
      for (let k = 0; k < groups; k++) {
        if (accepted[k]) continue;
        let phi = 0;
        for (let q = k * gl, e = q + gl; q < e; q++) { const r = f[q] - z[q]; phi += r * r; }
        // Armijo (Nocedal & Wright eq. 3.4) with φ'(0) = −φ(0): φ(s) ≤ (1 − c₁ s) φ(0); NaN fails.
        if (phi <= (1 - ls.c1 * step[k]) * phi0[k]) accepted[k] = 1;
        else open++;
      }
      if (open === 0) break;
      if (tries >= ls.maxBacktracks || evals >= budget) { ws.fallbacks += open; break; }
      for (let k = 0; k < groups; k++) if (!accepted[k]) step[k] *= ls.shrink;
    }
    ws.backtracks += evals - 1;
    return evals;
  }

  solve(z0: Float64Array, Fmap: IterMap, ws: BroydenWs): ForwardStats {
    const { z, f, g, gNew, p, dz, dg, t, w, U, V, Bd, mon, n, batch } = ws, len = n * batch;
    const dense = this.memory === 'dense', m = dense ? 0 : this.memory as number;
    const maxIter = this.termination.maxIter;
    mon.reset();
    ws.backtracks = 0; ws.fallbacks = 0;
    if (dense) {
      Bd.fill(0);
      for (let b = 0; b < batch; b++) for (let r = 0; r < n; r++) Bd[b * n * n + r * n + r] = -1; // B_0 = −I
    }
    z.set(z0);
    Fmap.eval(f, z);
    let nfe = 1, used = 0, next = 0;
    let stop: StopReason | null = mon.observe(z, f);
    for (let i = 0; i < len; i++) { g[i] = f[i] - z[i]; p[i] = g[i]; } // p = −B_0 g = g
    while (stop === null) {
      if (nfe >= maxIter) { stop = 'maxIter'; break; }
      if (this.lineSearch === null) {
        for (let i = 0; i < len; i++) { dz[i] = p[i]; z[i] += p[i]; }
        Fmap.eval(f, z); nfe++;
      } else {
        nfe += this.searchStep(Fmap, ws, nfe);
      }
      stop = mon.observe(z, f);
      if (stop !== null) break;
      for (let i = 0; i < len; i++) { gNew[i] = f[i] - z[i]; dg[i] = gNew[i] - g[i]; }
      if (dense) {
        // v = Bᵀ Δz, t = B Δg, u = (Δz − t)/(vᵀΔg) (into t), then B ← B + u vᵀ in place.
        this.denseBt(w, dz, ws);
        this.denseB(t, dg, ws);
        this.pair(t, w, ws);
        for (let b = 0; b < batch; b++) {
          const o = b * n, base = b * n * n;
          for (let r = 0; r < n; r++) {
            const ur = t[o + r], row = base + r * n;
            if (ur !== 0) for (let c = 0; c < n; c++) Bd[row + c] += ur * w[o + c];
          }
        }
        g.set(gNew);
        this.denseB(p, g, ws);
      } else {
        // v = Bᵀ Δz; u = (Δz − B Δg)/(vᵀ Δg), into the next ring slot; when full, the oldest pair (that slot) is
        // evicted first, so B here leaves it out.
        const skip = used === m ? next : -1;
        this.applyBt(w, dz, used, skip, ws);
        this.applyB(t, dg, used, skip, ws);
        const u = U[next], v = V[next];
        v.set(w);
        this.pair(u, v, ws);
        if (used < m) used++;
        next = (next + 1) % m;
        g.set(gNew);
        this.applyB(p, g, used, -1, ws);
      }
      for (let i = 0; i < len; i++) p[i] = -p[i];
    }
    z0.set(mon.best);
    return mon.stats(this.name, nfe, stop);
  }
}

/**
 * Good Broyden, limited-memory by default, dense with `memory: 'dense'`, optional Armijo line search (see the file
 * header). @throws TideError('BAD_OPTION') for a bad option; `workspace` throws it for a dense B too large to store.
 */
export function broyden(options?: BroydenOptions): BroydenSolver {
  return new BroydenSolver(options);
}
