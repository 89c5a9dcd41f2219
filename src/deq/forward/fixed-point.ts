/**
 * Fixed-point (Picard) iteration with damping β ∈ (0, 1]: z_{k+1} = (1 − β) z_k + β f(z_k) (Bai et al. 2019 §3.1.1;
 * Pal 2023 thesis §4.1). Converges linearly with rate ρ(J) for β = 1 when ρ(∂f/∂z) < 1; damping helps when J has
 * eigenvalues near −1. One f evaluation per iterate; the residual of every iterate is measured.
 */
import { TideError, fmtGot } from '../../core/errors.ts';
import type { ForwardSolver, IterMap, SolverWorkspace } from './solver.ts';
import { Monitor, resolveTermination } from './termination.ts';
import type { ForwardStats, ResolvedTermination, TerminationOptions } from './termination.ts';

export interface FixedPointOptions extends TerminationOptions {
  /** β in z ← (1 − β) z + β f(z), in (0, 1]. Default 1 (plain iteration). */
  damping?: number;
}

interface FixedPointWs extends SolverWorkspace { readonly z: Float64Array; readonly fz: Float64Array; readonly mon: Monitor }

/**
 * The (damped) fixed-point iteration z ← (1 − β) z + β f(z). Made by {@link fixedPoint}.
 * @property damping β in z ← (1 − β) z + β f(z), in (0, 1].
 */
export class FixedPointSolver implements ForwardSolver<FixedPointWs> {
  readonly name = 'fixed-point';
  readonly termination: ResolvedTermination;
  readonly damping: number;
  constructor(o?: FixedPointOptions) {
    this.termination = resolveTermination('fixedPoint', o, ['damping'], 1e-9);
    const beta = o?.damping ?? 1;
    if (typeof beta !== 'number' || !(beta > 0 && beta <= 1)) throw new TideError('BAD_OPTION', `fixedPoint: damping must be a number in (0, 1], got ${fmtGot(o?.damping)}.`, { option: 'damping' });
    this.damping = beta;
  }
  workspace(n: number, batch: number): FixedPointWs {
    const mon = new Monitor(n, batch, this.termination);
    return { n, batch, z: new Float64Array(n * batch), fz: new Float64Array(n * batch), mon, bytes: 8 * n * batch * 3 };
  }
  solve(z0: Float64Array, F: IterMap, ws: FixedPointWs): ForwardStats {
    const { z, fz, mon } = ws, beta = this.damping, len = z.length;
    z.set(z0);
    mon.reset();
    let stop = null, nfe = 0;
    for (;;) {
      F.eval(fz, z); nfe++;
      stop = mon.observe(z, fz);
      if (stop === null && nfe >= this.termination.maxIter) stop = 'maxIter' as const;
      if (stop !== null) break;
      for (let i = 0; i < len; i++) z[i] = (1 - beta) * z[i] + beta * fz[i];
    }
    z0.set(mon.best);
    return mon.stats(this.name, nfe, stop);
  }
}

/** Damped fixed-point iteration (see the file header). @throws TideError('BAD_OPTION') for a bad option. */
export function fixedPoint(options?: FixedPointOptions): FixedPointSolver {
  return new FixedPointSolver(options);
}
