/**
 * A model as one node of the graph: its forward and hand-written pullback run as a unit, so a hybrid field
 * (mechanistic formula + neural network) costs the network's own time plus a few node dispatches.
 * The structural type below is what `src/nn` models implement (core does not import nn).
 */
import type { FloatArray } from '../array.ts';
import { TideError, fmtShape, fmtGot, rethrowUser } from '../errors.ts';
import { Node, activeTracer, checkVar } from './node.ts';
import type { Tracer } from './node.ts';

/**
 * What a model must offer to enter a graph (the nn `Model` interface satisfies it).
 * @property inDim features per input row.
 * @property outDim features per output row.
 * @property paramCount length of the flat parameter vector.
 * @property name description for messages.
 * @property workspace allocates the scratch for inputs of shape [batch, inDim].
 * @property apply out [batch, outDim] = model(x; params), keeping what vjp needs in ws; returns out.
 */
export interface ApplyVjp<W = unknown> {
  readonly inDim: number;
  readonly outDim: number;
  readonly paramCount: number;
  readonly name?: string;
  workspace(batch: number): W;
  apply(out: FloatArray, params: Readonly<FloatArray>, x: Readonly<FloatArray>, ws: W): FloatArray;
  /** Accumulates into dParams (skipped when null); overwrites dX if given. */
  vjp(dParams: FloatArray | null, dX: FloatArray | null, dOut: Readonly<FloatArray>, params: Readonly<FloatArray>,
    x: Readonly<FloatArray>, ws: W): void;
}

class ModelNode extends Node {
  readonly op: string;
  private readonly model: ApplyVjp;
  private readonly ws: unknown;
  private dX: FloatArray | null = null;
  constructor(tracer: Tracer, model: ApplyVjp, params: Node, x: Node, batch: number) {
    super(tracer, x.shape.length === 1 ? [model.outDim] : [batch, model.outDim], [params, x]);
    this.model = model; this.op = `model(${model.name ?? 'model'})`;
    try { this.ws = model.workspace(batch); } catch (e) { rethrowUser('ops.model', `model ${model.name ?? 'model'}`, 'workspace', e); }
  }
  forward(): void {
    try { this.model.apply(this.value, this.parents[0].value, this.parents[1].value, this.ws); } catch (e) { rethrowUser('ops.model', `model ${this.model.name ?? 'model'}`, 'forward (apply)', e); }
  }
  backward(): void {
    const pp = this.parents[0], px = this.parents[1];
    // apply() left its activations in ws during this pass's forward, which vjp reuses.
    const dX = px.needsGrad ? (this.dX ??= this.tracer.alloc(px.size)) : null;
    try { this.model.vjp(pp.needsGrad ? pp.grad : null, dX, this.grad!, pp.value, px.value, this.ws); } catch (e) { rethrowUser('ops.model', `model ${this.model.name ?? 'model'}`, 'vjp', e); }
    if (dX !== null) { const d = px.grad!; for (let i = 0; i < dX.length; i++) d[i] += dX[i]; }
  }
}

/**
 * Applies `model` with parameters `params` (a Var of length model.paramCount, typically a slice of the flat
 * parameter vector) to `x` of shape [batch, inDim] (or [inDim]). Returns [batch, outDim] (or [outDim]).
 */
export function model(m: ApplyVjp, params: Node, x: Node): Node {
  const tracer = activeTracer('model');
  const o = m as Partial<ApplyVjp> | null;
  if (o === null || typeof o !== 'object' || typeof o.apply !== 'function' || typeof o.vjp !== 'function' || typeof o.workspace !== 'function'
    || !Number.isInteger(o.inDim) || !Number.isInteger(o.outDim) || !Number.isInteger(o.paramCount)) {
    throw new TideError('BAD_ARGUMENT', `model: the first argument must be a model such as mlp([2, 50, 2]) (inDim, outDim, paramCount, workspace, apply, vjp), got ${fmtGot(m)}. The call is ops.model(net, params, x).`);
  }
  checkVar(`model(${m.name ?? 'model'})`, 'params', params);
  checkVar(`model(${m.name ?? 'model'})`, 'x', x);
  if (params.size !== m.paramCount) {
    throw new TideError('SHAPE', `model(${m.name ?? 'model'}): params has ${params.size} elements; the model has ${m.paramCount} parameters. Pass slice(p, offset, ${m.paramCount}).`);
  }
  const last = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
  if (last !== m.inDim || x.shape.length > 2) {
    throw new TideError('SHAPE', `model(${m.name ?? 'model'}): input has shape ${fmtShape(x.shape)}; expected [batch, ${m.inDim}] or [${m.inDim}].`);
  }
  const batch = x.shape.length === 2 ? x.shape[0] : 1;
  return new ModelNode(tracer, m, params, x, batch);
}
