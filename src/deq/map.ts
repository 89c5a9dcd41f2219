/**
 * The map of a deep equilibrium model (Bai, Kolter & Koltun 2019, "Deep Equilibrium Models", eq. 1–2): an explicit
 * network f_θ(z, x) with input injection x, whose fixed point z* = f_θ(z*, x) is the layer's output. Batched: z is
 * [batch, zDim] and x is [batch, xDim], flat row-major Float64Arrays; each row's fixed point is independent.
 *
 * A tide {@link Model} taking the concatenation [z, x] (inDim = zDim + xDim, outDim = zDim) is the usual way to give f;
 * {@link DeqMap} is what the solvers and backward modes see (evaluate, then any number of VJPs at the last point).
 */
import { TideError, fmtGot, rethrowUser } from '../core/errors.ts';
import type { Model, ModelWorkspace } from '../nn/model.ts';
import { checkModel } from '../nn/model.ts';

/**
 * f_θ(z, x) with hand-written pullbacks; apply keeps what vjp needs in the workspace.
 * @property name description for messages.
 * @property zDim width of the equilibrium state z (per row).
 * @property xDim width of the injected input x (per row); 0 for a map without input.
 * @property paramCount length of the flat parameter vector θ.
 */
export interface DeqMap<W = unknown> {
  readonly name: string;
  readonly zDim: number;
  readonly xDim: number;
  readonly paramCount: number;
  /** All scratch for one batch size, allocated once. */
  workspace(batch: number): W;
  /** out [batch, zDim] = f_θ(z, x). out must not alias z or x. */
  apply(out: Float64Array, params: Readonly<Float64Array>, z: Readonly<Float64Array>, x: Readonly<Float64Array>, ws: W): void;
  /**
   * Pullback of the last apply made with ws: ACCUMULATES (∂f/∂θ)ᵀ dOut into dParams, OVERWRITES dZ = (∂f/∂z)ᵀ dOut
   * and dX = (∂f/∂x)ᵀ dOut; any of the three may be null. May be called many times after one apply.
   */
  vjp(dParams: Float64Array | null, dZ: Float64Array | null, dX: Float64Array | null, dOut: Readonly<Float64Array>,
    params: Readonly<Float64Array>, ws: W): void;
}

interface ConcatWs { batch: number; inp: Float64Array; dInp: Float64Array; mws: ModelWorkspace }

/**
 * A {@link DeqMap} from a model on the concatenated input [z, x] (input injection as in Bai et al. 2019 §3.3).
 * @throws TideError('SHAPE') unless model.outDim = zDim and model.inDim = zDim + xDim.
 */
export function mapFromModel(model: Model, zDim: number, where = 'deq'): DeqMap<ConcatWs> {
  checkModel(where, model);
  if (!Number.isInteger(zDim) || zDim <= 0) throw new TideError('BAD_OPTION', `${where}: zDim must be a positive integer (the width of the equilibrium state z), got ${fmtGot(zDim)}.`, { option: 'zDim' });
  if (model.dtype !== 'float64') throw new TideError('DTYPE', `${where}: DEQ maps run in float64; ${model.name} is ${model.dtype}. Build it with { dtype: 'float64' }.`);
  if (model.outDim !== zDim) {
    throw new TideError('SHAPE', `${where}: f must return z's shape: ${model.name} gives ${model.outDim} outputs per row for z of width ${zDim}. Make its last layer output ${zDim}, e.g. mlp([${model.inDim}, 64, ${zDim}]).`, { expected: zDim, got: model.outDim });
  }
  const xDim = model.inDim - zDim;
  if (xDim < 0) {
    throw new TideError('SHAPE', `${where}: f takes [z, x] (input injection), so its inDim must be zDim + xDim ≥ ${zDim}; ${model.name} takes ${model.inDim}.`, { zDim, inDim: model.inDim });
  }
  const w = zDim + xDim;
  return {
    name: model.name, zDim, xDim, paramCount: model.paramCount,
    workspace(batch) {
      return { batch, inp: new Float64Array(batch * w), dInp: new Float64Array(batch * w), mws: model.workspace(batch) };
    },
    apply(out, params, z, x, ws) {
      const inp = ws.inp;
      for (let b = 0; b < ws.batch; b++) {
        const o = b * w, oz = b * zDim, ox = b * xDim;
        for (let i = 0; i < zDim; i++) inp[o + i] = z[oz + i];
        for (let i = 0; i < xDim; i++) inp[o + zDim + i] = x[ox + i];
      }
      try { model.apply(out, params, inp, ws.mws); } catch (e) { rethrowUser(where, model.name, 'forward', e); }
    },
    vjp(dParams, dZ, dX, dOut, params, ws) {
      const need = dZ !== null || dX !== null;
      try { model.vjp(dParams, need ? ws.dInp : null, dOut, params, ws.inp, ws.mws); } catch (e) { rethrowUser(where, model.name, 'vjp', e); }
      if (!need) return;
      const dI = ws.dInp;
      for (let b = 0; b < ws.batch; b++) {
        const o = b * w, oz = b * zDim, ox = b * xDim;
        if (dZ !== null) for (let i = 0; i < zDim; i++) dZ[oz + i] = dI[o + i];
        if (dX !== null) for (let i = 0; i < xDim; i++) dX[ox + i] = dI[o + zDim + i];
      }
    },
  };
}

/** True for an object that looks like a {@link DeqMap}. */
export function isDeqMap(m: unknown): m is DeqMap {
  const o = m as Partial<DeqMap> | null;
  return o !== null && typeof o === 'object' && Number.isInteger(o.zDim) && Number.isInteger(o.xDim)
    && typeof o.apply === 'function' && typeof o.vjp === 'function' && typeof o.workspace === 'function';
}

/**
 * F(z) = f_θ(z, x) for fixed θ and x, as the forward solvers see it (one object per layer; rebound per call).
 * @property params the θ the map is evaluated with (set by bind).
 * @property x the input x the map is evaluated with (set by bind), [batch, xDim].
 * @property nfe evaluations of f made through this object since it was built.
 * @property map the underlying DEQ map.
 * @property ws the map's workspace, sized for one batch.
 * @property bind sets θ and x for the following evaluations (no copy: the arrays must stay unchanged); returns this.
 * @property eval out = f_θ(z, x) with the bound θ and x; counts one evaluation.
 */
export class BoundMap<W = unknown> {
  params: Readonly<Float64Array> = new Float64Array(0);
  x: Readonly<Float64Array> = new Float64Array(0);
  nfe = 0;
  constructor(readonly map: DeqMap<W>, readonly ws: W) {}
  bind(params: Readonly<Float64Array>, x: Readonly<Float64Array>): this { this.params = params; this.x = x; return this; }
  eval(out: Float64Array, z: Readonly<Float64Array>): void { this.map.apply(out, this.params, z, this.x, this.ws); this.nfe++; }
}
