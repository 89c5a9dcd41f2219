/**
 * Data-parallel gradients on every core: the loss is a sum over shards (batch slices or independent samples),
 * L(θ) = Σ_s L_s(θ), and each worker computes ∂L_s/∂θ for its shards with the same prepared solve a single-thread
 * `valueAndGradient` would use. Fields and losses are closures, which cannot be posted to a worker, so each worker
 * builds its shards itself from a module the user writes:
 *
 *     // problem.ts — runs in every worker
 *     export function setup({ shard, shards, data }) {
 *       return { field, y0: y0OfThisShard, loss, solve: { t1: 1, method: 'rk4', stepSize: 0.01, gradient: 'direct' } };
 *     }
 *     // main
 *     const pg = await parallelGradient({ module: new URL('./problem.js', import.meta.url), shards: 2 });
 *     const { loss, dParams, report } = await pg.valueAndGradient(params);
 *     await pg.close();
 *
 * Workers come from workerpool (Node worker threads, browser module Web Workers). The parameters go to the workers
 * through one SharedArrayBuffer (written once per call, never copied into messages) and the gradients come back
 * through the same buffer; each call's messages carry only its minibatch payload (if any: data such as the indices of
 * the step's samples, which each shard's batch hook turns into its own slice) and the shard losses and reports.
 *
 * Summation order: shard s's gradient is computed exactly as a single-thread run of that shard, and the results are
 * added in shard order, dParams = ((g_0 + g_1) + g_2) + …, L = ((L_0 + L_1) + L_2) + …, whatever the number of
 * workers. So the result is bit-identical to a single thread that sums per-shard gradients in that order, and equals
 * the plain batched run (one field over the whole batch) up to the order of the floating-point sums: ~1e-15 relative
 * for fixed steps. With adaptive steps each shard picks its own steps (its own error norm), so it matches the batched
 * run only to the solver tolerance; use fixed steps where the two must agree.
 */
import { TideError, checkOptions, fmtGot, firstNonFinite } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { GradientReport } from '../gradients/method.ts';
import { checkShardGradient, shardWhere, type ShardResult } from './shard.ts';
import { bufferLayout, type BufferLayout, type DescribeReply, type GradientReply, type GradientTask } from './protocol.ts';

/**
 * A URL object (or anything with an href), or an absolute URL string.
 * @property href the absolute URL (file:, http(s): or blob:) the worker imports.
 */
export type ModuleUrl = string | { readonly href: string };

/** Options of {@link parallelGradient}. */
export interface ParallelGradientOptions {
  /** Absolute URL of the shard module, e.g. `new URL('./problem.js', import.meta.url)`; it exports `setup` (see ShardSetup). */
  module: ModuleUrl;
  /** Number of shards (≥ 1); shard s runs on worker s mod workers. */
  shards: number;
  /** Worker count, 1 … shards (default: min(shards, the number of cores)). */
  workers?: number;
  /** Structured-cloneable data handed to every shard's setup as ctx.data (sent once per worker, not per call). */
  data?: unknown;
  /** The module's export to call (default 'setup'). */
  exportName?: string;
  /**
   * The worker script (default: tide's own `worker.js` next to this module in dist/). Give your own when tide runs
   * from its TypeScript sources (a script that registers the loader, then imports src/parallel/worker.ts), from the
   * CommonJS bundle, or from a browser bundle that emits the worker as a separate file.
   */
  workerUrl?: ModuleUrl;
  /**
   * The workerpool module itself (`import workerpool from 'workerpool'`), for browser bundles. tide imports
   * workerpool by a name bundlers do not follow, so that bundling tide for a browser never pulls in workerpool's
   * Node-only branches; a page that uses parallel gradients imports workerpool itself and passes it here. In Node,
   * leave it out.
   */
  workerpool?: unknown;
}

/** What a parallel call returns: valueAndGradient's loss, dParams, dY0 and report, summed over shards. */
export interface ParallelGradientResult {
  /** Σ_s L_s, in shard order. */
  readonly loss: number;
  /** Σ_s ∂L_s/∂params, in shard order (length paramCount). */
  readonly dParams: Float64Array;
  /** ∂L/∂y0 of each shard, concatenated in shard order (length Σ dims). */
  readonly dY0: Float64Array;
  /** The shards' reports combined: counts and bytes summed (shards run at once), drift and errors their maximum. */
  readonly report: GradientReport;
  /** Each shard's loss and report. */
  readonly shards: readonly ShardResult[];
}

/** A pool of workers holding prepared shards; call valueAndGradient per step and close() at the end. */
export interface ParallelGradient {
  /** Number of shards the loss is summed over. */
  readonly shards: number;
  /** Number of workers in the pool (shard s runs on worker s mod workers). */
  readonly workers: number;
  /** Length of the flat parameter vector every shard's field takes (checked equal across shards at setup). */
  readonly paramCount: number;
  /** Length of each shard's y0. */
  readonly dims: readonly number[];
  /**
   * Value and gradient at params (copied into shared memory; not kept). One call at a time per pool. A payload
   * (structured-cloneable data, e.g. `{ idx }` of this step's minibatch) is posted with the call to every worker and
   * handed to each shard's batch hook (ShardProblem.batch), which returns that shard's y0 and target.
   */
  valueAndGradient(params: Readonly<Float64Array>, payload?: unknown): Promise<ParallelGradientResult>;
  /** Terminates the workers. Idempotent; later calls to valueAndGradient throw. */
  close(): Promise<void>;
}

// The parts of workerpool used here (it is imported lazily, so tide's single-thread paths never load it).
interface WorkerPoolLike {
  exec(method: string, args: unknown[]): Promise<unknown>;
  terminate(force?: boolean): Promise<unknown>;
}
interface WorkerPoolModule {
  pool(script: string, options: Record<string, unknown>): WorkerPoolLike;
  readonly platform: 'node' | 'browser';
  readonly cpus: number;
}
type UrlCtor = new (url: string, base?: string) => { readonly href: string; readonly protocol: string; readonly pathname: string };
const URLClass = (globalThis as unknown as { URL: UrlCtor }).URL;

const WHERE = 'parallelGradient';
const KEYS = ['module', 'shards', 'workers', 'data', 'exportName', 'workerUrl', 'workerpool'];
/** workerpool's specifier, held in a variable so that bundlers do not follow the import (see options.workerpool). */
const WORKERPOOL = 'workerpool';

/** The workerpool module: the one passed in, else imported by name (Node, or a page with an import map). */
async function loadWorkerpool(given: unknown): Promise<WorkerPoolModule> {
  const isPool = (m: unknown): m is WorkerPoolModule => typeof m === 'object' && m !== null && typeof (m as { pool?: unknown }).pool === 'function';
  if (given !== undefined) {
    const m = (given as { default?: unknown }).default ?? given;
    if (!isPool(m)) throw new TideError('BAD_OPTION', `${WHERE}: options.workerpool must be the workerpool module (import workerpool from 'workerpool'), got ${describe(given)}.`, { option: 'workerpool' });
    return m;
  }
  let mod: unknown;
  try {
    mod = await import(/* webpackIgnore: true */ /* @vite-ignore */ WORKERPOOL);
  } catch (e) {
    throw new TideError('BAD_OPTION', `${WHERE}: could not import workerpool (${e instanceof Error ? e.message.split('\n')[0] : String(e)}). In Node, install it (npm install workerpool; tidediff depends on it). In a browser bundle, import it yourself and pass it: parallelGradient({ …, workerpool }) after import workerpool from 'workerpool'.`, { option: 'workerpool' }, { cause: e });
  }
  const m = (mod as { default?: unknown }).default ?? mod;
  if (!isPool(m)) throw new TideError('BAD_OPTION', `${WHERE}: the module imported as workerpool has no pool() function; pass the workerpool module as options.workerpool.`, { option: 'workerpool' });
  return m;
}
const EXAMPLE = "{ module: new URL('./problem.js', import.meta.url), shards: 2 }";
const MAX_SHARDS = 4096;

function absoluteUrl(what: string, x: unknown): string {
  const s = typeof x === 'string' ? x : x !== null && typeof x === 'object' && typeof (x as { href?: unknown }).href === 'string' ? (x as { href: string }).href : null;
  if (s === null) throw new TideError('BAD_OPTION', `${WHERE}: ${what} must be a URL or an absolute URL string such as new URL('./problem.js', import.meta.url), got ${fmtGot(x)}.`, { option: what });
  try { return new URLClass(s).href; } catch {
    throw new TideError('BAD_OPTION', `${WHERE}: ${what} '${s}' is not an absolute URL; a worker cannot resolve a relative one. Use new URL('${s}', import.meta.url).`, { option: what });
  }
}

/** tide's own worker script, next to this file in dist/ (not available from the TypeScript sources or the CJS bundle). */
function defaultWorkerUrl(): string {
  const here = (import.meta as { url?: string }).url;
  if (typeof here !== 'string' || here === '') {
    throw new TideError('BAD_OPTION', `${WHERE}: cannot locate tide's worker script from this build (the CommonJS bundle has no import.meta.url). Import tidediff as ESM (import … from 'tidediff'), or pass workerUrl: the URL of dist/parallel/worker.js in the installed package.`, { option: 'workerUrl' });
  }
  if (/\.[cm]?ts$/.test(here)) {
    throw new TideError('BAD_OPTION', `${WHERE}: tide is running from its TypeScript sources (${here}), and worker threads do not inherit the TypeScript loader. Pass workerUrl: a .mjs script that registers the loader and imports src/parallel/worker.ts (e.g. \`import { register } from 'tsx/esm/api'; register(); await import('…/src/parallel/worker.ts');\`), or use the built package.`, { option: 'workerUrl' });
  }
  return new URLClass('./worker.js', here).href;
}

/** workerpool takes a path for a Node worker thread and a URL string for a Web Worker. */
function scriptFor(platform: string, href: string): string {
  const u = new URLClass(href);
  if (platform !== 'node' || u.protocol !== 'file:') return href;
  const path = decodeURIComponent(u.pathname);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path; // file:///C:/x → C:/x on Windows
}

function checkCount(what: string, x: unknown, max: number, hint: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1 || x > max) {
    throw new TideError('BAD_OPTION', `${WHERE}: ${what} must be an integer from 1 to ${max}, got ${fmtGot(x)}. ${hint}`, { option: what, got: fmtGot(x) });
  }
  return x;
}

/** A TideError for a failure reported by a worker, naming the shards it ran and the module. */
function workerError(e: unknown, group: readonly number[], shards: number, moduleUrl: string, phase: string): TideError {
  const o = (e ?? {}) as { name?: string; message?: string; code?: string; details?: Record<string, unknown> };
  const msg = typeof o.message === 'string' ? o.message : String(e);
  const which = `shard${group.length > 1 ? 's' : ''} ${group.join(', ')} of ${shards}`;
  if (o.name === 'TideError' && typeof o.code === 'string') {
    // The worker's message already names the shard and says how to fix it; keep its code and details.
    return new TideError(o.code as TideError['code'], `${msg} (in the worker running ${which}, module ${moduleUrl}, ${phase})`, { ...(o.details ?? {}), shards: [...group], module: moduleUrl }, { cause: e });
  }
  if (/Workerpool Worker (error|terminated)/.test(msg)) {
    const exit = /exitCode: `([^`]*)`/.exec(msg);
    return new TideError('USER_FUNCTION', `parallel gradient: the worker running ${which} stopped during ${phase} (${msg.split('\n')[0].trim()}${exit !== null ? `, exit code ${exit[1]}` : ''}). If it could not start, check workerUrl; if it crashed, run that shard single-threaded (the module's setup with valueAndGradient) to see why.`, { shards: [...group], module: moduleUrl, phase }, { cause: e });
  }
  return new TideError('USER_FUNCTION', `parallel gradient: the worker running ${which} threw during ${phase}: ${o.name ?? 'Error'}: ${msg}. It came from the shard module ${moduleUrl} or what it imports; error.cause has the worker's stack.`, { shards: [...group], module: moduleUrl, phase }, { cause: e });
}

/**
 * Starts the workers, has each set up its shards (the module's setup, prepareSolve) and checks that every shard has
 * the same paramCount. Resolves to a pool whose valueAndGradient(params) runs all shards at once.
 * @throws TideError('BAD_OPTION' / 'BAD_ARGUMENT'), synchronously, for bad options (shard or worker counts, URLs, data
 *   that cannot be cloned, no SharedArrayBuffer). The promise rejects with BAD_ARGUMENT when the module cannot be
 *   imported or lacks the export, SHAPE when shards disagree on paramCount, and a worker's own TideError (its code,
 *   naming the shard) when a setup is wrong or throws. valueAndGradient likewise throws for bad params or misuse
 *   and rejects for failures in the workers.
 */
export function parallelGradient(options: ParallelGradientOptions): Promise<ParallelGradient> {
  if (options === undefined || options === null) throw new TideError('BAD_OPTION', `${WHERE}: expected options such as ${EXAMPLE}, got ${fmtGot(options)}.`);
  checkOptions(WHERE, options, KEYS, EXAMPLE);
  const moduleUrl = absoluteUrl('module', options.module);
  const shards = checkCount('shards', options.shards, MAX_SHARDS, 'Each shard is one slice of the batch (or one independent sample).');
  const exportName = options.exportName ?? 'setup';
  if (typeof exportName !== 'string' || exportName === '') throw new TideError('BAD_OPTION', `${WHERE}: exportName must be the name of the module's setup export, got ${fmtGot(exportName)}.`, { option: 'exportName' });
  const workerHref = options.workerUrl !== undefined ? absoluteUrl('workerUrl', options.workerUrl) : defaultWorkerUrl();
  const SAB = (globalThis as { SharedArrayBuffer?: SharedArrayBufferConstructor }).SharedArrayBuffer;
  if (SAB === undefined) {
    throw new TideError('BAD_OPTION', `${WHERE}: SharedArrayBuffer is not available here. Browsers provide it only on cross-origin-isolated pages: serve the page with 'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp'.`);
  }
  // Checked here: a DataCloneError inside workerpool's postMessage would escape the promise it returns.
  const clone = (globalThis as { structuredClone?: (x: unknown) => unknown }).structuredClone;
  if (options.data !== undefined && clone !== undefined) {
    try { clone(options.data); } catch (e) {
      throw new TideError('BAD_ARGUMENT', `${WHERE}: options.data cannot be sent to a worker (${e instanceof Error ? e.message : String(e)}); it must be structured-cloneable: numbers, strings, arrays, typed arrays, plain objects — no functions or class instances with methods.`, { option: 'data' }, { cause: e });
    }
  }
  if (options.workers !== undefined) checkCount('workers', options.workers, shards, `More workers than shards (${shards}) would sit idle; use workers ≤ shards.`);
  return startPool(options, moduleUrl, shards, exportName, workerHref, SAB);
}

/** The asynchronous part of parallelGradient, after its options were checked. */
async function startPool(options: ParallelGradientOptions, moduleUrl: string, shards: number, exportName: string, workerHref: string,
  SAB: SharedArrayBufferConstructor): Promise<ParallelGradient> {
  const wp = await loadWorkerpool(options.workerpool);
  const cores = Math.max(1, Number.isInteger(wp.cpus) ? wp.cpus : 1);
  const workers = options.workers ?? Math.min(shards, cores);
  const groups: number[][] = Array.from({ length: workers }, () => []);
  for (let s = 0; s < shards; s++) groups[s % workers].push(s);

  const pool = wp.pool(scriptFor(wp.platform, workerHref), {
    minWorkers: workers, maxWorkers: workers, workerType: wp.platform === 'node' ? 'thread' : 'web',
    workerOpts: { type: 'module', name: 'tide-gradient' },
  });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await pool.terminate();
  };
  const base = { module: moduleUrl, exportName, shards };
  let layout: BufferLayout;
  try {
    // All W tasks at once: workerpool hands them to its W idle workers in order, so worker g keeps group g.
    const replies = await allGroups(groups.map((group) =>
      pool.exec('describe', [{ ...base, group, data: options.data }]).catch((e: unknown) => { throw workerError(e, group, shards, moduleUrl, 'setup'); })));
    const dims = new Array<number>(shards);
    let p = -1, p0 = -1;
    groups.forEach((group, g) => {
      (replies[g] as DescribeReply).shapes.forEach((sh, k) => {
        const s = group[k];
        dims[s] = sh.dim;
        if (p < 0) { p = sh.paramCount; p0 = s; } else if (sh.paramCount !== p) {
          throw new TideError('SHAPE', `${shardWhere(s, shards)}: its field has ${sh.paramCount} parameters but shard ${p0}'s has ${p}; every shard must share one parameter vector (the same model).`, { shard: s, paramCount: sh.paramCount, expected: p });
        }
      });
    });
    layout = bufferLayout(p, dims);
  } catch (e) {
    await close();
    if (e instanceof TideError) throw e;
    throw new TideError('BAD_ARGUMENT', `${WHERE}: could not send the setup to the workers: ${e instanceof Error ? e.message : String(e)}. options.data must be structured-cloneable (no functions or class instances with methods).`, { option: 'data' }, { cause: e });
  }
  const p = layout.paramCount;
  const buffer = new SAB(layout.length * 8);
  const shared = new Float64Array(buffer);
  const sharedParams = shared.subarray(0, p);
  const dimTotal = layout.dims.reduce((a, b) => a + b, 0);
  let busy = false;

  const runGroup = async (group: readonly number[], payload: unknown): Promise<readonly ShardResult[]> => {
    const task: GradientTask = payload === undefined ? { ...base, group, hasData: false, buffer, layout } : { ...base, group, hasData: false, buffer, layout, payload };
    let reply = await pool.exec('gradient', [task]) as GradientReply;
    // A worker that has not set up these shards (only if the pool handed a group to another worker) asks for data.
    if (reply.needData) reply = await pool.exec('gradient', [{ ...task, hasData: true, data: options.data }]) as GradientReply;
    return reply.results as readonly ShardResult[];
  };

  return {
    shards, workers, paramCount: p, dims: layout.dims,
    valueAndGradient(params, payload) {
      const where = `${WHERE}.valueAndGradient`;
      if (closed) throw new TideError('BAD_ARGUMENT', `${where}: this pool was closed; create a new one with parallelGradient(...).`);
      if (busy) throw new TideError('BAD_ARGUMENT', `${where}: the previous call has not finished; await it first (the pool's shared buffer serves one call at a time).`);
      if (!(params instanceof Float64Array) || params.length !== p) throw new TideError('SHAPE', `${where}: params must be a Float64Array of length ${p} (the shards' paramCount), got ${describe(params)}.`, { expected: p });
      const bad = firstNonFinite(params);
      if (bad >= 0) throw new TideError('NONFINITE', `${where}: params[${bad}] is ${params[bad]}; params must be finite. Check the initialisation or lower the learning rate.`, { index: bad });
      if (payload !== undefined) checkPayload(where, 'the payload', payload);
      busy = true;
      sharedParams.set(params);
      return gather(payload).finally(() => { busy = false; });
    },
    close,
  };

  async function gather(payload: unknown): Promise<ParallelGradientResult> {
    const perGroup = await allGroups(groups.map((group) =>
      runGroup(group, payload).catch((e: unknown) => { throw workerError(e, group, shards, moduleUrl, 'a gradient call'); })));
    const results = new Array<ShardResult>(shards);
    groups.forEach((group, g) => group.forEach((s, k) => { results[s] = perGroup[g][k]; }));
    const dParams = new Float64Array(p), dY0 = new Float64Array(dimTotal);
    sumShards(shared, layout, shards, p, dParams, dY0);
    let loss = 0;
    for (let s = 0; s < shards; s++) loss += results[s].loss;
    return { loss, dParams, dY0, report: combineReports(results.map((r) => r.report)), shards: results };
  }
}

/**
 * dParams = Σ_s (shard s's gradient) in shard order, whatever worker ran which shard, and dY0 = the shards' dY0 in
 * order. One pass over each shard's gradient: the sum is finite only if every term is (an Inf or NaN term makes it Inf
 * or NaN), so the shards are searched for the culprit only when it is not, and the error names the first bad shard as
 * a check of each shard would; if none is bad, the sum overflowed, which is an error too. A plain function, so its loops are optimised apart from the async caller.
 */
function sumShards(shared: Readonly<Float64Array>, layout: BufferLayout, shards: number, p: number,
  dParams: Float64Array, dY0: Float64Array): void {
  const dims = layout.dims;
  for (let s = 0, at = 0; s < shards; s++) {
    const go = layout.gradOffsets[s], yo = layout.y0Offsets[s], dim = dims[s];
    for (let i = 0; i < p; i++) dParams[i] += shared[go + i];
    for (let m = 0; m < dim; m++) dY0[at + m] = shared[yo + m];
    at += dim;
  }
  let probe = 0;
  for (let i = 0; i < p; i++) probe += dParams[i] * 0;
  for (let m = 0; m < dY0.length; m++) probe += dY0[m] * 0;
  if (probe === 0) return;
  for (let s = 0; s < shards; s++) {
    const go = layout.gradOffsets[s], yo = layout.y0Offsets[s];
    checkShardGradient(s, shards, shared.subarray(go, go + p), shared.subarray(yo, yo + dims[s]));
  }
  // Every shard finite, their sum not: it overflowed.
  const i = firstNonFinite(dParams);
  throw new TideError('NONFINITE', `parallel gradient: every shard's gradient is finite but their sum overflows (dParams[${i}] = ${dParams[i]}). Scale the loss down (e.g. a mean instead of a sum over the batch).`, { index: i });
}

/**
 * Throws BAD_ARGUMENT unless x can be posted to a worker (checked here: a DataCloneError inside workerpool's
 * postMessage would escape the promise it returns). `what` names it in the message.
 */
export function checkPayload(where: string, what: string, x: unknown): void {
  const clone = (globalThis as { structuredClone?: (x: unknown) => unknown }).structuredClone;
  if (clone === undefined) return;
  try { clone(x); } catch (e) {
    throw new TideError('BAD_ARGUMENT', `${where}: ${what} cannot be sent to the workers (${e instanceof Error ? e.message : String(e)}); it must be structured-cloneable data such as { idx: Int32Array } (numbers, strings, arrays, typed arrays, plain objects; no functions). Each shard's batch hook turns it into that shard's { y0, target }.`, { option: 'payload' }, { cause: e });
  }
}

/**
 * Like Promise.all, but waits for every worker before rejecting (with the first failed group's error), so that no
 * worker still reads or writes the shared buffer when the next call starts.
 */
async function allGroups<T>(tasks: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Counts and bytes summed over shards (they are held at once, in different workers), drift and errors their maximum. */
function combineReports(rs: readonly GradientReport[]): GradientReport {
  const sum = (k: keyof GradientReport): number => rs.reduce((a, r) => a + ((r[k] as number | undefined) ?? 0), 0);
  const max = (k: keyof GradientReport): number | undefined => rs.some((r) => r[k] !== undefined) ? Math.max(...rs.map((r) => (r[k] as number | undefined) ?? 0)) : undefined;
  const out: GradientReport = {
    method: rs[0].method, nfeForward: sum('nfeForward'), nfeBackward: sum('nfeBackward'), vjpBackward: sum('vjpBackward'),
    steps: sum('steps'), backwardSteps: sum('backwardSteps'), peakBytes: sum('peakBytes'), stateBytes: sum('stateBytes'),
    effectiveCheckpoints: sum('effectiveCheckpoints'),
  };
  const extra: Record<string, number | undefined> = {
    reconstructionError: max('reconstructionError'), maxAnchorDrift: max('maxAnchorDrift'),
    anchors: rs.some((r) => r.anchors !== undefined) ? sum('anchors') : undefined, anchorEvery: max('anchorEvery'),
    segmentsRedone: rs.some((r) => r.segmentsRedone !== undefined) ? sum('segmentsRedone') : undefined,
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (out as unknown as Record<string, number>)[k] = v;
  return out;
}

/** One parallel value and gradient: starts a pool, runs it once at params, closes it (for a single call). */
export function parallelValueAndGradient(options: ParallelGradientOptions & { params: Readonly<Float64Array> }): Promise<ParallelGradientResult> {
  if (options === null || typeof options !== 'object') throw new TideError('BAD_OPTION', `parallelValueAndGradient: expected options such as { module, shards: 2, params }, got ${fmtGot(options)}.`);
  const { params, ...rest } = options;
  if (!(params instanceof Float64Array)) throw new TideError('SHAPE', `parallelValueAndGradient: params must be a Float64Array, got ${describe(params)}.`, { option: 'params' });
  const starting = parallelGradient(rest);
  return (async () => {
    const pg = await starting;
    try { return await pg.valueAndGradient(params); } finally { await pg.close(); }
  })();
}
