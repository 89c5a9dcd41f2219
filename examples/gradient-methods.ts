/**
 * One problem, every gradient method: the demo's spiral neural ODE (2 → 50 → 2 tanh on y³, 252 parameters) on [0, 5]
 * with dopri5 at rtol 1e-6, an MSE loss against the true spiral at 26 times. For each method: the relative difference
 * of ∂L/∂θ to a tight reference (backprop through a dopri5 solve at rtol 1e-12, i.e. the ODE's gradient to ~1e-11),
 * the NFE of the forward and backward passes, and the bytes the method held.
 *
 *   node --import tsx examples/gradient-methods.ts            # the table, 3 repeats each for timing
 *   node --import tsx examples/gradient-methods.ts --quick    # one run each (the test suite's run)
 */
import { problems, solveWithGradient, direct, checkpoint, backsolve, interpolated, quadrature, reversible, Rng } from '../src/index.ts';
import type { GradientMethod } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const repeats = quick ? 1 : 3;
const field = problems.neuralSpiralField(1);
const params = field.init(new Float64Array(field.paramCount), new Rng(0));
const data = problems.spiralData({ points: 26, t1: 5 });
const loss = problems.mseLoss(data.ys);
const base = { t1: 5, saveAt: { ts: data.ts }, params, method: 'dopri5' } as const;

function gradient(gradientMethod: GradientMethod, rtol: number, atol: number) {
  const run = solveWithGradient(field, data.y0, { ...base, rtol, atol, gradient: gradientMethod });
  const dYs = new Float64Array(run.ys.length);
  const L = loss(run.ys, dYs);
  const { dParams, report } = run.backward(dYs);
  return { L, dParams, report };
}

const ref = gradient(direct(), 1e-12, 1e-14).dParams;
let refNorm = 0;
for (const v of ref) refNorm = Math.max(refNorm, Math.abs(v));

const methods: [string, () => GradientMethod][] = [
  ['direct', () => direct()],
  ['checkpoint (online, 8)', () => checkpoint({ slots: 8 })],
  ['revolve (8)', () => checkpoint({ slots: 8, schedule: 'revolve' })],
  ['backsolve (seminorm)', () => backsolve({ norm: 'seminorm' })],
  ['interpolated (32)', () => interpolated({ nodes: 32 })],
  ['quadrature', () => quadrature()],
  ['reversible (re-anchored)', () => reversible()],
];

console.log(`gradient-methods: neural spiral ODE, ${field.paramCount} parameters, dopri5 rtol 1e-6 atol 1e-8 on [0, 5], MSE at ${data.ts.length} times`);
console.log(`  ${'method'.padEnd(26)}${'rel. grad diff'.padStart(15)}${'NFE fwd'.padStart(9)}${'NFE bwd'.padStart(9)}${'VJPs'.padStart(7)}${'states B'.padStart(10)}${'peak B'.padStart(9)}${'ms'.padStart(8)}`);
let worst = 0;
for (const [name, make] of methods) {
  let g = gradient(make(), 1e-6, 1e-8);
  const t0 = performance.now();
  for (let r = 0; r < repeats; r++) g = gradient(make(), 1e-6, 1e-8);
  const ms = (performance.now() - t0) / repeats;
  let diff = 0;
  for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(g.dParams[i] - ref[i]));
  const rel = diff / refNorm;
  worst = Math.max(worst, rel);
  const r = g.report;
  console.log(`  ${name.padEnd(26)}${rel.toExponential(2).padStart(15)}${String(r.nfeForward).padStart(9)}${String(r.nfeBackward).padStart(9)}${String(r.vjpBackward).padStart(7)}${String(r.stateBytes).padStart(10)}${String(r.peakBytes).padStart(9)}${ms.toFixed(1).padStart(8)}`);
}
console.log(`every method within ${worst.toExponential(2)} (relative, max norm) of the reference gradient`);
