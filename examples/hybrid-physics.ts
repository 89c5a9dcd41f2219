/**
 * A hybrid (universal differential equation) model of a damped pendulum: the known physics θ' = ω,
 * ω' = −(g/L)·sin θ − k·ω with a learnable damping k, plus a small MLP correction for what the physics leaves out.
 * The "true" system also has a stiffening spring −c·θ³ that the physics leaves out. The network sees θ only, so it can
 * model the missing force but not the damping, which stays identifiable: the example compares the learned k with the
 * truth. The field is written with `ops` and traced once (fieldFromTrace + ops.model); training runs through `fit`.
 *
 *   node --import tsx examples/hybrid-physics.ts            # 1500 training steps
 *   node --import tsx examples/hybrid-physics.ts --quick    # 300 steps (the test suite's run)
 */
import { fieldFromTrace, ops, mlp, fit, adam, solve, problems, Rng } from '../src/index.ts';
import type { VectorField } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const steps = quick ? 300 : 1500;
const G_OVER_L = 9.81, K_TRUE = 0.3, SPRING_TRUE = 0.2;

// The true system, a plain vector field (no gradient needed): it only generates the data.
const truth: VectorField = {
  dim: 2, paramCount: 0, name: 'true pendulum',
  eval: (out, _t, y) => {
    out[0] = y[1];
    out[1] = -G_OVER_L * Math.sin(y[0]) - K_TRUE * y[1] - SPRING_TRUE * y[0] ** 3;
  },
};
const y0 = Float64Array.of(2.0, 0);
const ts = problems.linspace(0, 6, 61);
const data = solve(truth, y0, { t1: 6, method: 'dopri5', rtol: 1e-10, atol: 1e-12, saveAt: { ts } }).ys;

// The hybrid model: params = [k, network parameters]; the network sees θ and corrects ω'.
const net = mlp([1, 16, 1], { activation: 'tanh' });
const hybrid = fieldFromTrace((_t, y, p) => {
  const theta = ops.cols(y, 0, 1), omega = ops.cols(y, 1, 1);
  const physics = ops.sub(ops.scale(ops.sin(theta), -G_OVER_L), ops.mul(ops.at(p, 0), omega));
  const correction = ops.model(net, ops.slice(p, 1, net.paramCount), theta);
  return ops.concat([omega, ops.add(physics, correction)]);
}, { shape: [1, 2], paramCount: 1 + net.paramCount, name: 'hybrid pendulum' });

const params = new Float64Array(hybrid.paramCount);
net.init(params.subarray(1), new Rng(3));
params.subarray(1).forEach((v, i, a) => { a[i] = 0.1 * v; });   // start the correction near zero
params[0] = 0;                                                  // and the damping at zero: it must be learned

const loss = problems.mseLoss(data, 'pendulum');
const physicsOnly = (k: number): number => {
  const p = new Float64Array(hybrid.paramCount); p[0] = k;      // network parameters all 0: the correction is exactly 0
  return loss(solve(hybrid, y0, { t1: 6, params: p, method: 'dopri5', rtol: 1e-8, atol: 1e-10, saveAt: { ts } }).ys);
};

console.log(`hybrid-physics: pendulum θ'' = −(g/L) sin θ − k θ' + MLP(θ), ${hybrid.paramCount} parameters (k + ${net.paramCount}); true k = ${K_TRUE}, plus a spring −${SPRING_TRUE}·θ³ the physics lacks`);
const start = performance.now();
const result = fit({
  field: hybrid, y0, params, loss, optimizer: adam({ lr: 1e-2 }), steps,
  solve: { t1: 6, saveAt: { ts }, method: 'dopri5', rtol: 1e-7, atol: 1e-9, gradient: 'direct' },
  onStep: ({ step, loss: L }) => {
    if (step % Math.max(1, Math.floor(steps / 5)) === 0) console.log(`  step ${String(step).padStart(4)}  loss ${L.toExponential(3)}  k ${params[0].toFixed(4)}`);
  },
});
const sec = (performance.now() - start) / 1000;
console.log(`  physics alone with the true k: loss ${physicsOnly(K_TRUE).toExponential(3)} (the spring is missing); with k = 0: ${physicsOnly(0).toExponential(3)}`);
console.log(`learned damping k = ${params[0].toFixed(4)} (true ${K_TRUE}, error ${Math.abs(params[0] - K_TRUE).toFixed(4)}), final loss ${result.finalLoss.toExponential(3)} (from ${result.losses[0].toExponential(3)}) in ${sec.toFixed(1)} s`);
