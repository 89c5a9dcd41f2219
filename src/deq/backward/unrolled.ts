/**
 * Unrolled backpropagation through the forward iterations (the baseline of Bai et al. 2019 §4 and the pretraining
 * phase of their code): the forward runs the damped fixed-point iteration z_{k+1} = (1 − β) z_k + β f(z_k), storing
 * every iterate, and the output z_K (the iterate at which the stopping rule fired) is differentiated exactly through
 * the K steps: c ← (1 − β) c + β Jᵀ(z_k) c, θ̄ += β ∂_θf(z_k)ᵀ c, x̄ += β ∂_xf(z_k)ᵀ c, k = K−1 … 0. Memory grows with
 * K (reported); z_0 is a constant (its gradient is discarded, as in every DEQ mode here).
 * Needs the forward solver fixedPoint(…): Anderson's and Broyden's mixing weights are not differentiated.
 */
import { TideError, checkOptionKeys } from '../../core/errors.ts';
import type { DeqBackward, DeqBackwardContext, DeqBackwardRun, DeqRecord, DeqReport } from './method.ts';
import { newDeqReport } from './method.ts';
import { FixedPointSolver } from '../forward/fixed-point.ts';
import type { IterMap } from '../forward/solver.ts';
import { Monitor } from '../forward/termination.ts';
import type { ForwardStats, StopReason } from '../forward/termination.ts';

class UnrolledRun implements DeqBackwardRun {
  readonly bytes: number;
  private readonly zs: Float64Array[];
  private readonly fz: Float64Array; private readonly c: Float64Array; private readonly dz: Float64Array; private readonly dx: Float64Array;
  private readonly mon: Monitor;
  private readonly ws: unknown;
  private K = 0;
  constructor(private readonly solver: FixedPointSolver, private readonly ctx: DeqBackwardContext) {
    const len = ctx.map.zDim * ctx.batch, maxIter = solver.termination.maxIter;
    this.zs = Array.from({ length: maxIter }, () => new Float64Array(len));
    this.fz = new Float64Array(len); this.c = new Float64Array(len); this.dz = new Float64Array(len); this.dx = new Float64Array(ctx.map.xDim * ctx.batch);
    this.mon = new Monitor(ctx.map.zDim, ctx.batch, solver.termination);
    this.ws = ctx.map.workspace(ctx.batch);
    this.bytes = 8 * len * (maxIter + 3) + 8 * this.dx.length;
  }

  forward(z: Float64Array, F: IterMap): ForwardStats {
    const { zs, fz, mon } = this, beta = this.solver.damping, maxIter = this.solver.termination.maxIter;
    mon.reset();
    zs[0].set(z);
    let k = 0, stop: StopReason | null = null;
    for (;;) {
      F.eval(fz, zs[k]);
      stop = mon.observe(zs[k], fz);
      if (stop === null && k + 1 >= maxIter) stop = 'maxIter';
      if (stop !== null) break;
      const a = zs[k], b = zs[k + 1];
      for (let i = 0; i < a.length; i++) b[i] = (1 - beta) * a[i] + beta * fz[i];
      k++;
    }
    this.K = k;
    z.set(zs[k]);
    return mon.stats('fixed-point (unrolled)', k + 1, stop);
  }

  backward(rec: DeqRecord, dZ: Readonly<Float64Array>, dParams: Float64Array, dX: Float64Array): DeqReport {
    const { map } = this.ctx, { c, dz, dx, fz, zs } = this, beta = this.solver.damping;
    c.set(dZ); dX.fill(0);
    for (let k = this.K - 1; k >= 0; k--) {
      map.apply(fz, rec.params, zs[k], rec.x, this.ws);
      for (let i = 0; i < c.length; i++) c[i] *= beta;          // c ← β c: the cotangent of f(z_k)
      map.vjp(dParams, dz, dx, c, rec.params, this.ws);
      for (let i = 0; i < dx.length; i++) dX[i] += dx[i];
      for (let i = 0; i < c.length; i++) c[i] = c[i] * (1 - beta) / beta + dz[i];
    }
    const r = newDeqReport('unrolled', rec.forward);
    r.nfeBackward = this.K; r.vjpBackward = this.K; r.backwardSteps = this.K;
    r.stateBytes = 8 * c.length * (this.K + 1); r.peakBytes = r.stateBytes + 8 * (4 * c.length + dx.length);
    r.effectiveCheckpoints = this.K + 1;
    return r;
  }
}

/**
 * Backprop through the damped fixed-point iterations (see the file header).
 * @throws TideError('BAD_OPTION') at prepare when the forward solver is not fixedPoint(…).
 */
export function unrolled(options?: Record<string, never>): DeqBackward {
  checkOptionKeys('unrolled', options, []);
  return {
    name: 'unrolled',
    prepare(ctx: DeqBackwardContext): DeqBackwardRun {
      if (!(ctx.solver instanceof FixedPointSolver)) {
        throw new TideError('BAD_OPTION', `${ctx.where}: unrolled() backprop differentiates the fixed-point iteration itself, so the forward solver must be fixedPoint(…), not ${ctx.solver.name} (its mixing weights are not differentiated). Use solver: fixedPoint({ damping, maxIter }) or an implicit backward.`, { solver: ctx.solver.name });
      }
      return new UnrolledRun(ctx.solver, ctx);
    },
  };
}
