/**
 * Every way a parallel gradient can go wrong is a TideError that names what and where: bad shard and worker counts,
 * URLs, options and arguments (thrown synchronously, before any worker starts), then, as rejections, a module without the export, a setup or loss that throws, NaN in a
 * shard's gradient, shards that disagree on paramCount, a worker that dies, misuse of a pool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parallelGradient, parallelValueAndGradient, fitParallel, adam, TideError, type ParallelGradientOptions } from '../../src/index.ts';

const module = new URL('./faulty-shards.ts', import.meta.url);
const workerUrl = new URL('./tsx-worker.mjs', import.meta.url);
const P = Float64Array.of(0.5);

function isTide(code: string, ...phrases: (string | RegExp)[]) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof TideError, `expected a TideError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of phrases) assert.match(e.message, typeof p === 'string' ? new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : p);
    return true;
  };
}

test('parallelGradient rejects bad counts, URLs and options synchronously, before starting workers', () => {
  const ok: ParallelGradientOptions = { module, workerUrl, shards: 2 };
  for (const shards of [0, 1.5, -1, 'two', 5000]) {
    assert.throws(() => parallelGradient({ ...ok, shards: shards as number }), isTide('BAD_OPTION', 'shards must be an integer from 1 to 4096'));
  }
  assert.throws(() => parallelGradient({ ...ok, workers: 3 }), isTide('BAD_OPTION', 'workers must be an integer from 1 to 2', 'workers ≤ shards'));
  assert.throws(() => parallelGradient({ ...ok, workers: 0 }), isTide('BAD_OPTION', 'workers'));
  assert.throws(() => parallelGradient({ ...ok, module: './problem.js' }), isTide('BAD_OPTION', "not an absolute URL", "new URL('./problem.js', import.meta.url)"));
  assert.throws(() => parallelGradient({ ...ok, module: 42 as unknown as string }), isTide('BAD_OPTION', 'module must be a URL'));
  assert.throws(() => parallelGradient({ ...ok, shard: 2 } as unknown as ParallelGradientOptions), isTide('BAD_OPTION', "unknown option 'shard'", "Did you mean 'shards'"));
  assert.throws(() => parallelGradient({ ...ok, exportName: '' }), isTide('BAD_OPTION', 'exportName'));
  assert.throws(() => parallelGradient(undefined as unknown as ParallelGradientOptions), isTide('BAD_OPTION', 'expected options'));
  // from the TypeScript sources, tide's own worker script cannot load: say how to give one
  assert.throws(() => parallelGradient({ module, shards: 1 }), isTide('BAD_OPTION', 'TypeScript sources', 'workerUrl'));
});

test('options.workerpool: a value that is not the workerpool module is named; the module itself (or its default) works', async () => {
  await assert.rejects(parallelGradient({ module, workerUrl, shards: 1, workerpool: { pool: 1 } }),
    isTide('BAD_OPTION', 'options.workerpool must be the workerpool module', "import workerpool from 'workerpool'"));
  const wp = await import('workerpool');
  const pg = await parallelGradient({ module, workerUrl, shards: 1, workerpool: wp });
  try { assert.equal(pg.shards, 1); } finally { await pg.close(); }
});

test('bundling the library for a browser leaves workerpool (and its Node-only branches) out', async () => {
  const esbuild = await import('esbuild');
  const r = await esbuild.build({ entryPoints: [new URL('../../src/index.ts', import.meta.url).pathname], bundle: true, write: false,
    platform: 'browser', format: 'esm', metafile: true, logLevel: 'silent' });
  const inputs = Object.keys(r.metafile.inputs);
  assert.ok(inputs.length > 50, 'the bundle holds the library');
  assert.deepEqual(inputs.filter((f) => f.includes('node_modules')), [], 'no package is bundled');
});

test('a module without the setup export, or that cannot be imported, is named', async () => {
  await assert.rejects(parallelGradient({ module, workerUrl, shards: 1, exportName: 'notSetup' }),
    isTide('BAD_ARGUMENT', "no function export 'notSetup'", 'faulty-shards.ts', "exportName: 'setup'", 'shard 0 of 1'));
  await assert.rejects(parallelGradient({ module: new URL('./no-such-module.ts', import.meta.url), workerUrl, shards: 1 }),
    isTide('BAD_ARGUMENT', 'could not import the shard module', 'no-such-module.ts'));
});

test('a setup that throws, or shards with different paramCounts, fail parallelGradient naming the shard', async () => {
  await assert.rejects(parallelGradient({ module, workerUrl, shards: 2, data: { fault: 'setup', badShard: 1 } }),
    isTide('USER_FUNCTION', 'shard 1 of 2', 'RangeError: no data for shard 1', 'setup'));
  await assert.rejects(parallelGradient({ module, workerUrl, shards: 2, workers: 1, data: { fault: 'params', badShard: 1 } }),
    isTide('SHAPE', 'shard 1 of 2', '2 parameters', "shard 0's has 1"));
  assert.throws(() => parallelGradient({ module, workerUrl, shards: 1, data: { f: () => 1 } }), isTide('BAD_ARGUMENT', 'structured-cloneable'));
});

test('a loss that throws, NaN in a shard gradient and a crashed worker fail the call naming the shard', async () => {
  await assert.rejects(parallelValueAndGradient({ module, workerUrl, shards: 2, workers: 1, data: { fault: 'loss' }, params: P }),
    isTide('USER_FUNCTION', 'shard 1 of 2', 'TypeError: loss exploded'));
  await assert.rejects(parallelValueAndGradient({ module, workerUrl, shards: 3, workers: 1, data: { fault: 'nan', badShard: 2 }, params: P }),
    isTide('NONFINITE', 'parallel gradient, shard 2 of 3: solve (rk4', 'non-finite', 'shards 0, 1, 2 of 3'));
  await assert.rejects(parallelValueAndGradient({ module, workerUrl, shards: 2, data: { fault: 'crash', badShard: 0 }, params: P }),
    isTide('USER_FUNCTION', 'shard 0 of 2', 'stopped'));
});

test('shard gradients that are finite one by one but overflow when summed are a NONFINITE error, not an Inf gradient', async () => {
  await assert.rejects(parallelValueAndGradient({ module, workerUrl, shards: 2, workers: 1, data: { fault: 'huge' }, params: P }),
    isTide('NONFINITE', 'every shard\'s gradient is finite but their sum overflows', 'dParams[0] = Infinity'));
});

test('misusing a pool: wrong params, overlapping calls, calls after close', async () => {
  const pg = await parallelGradient({ module, workerUrl, shards: 2 });
  try {
    assert.throws(() => pg.valueAndGradient(Float64Array.of(1, 2)), isTide('SHAPE', 'length 1'));
    assert.throws(() => pg.valueAndGradient([0.5] as unknown as Float64Array), isTide('SHAPE', 'Float64Array'));
    assert.throws(() => pg.valueAndGradient(Float64Array.of(NaN)), isTide('NONFINITE', 'params[0] is NaN'));
    const first = pg.valueAndGradient(P);
    assert.throws(() => pg.valueAndGradient(P), isTide('BAD_ARGUMENT', 'previous call has not finished'));
    const r = await first;
    // y' = −k y from (1, −1) and (2, −1), saved at t0 and t1: L = Σ |y(0)|² + |y(1)|² = 7 (1 + e^{−2k}) (rk4, h = 0.1)
    assert.ok(Math.abs(r.loss - 7 * (1 + Math.exp(-1))) < 1e-5, String(r.loss));
    assert.ok(Math.abs(r.dParams[0] + 14 * Math.exp(-1)) < 1e-5, String(r.dParams[0]));
    assert.throws(() => fitParallel({ gradient: pg, params: Float64Array.of(1, 2), optimizer: adam(), steps: 1 }), isTide('SHAPE', 'length 1'));
  } finally {
    await pg.close();
    await pg.close();
  }
  assert.throws(() => pg.valueAndGradient(P), isTide('BAD_ARGUMENT', 'closed'));
  assert.throws(() => parallelValueAndGradient({ module, workerUrl, shards: 1, params: [1] as unknown as Float64Array }), isTide('SHAPE', 'params must be a Float64Array'));
});

test('after a worker dies, the pool\'s replacement worker sets its shards up again and the next call succeeds', async () => {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const pg = await parallelGradient({ module, workerUrl, shards: 2, workers: 2, data: { fault: 'crash-once', badShard: 1, flag } });
  try {
    await assert.rejects(pg.valueAndGradient(P), isTide('USER_FUNCTION', 'shard 1 of 2', 'stopped', 'exit code 3'));
    const r = await pg.valueAndGradient(P);
    assert.ok(Math.abs(r.loss - 7 * (1 + Math.exp(-1))) < 1e-5, String(r.loss));
  } finally {
    await pg.close();
  }
});
