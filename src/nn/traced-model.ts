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
import { TideError, fmtShape } from '../core/errors.ts';
import type { Rng } from '../core/random.ts';
import type { Node } from '../core/autodiff/node.ts';
import { trace } from '../core/autodiff/graph.ts';
import type { Graph } from '../core/autodiff/graph.ts';
import { slice } from '../core/autodiff/shape.ts';
import type { Model, ModelWorkspace, ParamName } from './model.ts';

export interface CustomModelSpec {
  name?: string;
  inDim: number;
  outDim: number;
  params: ReadonlyArray<{ name: string; shape: Shape }>;
  /** Fills the flat parameter vector (default: N(0, 0.1²) for every entry). */
  init?: (params: FloatArray, rng: Rng) => void;
  /** Output [batch, outDim] from x [batch, inDim]; `p` holds one Var per named block; t is a scalar Var. */
  forward: (x: Node, p: Record<string, Node>, t: Node) => Node;
}

export interface CustomWorkspace extends ModelWorkspace { readonly graph: Graph }

export class CustomModel implements Model<CustomWorkspace> {
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
  readonly paramCount: number;
  readonly paramNames: readonly ParamName[];
  readonly dtype = 'float64' as const;
  readonly timeDependent = true;
  private readonly spec: CustomModelSpec;
  private readonly tScratch = new Float64Array(1);

  constructor(spec: CustomModelSpec) {
    this.spec = spec;
    this.name = spec.name ?? 'custom';
    this.inDim = spec.inDim; this.outDim = spec.outDim;
    let off = 0;
    const names: ParamName[] = [];
    for (const b of spec.params) { names.push({ name: b.name, offset: off, shape: [...b.shape] }); off += shapeSize(b.shape, `${this.name} param '${b.name}'`); }
    this.paramNames = names;
    this.paramCount = off;
  }

  init(params: FloatArray, rng: Rng): void {
    if (this.spec.init) this.spec.init(params, rng); else rng.fillNormal(params, 0, 0.1);
  }

  workspace(batch: number): CustomWorkspace {
    const graph = trace({ x: [batch, this.inDim], p: [this.paramCount], t: [] }, ({ x, p, t }) => {
      const blocks: Record<string, Node> = {};
      for (const b of this.paramNames) blocks[b.name] = slice(p, b.offset, b.shape);
      return this.spec.forward(x, blocks, t);
    });
    if (graph.output.size !== batch * this.outDim) {
      throw new TideError('SHAPE', `${this.name}: forward returned shape ${fmtShape(graph.output.shape)}; expected [${batch}, ${this.outDim}].`);
    }
    return { batch, graph };
  }

  apply(out: FloatArray, params: Readonly<FloatArray>, x: Readonly<FloatArray>, ws: CustomWorkspace, t = 0): FloatArray {
    const g = ws.graph;
    g.input('x').value = x as FloatArray;
    g.input('p').value = params as FloatArray;
    g.bind('t', t);
    out.set(g.run());
    return out;
  }

  vjp(dParams: FloatArray | null, dX: FloatArray | null, dOut: Readonly<FloatArray>, params: Readonly<FloatArray>,
    x: Readonly<FloatArray>, ws: CustomWorkspace): number {
    const g = ws.graph;
    g.input('x').value = x as FloatArray;
    g.input('p').value = params as FloatArray;
    if (dParams !== null) g.bindGrad('p', dParams); else g.bindGrad('p', null);
    g.backward(dOut);
    if (dX !== null) dX.set(g.grad('x'));
    this.tScratch[0] = g.grad('t')[0];
    return this.tScratch[0];
  }
}

export function customModel(spec: CustomModelSpec): CustomModel {
  return new CustomModel(spec);
}
