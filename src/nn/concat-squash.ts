/**
 * ConcatSquash layer (Grathwohl et al. 2019, FFJORD): a time-dependent dense layer
 *   y = (x·Wᵀ + b) ⊙ σ(t·g + c) + t·h
 * with gate weight g, gate bias c and hyper-bias h (each [out]). Parameters in order: weight [out, in], bias [out],
 * gate.weight [out], gate.bias [out], hyper.weight [out]. The pullback returns ∂y/∂t·dOut for time gradients.
 */
import type { DType, FloatArray } from '../core/array.ts';
import { allocate } from '../core/array.ts';
import { TideError, checkOptions, fmtGot } from '../core/errors.ts';
import type { Rng } from '../core/random.ts';
import { gemmNT, gemmTN, gemmNN } from '../core/kernels/gemm.ts';
import { sigmoid } from '../core/kernels/fastmath.ts';
import type { Model, ModelWorkspace, ParamName } from './model.ts';
import { checkApply, checkBatch, checkInitArgs, checkVjp } from './model.ts';
import type { InitScheme } from './init.ts';
import { checkInit, initDense } from './init.ts';

export interface ConcatSquashWorkspace extends ModelWorkspace {
  readonly z: FloatArray;     // x·Wᵀ + b
  readonly gate: FloatArray;  // σ(t·g + c), [out]
  readonly dz: FloatArray;
}

export class ConcatSquash implements Model<ConcatSquashWorkspace> {
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
  readonly paramCount: number;
  readonly paramNames: readonly ParamName[];
  readonly dtype: DType;
  readonly timeDependent = true;
  private readonly init_: InitScheme;

  constructor(inDim: number, outDim: number, options: { init?: InitScheme; dtype?: DType } = {}) {
    checkOptions('concatSquash', options, ['init', 'dtype'], "{ init: 'glorot' }");
    options ??= {};
    if (!Number.isInteger(inDim) || inDim <= 0 || !Number.isInteger(outDim) || outDim <= 0) {
      throw new TideError('SHAPE', `concatSquash: inDim and outDim must be positive integers, got ${fmtGot(inDim)}, ${fmtGot(outDim)}.`);
    }
    this.inDim = inDim; this.outDim = outDim; this.dtype = options.dtype ?? 'float64';
    if (this.dtype !== 'float64' && this.dtype !== 'float32') throw new TideError('DTYPE', `concatSquash: dtype must be 'float64' or 'float32', got ${fmtGot(this.dtype)}.`);
    this.init_ = checkInit('concatSquash', options.init ?? 'pytorch');
    const nw = outDim * inDim;
    this.paramCount = nw + 4 * outDim;
    this.paramNames = [
      { name: 'weight', offset: 0, shape: [outDim, inDim] },
      { name: 'bias', offset: nw, shape: [outDim] },
      { name: 'gate.weight', offset: nw + outDim, shape: [outDim] },
      { name: 'gate.bias', offset: nw + 2 * outDim, shape: [outDim] },
      { name: 'hyper.weight', offset: nw + 3 * outDim, shape: [outDim] },
    ];
    this.name = `concatSquash(${inDim}, ${outDim})`;
  }

  init(params: FloatArray, rng: Rng): void {
    checkInitArgs(`${this.name}.init`, this, params, rng);
    const nw = this.outDim * this.inDim, m = this.outDim;
    initDense(params.subarray(0, nw), params.subarray(nw, nw + m), this.inDim, m, this.init_, rng);
    // The gate and hyper-bias layers are Linear(1, out): PyTorch's default bound is 1/√1 = 1.
    rng.fillUniform(params.subarray(nw + m, nw + 4 * m), -1, 1);
  }

  workspace(batch: number): ConcatSquashWorkspace {
    checkBatch(`${this.name}.workspace`, batch);
    return { batch, z: allocate(this.dtype, batch * this.outDim), gate: allocate(this.dtype, this.outDim), dz: allocate(this.dtype, batch * this.outDim) };
  }

  apply(out: FloatArray, params: Readonly<FloatArray>, x: Readonly<FloatArray>, ws: ConcatSquashWorkspace, t = 0): FloatArray {
    checkApply(this, out, params, x, ws, t);
    const m = this.outDim, k = this.inDim, nw = m * k, { batch, z, gate } = ws;
    const p = params as FloatArray;
    gemmNT(z, x, p.subarray(0, nw), batch, m, k);
    for (let j = 0; j < m; j++) gate[j] = sigmoid(t * p[nw + m + j] + p[nw + 2 * m + j]);
    for (let i = 0; i < batch; i++) {
      for (let j = 0; j < m; j++) {
        const q = i * m + j;
        z[q] += p[nw + j];
        out[q] = z[q] * gate[j] + t * p[nw + 3 * m + j];
      }
    }
    return out;
  }

  vjp(dParams: FloatArray | null, dX: FloatArray | null, dOut: Readonly<FloatArray>, params: Readonly<FloatArray>,
    x: Readonly<FloatArray>, ws: ConcatSquashWorkspace, t = 0): number {
    checkVjp(this, dParams, dX, dOut, params, x, ws, t);
    const m = this.outDim, k = this.inDim, nw = m * k, { batch, z, gate, dz } = ws;
    const p = params as FloatArray;
    let dt = 0;
    for (let j = 0; j < m; j++) {
      let dg = 0, dh = 0;
      for (let i = 0; i < batch; i++) {
        const q = i * m + j;
        dz[q] = dOut[q] * gate[j];
        dg += dOut[q] * z[q];
        dh += dOut[q];
      }
      const dpre = dg * gate[j] * (1 - gate[j]);
      dt += dpre * p[nw + m + j] + dh * p[nw + 3 * m + j];
      if (dParams !== null) {
        dParams[nw + m + j] += dpre * t;
        dParams[nw + 2 * m + j] += dpre;
        dParams[nw + 3 * m + j] += dh * t;
        let db = 0;
        for (let i = 0; i < batch; i++) db += dz[i * m + j];
        dParams[nw + j] += db;
      }
    }
    if (dParams !== null) gemmTN(dParams.subarray(0, nw), dz, x, m, k, batch, 1, 1);
    if (dX !== null) gemmNN(dX, dz, p.subarray(0, nw), batch, k, m);
    return dt;
  }
}

/**
 * A {@link ConcatSquash} layer inDim → outDim; options init (default 'pytorch' for the weight and bias; see the class for the gate and hyper-bias) and dtype (default 'float64').
 * @throws TideError('SHAPE') for sizes that are not positive integers, TideError('BAD_OPTION') / ('UNKNOWN_NAME') for bad options.
 */
export function concatSquash(inDim: number, outDim: number, options?: { init?: InitScheme; dtype?: DType }): ConcatSquash {
  return new ConcatSquash(inDim, outDim, options);
}
