/**
 * One shard of a data-parallel gradient, as a worker runs it: the user's module builds the shard's problem (field, y0,
 * loss, solve options) from `{ shard, shards, data }`, and the shard's value and gradient are those of
 * `valueAndGradient(loss, field, y0, { ...solve, params })` — the same prepared solve, the same loss call, so a shard
 * computed in a worker is bit-identical to the same shard computed on the main thread.
 *
 * No environment API here: the worker entry (`worker.ts`) moves messages and shared memory, this file does the maths.
 */
import { TideError, checkFinite, fmtGot, firstNonFinite, rethrowUser } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { VectorField } from '../core/field.ts';
import type { Term } from '../terms/term.ts';
import { prepareSolve, type GradientSolveOptions, type PreparedSolve } from '../gradients/solve.ts';
import type { GradientReport } from '../gradients/method.ts';
import type { SaveAtOptions } from '../integrate/save-at.ts';
import { copyGrid, sameGrid, type TimeGrid } from '../train/grid.ts';

/** What a shard's `setup` is given. */
export interface ShardContext {
  /** This shard's index, 0 … shards − 1. */
  readonly shard: number;
  /** The total number of shards (parallelGradient's `shards`). */
  readonly shards: number;
  /** `options.data` of parallelGradient, structured-cloned into the worker (undefined if not given). */
  readonly data: unknown;
}

/**
 * What a shard's `setup` returns: one shard's problem. Every shard must have the same paramCount (they share params);
 * y0 and the saved outputs may differ in length. For a batch split into shards, scale the loss so that the shard
 * losses add up to the batch loss (e.g. a mean over the whole batch divides by the whole batch size, not the shard's).
 */
export interface ShardProblem {
  /** The shard's term or vector field; its paramCount must be the same in every shard. */
  readonly field: Term | VectorField;
  /** The shard's initial state (length field.dim); its cotangent comes back as the shard's slice of dY0. */
  readonly y0: Float64Array;
  /**
   * L of the shard's saved outputs; writes ∂L/∂ys into dYs (zeroed before the call), as valueAndGradient's loss.
   * The third argument is what `batch` returned for this call's payload (undefined without a payload), as fit hands
   * its loss the step's minibatch: mse() and l1() read its target.
   */
  readonly loss: (ys: Readonly<Float64Array>, dYs: Float64Array, batch?: ShardBatch) => number;
  /** Solve and gradient options (t1, saveAt, method, gradient, …); params are supplied each call. */
  readonly solve: Omit<GradientSolveOptions, 'params'>;
  /**
   * Minibatch hook: turns a call's payload (fitParallel's `batch(step, rng)` result, or the second argument of
   * valueAndGradient, posted to every worker) into this shard's slice of the step's minibatch. Runs in the worker.
   * y0 keeps the shard's length. The prepared solve is reused while the batch's t0, t1 and saveAt stay those of
   * the previous call, and prepared again when they change (as fit does): keep the time grid fixed for the fast path.
   */
  readonly batch?: (payload: unknown) => ShardBatch;
}

/** What a shard's batch hook returns for one call; fields left out keep setup's (its y0, the solve's t0, t1, saveAt). */
export interface ShardBatch {
  /** The shard's initial state for this call (length field.dim, as setup's y0). */
  readonly y0?: Float64Array;
  /** Handed to the loss as its third argument's target (mse(), l1() use it). */
  readonly target?: Float64Array;
  /** Start time for this call (default: the solve's t0). */
  readonly t0?: number;
  /** End time for this call (default: the solve's t1). */
  readonly t1?: number;
  /** Save times for this call (default: the solve's saveAt); the loss sees the rows of these saves. */
  readonly saveAt?: SaveAtOptions;
}

/** The function a shard module exports (named `setup` unless `exportName` says otherwise); may be async. */
export type ShardSetup = (ctx: ShardContext) => ShardProblem | Promise<ShardProblem>;

/** A shard's result: its loss and gradient report; the gradients themselves were written into the caller's arrays. */
export interface ShardResult {
  /** The shard's loss L_s at the call's params. */
  readonly loss: number;
  /** The shard's gradient report (NFE, bytes held, reconstruction drift) from its own solve. */
  readonly report: GradientReport;
}

/** A shard's problem prepared once and run for each parameter vector. */
export interface ShardRunner {
  readonly paramCount: number;
  /** Length of the shard's y0 (and of its dY0). */
  readonly dim: number;
  /**
   * Value and gradient at params: writes ∂L/∂params into dParams and ∂L/∂y0 into dY0 (both overwritten). A payload
   * (not undefined) goes through the problem's batch hook first.
   */
  run(params: Readonly<Float64Array>, dParams: Float64Array, dY0: Float64Array, payload?: unknown): ShardResult;
}

const PROBLEM_KEYS = ['field', 'y0', 'loss', 'solve', 'batch'];
const BATCH_KEYS = ['y0', 'target', 't0', 't1', 'saveAt'];

/** `where` for messages: `parallel gradient, shard 1 of 4`. */
export function shardWhere(shard: number, shards: number): string {
  return `parallel gradient, shard ${shard} of ${shards}`;
}

/**
 * Calls the module's setup for one shard and prepares its solve.
 * @throws TideError('BAD_ARGUMENT') when the module lacks the export or setup returns something else than a
 *   ShardProblem; USER_FUNCTION when setup throws; the errors of prepareSolve for bad solve options.
 */
export async function prepareShard(mod: Record<string, unknown>, exportName: string, ctx: ShardContext, moduleName: string): Promise<ShardRunner> {
  const where = shardWhere(ctx.shard, ctx.shards);
  const setup = mod[exportName];
  if (typeof setup !== 'function') {
    const names = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw new TideError('BAD_ARGUMENT', `${where}: the module ${moduleName} has no function export '${exportName}' (its exports: ${Object.keys(mod).join(', ') || 'none'}). It must export ${exportName}({ shard, shards, data }) returning { field, y0, loss, solve }${names.length > 0 ? `, or pass exportName: '${names[0]}'` : ''}.`, { module: moduleName, export: exportName, shard: ctx.shard });
  }
  let pb: ShardProblem;
  try { pb = await (setup as ShardSetup)(ctx); } catch (e) { rethrowUser(where, `${moduleName}'s ${exportName}`, `setup of shard ${ctx.shard}`, e, { shard: ctx.shard }); }
  checkProblem(where, pb, `${moduleName}'s ${exportName}`);
  const { field, y0, loss, batch } = pb;
  const p = field.paramCount;
  if (field.dim !== y0.length) throw new TideError('SHAPE', `${where}: setup returned y0 of length ${y0.length} for a field of dim ${field.dim}; y0 must hold the shard's whole state.`, { shard: ctx.shard });
  checkFinite(where, 'y0', y0, 'The initial state must be finite.');
  const solveOptions = { ...pb.solve, params: new Float64Array(p) } as GradientSolveOptions;
  // One prepared solve while the batches' time grid stays the same (src/train/grid.ts), as fit keeps one.
  let prepared: PreparedSolve = naming(where, ctx.shard, () => prepareSolve(field, solveOptions));
  let grid: TimeGrid | undefined;
  const prepare = (b: ShardBatch | undefined): PreparedSolve => {
    if (sameGrid(grid, b)) return prepared;
    const solve: Record<string, unknown> = { ...solveOptions };
    if (b?.t0 !== undefined) solve.t0 = b.t0;
    if (b?.t1 !== undefined) solve.t1 = b.t1;
    if (b?.saveAt !== undefined) solve.saveAt = b.saveAt;
    prepared = prepareSolve(field, solve as unknown as GradientSolveOptions);
    grid = b === undefined ? undefined : { t0: b.t0, t1: b.t1, saveAt: b.saveAt && copyGrid(b.saveAt) };
    return prepared;
  };
  let dYs: Float64Array | null = null;
  return {
    paramCount: p, dim: y0.length,
    run: (params, dParams, dY0, payload) => naming(where, ctx.shard, () => runOnce(params, dParams, dY0, payload)),
  };
  function runOnce(params: Readonly<Float64Array>, dParams: Float64Array, dY0: Float64Array, payload: unknown): ShardResult {
    let b: ShardBatch | undefined;
    if (payload !== undefined) {
      if (batch === undefined) {
        throw new TideError('BAD_ARGUMENT', `${where}: this call carries a minibatch payload (fitParallel's batch, or valueAndGradient(params, payload)), but ${moduleName}'s ${exportName} returned no batch hook for shard ${ctx.shard}. Add batch: (payload) => ({ y0, target }) to the shard problem (the shard's slice of the minibatch), or leave the payload out.`, { shard: ctx.shard });
      }
      try { b = batch(payload); } catch (e) { rethrowUser(where, 'the batch hook', `shard ${ctx.shard}'s payload`, e, { shard: ctx.shard }); }
      checkBatch(where, b, y0.length, ctx.shard);
    }
    const sol = prepare(b).run(b?.y0 ?? y0, params);
    if (dYs === null || dYs.length !== sol.ys.length) dYs = new Float64Array(sol.ys.length); else dYs.fill(0);
    let L: number;
    try { L = loss(sol.ys, dYs, b); } catch (e) { rethrowUser(where, 'the loss', `its evaluation on shard ${ctx.shard}'s saved outputs`, e, { shard: ctx.shard }); }
    if (typeof L !== 'number' || !Number.isFinite(L)) throw new TideError('NONFINITE', `${where}: the loss returned ${fmtGot(L)}; it must be a finite number (check shard ${ctx.shard}'s data and predictions).`, { shard: ctx.shard });
    checkFinite(where, 'the loss gradient dYs', dYs, 'The loss must write a finite ∂L/∂ys into dYs.');
    // Straight into the caller's arrays (the shared buffer's views in a worker): no gradient-sized allocation or copy.
    const g = sol.backward(dYs, { dParamsOut: dParams, dY0Out: dY0 });
    return { loss: L, report: g.report };
  }
}

/** Runs fn; a TideError from the solve (which says what went wrong) gets the shard's name in front. */
function naming<T>(where: string, shard: number, fn: () => T): T {
  try { return fn(); } catch (e) {
    if (e instanceof TideError && !e.message.startsWith(where)) throw new TideError(e.code, `${where}: ${e.message}`, { ...e.details, shard }, { cause: e });
    throw e;
  }
}

function checkProblem(where: string, pb: unknown, what: string): asserts pb is ShardProblem {
  if (pb === null || typeof pb !== 'object' || Array.isArray(pb)) {
    throw new TideError('BAD_ARGUMENT', `${where}: ${what} must return { field, y0, loss, solve }, got ${fmtGot(pb)}.`);
  }
  const o = pb as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!PROBLEM_KEYS.includes(k)) throw new TideError('BAD_ARGUMENT', `${where}: ${what} returned an unknown key '${k}'; a shard problem has ${PROBLEM_KEYS.join(', ')}.`, { key: k });
  }
  const f = o.field as Partial<VectorField> | undefined;
  if (f === null || typeof f !== 'object' || !Number.isInteger(f.dim) || !Number.isInteger(f.paramCount)) {
    throw new TideError('BAD_ARGUMENT', `${where}: ${what} returned field = ${fmtGot(o.field)}; it must be a Term or VectorField (fieldFromModel, fieldFromTrace, odeTerm …).`);
  }
  if (!(o.y0 instanceof Float64Array)) throw new TideError('DTYPE', `${where}: ${what} returned y0 = ${describe(o.y0)}; it must be a Float64Array.`);
  if (typeof o.loss !== 'function') throw new TideError('BAD_ARGUMENT', `${where}: ${what} returned loss = ${fmtGot(o.loss)}; it must be a function (ys, dYs) => number.`);
  if (o.solve === null || typeof o.solve !== 'object' || Array.isArray(o.solve)) {
    throw new TideError('BAD_ARGUMENT', `${where}: ${what} returned solve = ${fmtGot(o.solve)}; it must be solve options such as { t1: 1, method: 'rk4', stepSize: 0.01 }.`);
  }
  if (o.batch !== undefined && typeof o.batch !== 'function') throw new TideError('BAD_ARGUMENT', `${where}: ${what} returned batch = ${fmtGot(o.batch)}; it must be a function (payload) => ({ y0?, target? }), or left out.`);
  if ('params' in (o.solve as object)) throw new TideError('BAD_OPTION', `${where}: ${what} returned solve options with params; leave them out, the parameters come from each parallel call.`, { option: 'params' });
}

/** A batch hook's result: an object of optional y0 (the shard's length, finite), target, t0, t1 (finite), saveAt. */
function checkBatch(where: string, b: unknown, dim: number, shard: number): asserts b is ShardBatch {
  const what = `the batch hook of shard ${shard}`;
  if (b === null || typeof b !== 'object' || Array.isArray(b) || ArrayBuffer.isView(b)) {
    throw new TideError('BAD_ARGUMENT', `${where}: ${what} must return an object such as { y0, target }, got ${fmtGot(b)}.`, { shard });
  }
  for (const k of Object.keys(b)) {
    if (!BATCH_KEYS.includes(k)) throw new TideError('BAD_ARGUMENT', `${where}: ${what} returned an unknown key '${k}'; a shard batch has ${BATCH_KEYS.join(', ')}.`, { shard, key: k });
  }
  const x = b as ShardBatch;
  for (const k of ['y0', 'target'] as const) {
    if (x[k] !== undefined && !(x[k] instanceof Float64Array)) throw new TideError('DTYPE', `${where}: ${what} returned ${k} = ${describe(x[k])}; it must be a Float64Array.`, { shard, key: k });
  }
  for (const k of ['t0', 't1'] as const) {
    if (x[k] !== undefined && (typeof x[k] !== 'number' || !Number.isFinite(x[k]))) throw new TideError('BAD_ARGUMENT', `${where}: ${what} returned ${k} = ${fmtGot(x[k])}; it must be a finite number.`, { shard, key: k });
  }
  if (x.y0 !== undefined) {
    if (x.y0.length !== dim) throw new TideError('SHAPE', `${where}: ${what} returned y0 of length ${x.y0.length}; it must keep the shard's length ${dim} (setup's y0), since the gradient buffer is laid out for it.`, { shard });
    checkFinite(where, 'the batch y0', x.y0, 'The initial state must be finite.');
  }
}

/** NaN/Inf in a shard's gradients, named by shard, array and index (a second check after the shard's own backward). */
export function checkShardGradient(shard: number, shards: number, dParams: Readonly<Float64Array>, dY0: Readonly<Float64Array>): void {
  const i = firstNonFinite(dParams), j = firstNonFinite(dY0);
  if (i < 0 && j < 0) return;
  const what = i >= 0 ? `dParams[${i}] = ${dParams[i]}` : `dY0[${j}] = ${dY0[j]}`;
  throw new TideError('NONFINITE', `${shardWhere(shard, shards)}: the shard's gradient is not finite (${what}). Check that shard's data and field, or lower the step size.`, { shard, index: i >= 0 ? i : j });
}
