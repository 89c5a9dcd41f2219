/**
 * A neural ODE vector field straight from a model: f(t, y, params) = model(y; params, t) on a batch of states
 * y [batch, d] (flattened), d = model.inDim = model.outDim. This bypasses the graph (one model call per evaluation),
 * the fastest route for a pure network field. For hybrid fields (physics + network) use fieldFromTrace with ops.model.
 */
import { TideError, fmtGot, rethrowUser } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { VectorField, FieldTape } from '../core/field.ts';
import type { Model, ModelWorkspace } from './model.ts';
import { checkModel } from './model.ts';
import { fieldFromModel32 } from './field32.ts';

/**
 * The {@link VectorField} {@link fieldFromModel} returns.
 * @property model the model that is the field.
 * @property batch number of states in the flat state (dim = batch × model.inDim).
 */
export interface ModelField extends VectorField {
  readonly model: Model;
  readonly batch: number;
  vjp(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array,
    params: Float64Array, fOut?: Float64Array): number;
}

/**
 * dy/dt = model(y; params, t) on `batch` states of width model.inDim (see the module header).
 * @throws TideError('SHAPE') unless model.inDim = model.outDim and batch is a positive integer; TideError('DTYPE') for a model of a dtype the solvers do not run in; TideError('BAD_ARGUMENT') for something that is not a model.
 */
export function fieldFromModel(model: Model, batch = 1): ModelField {
  checkModel('fieldFromModel', model, false);
  if (model.inDim !== model.outDim) {
    throw new TideError('SHAPE', `fieldFromModel: ${model.name} maps ${model.inDim} to ${model.outDim} dimensions; an ODE field must map the state to its own size (inDim = outDim).`);
  }
  if (model.dtype !== 'float64' && model.dtype !== 'float32') throw new TideError('DTYPE', `fieldFromModel: ${model.name} has dtype ${fmtGot(model.dtype)}; expected 'float64' or 'float32'.`);
  if (!Number.isInteger(batch) || batch <= 0) throw new TideError('SHAPE', `fieldFromModel: batch must be a positive integer, got ${fmtGot(batch)}.`);
  // A float32 model: float32 evaluations in a float64 solve (mixed precision, field32.ts).
  if (model.dtype === 'float32') return fieldFromModel32(model, batch);
  const where = `fieldFromModel (${model.name})`, what = `model ${model.name}`;
  const workspace = (): ModelWorkspace => {
    try { return model.workspace(batch); } catch (e) { return rethrowUser(where, what, 'workspace', e); }
  };
  const ws: ModelWorkspace = workspace();
  const dim = batch * model.inDim, paramCount = model.paramCount;
  const scratch = new Float64Array(dim);
  const bad = (name: string, a: unknown, n: number, hint: string): TideError => (a instanceof Float64Array
    ? new TideError('SHAPE', `${model.name} field: ${name} has length ${a.length}; expected ${hint}.`, { name, expected: n, got: a.length })
    : new TideError('DTYPE', `${model.name} field: ${name} must be a Float64Array of length ${n}, got ${describe(a)}.`, { name }));
  // Hot path: comparisons only; the messages are built on failure.
  const check = (y: unknown, params: unknown, out: unknown): void => {
    if (!(y instanceof Float64Array) || y.length !== dim) throw bad('y', y, dim, `batch ${batch} × ${model.inDim} = ${dim}`);
    if (!(params instanceof Float64Array) || params.length !== paramCount) throw bad('params', params, paramCount, `${paramCount} (the model's paramCount)`);
    if (out !== undefined && (!(out instanceof Float64Array) || out.length !== dim)) throw bad('out', out, dim, `batch ${batch} × ${model.outDim} = ${dim}`);
  };
  const checkCot = (dY: unknown, dParams: unknown, v: unknown): void => {
    if (!(dY instanceof Float64Array) || dY.length !== dim) throw bad('dY', dY, dim, `${dim} (the state's length)`);
    if (!(v instanceof Float64Array) || v.length !== dim) throw bad('v', v, dim, `${dim} (the state's length)`);
    if (dParams !== null && (!(dParams instanceof Float64Array) || dParams.length !== paramCount)) throw bad('dParams', dParams, paramCount, `${paramCount} (the model's paramCount), or null`);
  };
  const apply = (out: Float64Array, params: Float64Array, y: Float64Array, w: ModelWorkspace, t: number): void => {
    try { model.apply(out, params, y, w, t); } catch (e) { rethrowUser(where, what, 'forward (apply)', e, { t }); }
  };
  const pull = (dParams: Float64Array | null, dY: Float64Array, v: Float64Array, params: Float64Array, y: Float64Array, w: ModelWorkspace, t: number): number => {
    try { return model.vjp(dParams, dY, v, params, y, w, t); } catch (e) { return rethrowUser(where, what, 'vjp', e, { t }); }
  };
  return {
    dim, paramCount, name: model.name, model, batch,
    eval(out: Float64Array, t: number, y: Float64Array, params: Float64Array): void {
      check(y, params, out ?? null);
      apply(out, params, y, ws, t);
    },
    vjp(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array,
      params: Float64Array, fOut?: Float64Array): number {
      check(y, params, fOut);
      checkCot(dY, dParams, v);
      apply(fOut ?? scratch, params, y, ws, t);
      return pull(dParams, dY, v, params, y, ws, t);
    },
    tape(slots: number): FieldTape {
      if (!Number.isInteger(slots) || slots < 1) throw new TideError('BAD_ARGUMENT', `${model.name} field.tape: slots must be an integer ≥ 1, got ${fmtGot(slots)}.`);
      // One model workspace and one copy of y per slot: the activations of every stage survive until its pullback.
      const wss = Array.from({ length: slots }, workspace);
      const ys = Array.from({ length: slots }, () => new Float64Array(dim));
      const ts = new Float64Array(slots);
      const ps: Float64Array[] = new Array<Float64Array>(slots).fill(scratch);
      const checkSlot = (slot: number): void => {
        if (!(slot >= 0 && slot < slots) || (slot | 0) !== slot) throw new TideError('BAD_ARGUMENT', `${model.name} field: tape slot ${fmtGot(slot)} does not exist; slots are 0 … ${slots - 1}.`);
      };
      return {
        slots,
        eval(slot, out, t, y, params) {
          checkSlot(slot);
          check(y, params, out ?? null);
          ys[slot].set(y); ts[slot] = t; ps[slot] = params;
          apply(out, params, ys[slot], wss[slot], t);
        },
        vjp(slot, dY, dParams, v) {
          checkSlot(slot);
          checkCot(dY, dParams, v);
          return pull(dParams, dY, v, ps[slot], ys[slot], wss[slot], ts[slot]);
        },
      };
    },
  };
}
