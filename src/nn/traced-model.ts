/**
 * Custom models written with tide ops: give the sizes, the named parameter blocks and a forward function of
 * (x [batch, inDim], params, t); the pullback comes from tracing (one graph per batch size, built in workspace()).
 *
 *   const gated = customModel({
 *     name: 'gated', inDim: 2, outDim: 2,
 *     params: [{ name: 'a', shape: [2] }, { name: 'w', shape: [2, 2] }],
 *     init: (p, rng) => rng.fillNormal(p, 0, 0.1),
 *     forward: (x, p, t) => ops.mul(ops.tanh(ops.matmul(x, p.w, false, true)), p.a),
 *   });
 */
import type { FloatArray, Shape } from '../core/array.ts';
import { shapeSize } from '../core/array.ts';
import { TideError, checkFunction, checkOptions, fmtGot, fmtShape, rethrowUser } from '../core/errors.ts';
import type { Rng } from '../core/random.ts';
import type { Node } from '../core/autodiff/node.ts';
import { traceAs } from '../core/autodiff/graph.ts';
import type { Graph } from '../core/autodiff/graph.ts';
import { slice } from '../core/autodiff/shape.ts';
import type { Model, ModelWorkspace, ParamName } from './model.ts';
import { checkApply, checkBatch, checkInitArgs, checkVjp } from './model.ts';

/**
 * What {@link customModel} takes: sizes, named parameter blocks and a forward written with tide ops. Each entry of
 * `params` is `{ name, shape }`: the block's name (a key of the forward's `p`) and shape; blocks are laid out in
 * order in the flat parameter vector. Unknown keys throw TideError('BAD_OPTION').
 * @property name the model's name in messages (default 'custom').
 * @property inDim features per input row.
 * @property outDim features per output row.
 * @property params the named parameter blocks, in their order in the flat vector.
 */
export interface CustomModelSpec {
  name?: string;
  inDim: number;
  outDim: number;
  params: ReadonlyArray<{ name: string; shape: Shape }>;
  /** Fills the flat parameter vector (default: N(0, 0.1²) for every entry). */
  init?: (params: FloatArray, rng: Rng) => void;
  /**
   * Output [batch, outDim] from x [batch, inDim]; `p` holds one Var per named block; t is a scalar Var. The forward
   * may ignore any of x, p and t (their cotangents are then zero).
   */
  forward: (x: Node, p: Record<string, Node>, t: Node) => Node;
}

const SPEC_KEYS = ['name', 'inDim', 'outDim', 'params', 'init', 'forward'];
const SPEC_EXAMPLE = "{ inDim: 2, outDim: 2, params: [{ name: 'w', shape: [2, 2] }], forward: (x, p, t) => ops.matmul(x, p.w) }";

/** The traced graph of one batch size, and which inputs the output depends on. */
export interface CustomWorkspace extends ModelWorkspace {
  readonly graph: Graph;
  readonly xLive: boolean;
  readonly pLive: boolean;
  readonly tLive: boolean;
}

export class CustomModel implements Model<CustomWorkspace> {
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
  readonly paramCount: number;
  readonly paramNames: readonly ParamName[];
  readonly dtype = 'float64' as const;
  readonly timeDependent = true;
  private readonly spec: CustomModelSpec;

  constructor(spec: CustomModelSpec) {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      throw new TideError('BAD_ARGUMENT', `customModel: expected a spec such as ${SPEC_EXAMPLE}, got ${fmtGot(spec)}.`);
    }
    checkOptions('customModel', spec, SPEC_KEYS, SPEC_EXAMPLE);
    if (spec.name !== undefined && typeof spec.name !== 'string') throw new TideError('BAD_OPTION', `customModel: name must be a string, got ${fmtGot(spec.name)}.`, { option: 'name' });
    this.name = spec.name ?? 'custom';
    const where = `customModel (${this.name})`;
    for (const key of ['inDim', 'outDim'] as const) {
      const v = spec[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new TideError('SHAPE', `${where}: ${key} must be a positive integer, got ${fmtGot(v)}.`, { option: key });
    }
    checkFunction(where, 'forward', spec.forward, '(x, p, t) => Var returning [batch, outDim]');
    if (spec.init !== undefined) checkFunction(where, 'init', spec.init, '(params, rng) => void filling params');
    if (!Array.isArray(spec.params)) {
      throw new TideError('BAD_OPTION', `${where}: params must be an array of named blocks such as [{ name: 'w', shape: [2, 2] }] ([] for none), got ${fmtGot(spec.params)}.`, { option: 'params' });
    }
    this.spec = spec;
    this.inDim = spec.inDim; this.outDim = spec.outDim;
    let off = 0;
    const names: ParamName[] = [];
    spec.params.forEach((b, i) => {
      if (b === null || typeof b !== 'object' || typeof b.name !== 'string' || b.name === '') {
        throw new TideError('BAD_OPTION', `${where}: params[${i}] must be { name: string, shape: number[] }, got ${fmtGot(b)}${b !== null && typeof b === 'object' ? ` with name ${fmtGot(b.name)}` : ''}.`, { index: i });
      }
      if (names.some((q) => q.name === b.name)) throw new TideError('BAD_OPTION', `${where}: two parameter blocks are called '${b.name}'; block names must be unique.`, { name: b.name });
      const n = shapeSize(b.shape, `${where}: param '${b.name}'`);
      names.push({ name: b.name, offset: off, shape: [...b.shape] });
      off += n;
    });
    this.paramNames = names;
    this.paramCount = off;
  }

  init(params: FloatArray, rng: Rng): void {
    checkInitArgs(`${this.name}.init`, this, params, rng);
    if (!this.spec.init) { rng.fillNormal(params, 0, 0.1); return; }
    try { this.spec.init(params, rng); } catch (e) { rethrowUser(`customModel (${this.name})`, 'init', 'init', e); }
  }

  workspace(batch: number): CustomWorkspace {
    checkBatch(`${this.name}.workspace`, batch);
    const where = `customModel (${this.name})`;
    const graph = traceAs(where, 'forward', { x: [batch, this.inDim], p: [this.paramCount], t: [] }, ({ x, p, t }) => {
      const blocks: Record<string, Node> = {};
      for (const b of this.paramNames) blocks[b.name] = slice(p, b.offset, b.shape);
      return this.spec.forward(x, blocks, t);
    });
    const s = graph.output.shape;
    if (graph.output.size !== batch * this.outDim || !(s.length <= 1 || (s.length === 2 && s[0] === batch))) {
      throw new TideError('SHAPE', `${this.name}: forward returned shape ${fmtShape(graph.output.shape)}; expected [${batch}, ${this.outDim}].`);
    }
    return { batch, graph, xLive: graph.hasGrad('x'), pLive: graph.hasGrad('p'), tLive: graph.hasGrad('t') };
  }

  apply(out: FloatArray, params: Readonly<FloatArray>, x: Readonly<FloatArray>, ws: CustomWorkspace, t = 0): FloatArray {
    checkApply(this, out, params, x, ws, t);
    const g = ws.graph;
    g.input('x').value = x as FloatArray;
    g.input('p').value = params as FloatArray;
    g.input('t').holder[0] = t;
    out.set(g.run());
    return out;
  }

  vjp(dParams: FloatArray | null, dX: FloatArray | null, dOut: Readonly<FloatArray>, params: Readonly<FloatArray>,
    x: Readonly<FloatArray>, ws: CustomWorkspace, t = 0): number {
    checkVjp(this, dParams, dX, dOut, params, x, ws, t);
    const g = ws.graph;
    g.input('x').value = x as FloatArray;
    g.input('p').value = params as FloatArray;
    // An input the forward ignores has no cotangent buffer: its cotangent is zero (nothing to bind or read).
    if (ws.pLive) g.bindGrad('p', dParams);
    g.backward(dOut);
    if (dX !== null) { if (ws.xLive) dX.set(g.grad('x')); else dX.fill(0); }
    return ws.tLive ? g.grad('t')[0] : 0;
  }
}

/**
 * A {@link Model} from a forward written with tide ops (see the module header); the pullback comes from tracing.
 * @throws TideError('BAD_ARGUMENT') for a spec that is not an object; TideError('BAD_OPTION') / ('SHAPE') for a malformed one (missing forward, sizes that are not positive integers, malformed or duplicate blocks).
 */
export function customModel(spec: CustomModelSpec): CustomModel {
  return new CustomModel(spec);
}
