/**
 * bench/precision: why tide's float32 option keeps the solver state in float64 (mixed precision), measured.
 *
 * One float32 network, dy/dt = mlp([2, 50, 2], tanh, float32)(y) on a batch of 16 states, integrated with classical
 * RK4 over t ∈ [0, 10] in N fixed steps, N = 10² … 10⁵ (10⁴ with --quick). Every route evaluates the same float32
 * network; they differ only in how the state is stored and updated:
 *  - `float64 model` (reference): the float64 network on the same (float32-representable) weights, float64 state;
 *  - `mixed` (tide: `solve` with fieldFromModel of the float32 model): y, stage inputs and the update in float64;
 *  - `float32 state`: what a solver with a float32 state does (torchdiffeq on float32 tensors): y and the stage
 *    inputs stored in Float32Array, so each stage input and each y_{n+1} = y_n + h/6 (k1 + 2k2 + 2k3 + k4) is rounded
 *    to float32 (the increments are summed in float64 first, so this is, if anything, kinder than float32 arithmetic);
 *  - `float32 state + Kahan`: the same, with a float32 compensation term carried across steps (Kahan summation of the
 *    updates; Higham, *Accuracy and Stability of Numerical Algorithms*, §4.3).
 * Rows: `rel_err_vs_float64` = max |y_N − y_N,ref| / max |y_N,ref| at t = 10 (the discretisation error is common to
 * all routes, so this is the rounding error alone) and `state_bytes` of one state vector.
 * Expected: the mixed route stays at the float32 network's own level (~1e-7–1e-6) for every N; the float32 state's
 * error grows with N, by about 2⁻²⁴ per step; Kahan keeps it near the mixed route.
 */
import { mlp, Rng, fieldFromModel, solve } from '../src/index.ts';
import type { Model } from '../src/index.ts';
import { printTable, writeResults, type Row } from './lib.ts';
import { maxDiffOverMax } from '../test/oracles/finite-diff.ts';

const B = 16, H = 50, D = 2, T = 10;

/** RK4 with a float32 state (y and the stage inputs in Float32Array), optionally Kahan-compensated across steps. */
function rk4Float32State(model: Model, p32: Float32Array, y0: Float64Array, steps: number, kahan: boolean): Float32Array {
  const n = y0.length, h = T / steps, ws = model.workspace(B);
  const y = Float32Array.from(y0), Y = new Float32Array(n), comp = new Float32Array(n);
  const k = [0, 1, 2, 3].map(() => new Float32Array(n));
  const f = (out: Float32Array, t: number, x: Float32Array): void => { model.apply(out, p32, x, ws, t); };
  for (let s = 0; s < steps; s++) {
    const t = s * h;
    f(k[0], t, y);
    for (let m = 0; m < n; m++) Y[m] = y[m] + 0.5 * h * k[0][m];
    f(k[1], t + 0.5 * h, Y);
    for (let m = 0; m < n; m++) Y[m] = y[m] + 0.5 * h * k[1][m];
    f(k[2], t + 0.5 * h, Y);
    for (let m = 0; m < n; m++) Y[m] = y[m] + h * k[2][m];
    f(k[3], t + h, Y);
    for (let m = 0; m < n; m++) {
      const inc = (h / 6) * (k[0][m] + 2 * k[1][m] + 2 * k[2][m] + k[3][m]);
      if (!kahan) { y[m] = y[m] + inc; continue; }
      // Kahan: add the increment plus what the last rounding lost; keep what this rounding loses (all in float32).
      const x = Math.fround(inc - comp[m]);
      const sum = Math.fround(y[m] + x);
      comp[m] = Math.fround(Math.fround(sum - y[m]) - x);
      y[m] = sum;
    }
  }
  return y;
}

export function main(args: string[] = []): void {
  const quick = args.includes('--quick');
  const net64 = mlp([D, H, D], { activation: 'tanh' }), net32 = mlp([D, H, D], { activation: 'tanh', dtype: 'float32' });
  const p = new Float64Array(net64.paramCount);
  net64.init(p, new Rng(5));
  const p32 = Float32Array.from(p), params = Float64Array.from(p32); // weights representable in float32
  const y0 = Float64Array.from(Float32Array.from(new Rng(6).fillNormal(new Float64Array(B * D), 0, 1)));
  const f64 = fieldFromModel(net64, B), f32 = fieldFromModel(net32, B);
  const rows: Row[] = [];
  for (const steps of quick ? [100, 1000, 10000] : [100, 1000, 10000, 100000]) {
    const o = { t1: T, params, method: 'rk4', stepSize: T / steps } as const;
    const ref = solve(f64, y0, o).yFinal;
    const routes: Array<[string, ArrayLike<number>, number]> = [
      ['mixed (tide: float64 state)', solve(f32, y0, o).yFinal, 8],
      ['float32 state', rk4Float32State(net32, p32, y0, steps, false), 4],
      ['float32 state + Kahan', rk4Float32State(net32, p32, y0, steps, true), 8],
    ];
    for (const [label, y, bytes] of routes) {
      rows.push({ name: `rk4 N=${steps}: ${label}`, steps, route: label, rel_err_vs_float64: maxDiffOverMax(y, ref), state_bytes: bytes * y0.length });
    }
  }
  const at = (route: string, steps: number): number => rows.find((r) => r.route === route && r.steps === steps)?.rel_err_vs_float64 as number;
  const nMax = quick ? 10000 : 100000;
  rows.push({
    name: `derived N=${nMax}`, steps: nMax,
    ratio_err_float32_state_vs_mixed: at('float32 state', nMax) / at('mixed (tide: float64 state)', nMax),
    ratio_err_kahan_vs_mixed: at('float32 state + Kahan', nMax) / at('mixed (tide: float64 state)', nMax),
    ratio_err_float32_state_growth_n_max_vs_n100: at('float32 state', nMax) / at('float32 state', 100),
  });
  printTable(`float32 network, RK4 on t ∈ [0, ${T}], batch ${B}: rounding error against the float64 network (same weights)`, rows);
  writeResults('precision', rows);
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
