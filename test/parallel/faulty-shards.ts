/**
 * Shard module that fails on purpose, for the parallel error tests: y' = −k·y per shard (k = params[0]), with
 * data.fault choosing what goes wrong on data.badShard: 'setup' throws in setup, 'loss' throws in the loss, 'nan'
 * makes the field's VJP write NaN into dParams, 'params' returns a field with a different paramCount, 'crash' ends
 * the worker thread from inside the loss ('crash-once': only the first time, across workers, by a shared flag);
 * 'huge' (every shard, not only badShard) adds 4e306 to dParams[0] in every VJP: rk4's 40 VJPs make 1.6e308 per
 * shard, finite, and two shards' sum overflows.
 */
import type { ShardContext, ShardProblem, VectorField } from '../../src/index.ts';

export interface FaultyData {
  fault?: 'setup' | 'loss' | 'nan' | 'params' | 'crash' | 'crash-once' | 'huge';
  badShard?: number;
  /** For 'crash-once': a shared flag (Int32Array on a SharedArrayBuffer); the first worker to set it crashes. */
  flag?: Int32Array;
}

function decay(paramCount: number, nan: boolean, huge = false): VectorField {
  return {
    dim: 2, paramCount, name: 'decay',
    eval(out, _t, y, p) { for (let i = 0; i < 2; i++) out[i] = -p[0] * y[i]; },
    vjp(dY, dP, v, _t, y, p) {
      for (let i = 0; i < 2; i++) dY[i] = -p[0] * v[i];
      if (dP) dP[0] += nan ? NaN : huge ? 4e306 : -(v[0] * y[0] + v[1] * y[1]);
      return 0;
    },
  } as VectorField;
}

export function setup({ shard, data }: ShardContext): ShardProblem {
  const d = (data ?? {}) as FaultyData;
  const bad = shard === (d.badShard ?? 1);
  if (bad && d.fault === 'setup') throw new RangeError(`no data for shard ${shard}`);
  return {
    field: decay(bad && d.fault === 'params' ? 2 : 1, bad && d.fault === 'nan', d.fault === 'huge'),
    y0: Float64Array.of(1 + shard, -1),
    loss(ys, dYs) {
      if (bad && d.fault === 'loss') throw new TypeError('loss exploded');
      if (bad && (d.fault === 'crash' || (d.fault === 'crash-once' && Atomics.exchange(d.flag as Int32Array, 0, 1) === 0))) (globalThis as unknown as { process: { exit(c: number): never } }).process.exit(3);
      let L = 0;
      for (let i = 0; i < ys.length; i++) { L += ys[i] * ys[i]; dYs[i] = 2 * ys[i]; }
      return L;
    },
    solve: { t1: 1, method: 'rk4', stepSize: 0.1 },
  };
}

export const notSetup = 42;
