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
import { shapeSize, sameShape } from '../array.ts';
import { TideError, fmtShape } from '../errors.ts';
import type { VectorField, FieldTape } from '../field.ts';
import type { Node } from './node.ts';
import { trace } from './graph.ts';
import type { Graph } from './graph.ts';

export interface TraceFieldOptions {
  /** Shape of the state y, e.g. [batch, d]; a number means [n]. */
  shape: Shape | number;
  /** Length of the flat parameter vector (default 0). */
  paramCount?: number;
  name?: string;
}

export type TracedFieldFunction = (t: Node, y: Node, p: Node) => Node;

/** The VectorField of a traced function; `graph` is exposed for diagnostics. */
export interface TracedField extends VectorField {
  readonly graph: Graph;
  tape(slots: number): FieldTape;
  readonly shape: Shape;
  vjp(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array,
    params: Float64Array, fOut?: Float64Array): number;
}

export function fieldFromTrace(fn: TracedFieldFunction, options: TraceFieldOptions): TracedField {
  const field = buildField(fn, options) as BuiltField & TracedField;
  // Stage slots: one traced graph per slot, so each keeps its own activations until its pullback.
  field.tape = (slots: number): FieldTape => {
    const copies = Array.from({ length: slots }, () => buildField(fn, options));
    const ys = Array.from({ length: slots }, () => new Float64Array(field.dim));
    const ts = new Float64Array(slots);
    return {
      slots,
      eval(slot, out, t, y, params) {
        ys[slot].set(y); ts[slot] = t;
        copies[slot].eval(out, t, ys[slot], params);
      },
      vjp(slot, dY, dParams, v) { return copies[slot].pullbackLast(dY, dParams, v); },
    };
  };
  return field;
}

type BuiltField = Omit<TracedField, 'tape'> & { tape: TracedField['tape'] | undefined; pullbackLast(dY: Float64Array, dParams: Float64Array | null, v: Float64Array): number };

function buildField(fn: TracedFieldFunction, options: TraceFieldOptions): BuiltField {
  const shape = typeof options.shape === 'number' ? [options.shape] : [...options.shape];
  const dim = shapeSize(shape, 'fieldFromTrace');
  const paramCount = options.paramCount ?? 0;
  const name = options.name ?? 'traced field';
  if (!Number.isInteger(paramCount) || paramCount < 0) throw new TideError('SHAPE', `fieldFromTrace: paramCount must be a non-negative integer, got ${paramCount}.`);
  const graph = trace({ t: [], y: shape, p: [paramCount] }, ({ t, y, p }) => fn(t, y, p));
  const out = graph.output;
  if (out.size !== dim || !(sameShape(out.shape, shape) || out.shape.length <= 1)) {
    throw new TideError('SHAPE', `fieldFromTrace (${name}): f returned shape ${fmtShape(out.shape)} for y of shape ${fmtShape(shape)}; it must return y's shape.`, { expected: shape, got: [...out.shape] });
  }
  const tIn = graph.input('t'), yIn = graph.input('y'), pIn = graph.input('p');
  const tHolder = tIn.holder;
  // Inputs f does not depend on get no cotangent buffer (their cotangent is zero).
  const tLive = graph.hasGrad('t'), yLive = graph.hasGrad('y'), pLive = graph.hasGrad('p');
  const pScratch = new Float64Array(paramCount);
  const bindInputs = (t: number, y: Float64Array, params: Float64Array): void => {
    if (y.length !== dim) throw new TideError('SHAPE', `${name}: y has length ${y.length}; the field was traced for shape ${fmtShape(shape)} (${dim}).`);
    if (params.length !== paramCount) throw new TideError('SHAPE', `${name}: params has length ${params.length}; the field expects ${paramCount}.`);
    tHolder[0] = t;
    yIn.value = y;
    pIn.value = params;
  };
  return {
    dim, paramCount, name, graph, shape, tape: undefined,
    eval(outArr: Float64Array, t: number, y: Float64Array, params: Float64Array): void {
      bindInputs(t, y, params);
      outArr.set(graph.run());
    },
    vjp(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array,
      params: Float64Array, fOut?: Float64Array): number {
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
