/**
 * Terms beyond ODEs, with gradients through the solver:
 *  - a small neural SDE dy = f_θ(y) dt + σ ⊙ y ∘ dW (Stratonovich): an MLP drift and a learnable diagonal diffusion,
 *    on one sampled Brownian path, solved with Heun's method; ∂L/∂θ and ∂L/∂σ by backprop through the solve;
 *  - a neural CDE dy = g_φ(y) dX on a piecewise-linear control path X(t) = (t, x(t)) through 11 noisy observations of
 *    x = sin t, with g_φ(y) = tanh(W y + b) a 2 × 2 matrix; ∂L/∂φ through the solve.
 * Each gradient is checked against central finite differences (on the same Brownian path for the SDE).
 *
 *   node --import tsx examples/sde-cde.ts            # also trains each model for 200 Adam steps
 *   node --import tsx examples/sde-cde.ts --quick    # gradients and 30 steps (the test suite's run)
 */
import {
  solveWithGradient, odeTerm, diffusionTerm, sumTerms, controlTerm, brownianPath, linearPath, fieldFromTrace, ops, mlp, adam, Rng,
} from '../src/index.ts';
import type { Term, MatrixField } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const trainSteps = quick ? 30 : 200;

/** L = |y(t1) − target|², its gradient in params (and the value), for a term solved with fixed steps. */
function lossAndGrad(term: Term, y0: Float64Array, params: Float64Array, target: Float64Array, method: string, t1: number, h: number) {
  const run = solveWithGradient(term, y0, { t1, params, method, stepSize: h, adaptive: false });
  const d = y0.length, yT = run.yFinal, dYs = new Float64Array(run.ys.length);
  let L = 0;
  for (let i = 0; i < d; i++) { const r = yT[i] - target[i]; L += r * r; dYs[run.ys.length - d + i] = 2 * r; }
  return { L, dParams: run.backward(dYs).dParams };
}

/** Largest relative difference between the solver gradient and central differences over a few parameters. */
function fdCheck(f: (p: Float64Array) => number, params: Float64Array, grad: Float64Array, idx: number[]): number {
  let worst = 0;
  for (const i of idx) {
    const p = Float64Array.from(params), e = 1e-6 * Math.max(1, Math.abs(params[i]));
    p[i] = params[i] + e; const up = f(p);
    p[i] = params[i] - e; const down = f(p);
    const fd = (up - down) / (2 * e);
    worst = Math.max(worst, Math.abs(fd - grad[i]) / Math.max(1e-8, Math.abs(fd), Math.abs(grad[i])));
  }
  return worst;
}

function train(name: string, lg: (p: Float64Array) => { L: number; dParams: Float64Array }, params: Float64Array, lr: number): number {
  const opt = adam({ lr });
  const first = lg(params).L;
  let L = first;
  for (let s = 0; s < trainSteps; s++) { const r = lg(params); L = r.L; opt.step(params, r.dParams); }
  L = lg(params).L;
  console.log(`  ${name}: ${trainSteps} Adam steps, loss ${first.toExponential(3)} → ${L.toExponential(3)}`);
  return L;
}

// ---- neural SDE ---------------------------------------------------------------------------------------------------
const net = mlp([2, 16, 2], { activation: 'tanh' });
const nSde = net.paramCount + 2;                                      // [network, σ₁, σ₂]
const drift = fieldFromTrace((_t, y, p) => ops.model(net, ops.slice(p, 0, net.paramCount), y), { shape: [1, 2], paramCount: nSde, name: 'drift' });
const diffusion: MatrixField = {
  dim: 2, controlDim: 2, paramCount: nSde, name: 'σ ⊙ y',
  eval: (out, _t, y, p) => { out[0] = p[nSde - 2] * y[0]; out[1] = p[nSde - 1] * y[1]; },
  vjp: (dY, dP, V, _t, y, p) => {
    dY[0] = p[nSde - 2] * V[0]; dY[1] = p[nSde - 1] * V[1];
    if (dP) { dP[nSde - 2] += V[0] * y[0]; dP[nSde - 1] += V[1] * y[1]; }
    return 0;
  },
};
const W = brownianPath(0, 1, 100, 2, new Rng(0));
const sde = sumTerms(odeTerm(drift), diffusionTerm(diffusion, W, { diagonal: true }));
const sdeParams = new Float64Array(nSde);
net.init(sdeParams.subarray(0, net.paramCount), new Rng(1));
sdeParams[nSde - 2] = 0.3; sdeParams[nSde - 1] = 0.2;
const sdeY0 = Float64Array.of(1, -0.5), sdeTarget = Float64Array.of(0.5, 0.5);
const sdeLG = (p: Float64Array) => lossAndGrad(sde, sdeY0, p, sdeTarget, 'heun', 1, 0.01);
const g1 = sdeLG(sdeParams);
const sdeErr = fdCheck((p) => sdeLG(p).L, sdeParams, g1.dParams, [0, 5, 40, nSde - 2, nSde - 1]);
console.log(`sde-cde: neural SDE, MLP drift 2 → 16 → 2 + diagonal σ ⊙ y ∘ dW, ${nSde} parameters, Heun h = 0.01 on one Brownian path`);
console.log(`  L = |y(1) − target|² = ${g1.L.toExponential(4)}, ∂L/∂σ = (${g1.dParams[nSde - 2].toFixed(5)}, ${g1.dParams[nSde - 1].toFixed(5)}), vs finite differences: ${sdeErr.toExponential(2)} (relative)`);
const sdeLoss = train('SDE', sdeLG, sdeParams, 1e-2);

// ---- neural CDE ---------------------------------------------------------------------------------------------------
const obsT = Array.from({ length: 11 }, (_, i) => i * 0.3);
const noise = new Rng(2);
const obs = obsT.flatMap((t) => [t, Math.sin(t) + 0.05 * noise.normal()]);   // X(t_i) = (t_i, x_i)
const X = linearPath(obsT, obs, 2);
// g(y) = tanh(W y + b) ∈ R^{2×2} row-major: W is 4 × 2 (params 0..7), b is 4 (params 8..11).
const cdeField: MatrixField = {
  dim: 2, controlDim: 2, paramCount: 12, name: 'tanh(Wy + b)',
  eval: (out, _t, y, p) => { for (let k = 0; k < 4; k++) out[k] = Math.tanh(p[2 * k] * y[0] + p[2 * k + 1] * y[1] + p[8 + k]); },
  vjp: (dY, dP, V, _t, y, p) => {
    dY[0] = 0; dY[1] = 0;
    for (let k = 0; k < 4; k++) {
      const o = Math.tanh(p[2 * k] * y[0] + p[2 * k + 1] * y[1] + p[8 + k]), g = V[k] * (1 - o * o);
      dY[0] += g * p[2 * k]; dY[1] += g * p[2 * k + 1];
      if (dP) { dP[2 * k] += g * y[0]; dP[2 * k + 1] += g * y[1]; dP[8 + k] += g; }
    }
    return 0;
  },
};
const cde = controlTerm(cdeField, X);
const cdeParams = new Rng(3).fillNormal(new Float64Array(12), 0, 0.5);
const cdeY0 = Float64Array.of(0, 0), cdeTarget = Float64Array.of(1, -1);
const t1 = obsT[obsT.length - 1];
const cdeLG = (p: Float64Array) => lossAndGrad(cde, cdeY0, p, cdeTarget, 'rk4', t1, 0.05);
const g2 = cdeLG(cdeParams);
const cdeErr = fdCheck((p) => cdeLG(p).L, cdeParams, g2.dParams, [...Array(12).keys()]);
console.log(`neural CDE: dy = tanh(Wy + b) dX on X(t) = (t, x(t)) through ${obsT.length} observations, 12 parameters, rk4 h = 0.05 on [0, ${t1.toFixed(1)}]`);
console.log(`  L = |y(T) − target|² = ${g2.L.toExponential(4)}, |∂L/∂φ|∞ = ${Math.max(...g2.dParams.map(Math.abs)).toFixed(5)}, vs finite differences: ${cdeErr.toExponential(2)} (relative)`);
const cdeLoss = train('CDE', cdeLG, cdeParams, 2e-2);
console.log(`final loss SDE ${sdeLoss.toExponential(3)}, CDE ${cdeLoss.toExponential(3)}; gradient checks ${Math.max(sdeErr, cdeErr).toExponential(2)}`);
