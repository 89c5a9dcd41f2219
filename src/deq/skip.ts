/**
 * Skip DEQ and Skip Reg. DEQ (Pal, Edelman & Rackauckas 2022, "Mixing implicit and explicit deep learning with skip
 * DEQs and infinite time neural ODEs (continuous DEQs)"; Pal 2023 thesis §4.2–4.3):
 *
 *   Skip DEQ:      an explicit net g_φ(x) gives the initial guess z₀ = g_φ(x), and the auxiliary loss
 *                  L_skip = λ_skip · mean|f_θ(z*, x) − g_φ(x)| teaches g_φ to predict the fixed point.
 *   Skip Reg. DEQ: no extra parameters; z₀ = f_θ(0, x) and L_skip = λ_skip · mean|f_θ(z*, x) − f_θ(0, x)|.
 *
 * λ_skip = 0.01 in all the thesis' experiments. z* itself is differentiated by the layer's backward mode; inside
 * L_skip z* is a constant (stop-gradient), so φ is trained only by L_skip and θ by ℓ and by L_skip through both
 * evaluations of f. The mean is over all batch × zDim elements.
 */
import { TideError, checkOptionKeys, fmtGot } from '../core/errors.ts';
import type { Rng } from '../core/random.ts';
import type { DType } from '../core/array.ts';
import type { Model, ModelWorkspace, ParamName } from '../nn/model.ts';
import { checkBatch, checkInitArgs, checkModel } from '../nn/model.ts';
import { DeqLayer } from './layer.ts';
import type { DeqOptions } from './layer.ts';
import type { DeqReport } from './backward/method.ts';
import type { ForwardStats } from './forward/termination.ts';

export interface SkipDeqOptions extends DeqOptions {
  /** λ_skip (default 0.01). */
  lambdaSkip?: number;
}

interface SkipWs {
  batch: number; z0: Float64Array; fz0: Float64Array; fzs: Float64Array; zero: Float64Array; sign: Float64Array;
  gws: ModelWorkspace | null; mapWs0: unknown; mapWs1: unknown; dParams: Float64Array; dX: Float64Array; tmpX: Float64Array;
  x: Float64Array; params: Float64Array; aux: number; z: Float64Array;
}

/**
 * A Skip DEQ or Skip Reg. DEQ (see the module header): a {@link DeqLayer} on f whose initial guess comes from g_φ(x)
 * (or f_θ(0, x)), plus the auxiliary loss L_skip. Made by {@link skipDeq} / {@link skipRegDeq}; use
 * {@link skipDeqModel} to put it inside a model.
 * @property layer the DEQ layer on f that finds z*.
 * @property paramCount length of the parameter vector [θ, φ] (θ alone for Skip Reg.).
 * @property lambdaSkip the weight λ_skip of the auxiliary loss.
 * @property f the DEQ's map f_θ on [z, x].
 * @property g the explicit net g_φ(x) → z₀, or null for Skip Reg. DEQ.
 * @property init initialises θ = params[0 … layer.paramCount) with f's scheme and φ (the rest) with g's.
 */
export class SkipDeq {
  readonly layer: DeqLayer;
  readonly paramCount: number;
  readonly lambdaSkip: number;
  private readonly byBatch = new Map<number, SkipWs>();
  private last: SkipWs | null = null;

  /** g = null is Skip Reg. DEQ. Parameters: [θ (f's), φ (g's)]. */
  constructor(readonly f: Model, readonly g: Model | null, options?: SkipDeqOptions) {
    const where = g === null ? 'skipRegDeq' : 'skipDeq';
    checkOptionKeys(where, options, ['solver', 'backward', 'throwOnFailure', 'lambdaSkip']);
    const { lambdaSkip, ...rest } = options ?? {};
    this.layer = new DeqLayer(f, rest);
    if (g !== null) {
      checkModel(where, g);
      if (g.inDim !== this.layer.inDim || g.outDim !== this.layer.outDim) {
        throw new TideError('SHAPE', `${where}: the explicit net g maps x (width ${this.layer.inDim}) to the initial guess z₀ (width ${this.layer.outDim}); ${g.name} maps ${g.inDim} → ${g.outDim}. Use e.g. mlp([${this.layer.inDim}, 32, ${this.layer.outDim}]).`, { expected: [this.layer.inDim, this.layer.outDim], got: [g.inDim, g.outDim] });
      }
    }
    const lam = lambdaSkip ?? 0.01;
    if (typeof lam !== 'number' || !(lam >= 0) || !Number.isFinite(lam)) throw new TideError('BAD_OPTION', `${where}: lambdaSkip must be a finite number ≥ 0, got ${fmtGot(lambdaSkip)}.`, { option: 'lambdaSkip' });
    this.lambdaSkip = lam;
    this.paramCount = this.layer.paramCount + (g?.paramCount ?? 0);
  }

  init(params: Float64Array, rng: Rng): void {
    const n = this.layer.paramCount;
    this.f.init(params.subarray(0, n), rng);
    this.g?.init(params.subarray(n), rng);
  }

  private ws(batch: number): SkipWs {
    let w = this.byBatch.get(batch);
    if (w !== undefined) return w;
    const { map } = this.layer, len = map.zDim * batch, xl = map.xDim * batch;
    w = {
      batch, z0: new Float64Array(len), fz0: new Float64Array(len), fzs: new Float64Array(len), zero: new Float64Array(len), sign: new Float64Array(len),
      gws: this.g?.workspace(batch) ?? null, mapWs0: map.workspace(batch), mapWs1: map.workspace(batch),
      dParams: new Float64Array(this.paramCount), dX: new Float64Array(xl), tmpX: new Float64Array(xl), x: new Float64Array(xl),
      params: new Float64Array(this.paramCount), aux: 0, z: new Float64Array(len),
    };
    this.byBatch.set(batch, w);
    return w;
  }

  /**
   * z* and the auxiliary loss L_skip (already weighted by λ_skip) for x [batch, xDim]. Arrays are owned until the next call.
   * @property __type.z the fixed point z*, [batch, zDim].
   * @property __type.auxLoss λ_skip · L_skip of this forward, to add to the loss.
   * @property __type.stats the root solve's statistics.
   */
  forward(x: Readonly<Float64Array>, params: Readonly<Float64Array>): { z: Float64Array; auxLoss: number; stats: ForwardStats } {
    const L = this.layer, map = L.map, nθ = L.paramCount;
    if (!(params instanceof Float64Array) || params.length !== this.paramCount) {
      throw new TideError('SHAPE', `${this.g === null ? 'skipRegDeq' : 'skipDeq'}.forward: params must be a Float64Array of ${this.paramCount} entries ([θ: ${nθ}, φ: ${this.paramCount - nθ}]), got ${fmtGot(params)}.`);
    }
    const batch = x.length / map.xDim;
    if (!Number.isInteger(batch) || batch < 1) throw new TideError('SHAPE', `skipDeq.forward: x has length ${x.length}, not a multiple of xDim = ${map.xDim}.`);
    const w = this.ws(batch), θ = params.subarray(0, nθ);
    w.x.set(x); w.params.set(params);
    // Initial guess: g_φ(x) (Skip DEQ) or f_θ(0, x) (Skip Reg.).
    if (this.g !== null) this.g.apply(w.z0, w.params.subarray(nθ), w.x, w.gws!);
    else map.apply(w.z0, θ, w.zero, w.x, w.mapWs0);
    const z = L.forward(w.x, θ, w.z0);
    w.z.set(z);
    map.apply(w.fzs, θ, w.z, w.x, w.mapWs1);
    let s = 0;
    for (let i = 0; i < z.length; i++) { const r = w.fzs[i] - w.z0[i]; s += Math.abs(r); w.sign[i] = r > 0 ? 1 : r < 0 ? -1 : 0; }
    w.aux = this.lambdaSkip * s / z.length;
    this.last = w;
    return { z: w.z, auxLoss: w.aux, stats: L.stats! };
  }

  /**
   * Gradient of ℓ + L_skip with dZ = ∂ℓ/∂z*: dParams [θ, φ] and dX (owned until the next call).
   * @property __type.dParams gradient of ℓ + L_skip with respect to [θ, φ].
   * @property __type.dX gradient with respect to x, [batch, xDim].
   * @property __type.report the backward mode's costs.
   */
  backward(dZ: Readonly<Float64Array>): { dParams: Float64Array; dX: Float64Array; report: DeqReport } {
    const w = this.last;
    if (w === null) throw new TideError('BAD_ARGUMENT', 'skipDeq.backward: call forward(x, params) first.');
    const L = this.layer, map = L.map, nθ = L.paramCount;
    const { dParams: dθDeq, dX: dXDeq, report } = L.backward(dZ);
    w.dParams.fill(0);
    w.dParams.subarray(0, nθ).set(dθDeq);
    w.dX.set(dXDeq);
    const c = this.lambdaSkip / w.z.length;
    for (let i = 0; i < w.sign.length; i++) w.sign[i] *= c;
    const θ = w.params.subarray(0, nθ), dθ = w.dParams.subarray(0, nθ);
    // +sign through f_θ(z*, x) (z* a constant), −sign through the initial guess.
    map.apply(w.fzs, θ, w.z, w.x, w.mapWs1);
    map.vjp(dθ, null, w.tmpX, w.sign, θ, w.mapWs1);
    for (let i = 0; i < w.dX.length; i++) w.dX[i] += w.tmpX[i];
    for (let i = 0; i < w.sign.length; i++) w.sign[i] = -w.sign[i];
    if (this.g !== null) {
      this.g.apply(w.z0, w.params.subarray(nθ), w.x, w.gws!);
      this.g.vjp(w.dParams.subarray(nθ), w.tmpX, w.sign, w.params.subarray(nθ), w.x, w.gws!);
    } else {
      map.apply(w.fz0, θ, w.zero, w.x, w.mapWs0);
      map.vjp(dθ, null, w.tmpX, w.sign, θ, w.mapWs0);
    }
    for (let i = 0; i < w.dX.length; i++) w.dX[i] += w.tmpX[i];
    for (let i = 0; i < w.sign.length; i++) w.sign[i] = -w.sign[i] / c; // restore the signs
    report.nfeBackward += 2; report.vjpBackward += 2;
    return { dParams: w.dParams, dX: w.dX, report };
  }
}

/** Skip DEQ: z₀ = g_φ(x) with the L1 auxiliary loss (see the file header). @throws TideError('SHAPE') if g does not map x to z. */
export function skipDeq(f: Model, g: Model, options?: SkipDeqOptions): SkipDeq {
  if (g === null || g === undefined) throw new TideError('BAD_ARGUMENT', 'skipDeq: needs the explicit net g(x) → z₀; for the variant without one use skipRegDeq(f).');
  return new SkipDeq(f, g, options);
}

/** Skip Reg. DEQ: z₀ = f_θ(0, x) with the L1 auxiliary loss (see the file header). */
export function skipRegDeq(f: Model, options?: SkipDeqOptions): SkipDeq {
  return new SkipDeq(f, null, options);
}

interface SkipModelWs extends ModelWorkspace { readonly dParams: Float64Array }

/**
 * A {@link SkipDeq} as a tide {@link Model} (inDim = xDim, outDim = zDim, parameters [θ, φ]), so that it composes
 * with nn/ layers like {@link DeqLayer}: chain(dense(784, 128), skipDeqModel(skipRegDeq(f)), dense(128, 10)).
 * vjp returns the gradient of ℓ + L_skip (Pal 2023 thesis §4.2: the auxiliary term is part of
 * the training objective), not the bare pullback of z*; the last apply's L_skip is `auxLoss`, to add to the
 * reported loss. One SkipDeq keeps one forward per batch size, so use one workspace per batch size.
 * @property skip the Skip DEQ it wraps.
 */
export class SkipDeqModel implements Model<SkipModelWs> {
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
  readonly paramCount: number;
  readonly paramNames: readonly ParamName[];
  readonly dtype: DType = 'float64';
  readonly timeDependent = false;
  /** λ_skip-weighted L_skip of the last apply (0 before any). */
  auxLoss = 0;
  /** Forward statistics of the last apply. */
  stats: ForwardStats | null = null;

  constructor(readonly skip: SkipDeq) {
    if (!(skip instanceof SkipDeq)) throw new TideError('BAD_ARGUMENT', `skipDeqModel: expected a SkipDeq from skipDeq(f, g) or skipRegDeq(f), got ${fmtGot(skip)}.`);
    const L = skip.layer, nθ = L.paramCount;
    this.inDim = L.inDim; this.outDim = L.outDim; this.paramCount = skip.paramCount;
    this.paramNames = skip.g === null ? [{ name: 'f', offset: 0, shape: [nθ] }]
      : [{ name: 'f', offset: 0, shape: [nθ] }, { name: 'g', offset: nθ, shape: [skip.paramCount - nθ] }];
    this.name = `${skip.g === null ? 'skipRegDeq' : 'skipDeq'}(${L.name})`;
  }

  init(params: Float64Array, rng: Rng): void {
    checkInitArgs(`${this.name}.init`, this, params, rng);
    this.skip.init(params, rng);
  }

  workspace(batch: number): SkipModelWs {
    checkBatch(`${this.name}.workspace`, batch);
    return { batch, dParams: new Float64Array(0) };
  }

  apply(out: Float64Array, params: Readonly<Float64Array>, x: Readonly<Float64Array>, ws: SkipModelWs): Float64Array {
    if (!(out instanceof Float64Array) || out.length !== this.outDim * ws.batch) throw new TideError('SHAPE', `${this.name}.apply: out must be a Float64Array of batch ${ws.batch} × ${this.outDim}, got ${fmtGot(out)}.`);
    if (!(x instanceof Float64Array) || x.length !== this.inDim * ws.batch) throw new TideError('SHAPE', `${this.name}.apply: x must be a Float64Array of batch ${ws.batch} × ${this.inDim}, got ${fmtGot(x)}.`);
    const r = this.skip.forward(x, params);
    out.set(r.z);
    this.auxLoss = r.auxLoss; this.stats = r.stats;
    return out;
  }

  /** ACCUMULATES d(ℓ + L_skip)/d[θ, φ] into dParams, OVERWRITES dX; both may be null. */
  vjp(dParams: Float64Array | null, dX: Float64Array | null, dOut: Readonly<Float64Array>, _params: Readonly<Float64Array>,
    _x: Readonly<Float64Array>, ws: SkipModelWs): number {
    if (dOut.length !== this.outDim * ws.batch) throw new TideError('SHAPE', `${this.name}.vjp: dOut has length ${dOut.length}; expected batch ${ws.batch} × ${this.outDim}.`);
    const g = this.skip.backward(dOut);
    if (dParams !== null) for (let i = 0; i < g.dParams.length; i++) dParams[i] += g.dParams[i];
    if (dX !== null) dX.set(g.dX);
    return 0;
  }
}

/** A Skip DEQ / Skip Reg. DEQ usable as a Model between dense layers (see {@link SkipDeqModel}). */
export function skipDeqModel(skip: SkipDeq): SkipDeqModel {
  return new SkipDeqModel(skip);
}
