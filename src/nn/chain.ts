/**
 * Chain: layers applied in order, parameters concatenated in layer order (names `layers.<i>.<name>`).
 * A string entry is an activation layer on the previous layer's output width: chain(dense(2, 50), 'tanh', dense(50, 2)).
 */
import type { DType, FloatArray } from '../core/array.ts';
import { allocate } from '../core/array.ts';
import { TideError, checkOptions, fmtGot } from '../core/errors.ts';
import type { Rng } from '../core/random.ts';
import type { Model, ModelWorkspace, ParamName } from './model.ts';
import { prefixNames, checkApply, checkBatch, checkInitArgs, checkVjp } from './model.ts';
import { ActivationLayer } from './activation-layer.ts';
import { Dense } from './dense.ts';
import type { InitScheme } from './init.ts';
import type { DenseWorkspace } from './dense.ts';
import { wasmActivationId, wasmChainForward, wasmChainForward32, wasmChainVjp, wasmChainVjp32, wasmFor, wasmSettle } from '../core/kernels/wasm.ts';
import type { WasmChainPlan } from '../core/kernels/wasm.ts';

export interface ChainWorkspace extends ModelWorkspace {
  readonly layers: ModelWorkspace[];
  /**
   * Output of layer i (i < last); the last layer writes into the caller's out. After a fused Wasm apply these may
   * lag until the matching vjp or the next Wasm call (the activations stay in Wasm memory; wasmSettle copies them).
   */
  readonly outs: FloatArray[];
  /** Cotangent of layer i's input for i ≥ 1 (two ping-pong buffers would do; one per layer keeps it simple). */
  readonly dIns: FloatArray[];
  pSrc: FloatArray | null; pViews: FloatArray[];
  dSrc: FloatArray | null; dViews: FloatArray[];
  /** The output array of the last apply (the last layer's y, read by the fused pullback; kept unchanged until vjp). */
  last: FloatArray | null;
}

/**
 * Sub-models applied in sequence, as one {@link Model} whose parameter vector is the concatenation of theirs (block names prefixed 'layers.i.'). Made by {@link chain} and {@link mlp}.
 * @property layers the sub-models, applied in order (each one's outDim is the next one's inDim).
 */
export class Chain implements Model<ChainWorkspace> {
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
  readonly paramCount: number;
  readonly paramNames: readonly ParamName[];
  readonly dtype: DType;
  readonly timeDependent: boolean;
  readonly layers: readonly Model[];
  private readonly offsets: number[];
  /** Float64 dense layers with Wasm activations only: the whole chain runs as one Wasm call (wasm.ts); else null. */
  private readonly plan: WasmChainPlan | null;
  /** The same for float32 dense layers (wasmChainForward32 / wasmChainVjp32); else null. */
  private readonly plan32: WasmChainPlan | null;
  /** Smallest outDim·inDim of the layers: batch times it decides Wasm as each layer alone would (wasmFor). */
  private readonly minFlops: number;

  constructor(entries: ReadonlyArray<Model | string>) {
    if (!Array.isArray(entries)) throw new TideError('BAD_ARGUMENT', `chain: expected layers, e.g. chain(dense(2, 50), 'tanh', dense(50, 2)) or new Chain([...]), got ${fmtGot(entries)}.`);
    if (entries.length === 0) throw new TideError('BAD_ARGUMENT', 'chain: needs at least one layer.');
    const layers: Model[] = [];
    let width = -1;
    entries.forEach((e, i) => {
      if (typeof e === 'string') {
        if (width < 0) throw new TideError('BAD_ARGUMENT', `chain: entry 0 is the activation '${e}', whose width is unknown; start with a layer such as dense(in, out).`);
        layers.push(new ActivationLayer(e, width, layers[layers.length - 1].dtype));
      } else {
        if (typeof e !== 'object' || e === null || typeof e.apply !== 'function' || typeof e.vjp !== 'function' || typeof e.workspace !== 'function'
          || !Number.isInteger(e.inDim) || !Number.isInteger(e.outDim) || !Number.isInteger(e.paramCount)) {
          throw new TideError('BAD_ARGUMENT', `chain: entry ${i} is ${fmtGot(e)}, not a model (dense(2, 50), concatSquash(…), customModel(…)) or an activation name ('tanh').`, { entry: i });
        }
        if (width >= 0 && e.inDim !== width) {
          throw new TideError('SHAPE', `chain: layer ${i} (${e.name}) takes ${e.inDim} inputs but layer ${i - 1} gives ${width}. Use ${e.name.split('(')[0]}(${width}, ...).`, { layer: i, expected: width, got: e.inDim });
        }
        if (layers.length > 0 && e.dtype !== layers[0].dtype) throw new TideError('DTYPE', `chain: layer ${i} is ${e.dtype} but layer 0 is ${layers[0].dtype}; use one dtype per model.`);
        layers.push(e);
      }
      width = layers[layers.length - 1].outDim;
    });
    this.layers = layers;
    this.inDim = layers[0].inDim;
    this.outDim = width;
    this.dtype = layers[0].dtype;
    this.timeDependent = layers.some((l) => l.timeDependent);
    this.offsets = [];
    let off = 0;
    const names: ParamName[] = [];
    layers.forEach((l, i) => { this.offsets.push(off); names.push(...prefixNames(`layers.${i}.`, off, l.paramNames)); off += l.paramCount; });
    this.paramCount = off;
    this.paramNames = names;
    this.name = `chain(${layers.map((l) => l.name).join(', ')})`;
    this.plan = chainPlan(layers, this.offsets, off, 'float64');
    this.plan32 = chainPlan(layers, this.offsets, off, 'float32');
    this.minFlops = Math.min(...layers.map((l) => l.inDim * l.outDim));
  }

  init(params: FloatArray, rng: Rng): void {
    checkInitArgs(`${this.name}.init`, this, params, rng);
    this.layers.forEach((l, i) => l.init(params.subarray(this.offsets[i], this.offsets[i] + l.paramCount), rng));
  }

  workspace(batch: number): ChainWorkspace {
    checkBatch(`${this.name}.workspace`, batch);
    const L = this.layers.length;
    return {
      batch,
      layers: this.layers.map((l) => l.workspace(batch)),
      outs: this.layers.slice(0, L - 1).map((l) => allocate(this.dtype, batch * l.outDim)),
      dIns: this.layers.map((l, i) => (i === 0 ? allocate(this.dtype, 0) : allocate(this.dtype, batch * l.inDim))),
      pSrc: null, pViews: [], dSrc: null, dViews: [], last: null,
    };
  }

  private paramViews(ws: ChainWorkspace, params: Readonly<FloatArray>): FloatArray[] {
    if (ws.pSrc !== params) {
      ws.pSrc = params as FloatArray;
      ws.pViews = this.layers.map((l, i) => (params as FloatArray).subarray(this.offsets[i], this.offsets[i] + l.paramCount));
    }
    return ws.pViews;
  }

  apply(out: FloatArray, params: Readonly<FloatArray>, x: Readonly<FloatArray>, ws: ChainWorkspace, t = 0): FloatArray {
    checkApply(this, out, params, x, ws, t);
    const L = this.layers.length;
    ws.last = out;
    if (this.plan !== null && wasmFor(ws.batch * this.minFlops) && out instanceof Float64Array && x instanceof Float64Array
      && params instanceof Float64Array && wasmChainForward(this.plan, out, ws.outs as Float64Array[], x, params, ws.batch)) {
      // The layers' own workspaces see the outputs as if each had run (their pullbacks read y).
      for (let i = 0; i < L; i++) (ws.layers[i] as DenseWorkspace).y = i === L - 1 ? out : ws.outs[i];
      return out;
    }
    if (this.plan32 !== null && wasmFor(ws.batch * this.minFlops) && out instanceof Float32Array && x instanceof Float32Array
      && params instanceof Float32Array && wasmChainForward32(this.plan32, out, ws.outs as Float32Array[], x, params, ws.batch)) {
      for (let i = 0; i < L; i++) (ws.layers[i] as DenseWorkspace).y = i === L - 1 ? out : ws.outs[i];
      return out;
    }
    wasmSettle(); // no fused forward's activations may later land on top of these
    const pv = this.paramViews(ws, params);
    let input: Readonly<FloatArray> = x;
    for (let i = 0; i < L; i++) {
      const dest = i === L - 1 ? out : ws.outs[i];
      this.layers[i].apply(dest, pv[i], input, ws.layers[i], t);
      input = dest;
    }
    return out;
  }

  vjp(dParams: FloatArray | null, dX: FloatArray | null, dOut: Readonly<FloatArray>, params: Readonly<FloatArray>,
    x: Readonly<FloatArray>, ws: ChainWorkspace, t = 0): number {
    checkVjp(this, dParams, dX, dOut, params, x, ws, t);
    const L = this.layers.length;
    if (this.plan !== null && wasmFor(ws.batch * this.minFlops) && dOut instanceof Float64Array && x instanceof Float64Array
      && params instanceof Float64Array && ws.last instanceof Float64Array && (dParams === null || dParams instanceof Float64Array)
      && (dX === null || dX instanceof Float64Array)
      && wasmChainVjp(this.plan, dParams, dX, dOut, x, ws.outs as Float64Array[], ws.last, params, ws.batch)) return 0;
    if (this.plan32 !== null && wasmFor(ws.batch * this.minFlops) && dOut instanceof Float32Array && x instanceof Float32Array
      && params instanceof Float32Array && ws.last instanceof Float32Array && (dParams === null || dParams instanceof Float32Array)
      && (dX === null || dX instanceof Float32Array)
      && wasmChainVjp32(this.plan32, dParams, dX, dOut, x, ws.outs as Float32Array[], ws.last, params, ws.batch)) return 0;
    wasmSettle(); // the layers below read ws.outs
    const pv = this.paramViews(ws, params);
    if (dParams !== null && ws.dSrc !== dParams) {
      ws.dSrc = dParams;
      ws.dViews = this.layers.map((l, i) => dParams.subarray(this.offsets[i], this.offsets[i] + l.paramCount));
    }
    let dt = 0;
    let dCur: Readonly<FloatArray> = dOut;
    for (let i = L - 1; i >= 0; i--) {
      const input = i === 0 ? x : ws.outs[i - 1];
      const dIn = i === 0 ? dX : ws.dIns[i];
      dt += this.layers[i].vjp(dParams !== null ? ws.dViews[i] : null, dIn, dCur, pv[i], input, ws.layers[i], t);
      if (i > 0) dCur = ws.dIns[i];
    }
    return dt;
  }
}

/** The Wasm plan of a chain of Dense layers of this dtype whose activations Wasm computes; null for any other chain. */
function chainPlan(layers: readonly Model[], offsets: readonly number[], paramCount: number, dtype: DType): WasmChainPlan | null {
  if (!layers.every((l) => l instanceof Dense && l.dtype === dtype && wasmActivationId(l.activation.name) >= 0)) return null;
  const dense = layers as readonly Dense[];
  return {
    layers: dense.length,
    dims: Int32Array.from([dense[0].inDim, ...dense.map((l) => l.outDim)]),
    wOff: Int32Array.from(offsets),
    hasBias: Uint8Array.from(dense.map((l) => (l.hasBias ? 1 : 0))),
    act: Int32Array.from(dense.map((l) => wasmActivationId(l.activation.name))),
    paramCount,
    maxWidth: Math.max(...dense.map((l) => l.inDim * l.outDim)),
  };
}

/** Layers in sequence; strings are activation layers. */
export function chain(...entries: Array<Model | string>): Chain {
  return new Chain(entries);
}

/**
 * Options of {@link mlp}; unknown keys throw TideError('BAD_OPTION'), unknown activation or init names TideError('UNKNOWN_NAME').
 * @property init init scheme of every layer (default 'pytorch').
 * @property dtype element type of parameters and buffers (default 'float64').
 */
export interface MlpOptions {
  /** Hidden activation (default 'tanh'). */
  activation?: string;
  /** Activation after the last layer (default 'identity'). */
  finalActivation?: string;
  init?: InitScheme;
  /** Init of the last layer (default: same as init). 'zeros' starts a neural ODE at f = 0. */
  finalInit?: InitScheme;
  dtype?: DType;
}

/** A multilayer perceptron with fused activations: mlp([2, 50, 2]) = chain(dense(2, 50, tanh), dense(50, 2)). */
export function mlp(sizes: readonly number[], options: MlpOptions = {}): Chain {
  if (!Array.isArray(sizes) || sizes.length < 2) throw new TideError('SHAPE', `mlp: sizes must list at least the input and output widths, e.g. [2, 50, 2]; got ${Array.isArray(sizes) ? JSON.stringify(sizes) : fmtGot(sizes)}.`);
  checkOptions('mlp', options, ['activation', 'finalActivation', 'init', 'finalInit', 'dtype'], "{ activation: 'tanh' }");
  options ??= {};
  sizes.forEach((n, i) => {
    if (!Number.isInteger(n) || n <= 0) throw new TideError('SHAPE', `mlp: sizes[${i}] must be a positive integer (a layer width), got ${fmtGot(n)}; e.g. mlp([2, 50, 2]).`, { index: i });
  });
  const layers: Model[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const last = i + 2 === sizes.length;
    layers.push(new Dense(sizes[i], sizes[i + 1], {
      activation: last ? options.finalActivation ?? 'identity' : options.activation ?? 'tanh',
      init: last ? options.finalInit ?? options.init ?? 'pytorch' : options.init ?? 'pytorch',
      dtype: options.dtype ?? 'float64',
    }));
  }
  return new Chain(layers);
}
