/**
 * Parallel gradients equal single-thread ones: bit for bit against a single thread that sums the per-shard gradients
 * in shard order (the documented summation order), and to ~1e-13 relative against the plain batched run (one field
 * over the whole batch) for fixed steps, with the direct and reversible methods. Workers load the TypeScript sources
 * through test/parallel/tsx-worker.mjs (worker threads do not inherit `node --import tsx`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parallelGradient, fitParallel, valueAndGradient, adam, type ParallelGradient } from '../../src/index.ts';
import { setup, batchProblem, type SpiralShardData } from './spiral-shards.ts';
import { maxDiffOverMax } from '../oracles/finite-diff.ts';

const module = new URL('./spiral-shards.ts', import.meta.url);
const workerUrl = new URL('./tsx-worker.mjs', import.meta.url);

/** The documented oracle: each shard by valueAndGradient on this thread, summed in shard order. */
function perShardSum(data: SpiralShardData, shards: number, params: Float64Array) {
  let loss = 0;
  const dParams = new Float64Array(params.length), dY0: number[] = [];
  for (let s = 0; s < shards; s++) {
    const pb = setup({ shard: s, shards, data });
    const r = valueAndGradient(pb.loss, pb.field, pb.y0, { ...pb.solve, params });
    loss += r.loss;
    for (let i = 0; i < params.length; i++) dParams[i] += r.dParams[i];
    dY0.push(...r.dY0);
  }
  return { loss, dParams, dY0: Float64Array.from(dY0) };
}

async function withPool<T>(data: SpiralShardData, shards: number, workers: number, fn: (pg: ParallelGradient) => Promise<T>): Promise<T> {
  const pg = await parallelGradient({ module, workerUrl, shards, workers, data });
  try { return await fn(pg); } finally { await pg.close(); }
}

for (const gradient of ['direct', 'reversible']) {
  test(`parallel ${gradient} gradient, batch 24 in 2 and 3 shards on 2 workers, equals the single-thread gradients`, async () => {
    const data: SpiralShardData = { batch: 24, hidden: 16, gradient, stepSize: 0.05, t1: 0.5 };
    const b = batchProblem(data);
    const batched = valueAndGradient(b.loss, b.field, b.y0, { ...b.solve, params: b.params });
    for (const shards of [2, 3]) {
      await withPool(data, shards, 2, async (pg) => {
        assert.equal(pg.paramCount, b.params.length);
        assert.deepEqual(pg.dims, new Array(shards).fill(48 / shards));
        const r = await pg.valueAndGradient(b.params);
        const oracle = perShardSum(data, shards, b.params);
        // bit-identical to the per-shard sum in shard order
        assert.equal(r.loss, oracle.loss);
        assert.deepEqual(r.dParams, oracle.dParams);
        assert.deepEqual(r.dY0, oracle.dY0);
        // and the batched run up to summation order
        assert.ok(Math.abs(r.loss - batched.loss) <= 1e-13 * Math.abs(batched.loss), `loss ${r.loss} vs ${batched.loss}`);
        assert.ok(maxDiffOverMax(r.dParams, batched.dParams) < 1e-12, `dParams rel diff ${maxDiffOverMax(r.dParams, batched.dParams)}`);
        assert.ok(maxDiffOverMax(r.dY0, batched.dY0) < 1e-12, `dY0 rel diff ${maxDiffOverMax(r.dY0, batched.dY0)}`);
        assert.equal(r.report.method, gradient);
        assert.equal(r.report.steps, 10 * shards);
        assert.equal(r.shards.length, shards);
      });
    }
  });
}

test('parallel gradient: one worker and two workers give the same bits; new params each call are seen', async () => {
  const data: SpiralShardData = { batch: 8, hidden: 8, stepSize: 0.1, t1: 0.5 };
  const b = batchProblem(data);
  const p2 = b.params.map((v, i) => v + 0.01 * Math.sin(i));
  const one = await withPool(data, 2, 1, async (pg) => [await pg.valueAndGradient(b.params), await pg.valueAndGradient(p2)]);
  const two = await withPool(data, 2, 2, async (pg) => [await pg.valueAndGradient(b.params), await pg.valueAndGradient(p2)]);
  for (let k = 0; k < 2; k++) {
    assert.equal(one[k].loss, two[k].loss);
    assert.deepEqual(one[k].dParams, two[k].dParams);
  }
  const o2 = perShardSum(data, 2, p2);
  assert.deepEqual(two[1].dParams, o2.dParams);
  assert.notEqual(two[0].loss, two[1].loss);
});

test('each shard is set up once: worker g keeps shards g, g + W, … from call to call', async () => {
  const setups = new Int32Array(new SharedArrayBuffer(4));
  const data: SpiralShardData = { batch: 8, hidden: 4, stepSize: 0.25, t1: 0.5, setups };
  const b = batchProblem({ ...data, setups: undefined });
  await withPool(data, 4, 2, async (pg) => {
    for (let k = 0; k < 4; k++) await pg.valueAndGradient(b.params);
  });
  assert.equal(setups[0], 4);
});

test('parallel gradient with adaptive steps equals the per-shard sum bit for bit (each shard picks its own steps)', async () => {
  const data: SpiralShardData = { batch: 8, hidden: 8, method: 'dopri5', rtol: 1e-6, t1: 0.5 };
  const b = batchProblem(data);
  await withPool(data, 2, 2, async (pg) => {
    const r = await pg.valueAndGradient(b.params);
    const oracle = perShardSum(data, 2, b.params);
    assert.equal(r.loss, oracle.loss);
    assert.deepEqual(r.dParams, oracle.dParams);
    const batched = valueAndGradient(b.loss, b.field, b.y0, { ...b.solve, params: b.params });
    assert.ok(maxDiffOverMax(r.dParams, batched.dParams) < 1e-4); // different step grids: equal to the tolerance only
  });
});

test('fitParallel takes the same Adam steps as a single-thread loop over the per-shard sums', async () => {
  const data: SpiralShardData = { batch: 8, hidden: 8, stepSize: 0.1, t1: 0.5 };
  const b = batchProblem(data);
  const pPar = b.params.slice(), pRef = b.params.slice();
  const steps = 3;
  const res = await withPool(data, 2, 2, (pg) => fitParallel({ gradient: pg, params: pPar, optimizer: adam({ lr: 1e-2 }), steps }));
  const opt = adam({ lr: 1e-2 }), losses: number[] = [];
  for (let k = 0; k < steps; k++) { const o = perShardSum(data, 2, pRef); losses.push(o.loss); opt.step(pRef, o.dParams); }
  assert.deepEqual(Array.from(res.losses), losses);
  assert.deepEqual(pPar, pRef);
  assert.ok(res.finalLoss < res.losses[0]);
});
