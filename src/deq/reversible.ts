/**
 * Reversible deep equilibrium models (McCallum, Arora & Foster 2025, "Reversible deep equilibrium models", arXiv
 * 2509.12917): a relaxed fixed-point iteration on a pair (y, z) that can be run backwards exactly, so backprop through
 * all its iterations needs O(1) memory in the number of iterations. With β ∈ (0, 2), β ≠ 1, y₀ = z₀:
 *
 *     y_{n+1} = (1 − β) y_n + β f(z_n),       z_{n+1} = (1 − β) z_n + β f(y_{n+1})       (output z_N)
 *     z_n = (z_{n+1} − β f(y_{n+1}))/(1 − β),   y_n = (y_{n+1} − β f(z_n))/(1 − β)         (the exact inverse)
 *
 * If f is L-Lipschitz in z with L < 1 and β ∈ (0, 2/(L + 1)), ‖y_n − z*‖, ‖z_n − z*‖ ≤ αⁿ‖z*‖ with α = |1 − β| + βL.
 * The backward pass reconstructs (y_n, z_n) from (y_{n+1}, z_{n+1}) while pulling the cotangent back through both
 * half-steps (2 evaluations and 2 VJPs per iteration); the gradient is that of the discrete N-step scheme, not the
 * implicit one. Reconstruction divides by 1 − β twice per iteration, so errors grow like |1 − β|^{−2n}: keep n small
 * (the paper's language model uses n ≤ 4) — the result is checked for finiteness and the reconstruction error of
 * (y₀, z₀) is reported.
 */
import { TideError, checkOptionKeys, fmtGot } from '../core/errors.ts';
import type { DeqMap } from './map.ts';

/** Options of {@link revDeq}; unknown keys throw TideError('BAD_OPTION'). */
export interface RevDeqOptions {
  /** β, the relaxation, in (0, 2) and ≠ 1 (default 0.8). */
  beta?: number;
  /** Most iterations (default 20). */
  maxIter?: number;
  /** Stop when ‖z_n − f(z_n)‖/(1e-5 + ‖f(z_n)‖) ≤ tol in every row (default 1e-6; 0 runs exactly maxIter). */
  tol?: number;
}

/**
 * What {@link RevDeq.backward} reports about a forward/backward pair.
 * @property method always 'reversible'.
 * @property iterations iterations N of the forward (and backward) scheme.
 * @property nfeForward f evaluations of the forward: 2 per iteration plus one for the residual.
 * @property nfeBackward f evaluations of the backward reconstruction: 2 per iteration.
 * @property vjpBackward VJPs of f in the backward pass: 2 per iteration.
 * @property converged whether the forward met tol (false when tol is 0).
 */
export interface RevDeqReport {
  readonly method: 'reversible';
  readonly iterations: number;
  readonly nfeForward: number;
  readonly nfeBackward: number;
  readonly vjpBackward: number;
  /** Relative residual of the output at the end of the forward. */
  readonly residual: number;
  readonly converged: boolean;
  /** max |reconstructed − true| over (y₀, z₀), relative to max(1, |z₀|). */
  readonly reconstructionError: number;
  /** Bytes the scheme holds (independent of the number of iterations). */
  readonly peakBytes: number;
}

/**
 * A reversible DEQ on a {@link DeqMap} (see the module header): `forward(x, params)` runs the relaxed pair iteration,
 * `backward(dZ)` reverses it exactly while pulling the cotangent back. Made by {@link revDeq}.
 * @property beta the relaxation β ∈ (0, 2), β ≠ 1.
 * @property maxIter most iterations of the forward.
 * @property tol stopping tolerance on the relative residual (0: always maxIter iterations).
 * @property map the map f_θ(z, x) iterated.
 */
export class RevDeq<W = unknown> {
  readonly beta: number; readonly maxIter: number; readonly tol: number;
  private readonly byBatch = new Map<number, ReturnType<RevDeq<W>['alloc']>>();
  private last: ReturnType<RevDeq<W>['alloc']> | null = null;

  constructor(readonly map: DeqMap<W>, options?: RevDeqOptions) {
    checkOptionKeys('revDeq', options, ['beta', 'maxIter', 'tol']);
    const beta = options?.beta ?? 0.8;
    if (typeof beta !== 'number' || !(beta > 0 && beta < 2) || beta === 1) throw new TideError('BAD_OPTION', `revDeq: beta must be in (0, 2) and ≠ 1 (β = 1 is the plain iteration, which cannot be reversed), got ${fmtGot(options?.beta)}.`, { option: 'beta' });
    const maxIter = options?.maxIter ?? 20;
    if (!Number.isInteger(maxIter) || maxIter < 1) throw new TideError('BAD_OPTION', `revDeq: maxIter must be an integer ≥ 1, got ${fmtGot(options?.maxIter)}.`, { option: 'maxIter' });
    const tol = options?.tol ?? 1e-6;
    if (typeof tol !== 'number' || !(tol >= 0) || !Number.isFinite(tol)) throw new TideError('BAD_OPTION', `revDeq: tol must be a finite number ≥ 0, got ${fmtGot(options?.tol)}.`, { option: 'tol' });
    this.beta = beta; this.maxIter = maxIter; this.tol = tol;
  }

  private alloc(batch: number) {
    const len = this.map.zDim * batch, xl = this.map.xDim * batch, v = (): Float64Array => new Float64Array(len);
    const s = {
      batch, y: v(), z: v(), fy: v(), fz: v(), z0: v(), yBar: v(), zBar: v(), tmp: v(), dX: new Float64Array(xl), tmpX: new Float64Array(xl),
      dParams: new Float64Array(this.map.paramCount), params: new Float64Array(this.map.paramCount), x: new Float64Array(xl),
      wsA: this.map.workspace(batch), wsB: this.map.workspace(batch), N: 0, residual: 0, out: v(), yN: v(), zN: v(),
      bytes: 8 * (13 * len + 3 * xl + 2 * this.map.paramCount),
    };
    return s;
  }

  private relResidual(z: Readonly<Float64Array>, fz: Readonly<Float64Array>, batch: number): number {
    const n = this.map.zDim;
    let worst = 0;
    for (let b = 0; b < batch; b++) {
      let g2 = 0, f2 = 0;
      for (let i = b * n; i < (b + 1) * n; i++) { const g = z[i] - fz[i]; g2 += g * g; f2 += fz[i] * fz[i]; }
      const r = Math.sqrt(g2) / (1e-5 + Math.sqrt(f2));
      if (!(r <= worst)) worst = r;
    }
    return worst;
  }

  /** z_N for x [batch, xDim] from z₀ (zeros unless given); the array is owned until the next call. */
  forward(x: Readonly<Float64Array>, params: Readonly<Float64Array>, z0?: Readonly<Float64Array>): Float64Array {
    const map = this.map, batch = x.length / map.xDim;
    if (!Number.isInteger(batch) || batch < 1) throw new TideError('SHAPE', `revDeq.forward: x has length ${x.length}, not a multiple of xDim = ${map.xDim}.`);
    if (params.length !== map.paramCount) throw new TideError('SHAPE', `revDeq.forward: params has length ${params.length}; f has ${map.paramCount} parameters.`);
    let s = this.byBatch.get(batch);
    if (s === undefined) { s = this.alloc(batch); this.byBatch.set(batch, s); }
    if (z0 !== undefined && z0.length !== s.z.length) throw new TideError('SHAPE', `revDeq.forward: z0 has length ${z0.length}; expected batch ${batch} × zDim ${map.zDim} = ${s.z.length}.`);
    const { y, z, fy, fz } = s, beta = this.beta, len = z.length;
    s.params.set(params); s.x.set(x);
    if (z0 !== undefined) s.z0.set(z0); else s.z0.fill(0);
    y.set(s.z0); z.set(s.z0);
    map.apply(fz, s.params, z, s.x, s.wsA);
    let N = 0, res = this.relResidual(z, fz, batch);
    while (N < this.maxIter && !(res <= this.tol && this.tol > 0)) {
      for (let i = 0; i < len; i++) y[i] = (1 - beta) * y[i] + beta * fz[i];
      map.apply(fy, s.params, y, s.x, s.wsA);
      for (let i = 0; i < len; i++) z[i] = (1 - beta) * z[i] + beta * fy[i];
      map.apply(fz, s.params, z, s.x, s.wsA);
      N++;
      res = this.relResidual(z, fz, batch);
      if (res !== res) throw new TideError('NONFINITE', `revDeq.forward: the iterate became NaN or Infinity at iteration ${N}; f is not contractive enough for β = ${beta} (the scheme converges for β < 2/(L + 1) with L the Lipschitz constant of f in z). Lower β or regularise f.`, { iteration: N });
    }
    s.N = N; s.residual = res;
    s.yN.set(y); s.zN.set(z);
    this.last = s;
    s.out.set(z);
    return s.out;
  }

  /**
   * dℓ/dθ and dℓ/dx of the N-step scheme for dZ = ∂ℓ/∂z_N, by reversing the iterations (O(1) memory in N).
   * @throws TideError('NONFINITE') when reconstruction overflows (too many iterations for this β).
   * @property __type.dParams dℓ/dθ, length map.paramCount (owned by the object until the next call).
   * @property __type.dX dℓ/dx, [batch, xDim].
   * @property __type.report costs, residual and reconstruction error.
   */
  backward(dZ: Readonly<Float64Array>): { dParams: Float64Array; dX: Float64Array; report: RevDeqReport } {
    const s = this.last;
    if (s === null) throw new TideError('BAD_ARGUMENT', 'revDeq.backward: call forward(x, params) first.');
    if (dZ.length !== s.z.length) throw new TideError('SHAPE', `revDeq.backward: dZ has length ${dZ.length}; expected ${s.z.length}.`);
    const map = this.map, beta = this.beta, c = 1 - beta, len = s.z.length;
    const { y, z, fy, fz, yBar, zBar, tmp, dX, tmpX, dParams, params, x } = s;
    const yr = y, zr = z; // reconstructed in place from (y_N, z_N)
    yr.set(s.yN); zr.set(s.zN);
    yBar.fill(0); zBar.set(dZ); dX.fill(0); dParams.fill(0);
    for (let n = s.N - 1; n >= 0; n--) {
      // Through z_{n+1} = (1 − β) z_n + β f(y_{n+1}).
      map.apply(fy, params, yr, x, s.wsA);
      for (let i = 0; i < len; i++) { zr[i] = (zr[i] - beta * fy[i]) / c; tmp[i] = beta * zBar[i]; }
      map.vjp(dParams, s.fz, tmpX, tmp, params, s.wsA); // s.fz as scratch for J(y_{n+1})ᵀ(β z̄)
      for (let i = 0; i < len; i++) { yBar[i] += fz[i]; zBar[i] *= c; }
      for (let i = 0; i < dX.length; i++) dX[i] += tmpX[i];
      // Through y_{n+1} = (1 − β) y_n + β f(z_n).
      map.apply(fz, params, zr, x, s.wsB);
      for (let i = 0; i < len; i++) { yr[i] = (yr[i] - beta * fz[i]) / c; tmp[i] = beta * yBar[i]; }
      map.vjp(dParams, fy, tmpX, tmp, params, s.wsB); // fy as scratch for J(z_n)ᵀ(β ȳ)
      for (let i = 0; i < len; i++) { zBar[i] += fy[i]; yBar[i] *= c; }
      for (let i = 0; i < dX.length; i++) dX[i] += tmpX[i];
    }
    let err = 0, scale = 1;
    for (let i = 0; i < len; i++) { err = Math.max(err, Math.abs(yr[i] - s.z0[i]), Math.abs(zr[i] - s.z0[i])); scale = Math.max(scale, Math.abs(s.z0[i])); }
    let probe = 0;
    for (let i = 0; i < dParams.length; i++) probe += dParams[i] * 0;
    for (let i = 0; i < dX.length; i++) probe += dX[i] * 0;
    if (probe !== 0 || err !== err) {
      throw new TideError('NONFINITE', `revDeq.backward: reconstruction overflowed after ${s.N} iterations with β = ${beta} (errors grow like |1 − β|^(−2n) = ${Math.pow(Math.abs(c), -2 * s.N).toExponential(2)}): use fewer iterations (maxIter, tol) or β farther from 1.`, { iterations: s.N, beta });
    }
    return {
      dParams, dX,
      report: {
        method: 'reversible', iterations: s.N, nfeForward: 2 * s.N + 1, nfeBackward: 2 * s.N, vjpBackward: 2 * s.N,
        residual: s.residual, converged: this.tol > 0 && s.residual <= this.tol, reconstructionError: err / scale, peakBytes: s.bytes,
      },
    };
  }
}

/** A reversible DEQ on f (see the file header). @throws TideError('BAD_OPTION') for β outside (0, 2) or β = 1. */
export function revDeq<W>(map: DeqMap<W>, options?: RevDeqOptions): RevDeq<W> {
  return new RevDeq(map, options);
}
