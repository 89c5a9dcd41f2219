/** Reductions: sum and mean of all elements, and sums along one axis of a 2-D Var. */
import { TideError, fmtShape, fmtGot } from '../errors.ts';
import { Node, activeTracer, checkVar } from './node.ts';
import type { Tracer } from './node.ts';

class SumNode extends Node {
  readonly op = 'sum';
  private readonly c: number;
  constructor(tracer: Tracer, x: Node, c: number) { super(tracer, [], [x]); this.c = c; }
  forward(): void {
    const x = this.parents[0].value;
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i];
    this.value[0] = this.c * s;
  }
  backward(): void {
    const p = this.parents[0];
    if (!p.needsGrad) return;
    const g = this.c * this.grad![0], d = p.grad!;
    for (let i = 0; i < d.length; i++) d[i] += g;
  }
}

/** Sum of all elements (a scalar). */
export function sum(x: Node): Node {
  const tracer = activeTracer('sum');
  checkVar('sum', 'x', x);
  return new SumNode(tracer, x, 1);
}
/** Mean of all elements (a scalar). */
export function mean(x: Node): Node {
  const tracer = activeTracer('mean');
  checkVar('mean', 'x', x);
  if (x.size === 0) throw new TideError('SHAPE', `mean: x has shape ${fmtShape(x.shape)} with no elements; the mean of nothing is undefined.`);
  return new SumNode(tracer, x, 1 / x.size);
}

class SumAxisNode extends Node {
  readonly op = 'sumAxis';
  private readonly axis: 0 | 1; private readonly rows: number; private readonly cols: number;
  constructor(tracer: Tracer, x: Node, axis: 0 | 1) {
    if (x.shape.length !== 2) throw new TideError('SHAPE', `sumAxis: expects a 2-D Var, got ${fmtShape(x.shape)}.`);
    super(tracer, axis === 0 ? [x.shape[1]] : [x.shape[0]], [x]);
    this.axis = axis; this.rows = x.shape[0]; this.cols = x.shape[1];
  }
  forward(): void {
    const x = this.parents[0].value, o = this.value, { rows, cols } = this;
    o.fill(0);
    if (this.axis === 0) { for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) o[j] += x[i * cols + j]; }
    else { for (let i = 0; i < rows; i++) { let s = 0; for (let j = 0; j < cols; j++) s += x[i * cols + j]; o[i] = s; } }
  }
  backward(): void {
    const p = this.parents[0];
    if (!p.needsGrad) return;
    const g = this.grad!, d = p.grad!, { rows, cols } = this;
    if (this.axis === 0) { for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) d[i * cols + j] += g[j]; }
    else { for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) d[i * cols + j] += g[i]; }
  }
}

/** Sums a 2-D Var over `axis` (0: over rows, giving [cols]; 1: over columns, giving [rows]). */
export function sumAxis(x: Node, axis: 0 | 1): Node {
  const tracer = activeTracer('sumAxis');
  checkVar('sumAxis', 'x', x);
  if (axis !== 0 && axis !== 1) throw new TideError('BAD_ARGUMENT', `sumAxis: axis must be 0 or 1, got ${fmtGot(axis)}.`);
  return new SumAxisNode(tracer, x, axis);
}
