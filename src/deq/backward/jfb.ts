/**
 * Cheap approximations of the implicit gradient by truncating the Neumann series (I − Jᵀ)⁻¹ = Σ_k (Jᵀ)^k:
 *
 *   jfb():          λ = v, the 0-th term (Jacobian-free backpropagation; Fung et al. 2022, AAAI, "JFB: Jacobian-free
 *                   backpropagation for implicit networks"; Pal 2023 thesis §3.4.2): backprop through one f(z*, x).
 *   phantom({ k }): λ = Σ_{j=0}^{k} (Jᵀ)^j v, the k-term Neumann phantom gradient (Geng et al. 2021, NeurIPS, "On
 *                   training implicit models", §3.2); phantom({ k: 0 }) is jfb. Converges to the implicit gradient as
 *                   k → ∞ when ρ(J) < 1, with error O(ρ(J)^{k+1}).
 *
 * Both are descent directions when f is contractive (Fung et al. Theorem 3.1) but not exact gradients.
 */
import { TideError, checkOptionKeys, fmtGot } from '../../core/errors.ts';
import type { DeqBackward, DeqBackwardContext, DeqBackwardRun, DeqRecord, DeqReport } from './method.ts';
import { newDeqReport } from './method.ts';

/** Options of {@link phantom} (the truncated Neumann series of Geng et al. 2021's phantom gradients); unknown keys throw TideError('BAD_OPTION'). */
export interface PhantomOptions {
  /** Neumann terms beyond the first (k ≥ 0; default 5). */
  k?: number;
}

class NeumannRun implements DeqBackwardRun {
  readonly bytes: number;
  private readonly fz: Float64Array; private readonly lam: Float64Array; private readonly term: Float64Array; private readonly next: Float64Array;
  private readonly ws: unknown;
  constructor(private readonly name: string, private readonly k: number, private readonly ctx: DeqBackwardContext) {
    const len = ctx.map.zDim * ctx.batch;
    this.fz = new Float64Array(len); this.lam = new Float64Array(len); this.term = new Float64Array(len); this.next = new Float64Array(len);
    this.ws = ctx.map.workspace(ctx.batch);
    this.bytes = 8 * 4 * len;
  }
  backward(rec: DeqRecord, dZ: Readonly<Float64Array>, dParams: Float64Array, dX: Float64Array): DeqReport {
    const map = this.ctx.map, { lam, fz } = this;
    map.apply(fz, rec.params, rec.zStar, rec.x, this.ws);
    lam.set(dZ);
    let term = this.term, next = this.next;
    term.set(dZ);
    for (let j = 0; j < this.k; j++) {
      map.vjp(null, next, null, term, rec.params, this.ws);
      for (let i = 0; i < lam.length; i++) lam[i] += next[i];
      const t = term; term = next; next = t;
    }
    map.vjp(dParams, null, dX, lam, rec.params, this.ws);
    const r = newDeqReport(this.name, rec.forward);
    r.nfeBackward = 1; r.vjpBackward = this.k + 1; r.backwardSteps = this.k; r.peakBytes = this.bytes; r.stateBytes = 8 * 2 * lam.length;
    return r;
  }
}

/** Jacobian-free backprop (Fung et al. 2022): backprop through one application f(z*, x) with z* detached. */
export function jfb(options?: Record<string, never>): DeqBackward {
  checkOptionKeys('jfb', options, []);
  return { name: 'jfb', prepare: (ctx) => new NeumannRun('jfb', 0, ctx) };
}

/**
 * k-term Neumann phantom gradient (Geng et al. 2021): λ = Σ_{j=0}^{k} (Jᵀ)^j ∂ℓ/∂z*, k + 1 VJPs.
 * @throws TideError('BAD_OPTION') unless k is an integer ≥ 0.
 */
export function phantom(options?: PhantomOptions): DeqBackward {
  checkOptionKeys('phantom', options, ['k']);
  const k = options?.k ?? 5;
  if (!Number.isInteger(k) || k < 0) throw new TideError('BAD_OPTION', `phantom: k must be an integer ≥ 0 (Neumann terms beyond the first; 0 is jfb), got ${fmtGot(options?.k)}.`, { option: 'k' });
  const name = `phantom(k=${k})`;
  return { name, prepare: (ctx) => new NeumannRun(name, k, ctx) };
}
