/**
 * `npm start`: the main job. Until the solver-based demos land it trains a small MLP with Adam on a built-in 1-D
 * regression problem (y = sin(3x) + 0.3x² with noise, 256 points) and prints the loss going down, then the fit.
 * Options: --steps N (default 2000), --seed S (default 0), --lr LR (default 0.01).
 */
import { mlp, Rng, adam, cosine } from '../src/index.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v)) { console.error(`npm start: --${name} needs a number, got '${process.argv[i + 1]}'.`); process.exit(2); }
  return v;
}

const steps = arg('steps', 2000), seed = arg('seed', 0), lr = arg('lr', 0.01);
const rng = new Rng(seed);
const n = 256;
const xs = new Float64Array(n), ys = new Float64Array(n);
for (let i = 0; i < n; i++) {
  xs[i] = -2 + 4 * i / (n - 1);
  ys[i] = Math.sin(3 * xs[i]) + 0.3 * xs[i] * xs[i] + 0.05 * rng.normal();
}
const model = mlp([1, 32, 32, 1], { activation: 'tanh' });
const params = new Float64Array(model.paramCount);
model.init(params, rng);
const ws = model.workspace(n);
const pred = new Float64Array(n), dPred = new Float64Array(n), grads = new Float64Array(model.paramCount);
const opt = adam({ lr: cosine({ lr, steps, minLr: lr / 20 }) });

console.log(`tide: training ${model.name} (${model.paramCount} parameters) with Adam on y = sin(3x) + 0.3x² + noise, ${n} points`);
const t0 = performance.now();
let loss = NaN;
for (let step = 0; step <= steps; step++) {
  model.apply(pred, params, xs, ws);
  loss = 0;
  for (let i = 0; i < n; i++) { const r = pred[i] - ys[i]; loss += r * r; dPred[i] = 2 * r / n; }
  loss /= n;
  if (step % Math.max(1, Math.floor(steps / 10)) === 0 || step === steps) {
    const bar = '#'.repeat(Math.max(1, Math.min(40, Math.round(40 * Math.log10(1 + loss * 100) / 3))));
    console.log(`step ${String(step).padStart(5)}  loss ${loss.toExponential(3)}  ${bar}`);
  }
  if (step === steps) break;
  grads.fill(0);
  model.vjp(grads, null, dPred, params, xs, ws);
  opt.step(params, grads);
}
const sec = (performance.now() - t0) / 1000;
console.log(`\nfinal MSE ${loss.toExponential(3)} (noise variance 2.5e-3) in ${sec.toFixed(2)} s`);
console.log('\n   x      target   model');
for (let i = 0; i < n; i += 32) console.log(`${xs[i].toFixed(2).padStart(6)}  ${ys[i].toFixed(4).padStart(7)}  ${pred[i].toFixed(4).padStart(7)}`);
