// Worker for bench/scaling.ts's kernel control: the in-process MLP gradient of one shard's rows (batchGradient of
// test/parallel/mlp-shards.ts, no solve, no workerpool), run `reps` times per message. Registers tsx first, as
// tsx-worker.mjs does, since worker threads do not inherit the loader.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const { batchGradient } = await import('./mlp-shards.ts');
const { setBackend } = await import('../../src/core/kernels/wasm.ts');
setBackend('wasm');
const g = batchGradient(workerData);
parentPort.on('message', (reps) => {
  let s = 0;
  for (let i = 0; i < reps; i++) s += g.run(g.params).loss;
  parentPort.postMessage(s);
});
parentPort.postMessage('ready');
