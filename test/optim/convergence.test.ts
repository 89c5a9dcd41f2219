/**
 * Convergence on a convex quadratic (every optimizer) and on the 2-D Rosenbrock function (Adam), and the
 * minimizer shift that L2 weight decay must produce. Iteration counts are fixed; nothing is timed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimizer, type OptimizerName } from '../../src/optim/optimizer.ts';
import { cosine } from '../../src/optim/schedules.ts';
import type { Optimizer } from '../../src/optim/optimizer.ts';

/** f(p) = ½ Σ c_i (p_i − a_i)², minimum at a, condition number 8. */
const C = [1, 4, 0.5];
const A = [1, -2, 3];
function quadGrad(g: Float64Array, p: Float64Array): void {
  for (let i = 0; i < 3; i++) g[i] = C[i] * (p[i] - A[i]);
}

/** Rosenbrock f(x, y) = (1 − x)² + 100 (y − x²)², minimum at (1, 1). */
function rosenGrad(g: Float64Array, p: Float64Array): void {
  const x = p[0], y = p[1];
  g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  g[1] = 200 * (y - x * x);
}

function minimize(opt: Optimizer, p0: number[], grad: (g: Float64Array, p: Float64Array) => void, steps: number): Float64Array {
  const p = Float64Array.from(p0);
  const g = new Float64Array(p.length);
  for (let k = 0; k < steps; k++) {
    grad(g, p);
    opt.step(p, g);
  }
  return p;
}

const maxErr = (p: ArrayLike<number>, target: ArrayLike<number>): number =>
  Math.max(...Array.from(p, (v, i) => Math.abs(v - target[i])));

const QUAD_CASES: [OptimizerName, object, number][] = [
  ['sgd', { lr: 0.2 }, 300],
  ['sgd', { lr: 0.1, momentum: 0.9 }, 400],
  ['sgd', { lr: 0.1, momentum: 0.9, nesterov: true }, 400],
  ['adam', { lr: 0.05 }, 2000],
  ['adam', { lr: 0.05, amsgrad: true }, 2000],
  ['adamw', { lr: 0.05, weightDecay: 0 }, 2000],
  ['adamax', { lr: 0.05 }, 2000],
];

for (const [name, opts, steps] of QUAD_CASES) {
  test(`convergence: ${name} ${JSON.stringify(opts)} reaches the minimum of a convex quadratic`, () => {
    const p = minimize(optimizer(name, opts), [0, 0, 0], quadGrad, steps);
    assert.ok(maxErr(p, A) < 1e-6, `max error ${maxErr(p, A)} at ${Array.from(p)}`);
  });
}

test('convergence: L2 weight decay (sgd, adam) moves the minimum to c·a/(c + λ)', () => {
  const lambda = 0.5;
  const target = A.map((a, i) => C[i] * a / (C[i] + lambda));
  for (const opt of [optimizer('sgd', { lr: 0.1, momentum: 0.5, weightDecay: lambda }), optimizer('adam', { lr: 0.05, weightDecay: lambda })]) {
    const p = minimize(opt, [0, 0, 0], (g, q) => quadGrad(g, q), 3000); // the optimizer adds λθ
    assert.ok(maxErr(p, target) < 1e-6, `${opt.name}: ${Array.from(p)} vs ${target}`);
  }
});

test('convergence: adam reaches (1, 1) on Rosenbrock from (−1.2, 1)', () => {
  const plain = minimize(optimizer('adam', { lr: 0.01 }), [-1.2, 1], rosenGrad, 5000);
  assert.ok(maxErr(plain, [1, 1]) < 1e-3, `constant lr: ${Array.from(plain)}`);
  const annealed = minimize(optimizer('adam', { lr: cosine({ lr: 0.02, steps: 10000 }) }), [-1.2, 1], rosenGrad, 10000);
  assert.ok(maxErr(annealed, [1, 1]) < 1e-8, `cosine lr: ${Array.from(annealed)}`);
});
