/**
 * Limited-memory "good" Broyden (Broyden 1965; Bai et al. 2019 §3.1.2 and 2020 MDEQ; Pal 2023 thesis §3.3.1) on the
 * residual g(z) = f(z) − z. B ≈ (∂g/∂z)⁻¹ is kept as B = −I + Σ_j u_j v_jᵀ (B_0 = −I since ∂g/∂z = J − I ≈ −I), never
 * formed. Each iteration (unit step, no line search):
 *
 *     z⁺ = z + p,  p = −B g(z);   Δz = z⁺ − z,  Δg = g(z⁺) − g(z)
 *     vᵀ = Δzᵀ B,  u = (Δz − B Δg)/(vᵀ Δg),  B ← B + u vᵀ          (Sherman–Morrison form of the good update)
 *
 * NaN entries of u, v are zeroed (as Bai et al.); when all `memory` pairs are used the oldest is overwritten. Each
 * batch row has its own B (the batch Jacobian is block diagonal). The first step is a plain fixed-point step; on a
 * linear map of dimension d it terminates in at most 2d iterations (Gay 1979).
 */
import { TideError, fmtGot } from '../../core/errors.ts';
import type { ForwardSolver, IterMap, SolverWorkspace } from './solver.ts';
import { Monitor, resolveTermination } from './termination.ts';
import type { ForwardStats, ResolvedTermination, StopReason, TerminationOptions } from './termination.ts';

export interface BroydenOptions extends TerminationOptions {
  /** Rank-one pairs kept (default min(maxIter, 27), as DeepEquilibriumNetworks.jl). */
  memory?: number;
}

interface BroydenWs extends SolverWorkspace {
  readonly z: Float64Array; readonly f: Float64Array; readonly g: Float64Array; readonly gNew: Float64Array;
  readonly p: Float64Array; readonly dz: Float64Array; readonly dg: Float64Array; readonly t: Float64Array; readonly w: Float64Array;
  readonly U: Float64Array[]; readonly V: Float64Array[]; readonly coef: Float64Array; readonly mon: Monitor;
}

export class BroydenSolver implements ForwardSolver<BroydenWs> {
  readonly name = 'broyden';
  readonly termination: ResolvedTermination;
  readonly memory: number;
  constructor(o?: BroydenOptions) {
    this.termination = resolveTermination('broyden', o, ['memory'], 1e-9);
    const m = o?.memory ?? Math.min(this.termination.maxIter, 27);
    if (!Number.isInteger(m) || m < 1) throw new TideError('BAD_OPTION', `broyden: memory must be an integer ≥ 1 (rank-one pairs kept), got ${fmtGot(o?.memory)}.`, { option: 'memory' });
    this.memory = m;
  }

  workspace(n: number, batch: number): BroydenWs {
    const len = n * batch, m = this.memory, v = (): Float64Array => new Float64Array(len);
    return {
      n, batch, z: v(), f: v(), g: v(), gNew: v(), p: v(), dz: v(), dg: v(), t: v(), w: v(),
      U: Array.from({ length: m }, v), V: Array.from({ length: m }, v), coef: new Float64Array(m),
      mon: new Monitor(n, batch, this.termination), bytes: 8 * (len * (10 + 2 * m) + m),
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

  solve(z0: Float64Array, Fmap: IterMap, ws: BroydenWs): ForwardStats {
    const { z, f, g, gNew, p, dz, dg, t, w, U, V, mon, n, batch } = ws, m = this.memory, len = n * batch;
    const maxIter = this.termination.maxIter;
    mon.reset();
    z.set(z0);
    Fmap.eval(f, z);
    let nfe = 1, used = 0, next = 0;
    let stop: StopReason | null = mon.observe(z, f);
    for (let i = 0; i < len; i++) { g[i] = f[i] - z[i]; p[i] = g[i]; } // p = −B_0 g = g
    while (stop === null) {
      if (nfe >= maxIter) { stop = 'maxIter'; break; }
      for (let i = 0; i < len; i++) { dz[i] = p[i]; z[i] += p[i]; }
      Fmap.eval(f, z); nfe++;
      stop = mon.observe(z, f);
      if (stop !== null) break;
      for (let i = 0; i < len; i++) { gNew[i] = f[i] - z[i]; dg[i] = gNew[i] - g[i]; }
      // v = Bᵀ Δz; u = (Δz − B Δg)/(vᵀ Δg), into the next ring slot; when full, the oldest pair (that slot) is
      // evicted first, so B here leaves it out.
      const skip = used === m ? next : -1;
      this.applyBt(w, dz, used, skip, ws);
      this.applyB(t, dg, used, skip, ws);
      const u = U[next], v = V[next];
      v.set(w);
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
      if (used < m) used++;
      next = (next + 1) % m;
      g.set(gNew);
      this.applyB(p, g, used, -1, ws);
      for (let i = 0; i < len; i++) p[i] = -p[i];
    }
    z0.set(mon.best);
    return mon.stats(this.name, nfe, stop);
  }
}

/** Limited-memory good Broyden (see the file header). @throws TideError('BAD_OPTION') for a bad option. */
export function broyden(options?: BroydenOptions): BroydenSolver {
  return new BroydenSolver(options);
}
