/**
 * Saving and loading parameters as JSON with names, shapes and dtype:
 *   { "format": "tide-params", "version": 1, "model": "chain(...)", "dtype": "float64", "paramCount": 252,
 *     "blocks": [{ "name": "layers.0.weight", "shape": [50, 2], "values": [...] }, ...] }
 * Values are written with full float64 round-trip precision (JSON numbers). Loading checks every name and shape.
 */
import type { FloatArray } from '../core/array.ts';
import { shapeSize, sameShape } from '../core/array.ts';
import { TideError, fmtShape } from '../core/errors.ts';
import type { Model } from './model.ts';

export interface ParamsJson {
  format: 'tide-params';
  version: 1;
  model: string;
  dtype: 'float64' | 'float32';
  paramCount: number;
  blocks: Array<{ name: string; shape: number[]; values: number[] }>;
}

/** The parameters of `model` as a plain JSON object (stringify it to save). */
export function paramsToJson(model: Pick<Model, 'name' | 'paramCount' | 'paramNames' | 'dtype'>, params: Readonly<FloatArray>): ParamsJson {
  if (params.length !== model.paramCount) throw new TideError('SHAPE', `saveParams: params has ${params.length} entries; ${model.name} has ${model.paramCount}.`);
  return {
    format: 'tide-params', version: 1, model: model.name, dtype: model.dtype, paramCount: model.paramCount,
    blocks: model.paramNames.map((b) => {
      const n = shapeSize(b.shape);
      return { name: b.name, shape: [...b.shape], values: Array.from(params.subarray(b.offset, b.offset + n)) };
    }),
  };
}

/** JSON text of the parameters. */
export function saveParams(model: Pick<Model, 'name' | 'paramCount' | 'paramNames' | 'dtype'>, params: Readonly<FloatArray>): string {
  return JSON.stringify(paramsToJson(model, params));
}

/**
 * Reads parameters saved by saveParams into a new array of the model's dtype. Throws naming the block whose
 * name or shape differs from what the model expects.
 */
export function loadParams(model: Pick<Model, 'name' | 'paramCount' | 'paramNames' | 'dtype'>, json: string | ParamsJson): FloatArray {
  let data: ParamsJson;
  try { data = typeof json === 'string' ? JSON.parse(json) as ParamsJson : json; } catch (e) {
    throw new TideError('PARSE', `loadParams: the text is not valid JSON (${(e as Error).message}).`);
  }
  if (data === null || typeof data !== 'object' || data.format !== 'tide-params' || !Array.isArray(data.blocks)) {
    throw new TideError('PARSE', `loadParams: not a tide parameter file (expected an object with format 'tide-params' and blocks).`);
  }
  const expected = model.paramNames;
  const byName = new Map(data.blocks.map((b) => [b.name, b]));
  const out = model.dtype === 'float32' ? new Float32Array(model.paramCount) : new Float64Array(model.paramCount);
  for (const b of expected) {
    const got = byName.get(b.name);
    if (got === undefined) {
      throw new TideError('SHAPE', `loadParams: the file has no block '${b.name}' (shape ${fmtShape(b.shape)}) that ${model.name} needs. The file holds: ${data.blocks.map((x) => x.name).join(', ')} (saved from ${data.model}).`, { missing: b.name });
    }
    if (!Array.isArray(got.shape) || !sameShape(got.shape, b.shape)) {
      throw new TideError('SHAPE', `loadParams: block '${b.name}' has shape ${fmtShape(got.shape ?? [])} in the file; ${model.name} expects ${fmtShape(b.shape)}. The file was saved from ${data.model}.`, { name: b.name, expected: [...b.shape], got: got.shape });
    }
    const n = shapeSize(b.shape);
    if (!Array.isArray(got.values) || got.values.length !== n) {
      throw new TideError('SHAPE', `loadParams: block '${b.name}' has ${got.values?.length ?? 0} values; its shape ${fmtShape(b.shape)} needs ${n}.`);
    }
    for (let i = 0; i < n; i++) {
      const v = got.values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TideError('NONFINITE', `loadParams: block '${b.name}' value ${i} is ${String(v)}; parameters must be finite numbers.`);
      out[b.offset + i] = v;
    }
  }
  if (data.blocks.length !== expected.length) {
    const extra = data.blocks.filter((x) => !expected.some((b) => b.name === x.name)).map((x) => x.name);
    throw new TideError('SHAPE', `loadParams: the file has blocks ${model.name} does not have: ${extra.join(', ')}. Load it into the model it was saved from (${data.model}).`, { extra });
  }
  return out;
}
