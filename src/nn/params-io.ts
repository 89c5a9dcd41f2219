/**
 * Saving and loading parameters as JSON with names, shapes and dtype:
 *   { "format": "tide-params", "version": 1, "model": "chain(...)", "dtype": "float64", "paramCount": 252,
 *     "blocks": [{ "name": "layers.0.weight", "shape": [50, 2], "values": [...] }, ...] }
 * Values are written with full float64 round-trip precision (JSON numbers). Loading checks every name and shape.
 */
import type { FloatArray } from '../core/array.ts';
import { shapeSize, sameShape, describe } from '../core/array.ts';
import { TideError, fmtShape, fmtGot, firstNonFinite } from '../core/errors.ts';
import type { Model } from './model.ts';

/**
 * The JSON form of a parameter vector written by {@link saveParams} / {@link paramsToJson}: one entry per named
 * block, `{ name, shape, values }` (values row-major, as plain numbers), plus what loadParams checks against the model.
 * @property format always 'tide-params'.
 * @property version format version, 1.
 * @property model the model's name when it was saved.
 * @property dtype the model's element type.
 * @property paramCount length of the flat parameter vector.
 * @property blocks the named blocks, in order.
 */
export interface ParamsJson {
  format: 'tide-params';
  version: 1;
  model: string;
  dtype: 'float64' | 'float32';
  paramCount: number;
  blocks: Array<{ name: string; shape: number[]; values: number[] }>;
}

type Described = Pick<Model, 'name' | 'paramCount' | 'paramNames' | 'dtype'>;

function checkDescribed(where: string, model: unknown): asserts model is Described {
  const m = model as Partial<Described> | null;
  if (m === null || typeof m !== 'object' || !Number.isInteger(m.paramCount) || !Array.isArray(m.paramNames)) {
    throw new TideError('BAD_ARGUMENT', `${where}: the first argument must be the model (such as mlp([2, 50, 2])), whose paramNames name the blocks, got ${fmtGot(model)}.`);
  }
}

function toJson(where: string, model: Described, params: Readonly<FloatArray>): ParamsJson {
  checkDescribed(where, model);
  if (!(params instanceof Float64Array) && !(params instanceof Float32Array)) {
    throw new TideError('DTYPE', `${where}: params must be a Float64Array (or Float32Array) of length ${model.paramCount}, got ${describe(params)}.${Array.isArray(params) ? ' Use Float64Array.from(...).' : ''}`);
  }
  if (params.length !== model.paramCount) throw new TideError('SHAPE', `${where}: params has ${params.length} entries; ${model.name} has ${model.paramCount}.`, { expected: model.paramCount, got: params.length });
  const i = firstNonFinite(params);
  if (i >= 0) {
    throw new TideError('NONFINITE', `${where}: params[${i}] is ${params[i]}; only finite parameters can be saved (JSON has no NaN or Infinity). Training diverged: save an earlier checkpoint.`, { index: i });
  }
  return {
    format: 'tide-params', version: 1, model: model.name, dtype: model.dtype, paramCount: model.paramCount,
    blocks: model.paramNames.map((b) => {
      const n = shapeSize(b.shape);
      return { name: b.name, shape: [...b.shape], values: Array.from(params.subarray(b.offset, b.offset + n)) };
    }),
  };
}

/** The parameters of `model` as a plain JSON object (stringify it to save). */
export function paramsToJson(model: Described, params: Readonly<FloatArray>): ParamsJson {
  return toJson('paramsToJson', model, params);
}

/** JSON text of the parameters. */
export function saveParams(model: Described, params: Readonly<FloatArray>): string {
  return JSON.stringify(toJson('saveParams', model, params));
}

/**
 * Reads parameters saved by saveParams into a new array of the model's dtype. Throws naming the block whose
 * name or shape differs from what the model expects, and for a file of another format version, dtype or paramCount.
 */
export function loadParams(model: Described, json: string | ParamsJson): FloatArray {
  checkDescribed('loadParams', model);
  let data: ParamsJson;
  try { data = typeof json === 'string' ? JSON.parse(json) as ParamsJson : json; } catch (e) {
    throw new TideError('PARSE', `loadParams: the text is not valid JSON (${(e as Error).message}).`);
  }
  if (data === null || typeof data !== 'object' || data.format !== 'tide-params' || !Array.isArray(data.blocks)) {
    throw new TideError('PARSE', `loadParams: not a tide parameter file (expected an object with format 'tide-params' and blocks), got ${fmtGot(data)}.`);
  }
  if (data.version !== 1) {
    throw new TideError('PARSE', `loadParams: the file has format version ${fmtGot(data.version)}; this tide reads version 1. Save it again with this version's saveParams.`, { version: data.version });
  }
  if (data.dtype !== 'float64' && data.dtype !== 'float32') {
    throw new TideError('DTYPE', `loadParams: the file's dtype is ${fmtGot(data.dtype)}; tide parameter files are 'float64' or 'float32'. The file is damaged or was not written by saveParams.`, { dtype: data.dtype });
  }
  data.blocks.forEach((b, i) => {
    if (b === null || typeof b !== 'object' || typeof b.name !== 'string') {
      throw new TideError('PARSE', `loadParams: blocks[${i}] is ${fmtGot(b)}; every block must be { name, shape, values }.`, { index: i });
    }
  });
  const expected = model.paramNames;
  const byName = new Map<string, ParamsJson['blocks'][number]>();
  for (const b of data.blocks) {
    if (byName.has(b.name)) throw new TideError('PARSE', `loadParams: the file has two blocks called '${b.name}'; block names must be unique.`, { name: b.name });
    byName.set(b.name, b);
  }
  const out = model.dtype === 'float32' ? new Float32Array(model.paramCount) : new Float64Array(model.paramCount);
  for (const b of expected) {
    const got = byName.get(b.name);
    if (got === undefined) {
      throw new TideError('SHAPE', `loadParams: the file has no block '${b.name}' (shape ${fmtShape(b.shape)}) that ${model.name} needs. The file holds: ${data.blocks.map((x) => x.name).join(', ')} (saved from ${data.model}).`, { missing: b.name });
    }
    if (!Array.isArray(got.shape) || !sameShape(got.shape, b.shape)) {
      throw new TideError('SHAPE', `loadParams: block '${b.name}' has shape ${Array.isArray(got.shape) ? fmtShape(got.shape) : fmtGot(got.shape)} in the file; ${model.name} expects ${fmtShape(b.shape)}. The file was saved from ${data.model}.`, { name: b.name, expected: [...b.shape], got: got.shape });
    }
    const n = shapeSize(b.shape);
    if (!Array.isArray(got.values) || got.values.length !== n) {
      throw new TideError('SHAPE', `loadParams: block '${b.name}' has ${Array.isArray(got.values) ? got.values.length : 0} values; its shape ${fmtShape(b.shape)} needs ${n}.`);
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
  // Blocks first (their messages are more specific); a paramCount that disagrees with matching blocks means a damaged file.
  if (data.paramCount !== model.paramCount) {
    throw new TideError('SHAPE', `loadParams: the file has paramCount ${fmtGot(data.paramCount)} (saved from ${data.model}); ${model.name} has ${model.paramCount} parameters. Load it into the model it was saved from.`, { expected: model.paramCount, got: data.paramCount });
  }
  return out;
}
