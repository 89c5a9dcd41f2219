/**
 * A deep equilibrium layer (Bai, Kolter & Koltun 2019, "Deep Equilibrium Models", NeurIPS): x ↦ z* with
 * z* = f_θ(z*, x), found by a root solver (Anderson by default), differentiated by a backward mode (the implicit
 * function theorem by default). It is a tide {@link Model} (inDim = xDim, outDim = zDim, parameters = f's), so it
 * composes with nn/ layers — chain(dense(784, 128), deq(mlp([256, 128, 128])), dense(128, 10)) — and trains with
 * any optimizer; `forward(x, params)` / `backward(dZ)` are the convenience calls for a layer used on its own.
 *
 * f is a Model on the concatenation [z, x] (input injection: inDim = zDim + xDim, outDim = zDim), e.g. an mlp, or a
 * {@link DeqMap} with its own pullbacks.
 */
import { TideError, checkOptionKeys, fmtGot } from '../core/errors.ts';
import type { DType } from '../core/array.ts';
import type { Rng } from '../core/random.ts';
import type { Model, ModelWorkspace, ParamName } from '../nn/model.ts';
import { checkBatch, checkInitArgs } from '../nn/model.ts';
import { BoundMap, isDeqMap, mapFromModel } from './map.ts';
import type { DeqMap } from './map.ts';
import type { ForwardSolver, SolverWorkspace } from './forward/solver.ts';
import type { ForwardStats } from './forward/termination.ts';
import { notConvergedError } from './forward/termination.ts';
import { fixedPoint } from './forward/fixed-point.ts';
import { anderson } from './forward/anderson.ts';
import { broyden } from './forward/broyden.ts';
import { continuous } from './continuous.ts';
import type { DeqBackward, DeqBackwardRun, DeqReport } from './backward/method.ts';
import { implicit } from './backward/implicit.ts';
import { jfb, phantom } from './backward/jfb.ts';
import { unrolled } from './backward/unrolled.ts';

/** Names of the forward root solvers {@link DeqOptions.solver} accepts as shorthand for their defaults. */
export type ForwardSolverName = 'anderson' | 'broyden' | 'fixed-point' | 'continuous';
/** Names of the backward modes {@link DeqOptions.backward} accepts as shorthand for their defaults. */
export type DeqBackwardName = 'implicit' | 'jfb' | 'phantom' | 'unrolled';

/** Options of {@link deq}: the root solver, the backward mode and the failure policy; unknown keys throw TideError('BAD_OPTION'). */
export interface DeqOptions {
  /** Root solver: an object (anderson({ tol: 1e-6 })) or a name for its defaults (default 'anderson'). */
  solver?: ForwardSolver | ForwardSolverName;
  /** Backward mode: implicit({ solver: 'gmres' }) (default), jfb(), phantom({ k }), unrolled(), or a name for its defaults. */
  backward?: DeqBackward | DeqBackwardName;
  /** Throw when the forward solve does not converge (default true); false continues with the best iterate. */
  throwOnFailure?: boolean;
}

/** Everything one batch size needs, built once. */
export interface DeqWorkspace extends ModelWorkspace {
  /** f bound to this batch's θ and x, as the solvers call it. */
  readonly F: BoundMap;
  /** The forward solver's workspace. */
  readonly solverWs: SolverWorkspace;
  /** The backward mode prepared for this batch size. */
  readonly run: DeqBackwardRun;
  /** Initial iterate of the solve, [batch, zDim] (zeros unless apply is given one). */
  readonly z0: Float64Array;
  /** The fixed point z* of the last apply, [batch, zDim]. */
  readonly zStar: Float64Array;
  /** Copy of the θ of the last apply. */
  readonly params: Float64Array;
  /** Copy of the input x of the last apply, [batch, xDim]. */
  readonly x: Float64Array;
  /** Scratch for dℓ/dθ (used by backward()). */
  readonly dParams: Float64Array;
  /** Scratch for dℓ/dx, [batch, xDim] (used by backward()). */
  readonly dX: Float64Array;
  /** Statistics of the last forward solve, or null before the first. */
  stats: ForwardStats | null;
  /** Report of the last backward pass, or null before the first. */
  report: DeqReport | null;
}

const SOLVERS: Record<ForwardSolverName, () => ForwardSolver> = { anderson: () => anderson(), broyden: () => broyden(), 'fixed-point': () => fixedPoint(), continuous: () => continuous() };
const BACKWARDS: Record<DeqBackwardName, () => DeqBackward> = { implicit: () => implicit(), jfb: () => jfb(), phantom: () => phantom(), unrolled: () => unrolled() };

/**
 * A deep equilibrium layer as a {@link Model}: x [batch, xDim] ↦ z* [batch, zDim] with z* = f_θ(z*, x). Made by
 * {@link deq}; see the module header for the choice of solver and backward mode.
 */
export class DeqLayer implements Model<DeqWorkspace> {
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
  readonly paramCount: number;
  readonly paramNames: readonly ParamName[];
  readonly dtype: DType = 'float64';
  readonly timeDependent = false;
  /** The map f_θ(z, x) (built from the model on [z, x], or the DeqMap given). */
  readonly map: DeqMap;
  /** The model f was built from, or null when a DeqMap was given. */
  readonly model: Model | null;
  /** The forward root solver. */
  readonly solver: ForwardSolver;
  /** The backward mode that turns ∂ℓ/∂z* into dℓ/dθ and dℓ/dx. */
  readonly backwardMode: DeqBackward;
  /** Whether a forward solve that does not converge throws (else the best iterate is used). */
  readonly throwOnFailure: boolean;
  private readonly byBatch = new Map<number, DeqWorkspace>();
  private last: DeqWorkspace | null = null;

  constructor(f: Model | DeqMap, options?: DeqOptions) {
    const where = 'deq';
    checkOptionKeys(where, options, ['solver', 'backward', 'throwOnFailure']);
    if (isDeqMap(f)) { this.map = f; this.model = null; } else {
      const m = f as Model;
      this.model = m;
      this.map = mapFromModel(m, m?.outDim, where);
    }
    const s = options?.solver ?? 'anderson';
    if (typeof s === 'string') {
      if (!(s in SOLVERS)) throw new TideError('BAD_OPTION', `deq: solver must be 'anderson', 'broyden', 'fixed-point', 'continuous' or a solver object such as anderson({ tol: 1e-6 }), got ${fmtGot(s)}.`, { option: 'solver' });
      this.solver = SOLVERS[s]();
    } else if (s !== null && typeof s === 'object' && typeof s.solve === 'function' && typeof s.workspace === 'function') this.solver = s;
    else throw new TideError('BAD_OPTION', `deq: solver must be a solver object such as anderson({ tol: 1e-6 }) or one of 'anderson', 'broyden', 'fixed-point', 'continuous', got ${fmtGot(s)}.`, { option: 'solver' });
    const b = options?.backward ?? 'implicit';
    if (typeof b === 'string') {
      if (!(b in BACKWARDS)) throw new TideError('BAD_OPTION', `deq: backward must be implicit(…), jfb(), phantom({ k }), unrolled() or one of their names, got ${fmtGot(b)}.`, { option: 'backward' });
      this.backwardMode = BACKWARDS[b]();
    } else if (b !== null && typeof b === 'object' && typeof b.prepare === 'function') this.backwardMode = b;
    else throw new TideError('BAD_OPTION', `deq: backward must be implicit(…), jfb(), phantom({ k }) or unrolled(), got ${fmtGot(b)}.`, { option: 'backward' });
    const t = options?.throwOnFailure ?? true;
    if (typeof t !== 'boolean') throw new TideError('BAD_OPTION', `deq: throwOnFailure must be true or false, got ${fmtGot(t)}.`, { option: 'throwOnFailure' });
    this.throwOnFailure = t;
    this.inDim = this.map.xDim; this.outDim = this.map.zDim; this.paramCount = this.map.paramCount;
    this.paramNames = this.model?.paramNames ?? [{ name: 'f', offset: 0, shape: [this.paramCount] }];
    this.name = `deq(${this.map.name}, ${this.solver.name}, ${this.backwardMode.name})`;
  }

  init(params: Float64Array, rng: Rng): void {
    checkInitArgs(`${this.name}.init`, this, params, rng);
    if (this.model === null) throw new TideError('BAD_ARGUMENT', `${this.name}.init: this DEQ was built from a DeqMap, which has no init scheme; fill params yourself.`);
    this.model.init(params, rng);
  }

  workspace(batch: number): DeqWorkspace {
    checkBatch(`${this.name}.workspace`, batch);
    const { map } = this, len = map.zDim * batch;
    const run = this.backwardMode.prepare({ where: 'deq', map, batch, solver: this.solver });
    return {
      batch, F: new BoundMap(map, map.workspace(batch)), solverWs: this.solver.workspace(map.zDim, batch), run,
      z0: new Float64Array(len), zStar: new Float64Array(len), params: new Float64Array(this.paramCount),
      x: new Float64Array(map.xDim * batch), dParams: new Float64Array(this.paramCount), dX: new Float64Array(map.xDim * batch),
      stats: null, report: null,
    };
  }

  private check(where: string, ws: DeqWorkspace, arrays: [string, unknown, number][]): void {
    for (const [name, a, n] of arrays) {
      if (!(a instanceof Float64Array)) throw new TideError('DTYPE', `${where}: ${name} must be a Float64Array of length ${n}, got ${fmtGot(a)}.`, { name });
      if (a.length !== n) {
        const w = name === 'params' || name === 'dParams' ? `${this.paramCount} (f's parameter count)` : name === 'x' || name === 'dX'
          ? `batch ${ws.batch} × xDim ${this.inDim} = ${n} (f takes [z, x] with z of width ${this.outDim}, so x rows have ${this.inDim} entries)`
          : `batch ${ws.batch} × zDim ${this.outDim} = ${n}`;
        throw new TideError('SHAPE', `${where}: ${name} has length ${a.length}; expected ${w}.`, { name, expected: n, got: a.length });
      }
    }
  }

  /**
   * out [batch, zDim] = z*(x; θ), from z0 (zeros unless given). Keeps copies of params and x for the backward pass.
   * @throws TideError (MAX_STEPS / UNSTABLE / NONFINITE) when the solve does not converge and throwOnFailure is true.
   */
  apply(out: Float64Array, params: Readonly<Float64Array>, x: Readonly<Float64Array>, ws: DeqWorkspace, _t?: number, z0?: Readonly<Float64Array>): Float64Array {
    const len = this.outDim * ws.batch;
    this.check(`${this.name}.apply`, ws, [['out', out, len], ['params', params, this.paramCount], ['x', x, this.inDim * ws.batch]]);
    if (z0 !== undefined) this.check(`${this.name}.apply`, ws, [['z0', z0, len]]);
    ws.params.set(params); ws.x.set(x);
    const z = ws.zStar;
    if (z0 !== undefined) z.set(z0); else z.fill(0);
    ws.F.bind(ws.params, ws.x);
    const stats = ws.run.forward !== undefined ? ws.run.forward(z, ws.F, ws.params, ws.x) : this.solver.solve(z, ws.F, ws.solverWs);
    ws.stats = stats;
    if (!stats.converged && this.throwOnFailure) throw notConvergedError(this.name, stats, this.solver.termination.tol, this.solver.termination.stopMode);
    if (ws.run.forward === undefined && this.solver.output !== undefined) this.solver.output(out, z, ws.solverWs); else out.set(z);
    this.last = ws;
    return out;
  }

  /** Pullback of the last apply with ws: ACCUMULATES dℓ/dθ into dParams, OVERWRITES dX (either may be null). */
  vjp(dParams: Float64Array | null, dX: Float64Array | null, dOut: Readonly<Float64Array>, _params: Readonly<Float64Array>,
    _x: Readonly<Float64Array>, ws: DeqWorkspace): number {
    if (ws.stats === null) throw new TideError('BAD_ARGUMENT', `${this.name}.vjp: no forward pass with this workspace yet; call apply (or forward) first.`);
    this.check(`${this.name}.vjp`, ws, [['dOut', dOut, this.outDim * ws.batch]]);
    if (dParams !== null) this.check(`${this.name}.vjp`, ws, [['dParams', dParams, this.paramCount]]);
    if (dX !== null) this.check(`${this.name}.vjp`, ws, [['dX', dX, this.inDim * ws.batch]]);
    const rec = { zStar: ws.zStar, params: ws.params, x: ws.x, forward: ws.stats };
    ws.report = ws.run.backward(rec, dOut, dParams ?? ws.dParams, dX ?? ws.dX);
    return 0;
  }

  /** z* for x [batch, xDim] (batch = x.length / xDim); the returned array is owned by the layer until the next call. */
  forward(x: Readonly<Float64Array>, params: Readonly<Float64Array>, z0?: Readonly<Float64Array>): Float64Array {
    if (!(x instanceof Float64Array)) throw new TideError('DTYPE', `${this.name}.forward: x must be a Float64Array [batch, ${this.inDim}], got ${fmtGot(x)}.`);
    const batch = this.inDim === 0 ? (z0 !== undefined ? z0.length / this.outDim : 1) : x.length / this.inDim;
    if (!Number.isInteger(batch) || batch < 1) {
      throw new TideError('SHAPE', `${this.name}.forward: x has length ${x.length}, not a multiple of xDim = ${this.inDim} (f takes [z, x] of width ${this.inDim + this.outDim} with z of width ${this.outDim}).`, { xDim: this.inDim, got: x.length });
    }
    let ws = this.byBatch.get(batch);
    if (ws === undefined) { ws = this.workspace(batch); this.byBatch.set(batch, ws); }
    return this.apply(this.outBuf(ws), params, x, ws, 0, z0);
  }

  private readonly outs = new Map<number, Float64Array>();
  private outBuf(ws: DeqWorkspace): Float64Array {
    let o = this.outs.get(ws.batch);
    if (o === undefined) { o = new Float64Array(this.outDim * ws.batch); this.outs.set(ws.batch, o); }
    return o;
  }

  /**
   * dℓ/dθ and dℓ/dx for dZ = ∂ℓ/∂z* of the last forward (arrays owned by the layer until the next call).
   * @throws TideError('BAD_ARGUMENT') before any forward; TideError('SHAPE') for a dZ of the wrong length.
   * @property __type.dParams dℓ/dθ, length paramCount.
   * @property __type.dX dℓ/dx, [batch, xDim].
   * @property __type.report the backward pass's costs and the adjoint solve's residual.
   */
  backward(dZ: Readonly<Float64Array>): { dParams: Float64Array; dX: Float64Array; report: DeqReport } {
    const ws = this.last;
    if (ws === null) throw new TideError('BAD_ARGUMENT', `${this.name}.backward: call forward(x, params) first.`);
    ws.dParams.fill(0);
    this.vjp(ws.dParams, ws.dX, dZ, ws.params, ws.x, ws);
    return { dParams: ws.dParams, dX: ws.dX, report: ws.report! };
  }

  /** The last forward solve's statistics (iterations, f evaluations, residual, why it stopped). */
  get stats(): ForwardStats | null { return this.last?.stats ?? null; }
}

/**
 * A deep equilibrium layer z* = f_θ(z*, x) (see the file header).
 * @throws TideError('SHAPE') when f does not return z's width or does not take [z, x]; TideError('BAD_OPTION') for bad options.
 */
export function deq(f: Model | DeqMap, options?: DeqOptions): DeqLayer {
  return new DeqLayer(f, options);
}
