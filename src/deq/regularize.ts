/**
 * Jacobian regularisers for DEQs (Bai, Koltun & Kolter 2021, "Stabilizing equilibrium models by Jacobian
 * regularization", ICML; Pal 2023 thesis §3.4.1). ρ(J) ≤ σ_max(J) ≤ ‖J‖_F with J = ∂f/∂z at z*, so penalising the
 * Frobenius norm keeps f contractive and the solvers fast.
 *
 * jacobianPenalty: Hutchinson's estimator ‖J‖_F² = E_ε ‖εᵀJ‖², ε ~ N(0, I):
 *     P = γ · (1/N) Σ_{v=1}^{N} ‖ε_vᵀ J‖² / d,   d = elements of z* (batch included)
 * with its gradient. With u = Jᵀε, ∂‖u‖²/∂θ = 2 ∂_θ[εᵀ J u]|_{u fixed}: a mixed second derivative, computed as the
 * central difference of the VJP εᵀ∂f/∂(θ, x, z) along the direction u in z (step h·‖z‖/‖u‖, error O(h²)), so any
 * tide model works without second-order autodiff (DeepEquilibriumNetworks.jl also uses finite differences here).
 * dZ is ∂P/∂z* at fixed θ: add it to ∂ℓ/∂z* before the DEQ backward to include z*'s own dependence on θ.
 *
 * spectralRadius: power iteration v ← Jᵀv/‖Jᵀv‖ per batch row (J is block diagonal over the batch).
 */
import { TideError, checkOptionKeys, fmtGot } from '../core/errors.ts';
import { Rng } from '../core/random.ts';
import type { DeqMap } from './map.ts';

/** Options of {@link jacobianPenalty}; unknown keys throw TideError('BAD_OPTION'). */
export interface JacobianPenaltyOptions {
  /** γ (default 1). */
  weight?: number;
  /** N, Gaussian probe vectors (default 1; Bai et al. use 2). */
  samples?: number;
  /** The generator of the probes (default new Rng(0)). */
  rng?: Rng;
  /** Relative finite-difference step of the gradient (default 1e-5); 0 skips the gradient. */
  h?: number;
}

/**
 * The Jacobian–Frobenius penalty P at (z, x) and its gradients, from {@link jacobianPenalty}.
 * @property value the penalty P = γ · (1/N) Σ ‖ε_vᵀ J‖² / d (an unbiased estimate of γ‖J‖_F²/d).
 * @property dX ∂P/∂x, [batch, xDim].
 * @property dZ ∂P/∂z at fixed θ and x, [batch, zDim]: add it to ∂ℓ/∂z* before the DEQ backward.
 * @property vjps VJPs of f spent (one per probe, plus two per probe for the gradient).
 * @property nfe evaluations of f spent.
 */
export interface JacobianPenalty {
  readonly value: number;
  /** ∂P/∂θ, ∂P/∂x, ∂P/∂z (at fixed θ and x). */
  readonly dParams: Float64Array;
  readonly dX: Float64Array;
  readonly dZ: Float64Array;
  readonly vjps: number;
  readonly nfe: number;
}

const norm2 = (a: Readonly<Float64Array>): number => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * a[i]; return s; };

/**
 * The Hutchinson Jacobian–Frobenius penalty at (z, x) and its gradient (see the file header).
 * @throws TideError('SHAPE') for arrays of the wrong length, TideError('BAD_OPTION') for bad options.
 */
export function jacobianPenalty(map: DeqMap, params: Readonly<Float64Array>, z: Readonly<Float64Array>, x: Readonly<Float64Array>,
  options?: JacobianPenaltyOptions): JacobianPenalty {
  const where = 'jacobianPenalty';
  checkOptionKeys(where, options, ['weight', 'samples', 'rng', 'h']);
  const gamma = options?.weight ?? 1, N = options?.samples ?? 1, rng = options?.rng ?? new Rng(0), h = options?.h ?? 1e-5;
  if (typeof gamma !== 'number' || !Number.isFinite(gamma)) throw new TideError('BAD_OPTION', `${where}: weight must be a finite number, got ${fmtGot(gamma)}.`, { option: 'weight' });
  if (!Number.isInteger(N) || N < 1) throw new TideError('BAD_OPTION', `${where}: samples must be an integer ≥ 1, got ${fmtGot(N)}.`, { option: 'samples' });
  if (typeof h !== 'number' || !(h >= 0) || !Number.isFinite(h)) throw new TideError('BAD_OPTION', `${where}: h must be a finite number ≥ 0, got ${fmtGot(h)}.`, { option: 'h' });
  const batch = z.length / map.zDim;
  if (!Number.isInteger(batch) || batch < 1 || x.length !== batch * map.xDim || params.length !== map.paramCount) {
    throw new TideError('SHAPE', `${where}: z has length ${z.length}, x ${x.length} and params ${params.length}; expected z of batch × ${map.zDim}, x of batch × ${map.xDim} and ${map.paramCount} parameters.`);
  }
  const d = z.length, ws = map.workspace(batch), fz = new Float64Array(d), eps = new Float64Array(d), u = new Float64Array(d);
  const zp = new Float64Array(d), tmpZ = new Float64Array(d), tmpX = new Float64Array(x.length);
  const dParams = new Float64Array(map.paramCount), dX = new Float64Array(x.length), dZ = new Float64Array(d);
  const scale = gamma / (N * d);
  let value = 0, vjps = 0, nfe = 0;
  const zNorm = Math.sqrt(norm2(z));
  for (let v = 0; v < N; v++) {
    rng.fillNormal(eps);
    map.apply(fz, params, z, x, ws); nfe++;
    map.vjp(null, u, null, eps, params, ws); vjps++;
    const uu = norm2(u);
    value += scale * uu;
    if (h === 0 || uu === 0) continue;
    // 2·scale·∂_(θ,x,z)[εᵀ J u] ≈ 2·scale·[g(z + δu) − g(z − δu)]/(2δ), g = εᵀ ∂f/∂(θ, x, z).
    const delta = h * Math.max(1, zNorm) / Math.sqrt(uu), c = scale / delta;
    for (const sgn of [1, -1]) {
      for (let i = 0; i < d; i++) zp[i] = z[i] + sgn * delta * u[i];
      map.apply(fz, params, zp, x, ws); nfe++;
      // Accumulate ±c·g into the outputs (the VJP accumulates dParams; dX and dZ come back overwritten).
      const p0 = dParams.slice();
      map.vjp(dParams, tmpZ, tmpX, eps, params, ws); vjps++;
      for (let i = 0; i < dParams.length; i++) dParams[i] = p0[i] + sgn * c * (dParams[i] - p0[i]);
      for (let i = 0; i < d; i++) dZ[i] += sgn * c * tmpZ[i];
      for (let i = 0; i < x.length; i++) dX[i] += sgn * c * tmpX[i];
    }
  }
  return { value, dParams, dX, dZ, vjps, nfe };
}

/**
 * Options of {@link spectralRadius}; unknown keys throw TideError('BAD_OPTION').
 * @property iterations normalised power-iteration steps before the two-step eigenvalue fit, an integer ≥ 1; default 30.
 * @property rng the generator of the starting vector (default new Rng(1)).
 */
export interface SpectralRadiusOptions { iterations?: number; rng?: Rng }

/**
 * Estimates ρ(∂f/∂z) at z by power iteration on Jᵀ, per batch row; returns the largest row's estimate and each row's.
 * After `iterations` normalised steps v ← Jᵀv/‖Jᵀv‖, two more give w₁ = Jᵀv, w₂ = Jᵀw₁ and the least-squares fit
 * w₂ ≈ a w₁ + b v: the roots of t² − a t − b are the dominant eigenvalue(s), real or a complex pair (plain ratios of
 * norms oscillate for a complex pair). Cost: iterations + 2 VJPs (default 30).
 * @property __type.rho the largest row's estimate of ρ(∂f/∂z).
 * @property __type.perRow each batch row's estimate, length batch.
 * @property __type.vjps VJPs spent (iterations + 2).
 */
export function spectralRadius(map: DeqMap, params: Readonly<Float64Array>, z: Readonly<Float64Array>, x: Readonly<Float64Array>,
  options?: SpectralRadiusOptions): { rho: number; perRow: Float64Array; vjps: number } {
  checkOptionKeys('spectralRadius', options, ['iterations', 'rng']);
  const K = options?.iterations ?? 30, rng = options?.rng ?? new Rng(1);
  if (!Number.isInteger(K) || K < 1) throw new TideError('BAD_OPTION', `spectralRadius: iterations must be an integer ≥ 1, got ${fmtGot(K)}.`, { option: 'iterations' });
  const n = map.zDim, batch = z.length / n;
  if (!Number.isInteger(batch) || batch < 1 || x.length !== batch * map.xDim) throw new TideError('SHAPE', `spectralRadius: z has length ${z.length} and x ${x.length}; expected batch × ${n} and batch × ${map.xDim}.`);
  const ws = map.workspace(batch), fz = new Float64Array(z.length), v = new Float64Array(z.length), w1 = new Float64Array(z.length), w2 = new Float64Array(z.length);
  const perRow = new Float64Array(batch);
  map.apply(fz, params, z, x, ws);
  rng.fillNormal(v);
  const normalise = (a: Float64Array): void => {
    for (let b = 0; b < batch; b++) {
      let s = 0;
      for (let i = b * n; i < (b + 1) * n; i++) s += a[i] * a[i];
      s = Math.sqrt(s) || 1;
      for (let i = b * n; i < (b + 1) * n; i++) a[i] /= s;
    }
  };
  for (let k = 0; k < K; k++) { normalise(v); map.vjp(null, w1, null, v, params, ws); v.set(w1); }
  normalise(v);
  map.vjp(null, w1, null, v, params, ws);
  map.vjp(null, w2, null, w1, params, ws);
  for (let b = 0; b < batch; b++) {
    let s11 = 0, s10 = 0, s00 = 0, r1 = 0, r0 = 0, n1 = 0, n2 = 0;
    for (let i = b * n; i < (b + 1) * n; i++) {
      s11 += w1[i] * w1[i]; s10 += w1[i] * v[i]; s00 += v[i] * v[i]; r1 += w1[i] * w2[i]; r0 += v[i] * w2[i];
      n1 += w1[i] * w1[i]; n2 += w2[i] * w2[i];
    }
    const det = s11 * s00 - s10 * s10;
    if (!(det > 1e-12 * s11 * s00)) { perRow[b] = n1 === 0 ? 0 : Math.sqrt(n2 / n1); continue; } // w1 ∥ v: one real eigenvalue
    const a = (r1 * s00 - r0 * s10) / det, c = (s11 * r0 - s10 * r1) / det;
    const disc = a * a + 4 * c;
    perRow[b] = disc < 0 ? Math.sqrt(-c) : Math.max(Math.abs((a + Math.sqrt(disc)) / 2), Math.abs((a - Math.sqrt(disc)) / 2));
  }
  let rho = 0;
  for (let b = 0; b < batch; b++) rho = Math.max(rho, perRow[b]);
  return { rho, perRow, vjps: K + 2 };
}
