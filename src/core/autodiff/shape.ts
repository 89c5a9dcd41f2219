/**
 * Shape ops. `reshape` and `slice` are views: they share the parent's value and grad memory (no copy, and a
 * pullback with nothing to do); `cols` and `concat` copy along the last axis.
 */
import type { Shape, FloatArray } from '../array.ts';
import { shapeSize } from '../array.ts';
import { TideError, fmtShape, fmtGot } from '../errors.ts';
import { Node, activeTracer, checkVar } from './node.ts';
import type { Tracer } from './node.ts';

/** A contiguous range [offset, offset + size) of the parent's flat data, seen with its own shape. */
class ViewNode extends Node {
  readonly op: string;
  private readonly offset: number;
  private src: FloatArray | null = null;
  private gradSrc: FloatArray | null = null;
  constructor(tracer: Tracer, op: string, x: Node, offset: number, shape: Shape) {
    super(tracer, shape, [x], false);
    this.op = op; this.offset = offset;
    this.forward();
  }
  override get gradIsView(): boolean { return true; }
  forward(): void {
    const pv = this.parents[0].value;
    if (pv !== this.src) {
      this.src = pv;
      this.value = this.offset === 0 && this.size === pv.length ? pv : pv.subarray(this.offset, this.offset + this.size);
    }
  }
  override refreshGradView(): void {
    const pg = this.parents[0].grad;
    if (pg !== null && pg !== this.gradSrc) {
      this.gradSrc = pg;
      this.grad = this.offset === 0 && this.size === pg.length ? pg : pg.subarray(this.offset, this.offset + this.size);
    }
  }
  backward(): void { /* the grad is a view of the parent's: contributions already landed there */ }
}

/** The same data with another shape of the same size (a view). */
export function reshape(x: Node, shape: Shape): Node {
  const tracer = activeTracer('reshape');
  checkVar('reshape', 'x', x);
  const n = shapeSize(shape, 'reshape');
  if (n !== x.size) throw new TideError('SHAPE', `reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)} (${n} elements).`);
  return new ViewNode(tracer, 'reshape', x, 0, shape);
}

/**
 * The flat range [offset, offset + prod(shape)) of x, as a Var of `shape` (a view). Typical use: named parameters
 * inside one flat parameter vector, e.g. `slice(p, 0, [])` is the scalar p[0].
 */
export function slice(x: Node, offset: number, shape: Shape | number): Node {
  const tracer = activeTracer('slice');
  checkVar('slice', 'x', x);
  if (typeof offset !== 'number' || !Number.isInteger(offset)) {
    throw new TideError('SHAPE', `slice: offset must be an integer ≥ 0 (a flat index into x), got ${fmtGot(offset)}.`);
  }
  const s = typeof shape === 'number' ? [shape] : shape;
  const n = shapeSize(s, 'slice');
  if (!Number.isInteger(offset) || offset < 0 || offset + n > x.size) {
    throw new TideError('SHAPE', `slice: range [${offset}, ${offset + n}) is outside a Var of ${x.size} elements ${fmtShape(x.shape)}.`, { offset, size: n, available: x.size });
  }
  return new ViewNode(tracer, 'slice', x, offset, s);
}

/** Element i of a flat Var as a scalar Var (a view). */
export const at = (x: Node, i: number): Node => slice(x, i, []);

class ColsNode extends Node {
  readonly op = 'cols';
  private readonly rows: number; private readonly cols: number; private readonly start: number; private readonly count: number;
  constructor(tracer: Tracer, x: Node, start: number, count: number) {
    const last = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count <= 0 || start + count > last) {
      throw new TideError('SHAPE', `cols: columns [${start}, ${start + count}) are outside the last axis (size ${last}) of ${fmtShape(x.shape)}.`);
    }
    const shape = x.shape.length <= 1 ? [count] : [...x.shape.slice(0, -1), count];
    super(tracer, shape, [x]);
    this.rows = x.size / last; this.cols = last; this.start = start; this.count = count;
  }
  forward(): void {
    const x = this.parents[0].value, o = this.value, { rows, cols, start, count } = this;
    for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < count; j++, q++) o[q] = x[i * cols + start + j];
  }
  backward(): void {
    const p = this.parents[0];
    if (!p.needsGrad) return;
    const g = this.grad!, d = p.grad!, { rows, cols, start, count } = this;
    for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < count; j++, q++) d[i * cols + start + j] += g[q];
  }
}

/** Columns [start, start + count) of the last axis (a copy): for a batch y of shape [b, d], `cols(y, 0, 1)` is y[:, 0:1]. */
export function cols(x: Node, start: number, count = 1): Node {
  const tracer = activeTracer('cols');
  checkVar('cols', 'x', x);
  if (typeof start !== 'number' || typeof count !== 'number') {
    throw new TideError('SHAPE', `cols: start and count must be integers (columns [start, start + count) of the last axis), got ${fmtGot(start)} and ${fmtGot(count)}.`);
  }
  return new ColsNode(tracer, x, start, count);
}

class ConcatNode extends Node {
  readonly op = 'concat';
  private readonly rows: number; private readonly widths: number[]; private readonly total: number;
  constructor(tracer: Tracer, xs: Node[]) {
    const lead = xs[0].shape.slice(0, -1);
    const widths: number[] = [];
    for (const x of xs) {
      const s = x.shape;
      const l = s.slice(0, -1);
      if (s.length === 0 || l.length !== lead.length || l.some((d, i) => d !== lead[i])) {
        throw new TideError('SHAPE', `concat: all operands must agree on every axis but the last; got ${xs.map((v) => fmtShape(v.shape)).join(', ')}.`);
      }
      widths.push(s[s.length - 1]);
    }
    const total = widths.reduce((a, b) => a + b, 0);
    super(tracer, [...lead, total], xs);
    this.rows = shapeSize(lead); this.widths = widths; this.total = total;
  }
  forward(): void {
    const o = this.value, { rows, widths, total } = this;
    let off = 0;
    for (let p = 0; p < widths.length; p++) {
      const x = this.parents[p].value, w = widths[p];
      for (let i = 0; i < rows; i++) for (let j = 0; j < w; j++) o[i * total + off + j] = x[i * w + j];
      off += w;
    }
  }
  backward(): void {
    const g = this.grad!, { rows, widths, total } = this;
    let off = 0;
    for (let p = 0; p < widths.length; p++) {
      const par = this.parents[p], w = widths[p];
      if (par.needsGrad) { const d = par.grad!; for (let i = 0; i < rows; i++) for (let j = 0; j < w; j++) d[i * w + j] += g[i * total + off + j]; }
      off += w;
    }
  }
}

/** Concatenates along the last axis: [b, d1] and [b, d2] give [b, d1 + d2]; scalars are treated as [1]. */
export function concat(xs: readonly Node[]): Node {
  const tracer = activeTracer('concat');
  if (!Array.isArray(xs) || xs.length === 0) throw new TideError('BAD_ARGUMENT', `concat: expects a non-empty array of Vars, e.g. concat([a, b]), got ${fmtGot(xs)}.`);
  xs.forEach((x, i) => checkVar('concat', `element ${i}`, x));
  const lifted = xs.map((x) => (x.shape.length === 0 ? reshape(x, [1]) : x));
  return new ConcatNode(tracer, lifted);
}
