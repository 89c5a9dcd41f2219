/**
 * Explicit-parameter models (as in Lux.jl and equinox): a model is sizes, an init scheme and a pure function;
 * its parameters are one flat array owned by the caller, with named views for saving, loading and messages.
 * A model enters an autodiff graph as one node (`ops.model`), or a neural ODE directly (`fieldFromModel`).
 */
import type { DType, FloatArray, Shape } from '../core/array.ts';
import type { Rng } from '../core/random.ts';
import { TideError } from '../core/errors.ts';
import { describe, shapeSize } from '../core/array.ts';

/** A named parameter block inside the flat vector: `{ name: 'layers.0.weight', offset, shape }`. */
export interface ParamName {
  readonly name: string;
  readonly offset: number;
  readonly shape: Shape;
}

/** Scratch a model keeps between apply and vjp (activations etc.), sized for one batch. */
export interface ModelWorkspace {
  readonly batch: number;
}

export interface Model<W extends ModelWorkspace = ModelWorkspace> {
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
  readonly paramCount: number;
  readonly paramNames: readonly ParamName[];
  readonly dtype: DType;
  /** True if the output depends on the time argument t (e.g. ConcatSquash). */
  readonly timeDependent: boolean;
  /** Fills params (exactly this model's paramCount entries) with the model's initial values. */
  init(params: FloatArray, rng: Rng): void;
  /** Allocates every buffer apply and vjp need for inputs of shape [batch, inDim]. */
  workspace(batch: number): W;
  /**
   * out [batch, outDim] = model(x [batch, inDim]; params, t). Keeps what vjp needs in ws and may keep a reference to
   * out: leave out and x unchanged until the matching vjp. out must not alias x. Returns out.
   */
  apply(out: FloatArray, params: Readonly<FloatArray>, x: Readonly<FloatArray>, ws: W, t?: number): FloatArray;
  /**
   * Pullback of the last apply(params, x, t) made with this ws: ACCUMULATES (∂out/∂params)ᵀ dOut into dParams
   * (skipped when null), OVERWRITES dX with (∂out/∂x)ᵀ dOut (skipped when null), and returns (∂out/∂t)ᵀ dOut.
   * Calling vjp without a matching apply just before gives wrong results (activations are reused).
   */
  vjp(dParams: FloatArray | null, dX: FloatArray | null, dOut: Readonly<FloatArray>, params: Readonly<FloatArray>,
    x: Readonly<FloatArray>, ws: W, t?: number): number;
}

/** Prefixes the parameter names of a sub-model placed at `offset`. */
export function prefixNames(prefix: string, offset: number, names: readonly ParamName[]): ParamName[] {
  return names.map((p) => ({ name: prefix + p.name, offset: offset + p.offset, shape: p.shape }));
}

/** Allocates a zeroed flat parameter vector for a model, of the model's dtype. */
export function zerosFor(model: { paramCount: number; dtype: DType }): FloatArray {
  return model.dtype === 'float32' ? new Float32Array(model.paramCount) : new Float64Array(model.paramCount);
}

/**
 * Checks a parameter vector against a model: typed array, right length, every entry finite. The NaN/Inf message
 * names the block and index ('layers.0.weight[3, 1]'), which is what a person needs to find the cause.
 */
export function checkModelParams(where: string, model: Pick<Model, 'name' | 'paramCount' | 'paramNames'>, params: unknown): void {
  if (!(params instanceof Float64Array) && !(params instanceof Float32Array)) {
    throw new TideError('DTYPE', `${where}: params must be a Float64Array (or Float32Array) of length ${model.paramCount} for ${model.name}, got ${describe(params)}.`);
  }
  if (params.length !== model.paramCount) {
    throw new TideError('SHAPE', `${where}: params has length ${params.length}; ${model.name} has ${model.paramCount} parameters.`, { expected: model.paramCount, got: params.length });
  }
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    if (v - v === 0) continue;
    const block = model.paramNames.find((b) => i >= b.offset && i < b.offset + shapeSize(b.shape));
    let at = `[${i}]`;
    if (block) {
      let r = i - block.offset;
      const idx: number[] = [];
      for (let d = block.shape.length - 1; d >= 0; d--) { idx.unshift(r % block.shape[d]); r = Math.floor(r / block.shape[d]); }
      at = ` block '${block.name}'[${idx.join(', ')}] (flat index ${i})`;
    }
    throw new TideError('NONFINITE', `${where}: parameter${at} is ${v}; parameters must be finite. Training diverged or init failed: lower the learning rate or clip gradients (clipNorm).`, { index: i, block: block?.name });
  }
}
