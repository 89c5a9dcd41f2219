/**
 * The worker entry of data-parallel gradients (workerpool: a Node worker thread or a browser module Web Worker). It
 * imports the user's shard module, prepares each of its shards once and, per call, reads the parameters from the
 * shared buffer, runs its group of shards one after another, and writes their gradients back into the buffer.
 * Only losses and reports travel in messages. See pool.ts for the buffer's layout.
 */
import workerpool from 'workerpool';
import { TideError } from '../core/errors.ts';
import { prepareShard, type ShardResult, type ShardRunner } from './shard.ts';
import type { GradientTask, GradientReply, DescribeTask, DescribeReply } from './protocol.ts';

/** Prepared shards of this worker, by `module#export#shard/shards` (a worker serves one pool). */
const runners = new Map<string, Promise<ShardRunner>>();
const modules = new Map<string, Promise<Record<string, unknown>>>();

function loadModule(url: string): Promise<Record<string, unknown>> {
  let m = modules.get(url);
  if (m === undefined) {
    m = (import(url) as Promise<Record<string, unknown>>).catch((e: unknown) => {
      modules.delete(url);
      const inner = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw new TideError('BAD_ARGUMENT', `parallel gradient: the worker could not import the shard module ${url} (${inner}). Give module as an absolute URL, e.g. new URL('./problem.js', import.meta.url).`, { module: url });
    });
    modules.set(url, m);
  }
  return m;
}

function runnerFor(t: { module: string; exportName: string; shards: number; data?: unknown; hasData: boolean }, shard: number): Promise<ShardRunner> | null {
  const key = `${t.module}#${t.exportName}#${shard}/${t.shards}`;
  let r = runners.get(key);
  if (r === undefined) {
    if (!t.hasData) return null;
    r = loadModule(t.module).then((mod) => prepareShard(mod, t.exportName, { shard, shards: t.shards, data: t.data }, t.module));
    r.catch(() => runners.delete(key));
    runners.set(key, r);
  }
  return r;
}

async function describeShards(t: DescribeTask): Promise<DescribeReply> {
  const out: { paramCount: number; dim: number }[] = [];
  for (const s of t.group) {
    const r = await (runnerFor({ ...t, hasData: true }, s) as Promise<ShardRunner>);
    out.push({ paramCount: r.paramCount, dim: r.dim });
  }
  return { shapes: out };
}

async function gradientShards(t: GradientTask): Promise<GradientReply> {
  const lay = t.layout;
  // Views on the shared buffer: made per call (each message hands over a fresh handle to the same memory).
  const params = new Float64Array(t.buffer, 0, lay.paramCount);
  const results: ShardResult[] = [];
  for (const s of t.group) {
    const pending = runnerFor(t, s);
    if (pending === null) return { needData: true };
    const r = await pending;
    const dParams = new Float64Array(t.buffer, lay.gradOffsets[s] * 8, lay.paramCount);
    const dY0 = new Float64Array(t.buffer, lay.y0Offsets[s] * 8, lay.dims[s]);
    results.push(r.run(params, dParams, dY0, t.payload));
  }
  return { results };
}

workerpool.worker({ describe: describeShards, gradient: gradientShards });
