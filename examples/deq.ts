/**
 * Deep equilibrium models:
 *  - a DEQ layer z* = f(z*, x) (f an MLP on [z; x], Anderson acceleration forward, implicit-function-theorem backward)
 *    between two dense layers, trained with Adam on a toy regression y = sin(1.5 x);
 *  - a reversible DEQ (RevDEQ, McCallum, Arora & Foster 2025) on the same task: a relaxed iteration that runs
 *    backwards exactly, so backprop through all its iterations holds O(1) memory; a linear readout of z_N.
 *
 *   node --import tsx examples/deq.ts            # 600 training steps each
 *   node --import tsx examples/deq.ts --quick    # 150 steps each (the test suite's run)
 */
import { deq, chain, dense, mlp, adam, Rng } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const steps = quick ? 150 : 600;
const B = 32;
const xs = Float64Array.from({ length: B }, (_, i) => -2 + (4 * i) / (B - 1));
const target = xs.map((x) => Math.sin(1.5 * x));
const mse = (pred: Float64Array, dPred: Float64Array): number => {
  let L = 0;
  for (let i = 0; i < B; i++) { const r = pred[i] - target[i]; L += (r * r) / B; dPred[i] = (2 * r) / B; }
  return L;
};

// ---- a DEQ layer in a chain ---------------------------------------------------------------------------------------
const layer = deq.layer(mlp([4 + 3, 16, 4], { activation: 'tanh' }),       // f(z, x) on [z; x]: z ∈ R⁴, x ∈ R³
  { solver: deq.anderson({ tol: 1e-8, ridge: 'relative', maxIter: 100 }), backward: deq.implicit() });
const model = chain(dense(1, 3), layer, dense(4, 1));
const w = new Float64Array(model.paramCount);
model.init(w, new Rng(11));
const mws = model.workspace(B), pred = new Float64Array(B), dPred = new Float64Array(B), dW = new Float64Array(model.paramCount);
let opt = adam({ lr: 1e-2 });
console.log(`deq: chain(dense(1, 3), DEQ(mlp 7 → 16 → 4, Anderson + implicit backward), dense(4, 1)), ${model.paramCount} parameters, ${B} points of sin(1.5x)`);
let first = NaN, deqLoss = NaN;
for (let step = 0; step <= steps; step++) {
  model.apply(pred, w, xs, mws);
  deqLoss = mse(pred, dPred);
  if (step === 0) first = deqLoss;
  if (step === steps) break;
  dW.fill(0); model.vjp(dW, null, dPred, w, xs, mws); opt.step(w, dW);
}
console.log(`  DEQ layer: ${steps} Adam steps, loss ${first.toExponential(3)} → ${deqLoss.toExponential(3)}; last solve ${layer.stats?.nfe} evaluations`);

// ---- a reversible DEQ ---------------------------------------------------------------------------------------------
// f(z, x) = mlp([z; x]) with z ∈ R⁴, x ∈ R¹; prediction = r·z_N + c. Parameters [f's, r (4), c].
const fNet = mlp([4 + 1, 16, 4], { activation: 'tanh' });
const rev = deq.revDeq(deq.mapFromModel(fNet, 4), { beta: 0.5, maxIter: 8, tol: 0 });
const nf = fNet.paramCount;
const p = new Float64Array(nf + 5);
fNet.init(p.subarray(0, nf), new Rng(5));
new Rng(6).fillNormal(p.subarray(nf, nf + 4), 0, 0.5);
const g = new Float64Array(p.length), dZ = new Float64Array(4 * B);
opt = adam({ lr: 1e-2 });
let revFirst = NaN, revLoss = NaN, report: ReturnType<typeof rev.backward>['report'] | null = null;
for (let step = 0; step <= steps; step++) {
  const z = rev.forward(xs, p.subarray(0, nf));
  for (let b = 0; b < B; b++) {
    let s = p[nf + 4];
    for (let j = 0; j < 4; j++) s += p[nf + j] * z[4 * b + j];
    pred[b] = s;
  }
  revLoss = mse(pred, dPred);
  if (step === 0) revFirst = revLoss;
  if (step === steps) break;
  g.fill(0);
  for (let b = 0; b < B; b++) {
    g[nf + 4] += dPred[b];
    for (let j = 0; j < 4; j++) { g[nf + j] += dPred[b] * z[4 * b + j]; dZ[4 * b + j] = dPred[b] * p[nf + j]; }
  }
  const back = rev.backward(dZ);
  g.set(back.dParams, 0);
  report = back.report;
  opt.step(p, g);
}
console.log(`  RevDEQ (β = 0.5, ${report?.iterations} iterations): ${steps} Adam steps, loss ${revFirst.toExponential(3)} → ${revLoss.toExponential(3)}; residual ${report?.residual.toExponential(2)}, reconstruction error ${report?.reconstructionError.toExponential(2)}, ${report?.peakBytes} B held`);
console.log(`final loss DEQ ${deqLoss.toExponential(3)}, RevDEQ ${revLoss.toExponential(3)}`);
