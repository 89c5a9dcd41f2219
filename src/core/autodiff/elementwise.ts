/**
 * Element-wise ops with broadcasting, each with its forward and pullback side by side.
 *
 * Broadcasting (a deliberately small, predictable subset of NumPy's): operands of equal shape; a scalar (one
 * element) with anything; a row [n] or [1, n] with a matrix [..., n]; a column [m, 1] with a matrix [m, n].
 * Every case is a double loop over the output seen as [rows, cols] with per-operand strides (0 where broadcast),
 * and the pullback accumulates through the same strides, which sums over the broadcast axis.
 */
import type { Shape } from '../array.ts';
import { sameShape } from '../array.ts';
import { TideError, fmtShape } from '../errors.ts';
import { Node, ConstNode, activeTracer, checkVar, checkConstant } from './node.ts';
import type { Tracer } from './node.ts';
import { getActivation } from '../kernels/activations.ts';
import type { Activation } from '../kernels/activations.ts';

/** An operand of the binary ops: a Var, or a number (treated as a constant scalar broadcast to the other operand's shape). */
export type Operand = Node | number;

/** Turns a number into a scalar constant node of the active trace. */
export function lift(tracer: Tracer, x: Operand): Node {
  return typeof x === 'number' ? new ConstNode(tracer, [], [x]) : x;
}

interface Layout { shape: Shape; rows: number; cols: number; ar: number; ac: number; br: number; bc: number }

function layoutOf(op: string, a: Node, b: Node): Layout {
  const sa = a.shape, sb = b.shape;
  const matrix = (s: Shape): [number, number] =>
    s.length === 0 ? [1, 1] : [s.slice(0, -1).reduce((x, y) => x * y, 1), s[s.length - 1]];
  if (sameShape(sa, sb) || (a.size === b.size && a.size === 1)) {
    const [r, c] = matrix(sa.length >= sb.length ? sa : sb);
    return { shape: sa.length >= sb.length ? sa : sb, rows: r, cols: c, ar: c, ac: 1, br: c, bc: 1 };
  }
  if (b.size === 1) { const [r, c] = matrix(sa); return { shape: sa, rows: r, cols: c, ar: c, ac: 1, br: 0, bc: 0 }; }
  if (a.size === 1) { const [r, c] = matrix(sb); return { shape: sb, rows: r, cols: c, ar: 0, ac: 0, br: c, bc: 1 }; }
  const [ra, ca] = matrix(sa), [rb, cb] = matrix(sb);
  if (ca === cb && rb === 1 && sb.length <= sa.length) return { shape: sa, rows: ra, cols: ca, ar: ca, ac: 1, br: 0, bc: 1 };
  if (ca === cb && ra === 1 && sa.length <= sb.length) return { shape: sb, rows: rb, cols: cb, ar: 0, ac: 1, br: cb, bc: 1 };
  if (ra === rb && cb === 1 && sa.length === 2 && sb.length === 2) return { shape: sa, rows: ra, cols: ca, ar: ca, ac: 1, br: 1, bc: 0 };
  if (ra === rb && ca === 1 && sa.length === 2 && sb.length === 2) return { shape: sb, rows: rb, cols: cb, ar: 1, ac: 0, br: cb, bc: 1 };
  throw new TideError('SHAPE', `${op}: cannot broadcast ${fmtShape(sa)} with ${fmtShape(sb)}. Supported: equal shapes, a scalar, a row [n] with [m, n], a column [m, 1] with [m, n]. Reshape one operand first.`, { a: [...sa], b: [...sb] });
}

abstract class BinaryNode extends Node {
  protected readonly L: Layout;
  constructor(tracer: Tracer, op: string, a: Node, b: Node) {
    const L = layoutOf(op, a, b);
    super(tracer, L.shape, [a, b]);
    this.L = L;
  }
}

class AddNode extends BinaryNode {
  readonly op = 'add';
  forward(): void {
    const { rows, cols, ar, ac, br, bc } = this.L, a = this.parents[0].value, b = this.parents[1].value, o = this.value;
    if (ar === cols && br === cols && ac === 1 && bc === 1) { for (let i = 0; i < o.length; i++) o[i] = a[i] + b[i]; return; }
    for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) o[q] = a[i * ar + j * ac] + b[i * br + j * bc];
  }
  backward(): void {
    const { rows, cols, ar, ac, br, bc } = this.L, g = this.grad!, pa = this.parents[0], pb = this.parents[1];
    if (pa.needsGrad) { const d = pa.grad!; for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) d[i * ar + j * ac] += g[q]; }
    if (pb.needsGrad) { const d = pb.grad!; for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) d[i * br + j * bc] += g[q]; }
  }
}

class SubNode extends BinaryNode {
  readonly op = 'sub';
  forward(): void {
    const { rows, cols, ar, ac, br, bc } = this.L, a = this.parents[0].value, b = this.parents[1].value, o = this.value;
    for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) o[q] = a[i * ar + j * ac] - b[i * br + j * bc];
  }
  backward(): void {
    const { rows, cols, ar, ac, br, bc } = this.L, g = this.grad!, pa = this.parents[0], pb = this.parents[1];
    if (pa.needsGrad) { const d = pa.grad!; for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) d[i * ar + j * ac] += g[q]; }
    if (pb.needsGrad) { const d = pb.grad!; for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) d[i * br + j * bc] -= g[q]; }
  }
}

class MulNode extends BinaryNode {
  readonly op = 'mul';
  forward(): void {
    const { rows, cols, ar, ac, br, bc } = this.L, a = this.parents[0].value, b = this.parents[1].value, o = this.value;
    for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) o[q] = a[i * ar + j * ac] * b[i * br + j * bc];
  }
  backward(): void {
    const { rows, cols, ar, ac, br, bc } = this.L, g = this.grad!, pa = this.parents[0], pb = this.parents[1];
    const a = pa.value, b = pb.value;
    if (pa.needsGrad) { const d = pa.grad!; for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) d[i * ar + j * ac] += g[q] * b[i * br + j * bc]; }
    if (pb.needsGrad) { const d = pb.grad!; for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) d[i * br + j * bc] += g[q] * a[i * ar + j * ac]; }
  }
}

class DivNode extends BinaryNode {
  readonly op = 'div';
  forward(): void {
    const { rows, cols, ar, ac, br, bc } = this.L, a = this.parents[0].value, b = this.parents[1].value, o = this.value;
    for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) o[q] = a[i * ar + j * ac] / b[i * br + j * bc];
  }
  backward(): void {
    const { rows, cols, ar, ac, br, bc } = this.L, g = this.grad!, pa = this.parents[0], pb = this.parents[1];
    const b = pb.value, o = this.value;
    if (pa.needsGrad) { const d = pa.grad!; for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) d[i * ar + j * ac] += g[q] / b[i * br + j * bc]; }
    // d(a/b)/db = −(a/b)/b = −o/b
    if (pb.needsGrad) { const d = pb.grad!; for (let i = 0, q = 0; i < rows; i++) for (let j = 0; j < cols; j++, q++) { const k = i * br + j * bc; d[k] -= g[q] * o[q] / b[k]; } }
  }
}

function binary(op: string, Ctor: new (t: Tracer, op: string, a: Node, b: Node) => Node, a: Operand, b: Operand): Node {
  const tracer = activeTracer(op);
  if (typeof a === 'number' && typeof b === 'number') {
    throw new TideError('BAD_ARGUMENT', `${op}: both operands are numbers; at least one must be a Var (compute plain numbers with ordinary arithmetic).`);
  }
  if (typeof a === 'number') checkConstant(op, 'the first operand', a); else checkVar(op, 'the first operand', a);
  if (typeof b === 'number') checkConstant(op, 'the second operand', b); else checkVar(op, 'the second operand', b);
  return new Ctor(tracer, op, lift(tracer, a), lift(tracer, b));
}

/** a + b with broadcasting. */
export const add = (a: Operand, b: Operand): Node => binary('add', AddNode, a, b);
/** a − b with broadcasting. */
export const sub = (a: Operand, b: Operand): Node => binary('sub', SubNode, a, b);
/** a · b (element-wise) with broadcasting. */
export const mul = (a: Operand, b: Operand): Node => binary('mul', MulNode, a, b);
/** a / b (element-wise) with broadcasting. */
export const div = (a: Operand, b: Operand): Node => binary('div', DivNode, a, b);

/** Unary element-wise functions: value and derivative in terms of x and y = f(x). */
type UnaryKind = 'neg' | 'exp' | 'log' | 'sin' | 'cos' | 'sqrt' | 'square' | 'cube' | 'abs' | 'reciprocal' | 'pow' | 'scale' | 'shift';

class UnaryNode extends Node {
  readonly op: string;
  private readonly kind: UnaryKind;
  private readonly c: number;
  constructor(tracer: Tracer, kind: UnaryKind, x: Node, c = 0) {
    super(tracer, x.shape, [x]);
    this.kind = kind; this.op = kind; this.c = c;
  }
  forward(): void {
    const x = this.parents[0].value, y = this.value, n = y.length, c = this.c;
    switch (this.kind) {
      case 'neg': for (let i = 0; i < n; i++) y[i] = -x[i]; break;
      case 'exp': for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]); break;
      case 'log': for (let i = 0; i < n; i++) y[i] = Math.log(x[i]); break;
      case 'sin': for (let i = 0; i < n; i++) y[i] = Math.sin(x[i]); break;
      case 'cos': for (let i = 0; i < n; i++) y[i] = Math.cos(x[i]); break;
      case 'sqrt': for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]); break;
      case 'square': for (let i = 0; i < n; i++) y[i] = x[i] * x[i]; break;
      case 'cube': for (let i = 0; i < n; i++) y[i] = x[i] * x[i] * x[i]; break;
      case 'abs': for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]); break;
      case 'reciprocal': for (let i = 0; i < n; i++) y[i] = 1 / x[i]; break;
      case 'pow': for (let i = 0; i < n; i++) y[i] = Math.pow(x[i], c); break;
      case 'scale': for (let i = 0; i < n; i++) y[i] = c * x[i]; break;
      case 'shift': for (let i = 0; i < n; i++) y[i] = x[i] + c; break;
    }
  }
  backward(): void {
    const p = this.parents[0];
    if (!p.needsGrad) return;
    const x = p.value, y = this.value, g = this.grad!, d = p.grad!, n = y.length, c = this.c;
    switch (this.kind) {
      case 'neg': for (let i = 0; i < n; i++) d[i] -= g[i]; break;
      case 'exp': for (let i = 0; i < n; i++) d[i] += g[i] * y[i]; break;
      case 'log': for (let i = 0; i < n; i++) d[i] += g[i] / x[i]; break;
      case 'sin': for (let i = 0; i < n; i++) d[i] += g[i] * Math.cos(x[i]); break;
      case 'cos': for (let i = 0; i < n; i++) d[i] -= g[i] * Math.sin(x[i]); break;
      case 'sqrt': for (let i = 0; i < n; i++) d[i] += g[i] * 0.5 / y[i]; break;
      case 'square': for (let i = 0; i < n; i++) d[i] += 2 * g[i] * x[i]; break;
      case 'cube': for (let i = 0; i < n; i++) d[i] += 3 * g[i] * x[i] * x[i]; break;
      case 'abs': for (let i = 0; i < n; i++) d[i] += x[i] > 0 ? g[i] : x[i] < 0 ? -g[i] : 0; break;
      case 'reciprocal': for (let i = 0; i < n; i++) d[i] -= g[i] * y[i] * y[i]; break;
      case 'pow': for (let i = 0; i < n; i++) d[i] += g[i] * c * Math.pow(x[i], c - 1); break;
      case 'scale': for (let i = 0; i < n; i++) d[i] += c * g[i]; break;
      case 'shift': for (let i = 0; i < n; i++) d[i] += g[i]; break;
    }
  }
}

function unary(kind: UnaryKind, x: Node, c = 0): Node {
  const tracer = activeTracer(kind);
  checkVar(kind, 'x', x);
  return new UnaryNode(tracer, kind, x, c);
}
export const neg = (x: Node): Node => unary('neg', x);
export const exp = (x: Node): Node => unary('exp', x);
export const log = (x: Node): Node => unary('log', x);
export const sin = (x: Node): Node => unary('sin', x);
export const cos = (x: Node): Node => unary('cos', x);
export const sqrt = (x: Node): Node => unary('sqrt', x);
export const square = (x: Node): Node => unary('square', x);
export const cube = (x: Node): Node => unary('cube', x);
export const abs = (x: Node): Node => unary('abs', x);
export const reciprocal = (x: Node): Node => unary('reciprocal', x);
/** x^p for a constant exponent p (x^2 and x^3 have exact fast paths: square, cube). */
export function pow(x: Node, p: number): Node {
  checkConstant('pow', 'the exponent p', p);
  return p === 2 ? square(x) : p === 3 ? cube(x) : unary('pow', x, p);
}
/** c · x for a constant c. */
export function scale(x: Node, c: number): Node { checkConstant('scale', 'the factor c', c); return unary('scale', x, c); }
/** x + c for a constant c. */
export function shift(x: Node, c: number): Node { checkConstant('shift', 'the offset c', c); return unary('shift', x, c); }

class ActivationNode extends Node {
  readonly op: string;
  private readonly act: Activation;
  constructor(tracer: Tracer, act: Activation, x: Node) {
    super(tracer, x.shape, [x]);
    this.act = act; this.op = act.name;
  }
  forward(): void { this.act.forward(this.value, this.parents[0].value); }
  backward(): void {
    const p = this.parents[0];
    if (!p.needsGrad) return;
    // The kernel overwrites; accumulate through a scratch so a Var used twice sums its cotangents.
    const s = this.scratch ??= this.tracer.alloc(this.size);
    this.act.backward(s, this.grad!, p.value, this.value);
    const d = p.grad!;
    for (let i = 0; i < s.length; i++) d[i] += s[i];
  }
  private scratch: import('../array.ts').FloatArray | null = null;
}

/** Applies a named activation ('tanh', 'sigmoid', 'softplus', 'relu', 'gelu', 'gelu-tanh', 'swish', 'identity'). */
export function activation(name: string, x: Node): Node {
  const tracer = activeTracer(typeof name === 'string' ? name : 'activation');
  const act = getActivation(name);
  checkVar(act.name, 'x', x);
  return new ActivationNode(tracer, act, x);
}
export const tanh = (x: Node): Node => activation('tanh', x);
export const sigmoid = (x: Node): Node => activation('sigmoid', x);
export const softplus = (x: Node): Node => activation('softplus', x);
export const relu = (x: Node): Node => activation('relu', x);
export const gelu = (x: Node): Node => activation('gelu', x);
export const swish = (x: Node): Node => activation('swish', x);
