/**
 * Tracing and running graphs: `trace` records a function of named inputs once, for fixed shapes, into a
 * `Graph` whose forward and backward passes then run any number of times without allocating.
 *
 *   const g = trace({ x: [16, 2], p: [8] }, ({ x, p }) => ops.sum(ops.tanh(ops.matmul(x, ops.slice(p, 0, [2, 4])))));
 *   g.bind('x', xs); g.bind('p', params); g.run();          // forward: g.value
 *   g.backward(1);                                          // cotangents: g.grad('x'), g.grad('p')
 *
 * Inputs are bound by reference (no copy): a bound array must not be modified between run() and backward().
 * Control flow in the traced function is fixed at trace time (it may depend on shapes, not on values).
 */
import type { DType, FloatArray, Shape } from '../array.ts';
import { NDArray, allocate, describe, dtypeOf, shapeSize } from '../array.ts';
import { TideError, fmtShape, fmtGot, didYouMean, checkOptions, checkFunction, firstNonFinite, rethrowUser } from '../errors.ts';
import { InputNode, Node, Tracer, withTracer } from './node.ts';

/** Options of {@link trace}; unknown keys throw TideError('BAD_OPTION'). */
export interface TraceOptions {
  /** Element type of every buffer in the graph (default 'float64'); bound inputs must match. */
  dtype?: DType;
  /** Inputs to differentiate with respect to (default: all). Others get no grad and cost nothing backward. */
  wrt?: readonly string[];
}

/**
 * A traced function, compiled once for fixed shapes: bind inputs, `run()` the forward, `backward(dOut)` the pullback,
 * read `value` and `grad(name)`. Neither pass allocates. Made by {@link trace}.
 * @property dtype element type of every buffer in the graph.
 * @property output the output node; its value holds the result after run().
 */
export class Graph {
  readonly dtype: DType;
  readonly output: Node;
  private readonly inputMap: Map<string, InputNode>;
  private readonly forwardNodes: Node[];
  private readonly backwardNodes: Node[];
  private readonly viewNodes: Node[];
  private readonly ownedGrads: FloatArray[];
  private readonly ownInputGrads = new Map<InputNode, FloatArray>();

  /** @internal Graphs are built by trace (or vjp, fieldFromTrace). */
  constructor(tracer: Tracer, inputs: Map<string, InputNode>, output: Node, wrt: ReadonlySet<string>) {
    if (!(tracer instanceof Tracer) || !(inputs instanceof Map) || !(output instanceof Node)) {
      throw new TideError('BAD_ARGUMENT', 'Graph: graphs are built by trace(shapes, fn) (or vjp, fieldFromTrace); the constructor is internal.');
    }
    this.dtype = tracer.dtype;
    this.output = output;
    this.inputMap = inputs;
    const nodes = tracer.nodes;
    // Keep only the nodes the output depends on (nodes are created in topological order).
    const live = new Set<Node>([output]);
    for (let i = nodes.length - 1; i >= 0; i--) if (live.has(nodes[i])) for (const p of nodes[i].parents) live.add(p);
    for (const [name, node] of inputs) node.needsGrad = wrt.has(name) && live.has(node);
    this.forwardNodes = []; this.backwardNodes = []; this.viewNodes = []; this.ownedGrads = [];
    for (const node of nodes) {
      if (!live.has(node)) continue;
      if (!(node instanceof InputNode)) {
        node.needsGrad = node.parents.some((p) => p.needsGrad);
        if (node.op !== 'const') this.forwardNodes.push(node);
      }
      if (!node.needsGrad) continue;
      if (node.gradIsView) this.viewNodes.push(node);
      else { node.grad = tracer.alloc(node.size); this.ownedGrads.push(node.grad); }
    }
    for (let i = this.forwardNodes.length - 1; i >= 0; i--) {
      const n = this.forwardNodes[i];
      if (n.needsGrad && !n.gradIsView) this.backwardNodes.push(n);
    }
  }

  /** Names of the inputs, in trace order. */
  get inputNames(): string[] { return [...this.inputMap.keys()]; }

  /** The input node called `name` (for hot loops that bind by assigning `node.value`). */
  input(name: string): InputNode {
    const n = this.inputMap.get(name);
    if (n === undefined) {
      const hint = typeof name === 'string' ? didYouMean(name, this.inputNames) : undefined;
      throw new TideError('UNKNOWN_NAME', `Graph: no input called ${typeof name === 'string' ? `'${name}'` : fmtGot(name)}. Inputs: ${this.inputNames.join(', ')}.${hint ? ` Did you mean '${hint}'?` : ''}`, { name, valid: this.inputNames });
    }
    return n;
  }

  /** Binds an input to an array (by reference) or a number (scalar inputs). */
  bind(name: string, value: FloatArray | number): this {
    const node = this.input(name);
    if (typeof value === 'number') {
      if (node.size !== 1) throw new TideError('SHAPE', `Graph.bind: input '${name}' has shape ${fmtShape(node.shape)}; a number fits only a scalar input.`);
      node.holder[0] = value;
      node.value = node.holder;
      return this;
    }
    if (!(value instanceof Float64Array || value instanceof Float32Array) || dtypeOf(value) !== this.dtype) {
      throw new TideError('DTYPE', `Graph.bind: input '${name}' must be a ${this.dtype === 'float64' ? 'Float64Array' : 'Float32Array'} (the graph's dtype is ${this.dtype}), got ${describe(value)}.`);
    }
    if (value.length !== node.size) {
      throw new TideError('SHAPE', `Graph.bind: input '${name}' has ${value.length} elements; the graph was traced for shape ${fmtShape(node.shape)} (${node.size} elements). Trace again for other shapes.`, { expected: node.size, got: value.length });
    }
    node.value = value;
    return this;
  }

  /**
   * Makes the cotangent of input `name` accumulate straight into `buffer` (not zeroed by backward; the caller
   * zeroes or keeps it). Pass null to return to the graph's own buffer.
   */
  bindGrad(name: string, buffer: FloatArray | null): this {
    const node = this.input(name);
    if (buffer !== null && node.grad === buffer) return this;
    if (buffer !== null && (!(buffer instanceof Float64Array || buffer instanceof Float32Array) || dtypeOf(buffer) !== this.dtype)) {
      throw new TideError('DTYPE', `Graph.bindGrad: the buffer for '${name}' must be a ${this.dtype === 'float64' ? 'Float64Array' : 'Float32Array'} of ${node.size} elements (or null for the graph's own), got ${describe(buffer)}.`);
    }
    if (!node.needsGrad) throw new TideError('BAD_ARGUMENT', `Graph.bindGrad: input '${name}' is not differentiated (not in wrt).`);
    if (!this.ownInputGrads.has(node)) this.ownInputGrads.set(node, node.grad!);
    const own = this.ownInputGrads.get(node)!;
    const i = this.ownedGrads.indexOf(own);
    if (buffer === null) {
      if (i < 0) this.ownedGrads.push(own);
      node.grad = own;
      return this;
    }
    if (buffer.length !== node.size) throw new TideError('SHAPE', `Graph.bindGrad: buffer for '${name}' has ${buffer.length} elements, expected ${node.size}.`);
    // The external buffer replaces the owned one, which then no longer needs zeroing.
    if (i >= 0) this.ownedGrads.splice(i, 1);
    node.grad = buffer;
    return this;
  }

  /** Runs the forward pass; returns the output buffer (owned by the graph, overwritten by the next run). */
  run(): FloatArray {
    const nodes = this.forwardNodes;
    for (let i = 0; i < nodes.length; i++) nodes[i].forward();
    return this.output.value;
  }

  /** The output of the last run. */
  get value(): FloatArray { return this.output.value; }

  /**
   * Pulls `dOut` (the cotangent of the output: an array of its size, or a number for scalar outputs) back to
   * every differentiated input. Uses the values of the last run(): bind and run first.
   */
  backward(dOut: Readonly<FloatArray> | number): void {
    const owned = this.ownedGrads;
    for (let i = 0; i < owned.length; i++) owned[i].fill(0);
    const views = this.viewNodes;
    for (let i = 0; i < views.length; i++) views[i].refreshGradView();
    const out = this.output;
    if (!out.needsGrad) return;
    const g = out.grad!;
    if (typeof dOut !== 'number' && !(ArrayBuffer.isView(dOut) || Array.isArray(dOut))) {
      throw new TideError('BAD_ARGUMENT', `Graph.backward: the cotangent must be an array of ${out.size} numbers (the output's size)${out.size === 1 ? ' or a number' : ''}, got ${fmtGot(dOut)}.`);
    }
    if (typeof dOut === 'number') {
      if (out.size !== 1) throw new TideError('SHAPE', `Graph.backward: a number cotangent fits only a scalar output; the output has shape ${fmtShape(out.shape)}.`);
      g[0] += dOut;
    } else {
      if (dOut.length !== out.size) throw new TideError('SHAPE', `Graph.backward: cotangent has ${dOut.length} elements; the output has shape ${fmtShape(out.shape)} (${out.size}).`);
      for (let i = 0; i < g.length; i++) g[i] += dOut[i];
    }
    const nodes = this.backwardNodes;
    for (let i = 0; i < nodes.length; i++) nodes[i].backward();
  }

  /** Whether input `name` gets a cotangent (in wrt and the output depends on it). */
  hasGrad(name: string): boolean {
    const node = this.input(name);
    return node.needsGrad && node.grad !== null;
  }

  /** The cotangent of input `name` after backward() (a buffer owned by the graph, or the bound one). */
  grad(name: string): FloatArray {
    const node = this.input(name);
    if (!node.needsGrad || node.grad === null) throw new TideError('BAD_ARGUMENT', `Graph.grad: input '${name}' is not differentiated (not in wrt).`);
    return node.grad;
  }

  /** Number of op nodes run per forward pass (for diagnostics). */
  get nodeCount(): number { return this.forwardNodes.length; }
}

/**
 * Traces `fn` for inputs of the given shapes (shape [] is a scalar) and returns the reusable Graph.
 * `fn` receives one Var per input and must return a Var built from them with tide ops.
 */
export function trace<K extends string>(shapes: Readonly<Record<K, Shape>>, fn: (vars: Record<K, Node>) => Node, options: TraceOptions = {}): Graph {
  return traceAs('trace', 'the traced function', shapes, fn, options);
}

/**
 * `trace` for callers that name themselves in messages (fieldFromTrace, customModel, vjp): `where` starts every
 * message, `what` names the user's function in a USER_FUNCTION error (its exception re-thrown with `cause`).
 */
export function traceAs<K extends string>(where: string, what: string, shapes: Readonly<Record<K, Shape>>, fn: (vars: Record<K, Node>) => Node,
  options: TraceOptions = {}): Graph {
  if (shapes === null || typeof shapes !== 'object' || Array.isArray(shapes)) {
    throw new TideError('BAD_ARGUMENT', `${where}: the first argument must map input names to shapes, e.g. { x: [16, 2], p: [8] }, got ${fmtGot(shapes)}.`);
  }
  checkFunction(where, 'the function', fn, '({ x, p, … }) => Var');
  checkOptions(where, options, ['dtype', 'wrt'], "{ wrt: ['p'] }");
  options ??= {};
  const dtype = options.dtype ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') throw new TideError('DTYPE', `${where}: dtype must be 'float64' or 'float32', got ${fmtGot(dtype)}.`);
  const tracer = new Tracer(dtype);
  const inputs = new Map<string, InputNode>();
  const vars = {} as Record<K, Node>;
  for (const name of Object.keys(shapes) as K[]) {
    shapeSize(shapes[name], `${where}: input '${name}'`);
    const node = new InputNode(tracer, name, shapes[name]);
    inputs.set(name, node);
    vars[name] = node;
  }
  if (options.wrt !== undefined && (!Array.isArray(options.wrt) || options.wrt.some((w) => typeof w !== 'string'))) {
    throw new TideError('BAD_OPTION', `${where}: wrt must be an array of input names such as ['p'], got ${fmtGot(options.wrt)}.`, { option: 'wrt' });
  }
  const wrt = new Set<string>(options.wrt ?? inputs.keys());
  for (const w of wrt) {
    if (!inputs.has(w)) {
      const hint = didYouMean(w, [...inputs.keys()]);
      throw new TideError('UNKNOWN_NAME', `${where}: wrt names '${w}', which is not an input. Inputs: ${[...inputs.keys()].join(', ')}.${hint ? ` Did you mean '${hint}'?` : ''}`);
    }
  }
  let out: unknown;
  try { out = withTracer(tracer, () => fn(vars)); } catch (e) { rethrowUser(where, what, 'trace', e); }
  if (!(out instanceof Node) || out.tracer !== tracer) {
    throw new TideError('BAD_ARGUMENT', `${where}: the function must return a Var built from its arguments with tide ops, got ${describe(out)}.`);
  }
  return new Graph(tracer, inputs, out, wrt);
}

/** An input of {@link vjp} / {@link valueAndGrad}: an NDArray (its shape is used), a flat typed array (shape [n]) or a number (a scalar). */
export type VjpInput = NDArray | FloatArray | number;

/** What {@link vjp} returns: the value at the inputs and a pullback that can be called any number of times. */
export interface VjpResult {
  /** The function's value. */
  value: NDArray;
  /** Cotangents of every input for the output cotangent dOut (a number for scalar outputs). Fresh arrays. */
  pullback(dOut: NDArray | Readonly<FloatArray> | number): FloatArray[];
}

/**
 * Eager vector–Jacobian product: evaluates `fn` at the given inputs and returns its value and a pullback giving
 * cotangents for every input at once. Convenient for checks and one-off uses; inside loops use `trace` once.
 */
export function vjp(fn: (...xs: Node[]) => Node, ...inputs: VjpInput[]): VjpResult {
  return vjpAs('vjp', fn, inputs);
}

function vjpAs(where: string, fn: (...xs: Node[]) => Node, inputs: VjpInput[]): VjpResult {
  if (typeof fn !== 'function') throw new TideError('BAD_ARGUMENT', `${where}: first argument must be a function of Vars, got ${describe(fn)}.`);
  const shapes: Record<string, Shape> = {};
  const names: string[] = [];
  let dtype: DType = 'float64';
  inputs.forEach((x, i) => {
    const name = `x${i}`;
    names.push(name);
    if (typeof x === 'number') shapes[name] = [];
    else if (x instanceof NDArray) { shapes[name] = x.shape; dtype = x.dtype; }
    else if (x instanceof Float64Array || x instanceof Float32Array) { shapes[name] = [x.length]; dtype = dtypeOf(x); }
    else throw new TideError('DTYPE', `${where}: input ${i} must be an NDArray, a Float64Array/Float32Array or a number, got ${describe(x)}.${Array.isArray(x) ? ' Wrap it with Float64Array.from(...).' : ''}`);
    const data = typeof x === 'number' ? [x] : x instanceof NDArray ? x.data : x;
    const k = firstNonFinite(data);
    if (k >= 0) throw new TideError('NONFINITE', `${where}: input ${i}${typeof x === 'number' ? '' : `[${k}]`} is ${data[k]}; inputs must be finite.`, { input: i, index: k });
  });
  const g = traceAs(where, 'the function', shapes, (vars) => fn(...names.map((n) => vars[n])), { dtype });
  inputs.forEach((x, i) => g.bind(names[i], x instanceof NDArray ? x.data : x));
  g.run();
  const value = new NDArray(g.value.slice(), g.output.shape);
  return {
    value,
    pullback(dOut) {
      g.backward(dOut instanceof NDArray ? dOut.data : dOut);
      // An input the function ignores has a zero cotangent.
      return names.map((n) => (g.hasGrad(n) ? g.grad(n).slice() : allocate(g.dtype, g.input(n).size)));
    },
  };
}

/**
 * Value and gradient of a scalar-valued function of the inputs.
 * @throws TideError('SHAPE') if fn does not return a scalar.
 * @property __type.value the function's value.
 * @property __type.grads the gradient with respect to each input, in order (fresh arrays).
 */
export function valueAndGrad(fn: (...xs: Node[]) => Node, ...inputs: VjpInput[]): { value: number; grads: FloatArray[] } {
  const r = vjpAs('valueAndGrad', fn, inputs);
  if (r.value.size !== 1) throw new TideError('SHAPE', `valueAndGrad: the function must return a scalar, got shape ${fmtShape(r.value.shape)}. Reduce it with sum or mean, or use vjp.`);
  return { value: r.value.data[0], grads: r.pullback(1) };
}
