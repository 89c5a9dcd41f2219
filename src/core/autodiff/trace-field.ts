/**
 * A VectorField from a function written with tide ops: `f(t, y, p)` with t a scalar Var, y a Var of the state
 * shape (e.g. [batch, d]) and p the flat parameter Var. Traced once; eval and vjp then run the fixed graph with
 * inputs bound by reference, so a call costs the ops themselves plus a few microseconds at most.
 *
 *   const lv = fieldFromTrace((t, y, p) => {
 *     const u = ops.cols(y, 0), v = ops.cols(y, 1);
 *     const [a, b, c, d] = [0, 1, 2, 3].map((i) => ops.at(p, i));
 *     return ops.concat([ops.sub(ops.mul(a, u), ops.mul(b, ops.mul(u, v))),
 *                        ops.sub(ops.mul(d, ops.mul(u, v)), ops.mul(c, v))]);
 *   }, { shape: [16, 2], paramCount: 4, name: 'lotka-volterra' });
 */
import type { Shape } from '../array.ts';
import { shapeSize, sameShape, describe } from '../array.ts';
import { TideError, fmtShape, fmtGot, checkOptions, checkFunction } from '../errors.ts';
import type { VectorField, FieldTape } from '../field.ts';
import type { Node } from './node.ts';
import { traceAs } from './graph.ts';
import type { Graph } from './graph.ts';

/**
 * Options of {@link fieldFromTrace}; unknown keys throw TideError('BAD_OPTION').
 * @property name the field's name in messages; default 'traced field'.
 */
export interface TraceFieldOptions {
  /** Shape of the state y, e.g. [batch, d]; a number means [n]. */
  shape: Shape | number;
  /** Length of the flat parameter vector (default 0). */
  paramCount?: number;
  name?: string;
}

/** f(t, y, p); it may ignore any of its arguments (their cotangents are then zero). */
export type TracedFieldFunction = (t: Node, y: Node, p: Node) => Node;

/**
 * The VectorField of a traced function; `graph` is exposed for diagnostics.
 * @property graph the traced graph of f(t, y, p) (for diagnostics).
 * @property shape the state's shape as given (a number n becomes [n]).
 */
export interface TracedField extends VectorField {
  readonly graph: Graph;
  tape(slots: number): FieldTape;
  readonly shape: Shape;
  vjp(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array,
    params: Float64Array, fOut?: Float64Array): number;
}

const EXAMPLE = '{ shape: [16, 2], paramCount: 4 }';

/**
 * A {@link VectorField} from f(t, y, p) written with tide ops (see the module header): traced once, then eval and vjp run the fixed graph.
 * @throws TideError('BAD_ARGUMENT') if fn is not a function or options are missing; TideError('BAD_OPTION') / ('SHAPE') for a missing or empty shape, a bad paramCount or name; errors thrown by fn while tracing are re-thrown as USER_FUNCTION with the cause.
 */
export function fieldFromTrace(fn: TracedFieldFunction, options: TraceFieldOptions): TracedField {
  checkFunction('fieldFromTrace', 'f', fn, '(t, y, p) => Var written with tide ops');
  if (options === undefined) {
    throw new TideError('BAD_ARGUMENT', `fieldFromTrace: options with the state's shape are required, e.g. fieldFromTrace(f, ${EXAMPLE}).`);
  }
  checkOptions('fieldFromTrace', options, ['shape', 'paramCount', 'name'], EXAMPLE);
  const { shape: s, paramCount = 0, name = 'traced field' } = options;
  if (s === undefined) throw new TideError('BAD_OPTION', `fieldFromTrace: shape is required (the state's shape, e.g. [16, 2] or 2), as in ${EXAMPLE}.`, { option: 'shape' });
  if (typeof s === 'number' ? !(Number.isInteger(s) && s > 0) : !Array.isArray(s)) {
    throw new TideError('SHAPE', `fieldFromTrace: shape must be a positive integer or an array such as [16, 2], got ${fmtGot(s)}.`, { option: 'shape' });
  }
  if (typeof s !== 'number' && shapeSize(s, 'fieldFromTrace: shape') === 0) {
    throw new TideError('SHAPE', `fieldFromTrace: shape ${fmtShape(s)} has no elements; the state needs at least one.`, { option: 'shape' });
  }
  if (typeof paramCount !== 'number' || !Number.isInteger(paramCount) || paramCount < 0) {
    throw new TideError('SHAPE', `fieldFromTrace: paramCount must be a non-negative integer, got ${fmtGot(paramCount)}.`, { option: 'paramCount' });
  }
  if (typeof name !== 'string') throw new TideError('BAD_OPTION', `fieldFromTrace: name must be a string, got ${fmtGot(name)}.`, { option: 'name' });
  const field = buildField(fn, options) as BuiltField & TracedField;
  // Stage slots: one traced graph per slot, so each keeps its own activations until its pullback.
  field.tape = (slots: number): FieldTape => {
    if (!Number.isInteger(slots) || slots < 1) throw new TideError('BAD_ARGUMENT', `${field.name}.tape: slots must be an integer ≥ 1, got ${fmtGot(slots)}.`);
    const copies = Array.from({ length: slots }, () => buildField(fn, options));
    const ys = Array.from({ length: slots }, () => new Float64Array(field.dim));
    const ts = new Float64Array(slots);
    const checkSlot = (slot: number): void => {
      if (!(slot >= 0 && slot < slots) || (slot | 0) !== slot) throw new TideError('BAD_ARGUMENT', `${field.name}: tape slot ${fmtGot(slot)} does not exist; slots are 0 … ${slots - 1}.`);
    };
    return {
      slots,
      eval(slot, out, t, y, params) {
        checkSlot(slot);
        copies[slot].checkPoint(out, y as Float64Array, params);
        ys[slot].set(y); ts[slot] = t;
        copies[slot].eval(out, t, ys[slot], params);
      },
      vjp(slot, dY, dParams, v) {
        checkSlot(slot);
        copies[slot].checkCotangents(dY, dParams, v);
        return copies[slot].pullbackLast(dY, dParams, v);
      },
    };
  };
  return field;
}

type BuiltField = Omit<TracedField, 'tape'> & {
  tape: TracedField['tape'] | undefined;
  pullbackLast(dY: Float64Array, dParams: Float64Array | null, v: Float64Array): number;
  checkPoint(out: unknown, y: unknown, params: unknown): void;
  checkCotangents(dY: unknown, dParams: unknown, v: unknown): void;
};

function buildField(fn: TracedFieldFunction, options: TraceFieldOptions): BuiltField {
  const shape = typeof options.shape === 'number' ? [options.shape] : [...options.shape];
  const dim = shapeSize(shape, 'fieldFromTrace');
  const paramCount = options.paramCount ?? 0;
  const name = options.name ?? 'traced field';
  const graph = traceAs(`fieldFromTrace (${name})`, 'f', { t: [], y: shape, p: [paramCount] }, ({ t, y, p }) => fn(t, y, p));
  const out = graph.output;
  if (out.size !== dim || !(sameShape(out.shape, shape) || out.shape.length <= 1)) {
    throw new TideError('SHAPE', `fieldFromTrace (${name}): f returned shape ${fmtShape(out.shape)} for y of shape ${fmtShape(shape)}; it must return y's shape.`, { expected: shape, got: [...out.shape] });
  }
  const tIn = graph.input('t'), yIn = graph.input('y'), pIn = graph.input('p');
  const tHolder = tIn.holder;
  // Inputs f does not depend on get no cotangent buffer (their cotangent is zero).
  const tLive = graph.hasGrad('t'), yLive = graph.hasGrad('y'), pLive = graph.hasGrad('p');
  const pScratch = new Float64Array(paramCount);
  const bad = (what: string, a: unknown, n: number, hint: string): TideError => (a instanceof Float64Array
    ? new TideError('SHAPE', `${name}: ${what} has length ${a.length}; ${hint} (${n}).`, { name: what, expected: n, got: a.length })
    : new TideError('DTYPE', `${name}: ${what} must be a Float64Array of length ${n}, got ${describe(a)}.`, { name: what }));
  // Hot path: comparisons only; the messages are built on failure.
  const checkPoint = (o: unknown, y: unknown, params: unknown): void => {
    if (!(y instanceof Float64Array) || y.length !== dim) throw bad('y', y, dim, `the field was traced for shape ${fmtShape(shape)}`);
    if (!(params instanceof Float64Array) || params.length !== paramCount) throw bad('params', params, paramCount, 'the field expects paramCount');
    if (o !== undefined && (!(o instanceof Float64Array) || o.length !== dim)) throw bad('out', o, dim, `f has the state's shape ${fmtShape(shape)}`);
  };
  const checkCotangents = (dY: unknown, dParams: unknown, v: unknown): void => {
    if (!(dY instanceof Float64Array) || dY.length !== dim) throw bad('dY', dY, dim, `it receives (∂f/∂y)ᵀv for y of shape ${fmtShape(shape)}`);
    if (!(v instanceof Float64Array) || v.length !== dim) throw bad('v', v, dim, `the cotangent of f has the state's shape ${fmtShape(shape)}`);
    if (dParams !== null && (!(dParams instanceof Float64Array) || dParams.length !== paramCount)) throw bad('dParams', dParams, paramCount, 'it accumulates (∂f/∂p)ᵀv, one entry per parameter (or pass null)');
  };
  const bindInputs = (t: number, y: Float64Array, params: Float64Array): void => {
    tHolder[0] = t;
    yIn.value = y;
    pIn.value = params;
  };
  return {
    dim, paramCount, name, graph, shape, tape: undefined, checkPoint, checkCotangents,
    eval(outArr: Float64Array, t: number, y: Float64Array, params: Float64Array): void {
      checkPoint(outArr ?? null, y, params);
      bindInputs(t, y, params);
      outArr.set(graph.run());
    },
    vjp(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array,
      params: Float64Array, fOut?: Float64Array): number {
      checkPoint(fOut, y, params);
      checkCotangents(dY, dParams, v);
      bindInputs(t, y, params);
      const f = graph.run();
      if (fOut !== undefined) fOut.set(f);
      return pullbackLast(dY, dParams, v);
    },
    pullbackLast,
  };
  /** Pullback at the inputs of the last run (eval or vjp). */
  function pullbackLast(dY: Float64Array, dParams: Float64Array | null, v: Float64Array): number {
      // y's cotangent is written straight into dY (zeroed: vjp overwrites dY); params' accumulate into dParams.
      dY.fill(0);
      if (yLive) graph.bindGrad('y', dY);
      if (pLive) {
        if (dParams !== null) graph.bindGrad('p', dParams);
        else { pScratch.fill(0); graph.bindGrad('p', pScratch); }
      }
      graph.backward(v);
      return tLive ? graph.grad('t')[0] : 0;
  }
}
