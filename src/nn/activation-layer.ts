/** An element-wise activation as a layer of its own (dims equal). Prefer dense(..., { activation }) which fuses it. */
import type { DType, FloatArray } from '../core/array.ts';
import { TideError, fmtGot } from '../core/errors.ts';
import { getActivation } from '../core/kernels/activations.ts';
import type { Activation } from '../core/kernels/activations.ts';
import type { Rng } from '../core/random.ts';
import type { Model, ModelWorkspace, ParamName } from './model.ts';
import { checkApply, checkBatch, checkInitArgs, checkVjp } from './model.ts';

export interface ActivationWorkspace extends ModelWorkspace { y: FloatArray; dtmp: FloatArray }

/**
 * An activation applied elementwise as a layer without parameters (inDim = outDim = dim); `new ActivationLayer(name, dim)` throws TideError('UNKNOWN_NAME') for an unknown activation and TideError('SHAPE') for a dim that is not a positive integer.
 * @property activation the activation applied elementwise.
 */
export class ActivationLayer implements Model<ActivationWorkspace> {
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
  readonly paramCount = 0;
  readonly paramNames: readonly ParamName[] = [];
  readonly dtype: DType;
  readonly timeDependent = false;
  readonly activation: Activation;
  constructor(name: string, dim: number, dtype: DType = 'float64') {
    this.activation = getActivation(name);
    if (!Number.isInteger(dim) || dim <= 0) throw new TideError('SHAPE', `activation layer '${name}': dim must be a positive integer, got ${fmtGot(dim)}.`);
    if (dtype !== 'float64' && dtype !== 'float32') throw new TideError('DTYPE', `activation layer '${name}': dtype must be 'float64' or 'float32', got ${fmtGot(dtype)}.`);
    this.inDim = dim; this.outDim = dim; this.dtype = dtype; this.name = this.activation.name;
  }
  init(params: FloatArray, rng: Rng): void { checkInitArgs(`${this.name}.init`, this, params, rng); /* no parameters */ }
  workspace(batch: number): ActivationWorkspace {
    checkBatch(`${this.name}.workspace`, batch);
    return { batch, y: new Float64Array(0), dtmp: new Float64Array(0) };
  }
  apply(out: FloatArray, _params: Readonly<FloatArray>, x: Readonly<FloatArray>, ws: ActivationWorkspace): FloatArray {
    checkApply(this, out, _params, x, ws, 0);
    this.activation.forward(out, x);
    ws.y = out;
    return out;
  }
  vjp(_dParams: FloatArray | null, dX: FloatArray | null, dOut: Readonly<FloatArray>, _params: Readonly<FloatArray>,
    x: Readonly<FloatArray>, ws: ActivationWorkspace): number {
    checkVjp(this, _dParams, dX, dOut, _params, x, ws, 0);
    if (dX !== null) this.activation.backward(dX, dOut, x, ws.y);
    return 0;
  }
}
