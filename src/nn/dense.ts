/**
 * Dense (fully connected) layer y = act(x·Wᵀ + b), W stored [out, in] as in PyTorch, parameters laid out
 * `weight` (out·in) then `bias` (out). The activation is fused (optional), which saves a pass and a buffer
 * against a separate activation layer.
 */
import type { DType, FloatArray } from '../core/array.ts';
import { allocate } from '../core/array.ts';
import { TideError, checkOptions, fmtGot } from '../core/errors.ts';
import type { Rng } from '../core/random.ts';
import { denseForward, denseVjp } from '../core/kernels/dense.ts';
import { denseForward32, denseVjp32 } from '../core/kernels/dense32.ts';
import { getActivation } from '../core/kernels/activations.ts';
import type { Activation } from '../core/kernels/activations.ts';
import type { Model, ModelWorkspace, ParamName } from './model.ts';
import { checkApply, checkBatch, checkInitArgs, checkVjp } from './model.ts';
import type { InitScheme } from './init.ts';
import { checkInit, initDense } from './init.ts';

/**
 * Options of {@link dense}; unknown keys throw TideError('BAD_OPTION'), unknown activation or init names TideError('UNKNOWN_NAME').
 * @property dtype element type of parameters and buffers (default 'float64').
 */
export interface DenseOptions {
  /** Fused activation applied after the affine map (default 'identity'). */
  activation?: string;
  /** Include the bias b (default true). */
  bias?: boolean;
  /** Init scheme (default 'pytorch'). */
  init?: InitScheme;
  dtype?: DType;
}

export interface DenseWorkspace extends ModelWorkspace {
  /** Pre-activation x·Wᵀ + b [batch, out] (only with an activation). */
  readonly z: FloatArray;
  /** The output array of the last apply (read by the activation's pullback; the caller keeps it unchanged until vjp). */
  y: FloatArray;
  /** Scratch cotangent of z (only with an activation). */
  readonly dz: FloatArray;
  // Cached subarray views of the last params / dParams seen (no allocation while their identity is stable).
  pSrc: FloatArray | null; W: FloatArray; b: FloatArray;
  dSrc: FloatArray | null; dW: FloatArray; db: FloatArray;
}

/**
 * A fully connected layer y = act(x·Wᵀ + b) with W [out, in] and b [out] (blocks 'weight' and 'bias'). Made by {@link dense}.
 * @property activation the fused activation applied after the affine map.
 * @property hasBias whether the layer has the bias b.
 * @property initScheme the scheme `init` uses.
 */
export class Dense implements Model<DenseWorkspace> {
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
  readonly paramCount: number;
  readonly paramNames: readonly ParamName[];
  readonly dtype: DType;
  readonly timeDependent = false;
  readonly activation: Activation;
  readonly hasBias: boolean;
  readonly initScheme: InitScheme;
  private readonly identity: boolean;
  /** dtype 'float32': the float32 kernels (dense32.ts), chosen here once so each kernel sees one array type. */
  private readonly f32: boolean;

  constructor(inDim: number, outDim: number, options: DenseOptions = {}) {
    checkOptions('dense', options, ['activation', 'bias', 'init', 'dtype'], "{ activation: 'tanh' }");
    options ??= {};
    for (const [label, v] of [['inDim', inDim], ['outDim', outDim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new TideError('SHAPE', `dense: ${label} must be a positive integer, got ${fmtGot(v)}.`);
    }
    this.inDim = inDim; this.outDim = outDim;
    this.activation = getActivation(options.activation ?? 'identity');
    this.identity = this.activation.name === 'identity';
    if (options.bias !== undefined && typeof options.bias !== 'boolean') throw new TideError('BAD_OPTION', `dense: bias must be true or false, got ${fmtGot(options.bias)}.`, { option: 'bias' });
    this.hasBias = options.bias ?? true;
    this.initScheme = checkInit('dense', options.init ?? 'pytorch');
    this.dtype = options.dtype ?? 'float64';
    if (this.dtype !== 'float64' && this.dtype !== 'float32') throw new TideError('DTYPE', `dense: dtype must be 'float64' or 'float32', got '${String(this.dtype)}'.`);
    this.f32 = this.dtype === 'float32';
    this.paramCount = outDim * inDim + (this.hasBias ? outDim : 0);
    const names: ParamName[] = [{ name: 'weight', offset: 0, shape: [outDim, inDim] }];
    if (this.hasBias) names.push({ name: 'bias', offset: outDim * inDim, shape: [outDim] });
    this.paramNames = names;
    this.name = `dense(${inDim}, ${outDim}${this.identity ? '' : ', ' + this.activation.name})`;
  }

  init(params: FloatArray, rng: Rng): void {
    checkInitArgs(`${this.name}.init`, this, params, rng);
    const nw = this.outDim * this.inDim;
    initDense(params.subarray(0, nw), this.hasBias ? params.subarray(nw, nw + this.outDim) : null, this.inDim, this.outDim, this.initScheme, rng);
  }

  workspace(batch: number): DenseWorkspace {
    checkBatch(`${this.name}.workspace`, batch);
    const n = batch * this.outDim, empty = allocate(this.dtype, 0);
    return {
      batch, y: empty,
      z: this.identity ? empty : allocate(this.dtype, n), dz: this.identity ? empty : allocate(this.dtype, n),
      pSrc: null, W: empty, b: empty, dSrc: null, dW: empty, db: empty,
    };
  }

  private views(ws: DenseWorkspace, params: Readonly<FloatArray>): void {
    if (ws.pSrc === params) return;
    const nw = this.outDim * this.inDim, p = params as FloatArray;
    ws.pSrc = p; ws.W = p.subarray(0, nw); ws.b = this.hasBias ? p.subarray(nw, nw + this.outDim) : ws.b;
  }

  apply(out: FloatArray, params: Readonly<FloatArray>, x: Readonly<FloatArray>, ws: DenseWorkspace): FloatArray {
    checkApply(this, out, params, x, ws, 0);
    this.views(ws, params);
    if (this.f32) {
      checkF32(this.name, out, params, x);
      denseForward32(out as Float32Array, ws.z as Float32Array, x as Float32Array, ws.W as Float32Array,
        this.hasBias ? ws.b as Float32Array : null, ws.batch, this.outDim, this.inDim, this.activation);
    } else denseForward(out, ws.z, x, ws.W, this.hasBias ? ws.b : null, ws.batch, this.outDim, this.inDim, this.activation);
    ws.y = out;
    return out;
  }

  vjp(dParams: FloatArray | null, dX: FloatArray | null, dOut: Readonly<FloatArray>, params: Readonly<FloatArray>,
    x: Readonly<FloatArray>, ws: DenseWorkspace): number {
    checkVjp(this, dParams, dX, dOut, params, x, ws, 0);
    this.views(ws, params);
    const m = this.outDim, k = this.inDim;
    if (dParams !== null && ws.dSrc !== dParams) {
      const nw = m * k;
      ws.dSrc = dParams; ws.dW = dParams.subarray(0, nw); ws.db = this.hasBias ? dParams.subarray(nw, nw + m) : ws.db;
    }
    if (this.f32) {
      checkF32(this.name, dOut, params, x, dParams, dX);
      denseVjp32(dParams !== null ? ws.dW as Float32Array : null, dParams !== null && this.hasBias ? ws.db as Float32Array : null,
        dX as Float32Array | null, ws.dz as Float32Array, dOut as Float32Array, x as Float32Array, ws.W as Float32Array,
        ws.z as Float32Array, ws.y as Float32Array, ws.batch, m, k, this.activation);
    } else {
      denseVjp(dParams !== null ? ws.dW : null, dParams !== null && this.hasBias ? ws.db : null, dX, ws.dz, dOut, x, ws.W,
        ws.z, ws.y, ws.batch, m, k, this.activation);
    }
    return 0;
  }
}

/**
 * A float32 layer takes Float32Array operands only: its kernels are float32 (mixing in a Float64Array would round
 * it silently on every call, and make the kernels polymorphic). Hot path: comparisons; the message on failure.
 */
function checkF32(name: string, a: Readonly<FloatArray>, b: Readonly<FloatArray>, c: Readonly<FloatArray>,
  d: Readonly<FloatArray> | null = null, e: Readonly<FloatArray> | null = null): void {
  if (a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array
    && (d === null || d instanceof Float32Array) && (e === null || e instanceof Float32Array)) return;
  const bad = [a, b, c, d, e].find((v) => v !== null && !(v instanceof Float32Array))!;
  throw new TideError('DTYPE', `${name}: this layer is float32 (dtype 'float32'), so out, x, params, dOut, dX and dParams must be Float32Arrays; got a ${bad.constructor.name}. Allocate with zerosFor(model) / new Float32Array(n), or build the model with dtype 'float64'.`);
}

/** A dense layer from inDim to outDim; see DenseOptions. */
export function dense(inDim: number, outDim: number, options?: DenseOptions): Dense {
  return new Dense(inDim, outDim, options);
}
