/**
 * The two problems added for the CLI (src/problems/lotka-volterra.ts, hybrid-pendulum.ts), by oracles: the
 * Lotka–Volterra data conserve V = δx − γ ln x + βy − α ln y (the first integral of the equations); the hybrid
 * pendulum data satisfy its energy balance dE/dt = −k ω² (E = ω²/2 + (g/L)(1 − cos θ) + c θ⁴/4); both fields'
 * VJPs match central differences; the hybrid model with zero network and k̂ = k, c = 0 is the physics alone;
 * bad options are TideErrors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { problems, solve, Rng, TideError } from '../../src/index.ts';
import { checkFieldVjp } from './check.ts';

test('Lotka–Volterra: the data conserve the first integral; the field VJP matches central differences', () => {
  const [a, b, g, d] = problems.LOTKA_VOLTERRA_PARAMS;
  const V = (x: number, y: number): number => d * x - g * Math.log(x) + b * y - a * Math.log(y);
  const data = problems.lotkaVolterraData({ points: 31, t1: 6 });
  assert.equal(data.ts.length, 30);
  assert.equal(data.ts[29], 6);
  const v0 = V(data.y0[0], data.y0[1]);
  for (let i = 0; i < 30; i++) assert.ok(Math.abs(V(data.ys[2 * i], data.ys[2 * i + 1]) - v0) < 1e-8, `V drifts at t = ${data.ts[i]}`);
  checkFieldVjp(problems.lotkaVolterraField(), 0.3, Float64Array.of(1.2, 0.7), Float64Array.from(problems.LOTKA_VOLTERRA_PARAMS));
  const model = problems.lotkaVolterraModel(1, 8);
  checkFieldVjp(model, 0, Float64Array.of(2.5, 0.4), model.init(new Float64Array(model.paramCount), new Rng(5)));
  const pb = problems.lotkaVolterraProblem({ hidden: 8, trainingSteps: 5 });
  assert.equal(pb.field.paramCount, 5 * 8 + 2);
  assert.equal(pb.training.steps, 5);
  assert.ok(Number.isFinite(pb.loss(solve(pb.field, pb.y0, { ...pb.solveOptions, params: pb.init(0) }).ys)));
});

test('hybrid pendulum: the data satisfy the energy balance; the model is physics + network', () => {
  const { gOverL, damping: k, spring: c } = problems.HYBRID_PENDULUM_TRUTH;
  const truth = problems.hybridPendulumTruth();
  const p = Float64Array.of(k, c);
  // dE/dt = −k ω²: E(t) − E(0) = −k ∫ ω² dt, integrated by a dense tight solve.
  const ts = problems.linspace(0, 6, 6001);
  const sol = solve(truth, Float64Array.from(problems.HYBRID_PENDULUM_Y0), { t1: 6, params: p, method: 'dopri5', rtol: 1e-12, atol: 1e-12, saveAt: { ts } });
  const E = (th: number, om: number): number => om * om / 2 + gOverL * (1 - Math.cos(th)) + c * th ** 4 / 4;
  let dissipated = 0;
  for (let i = 1; i < ts.length; i++) dissipated += 0.5 * (sol.ys[2 * i - 1] ** 2 + sol.ys[2 * i + 1] ** 2) * (ts[i] - ts[i - 1]);
  const e0 = E(sol.ys[0], sol.ys[1]), e1 = E(sol.ys[12000], sol.ys[12001]);
  assert.ok(Math.abs(e1 - e0 + k * dissipated) < 1e-5 * e0, `energy balance: ${e1 - e0} vs ${-k * dissipated}`);
  const data = problems.hybridPendulumData();
  assert.ok(Math.abs(data.ys[118] - sol.ys[12000]) < 1e-8, 'the data are the same trajectory');
  checkFieldVjp(truth, 0.1, Float64Array.of(1.1, -0.4), p);

  const model = problems.hybridPendulumModel(4);
  const params = new Float64Array(model.field.paramCount);
  params[0] = k;                       // network all zeros: the correction is 0
  const f = new Float64Array(2), fTrue = new Float64Array(2);
  model.field.eval(f, 0, Float64Array.of(0.7, 0.3), params);
  truth.eval(fTrue, 0, Float64Array.of(0.7, 0.3), Float64Array.of(k, 0));
  assert.ok(Math.abs(f[0] - fTrue[0]) < 1e-15 && Math.abs(f[1] - fTrue[1]) < 1e-15);
  const pb = problems.hybridPendulumProblem({ hidden: 4 });
  const p0 = pb.init(2);
  assert.equal(p0[0], 0);
  checkFieldVjp(model.field, 0, Float64Array.of(0.7, 0.3), p0);
});

test('the new problems reject bad options with TideErrors', () => {
  assert.throws(() => problems.lotkaVolterraData({ points: 1 }), (e) => e instanceof TideError && /points must be an integer ≥ 2/.test(e.message));
  assert.throws(() => problems.lotkaVolterraProblem({ hiden: 3 } as never), (e) => e instanceof TideError && /hiden/.test(e.message));
  assert.throws(() => problems.hybridPendulumProblem({ t1: -1 }), (e) => e instanceof TideError && /t1 must be a finite number > 0/.test(e.message));
  assert.throws(() => problems.hybridPendulumModel(0), TideError);
  assert.throws(() => problems.hybridPendulumModel().init(new Float64Array(3), null as never), (e) => e instanceof TideError && e.code === 'SHAPE');
});
