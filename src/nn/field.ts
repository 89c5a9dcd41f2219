/**
 * A neural ODE vector field straight from a model: f(t, y, params) = model(y; params, t) on a batch of states
 * y [batch, d] (flattened), d = model.inDim = model.outDim. This bypasses the graph (one model call per evaluation),
 * the fastest route for a pure network field. For hybrid fields (physics + network) use fieldFromTrace with ops.model.
 */
import { TideError } from '../core/errors.ts';
import type { VectorField, FieldTape } from '../core/field.ts';
import type { Model, ModelWorkspace } from './model.ts';

export interface ModelField extends VectorField {
  readonly model: Model;
  readonly batch: number;
  vjp(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array,
    params: Float64Array, fOut?: Float64Array): number;
}

export function fieldFromModel(model: Model, batch = 1): ModelField {
  if (model.inDim !== model.outDim) {
    throw new TideError('SHAPE', `fieldFromModel: ${model.name} maps ${model.inDim} to ${model.outDim} dimensions; an ODE field must map the state to its own size (inDim = outDim).`);
  }
  if (model.dtype !== 'float64') throw new TideError('DTYPE', `fieldFromModel: ${model.name} is ${model.dtype}; solvers run in float64. Build the model with dtype 'float64'.`);
  if (!Number.isInteger(batch) || batch <= 0) throw new TideError('SHAPE', `fieldFromModel: batch must be a positive integer, got ${batch}.`);
  const ws: ModelWorkspace = model.workspace(batch);
  const dim = batch * model.inDim;
  const scratch = new Float64Array(dim);
  const check = (y: Float64Array): void => {
    if (y.length !== dim) throw new TideError('SHAPE', `${model.name} field: y has length ${y.length}; expected batch ${batch} × ${model.inDim} = ${dim}.`);
  };
  return {
    dim, paramCount: model.paramCount, name: model.name, model, batch,
    eval(out: Float64Array, t: number, y: Float64Array, params: Float64Array): void {
      check(y);
      model.apply(out, params, y, ws, t);
    },
    vjp(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array,
      params: Float64Array, fOut?: Float64Array): number {
      check(y);
      model.apply(fOut ?? scratch, params, y, ws, t);
      return model.vjp(dParams, dY, v, params, y, ws, t);
    },
    tape(slots: number): FieldTape {
      // One model workspace and one copy of y per slot: the activations of every stage survive until its pullback.
      const wss = Array.from({ length: slots }, () => model.workspace(batch));
      const ys = Array.from({ length: slots }, () => new Float64Array(dim));
      const ts = new Float64Array(slots);
      const ps: Float64Array[] = new Array<Float64Array>(slots).fill(scratch);
      return {
        slots,
        eval(slot, out, t, y, params) {
          check(y as Float64Array);
          ys[slot].set(y); ts[slot] = t; ps[slot] = params;
          model.apply(out, params, ys[slot], wss[slot], t);
        },
        vjp(slot, dY, dParams, v) {
          return model.vjp(dParams, dY, v, ps[slot], ys[slot], wss[slot], ts[slot]);
        },
      };
    },
  };
}
