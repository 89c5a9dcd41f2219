/**
 * Nodes of a traced computation graph (reverse-mode autodiff).
 *
 * tide's autodiff traces a function once for given input shapes, building a static list of nodes with their
 * value buffers preallocated; the resulting `Graph` then runs forward and backward any number of times with no
 * allocation (inputs are bound by reference). This is how a user-written vector field is called millions of times
 * inside a solver at microsecond overhead. Each op keeps its forward and its pullback side by side.
 *
 * A node's `value` is its output buffer; `grad` (when the node needs a gradient) receives the cotangent of the
 * loss with respect to `value`. `backward()` reads `grad` and ACCUMULATES into its parents' `grad` buffers
 * (only for parents with needsGrad), so a node used twice receives the sum of both contributions.
 */
import type { FloatArray, Shape, DType } from '../array.ts';
import { allocate, shapeSize } from '../array.ts';
import { TideError, fmtShape, fmtGot } from '../errors.ts';

/** The tracer that ops register their nodes with while a function is being traced. */
export class Tracer {
  readonly nodes: Node[] = [];
  readonly dtype: DType;
  constructor(dtype: DType) { this.dtype = dtype; }
  alloc(n: number): FloatArray { return allocate(this.dtype, n); }
}

let current: Tracer | null = null;

/** The active tracer; ops called outside `trace`/`vjp` get a clear error. */
export function activeTracer(op: string): Tracer {
  if (current === null) {
    throw new TideError('BAD_ARGUMENT', `${op}: tide ops build a graph and can only be called inside trace(...), vjp(...) or fieldFromTrace(...) with the Var arguments they pass you.`);
  }
  return current;
}

/** Runs `fn` with `tracer` active (nesting restores the outer tracer). */
export function withTracer<T>(tracer: Tracer, fn: () => T): T {
  const prev = current;
  current = tracer;
  try { return fn(); } finally { current = prev; }
}

/**
 * A symbolic tensor inside a traced graph. Build with the functions of `ops`; never construct directly.
 * @property shape the tensor's shape (frozen).
 * @property size number of elements (the shape's product).
 * @property parents the nodes this one is computed from.
 * @property needsGrad whether a requested input influences this node (only such nodes get a cotangent).
 */
export abstract class Node {
  readonly shape: Shape;
  readonly size: number;
  readonly parents: readonly Node[];
  /** @internal The trace this node belongs to. */
  readonly tracer: Tracer;
  /** Output buffer (owned, or a view of a parent's for reshape/slice). */
  value: FloatArray;
  /** Cotangent buffer; null when no requested input influences this node. */
  grad: FloatArray | null = null;
  needsGrad = false;
  /** Op name, for messages. */
  abstract readonly op: string;

  /** @internal Nodes are made by the ops of a trace, never directly. */
  constructor(tracer: Tracer, shape: Shape, parents: readonly Node[], ownValue = true) {
    for (const p of parents) {
      if (!(p instanceof Node)) throw new TideError('BAD_ARGUMENT', `tide ops: an operand is ${fmtGot(p)}, not a Var; pass the Vars the traced function receives or that ops return.`);
      if (p.tracer !== tracer) {
        throw new TideError('BAD_ARGUMENT', `tide ops: a Var from another trace was used here; every Var must come from the function being traced (do not keep Vars between traces).`);
      }
    }
    this.tracer = tracer;
    this.shape = Object.freeze([...shape]);
    this.size = shapeSize(shape);
    this.parents = parents;
    this.value = ownValue ? tracer.alloc(this.size) : (parents.length > 0 ? parents[0].value : tracer.alloc(this.size));
    tracer.nodes.push(this);
  }

  /** Computes value from the parents' values. */
  abstract forward(): void;
  /** Adds this node's contribution to the parents' grads (parents without needsGrad are skipped). */
  abstract backward(): void;
  /** Views (reshape/slice) share their parent's grad memory: they set `grad` here and have nothing to accumulate. */
  get gradIsView(): boolean { return false; }
  /** Called before each backward pass for view nodes, to (re)derive grad views after rebinding. */
  refreshGradView(): void { /* owned grads: nothing to do */ }
  /** Called before each forward pass of view nodes is not needed: forward() re-derives the value view. */

  toString(): string { return `Var(${this.op}, ${fmtShape(this.shape)})`; }
}

/** The public name of a traced tensor. */
export type Var = Node;

/**
 * A graph input: bound by reference to the caller's array on every run.
 * @property name the input's name, as given to trace.
 */
export class InputNode extends Node {
  readonly op = 'input';
  readonly name: string;
  /** Holder used when a number is bound (scalars such as t). */
  readonly holder: FloatArray;
  /** @internal Made by trace for each named input. */
  constructor(tracer: Tracer, name: string, shape: Shape) {
    super(tracer, shape, [], true);
    this.name = name;
    this.holder = this.value;
  }
  forward(): void { /* bound from outside */ }
  backward(): void { /* leaf */ }
}

/** A constant captured at trace time (copied, so later changes to the source do not leak in). */
export class ConstNode extends Node {
  readonly op = 'const';
  constructor(tracer: Tracer, shape: Shape, data: ArrayLike<number>) {
    super(tracer, shape, [], true);
    for (let i = 0; i < this.size; i++) this.value[i] = data[i];
  }
  forward(): void { /* fixed */ }
  backward(): void { /* constant */ }
}

/**
 * Throws a clear error unless `x` is a Var (trace time only, never in a running graph): `${op}: x must be a Var …`.
 * Numbers get a hint to use ops.constant or an op that takes numbers.
 */
export function checkVar(op: string, what: string, x: unknown): asserts x is Node {
  if (x instanceof Node) return;
  const hint = typeof x === 'number' ? ' Wrap a number with ops.constant(x), or use ops.scale / ops.shift / a binary op, which take numbers.'
    : Array.isArray(x) || ArrayBuffer.isView(x) ? ' Arrays enter a graph as inputs of trace(...) or as ops.constant(values).'
      : '';
  throw new TideError('BAD_ARGUMENT', `${op}: ${what} must be a Var (an argument of the traced function or the result of an op), got ${fmtGot(x)}.${hint}`, { op, argument: what });
}

/** Throws unless `c` is a finite number (constants folded into an op: pow's exponent, scale's factor, …). */
export function checkConstant(op: string, what: string, c: unknown): asserts c is number {
  if (typeof c === 'number' && c - c === 0) return;
  throw new TideError(typeof c === 'number' ? 'NONFINITE' : 'BAD_ARGUMENT',
    `${op}: ${what} must be a finite number, got ${fmtGot(c)}.${typeof c === 'number' ? ' A non-finite constant would make every output NaN or Infinity.' : ''}`, { op, argument: what });
}
