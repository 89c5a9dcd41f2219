/**
 * Explicit-parameter models (as in Lux.jl and equinox): a model is sizes, an init scheme and a pure function;
 * its parameters are one flat array owned by the caller, with named views for saving, loading and messages.
 * A model enters an autodiff graph as one node (`ops.model`), or a neural ODE directly (`fieldFromModel`).
 */
import type { DType, FloatArray, Shape } from '../core/array.ts';
import type { Rng } from '../core/random.ts';
import { TideError, fmtGot } from '../core/errors.ts';
import { describe, shapeSize } from '../core/array.ts';

/**
 * A named parameter block inside the flat vector: `{ name: 'layers.0.weight', offset, shape }`.
 * @property name dotted path of the block, e.g. 'layers.0.weight' (Dense weights are [out, in], row-major).
 * @property offset index of the block's first entry in the flat parameter vector.
 * @property shape shape of the block; its product is the block's length.
 */
export interface ParamName {
  readonly name: string;
  readonly offset: number;
  readonly shape: Shape;
}

/**
 * Scratch a model keeps between apply and vjp (activations etc.), sized for one batch.
 * @property batch number of rows (samples) the workspace was sized for; apply and vjp take inputs of exactly [batch, inDim].
 */
export interface ModelWorkspace {
  readonly batch: number;
}

/**
 * A model with explicit parameters: fixed sizes, an init scheme and a pure function of (params, x, t) with a
 * hand-written pullback. Parameters live in one flat array the caller owns (`zerosFor(model)`, then `init`); all
 * scratch lives in a workspace of type `W` from `workspace(batch)`, which the caller passes back to apply and vjp.
 * Built-in models: {@link Dense}, {@link Chain} (`mlp`, `chain`), {@link ConcatSquash}, {@link ActivationLayer},
 * {@link CustomModel}; anything meeting this interface works with `fieldFromModel`, `ops.model`, `fit` and the DEQs.
 * @property name short description for messages, e.g. 'dense(2, 50, tanh)' or 'chain(dense(2, 50, tanh), dense(50, 2))'.
 * @property inDim features per input row.
 * @property outDim features per output row.
 * @property paramCount length of the flat parameter vector.
 * @property paramNames the named blocks of the parameter vector, in order, covering it exactly (for saving and messages).
 * @property dtype element type of params, inputs, outputs and buffers: 'float64' (default) or 'float32'.
 */
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
  if (model === null || typeof model !== 'object' || !Number.isInteger(model.paramCount) || model.paramCount < 0) {
    throw new TideError('BAD_ARGUMENT', `zerosFor: expected a model (an object with an integer paramCount ≥ 0, such as mlp([2, 50, 2])), got ${fmtGot(model)}.`);
  }
  if (model.dtype !== undefined && model.dtype !== 'float64' && model.dtype !== 'float32') {
    throw new TideError('DTYPE', `zerosFor: the model's dtype must be 'float64' or 'float32', got ${fmtGot(model.dtype)}.`);
  }
  return model.dtype === 'float32' ? new Float32Array(model.paramCount) : new Float64Array(model.paramCount);
}

/**
 * Checks a parameter vector against a model: typed array, right length, every entry finite. The NaN/Inf message
 * names the block and index ('layers.0.weight[3, 1]'), which is what a person needs to find the cause.
 */
export function checkModelParams(where: string, model: Pick<Model, 'name' | 'paramCount' | 'paramNames'>, params: unknown): void {
  if (typeof where !== 'string') throw new TideError('BAD_ARGUMENT', `checkModelParams: the first argument names the caller for messages and must be a string, got ${fmtGot(where)}; call checkModelParams('train', model, params).`);
  if (model === null || typeof model !== 'object' || !Number.isInteger(model.paramCount) || !Array.isArray(model.paramNames)) {
    throw new TideError('BAD_ARGUMENT', `${where}: expected a model (such as mlp([2, 50, 2])) with paramCount and paramNames, got ${fmtGot(model)}.`);
  }
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

const isFloatArray = (x: unknown): x is FloatArray => x instanceof Float64Array || x instanceof Float32Array;

/** What the call checks need of a model. */
type Dims = Pick<Model, 'name' | 'inDim' | 'outDim' | 'paramCount'>;

/**
 * Throws a BAD_ARGUMENT unless `m` looks like a tide Model: an object with integer inDim, outDim and paramCount and
 * the methods init, workspace, apply and vjp. `needInit`: init is required too (fieldFromModel does not need it).
 */
export function checkModel(where: string, m: unknown, needInit = true): asserts m is Model {
  const o = m as Partial<Model> | null;
  const ok = o !== null && typeof o === 'object'
    && Number.isInteger(o.inDim) && Number.isInteger(o.outDim) && Number.isInteger(o.paramCount)
    && typeof o.workspace === 'function' && typeof o.apply === 'function' && typeof o.vjp === 'function'
    && (!needInit || typeof o.init === 'function');
  if (!ok) {
    throw new TideError('BAD_ARGUMENT', `${where}: expected a model such as mlp([2, 50, 2]), dense(2, 3) or customModel({...}) (an object with inDim, outDim, paramCount, workspace, apply and vjp), got ${fmtGot(m)}.`, { got: fmtGot(m) });
  }
}

/** Checks a batch size for workspace(batch). */
export function checkBatch(where: string, batch: unknown): void {
  if (typeof batch !== 'number' || !Number.isInteger(batch) || batch <= 0) {
    throw new TideError('SHAPE', `${where}: batch must be a positive integer (the number of rows of x), got ${fmtGot(batch)}.`, { got: fmtGot(batch) });
  }
}

/** Checks init's arguments: params a typed array of exactly paramCount entries, rng an Rng. */
export function checkInitArgs(where: string, m: Pick<Model, 'name' | 'paramCount'>, params: unknown, rng: unknown): void {
  if (!isFloatArray(params)) {
    throw new TideError('DTYPE', `${where}: params must be a Float64Array (or Float32Array) of length ${m.paramCount} to fill in place, got ${describe(params)}.${Array.isArray(params) ? ' Allocate with zerosFor(model) or new Float64Array(model.paramCount).' : ''}`);
  }
  if (params.length !== m.paramCount) {
    throw new TideError('SHAPE', `${where}: params has length ${params.length}; ${m.name} has ${m.paramCount} parameters. Allocate with zerosFor(model).`, { expected: m.paramCount, got: params.length });
  }
  const r = rng as Partial<Rng> | null;
  if (r === null || typeof r !== 'object' || typeof r.fillUniform !== 'function' || typeof r.fillNormal !== 'function') {
    throw new TideError('BAD_ARGUMENT', `${where}: rng must be an Rng, e.g. model.init(params, new Rng(42)), got ${fmtGot(rng)}.`);
  }
}

/**
 * Checks the arrays of apply (hot path: a few comparisons; the message is built only on failure): out and x typed
 * arrays of batch·outDim and batch·inDim entries (batch from ws), params of paramCount entries, t a finite number.
 */
export function checkApply(m: Dims, out: unknown, params: unknown, x: unknown, ws: ModelWorkspace, t: number): void {
  const batch = (ws as ModelWorkspace | null)?.batch;
  if (isFloatArray(out) && isFloatArray(params) && isFloatArray(x) && typeof batch === 'number'
    && out.length === batch * m.outDim && x.length === batch * m.inDim && params.length === m.paramCount && t - t === 0) return;
  throw badCall(m, 'apply', ws, [['out', out, m.outDim], ['x', x, m.inDim]], params, t, null, null);
}

/** Checks the arrays of vjp, as {@link checkApply}; dParams and dX may be null. */
export function checkVjp(m: Dims, dParams: unknown, dX: unknown, dOut: unknown, params: unknown, x: unknown, ws: ModelWorkspace, t: number): void {
  const batch = (ws as ModelWorkspace | null)?.batch;
  if (isFloatArray(dOut) && isFloatArray(params) && isFloatArray(x) && typeof batch === 'number'
    && dOut.length === batch * m.outDim && x.length === batch * m.inDim && params.length === m.paramCount && t - t === 0
    && (dParams === null || (isFloatArray(dParams) && dParams.length === m.paramCount))
    && (dX === null || (isFloatArray(dX) && dX.length === batch * m.inDim))) return;
  throw badCall(m, 'vjp', ws, [['dOut', dOut, m.outDim], ['x', x, m.inDim]], params, t, dParams, dX);
}

function badCall(m: Dims, method: string, ws: ModelWorkspace, arrays: [string, unknown, number][], params: unknown, t: number,
  dParams: unknown, dX: unknown): TideError {
  const where = `${m.name}.${method}`;
  const batch = (ws as ModelWorkspace | null)?.batch;
  if (ws === null || typeof ws !== 'object' || typeof batch !== 'number') {
    return new TideError('BAD_ARGUMENT', `${where}: ws must be a workspace from model.workspace(batch), got ${fmtGot(ws)}.`);
  }
  const all: [string, unknown, number][] = [...arrays, ['params', params, -1]];
  if (method === 'vjp') {
    if (dParams !== null) all.push(['dParams', dParams, -1]);
    if (dX !== null) all.push(['dX', dX, m.inDim]);
  }
  for (const [name, a, width] of all) {
    const n = width < 0 ? m.paramCount : batch * width;
    const shape = width < 0 ? `${n}` : `batch ${batch} × ${width} = ${n}`;
    if (!isFloatArray(a)) {
      return new TideError('DTYPE', `${where}: ${name} must be a Float64Array (or Float32Array) of length ${shape}, got ${describe(a)}.${Array.isArray(a) ? ' Use Float64Array.from(...).' : ''}${name.startsWith('d') && name !== 'dOut' ? ' Pass null to skip it.' : ''}`, { name });
    }
    if (a.length !== n) {
      return new TideError('SHAPE', `${where}: ${name} has length ${a.length}; expected ${shape}${width < 0 ? ` (the model's paramCount)` : ' (the workspace was made for this batch)'}.`, { name, expected: n, got: a.length });
    }
  }
  return new TideError('NONFINITE', `${where}: t is ${t}; t must be a finite number.`, { t });
}
