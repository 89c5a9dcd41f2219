/**
 * bench/mlp: forward and forward+VJP of a 2→50→2 tanh MLP (float64) at batch 1, 16 and 256.
 * Rows: the model called directly (fieldFromModel: what a neural ODE solve uses), the same model inside a traced
 * graph (fieldFromTrace + ops.model: the hybrid-field route, to show the graph's per-call overhead), and a plain
 * hand-written typed-array loop with Math.tanh as the baseline the issue quotes.
 * Reports µs per call, GFLOP/s (matmul flops: forward 4·b·100, VJP 3× that), VJP/forward ratio.
 */
import { mlp, Rng, fieldFromModel, fieldFromTrace, ops } from '../src/index.ts';
import { timeIt, printTable, writeResults } from './lib.ts';
import type { Row } from './lib.ts';

function plainLoop(batch: number): { fwd: () => void } {
  const W1 = new Float64Array(100), b1 = new Float64Array(50), W2 = new Float64Array(100), b2 = new Float64Array(2);
  const rng = new Rng(1);
  rng.fillUniform(W1, -0.7, 0.7); rng.fillUniform(W2, -0.14, 0.14);
  const x = rng.fillNormal(new Float64Array(batch * 2)), h = new Float64Array(batch * 50), out = new Float64Array(batch * 2);
  return {
    fwd: () => {
      for (let i = 0; i < batch; i++) {
        const x0 = x[2 * i], x1 = x[2 * i + 1];
        for (let j = 0; j < 50; j++) h[i * 50 + j] = Math.tanh(W1[2 * j] * x0 + W1[2 * j + 1] * x1 + b1[j]);
        for (let o = 0; o < 2; o++) {
          let s = b2[o];
          for (let j = 0; j < 50; j++) s += W2[o * 50 + j] * h[i * 50 + j];
          out[2 * i + o] = s;
        }
      }
    },
  };
}

export async function main(): Promise<void> {
  const rows: Row[] = [];
  const model = mlp([2, 50, 2], { activation: 'tanh' });
  const rng = new Rng(0);
  const params = new Float64Array(model.paramCount);
  model.init(params, rng);
  for (const batch of [1, 16, 256]) {
    const y = rng.fillNormal(new Float64Array(batch * 2));
    const v = rng.fillNormal(new Float64Array(batch * 2));
    const out = new Float64Array(batch * 2), dY = new Float64Array(batch * 2), dP = new Float64Array(model.paramCount);
    const flopsFwd = 4 * batch * 100;
    const direct = fieldFromModel(model, batch);
    const traced = fieldFromTrace((_t, yv, p) => ops.model(model, p, yv), { shape: [batch, 2], paramCount: model.paramCount });
    for (const [route, field] of [['model', direct], ['graph', traced]] as const) {
      const fwd = timeIt(() => field.eval(out, 0, y, params));
      const both = timeIt(() => field.vjp(dY, dP, v, 0, y, params, out));
      rows.push({
        name: `${route} b${batch}`, route, batch,
        fwd_us: fwd.sec * 1e6, vjp_us: both.sec * 1e6,
        fwd_gflops: flopsFwd / fwd.sec / 1e9, vjp_gflops: 3 * flopsFwd / both.sec / 1e9,
        ratio_vjp_fwd: both.sec / fwd.sec, fwd_sec: fwd.sec, vjp_sec: both.sec,
      });
    }
    const plain = plainLoop(batch);
    const p = timeIt(plain.fwd);
    rows.push({ name: `plain-loop-Math.tanh b${batch}`, route: 'plain loop, Math.tanh', batch, fwd_us: p.sec * 1e6, fwd_gflops: flopsFwd / p.sec / 1e9, fwd_sec: p.sec });
  }
  // Per-call overhead at batch 1: the time not explained by the batch-16 per-sample cost.
  const byName = new Map(rows.map((r) => [r.name, r]));
  for (const route of ['model', 'graph']) {
    const b1 = byName.get(`${route} b1`)!, b16 = byName.get(`${route} b16`)!;
    const perSample = ((b16.fwd_us as number) - (b1.fwd_us as number)) / 15;
    b1.overhead_us = (b1.fwd_us as number) - perSample;
  }
  const r16 = byName.get('model b16')!, plain16 = byName.get('plain-loop-Math.tanh b16')!;
  r16.ratio_plain_over_model = (plain16.fwd_us as number) / (r16.fwd_us as number);
  printTable('2→50→2 tanh MLP, float64 (µs per call; targets: overhead at b1 < 2 µs, VJP ≤ 3× forward at b16)', rows);
  writeResults('mlp', rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
