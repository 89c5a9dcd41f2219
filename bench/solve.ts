/**
 * `npm run bench -- solve`: the ODE solver layer against SciPy.
 *
 * Case (a): the Chandrasekhar white dwarf (McCallum & Foster's experiment 1: x' = v, v' = −(x² − C)^{3/2} − 2v/t, t = s + 0.5,
 * s ∈ [0, 5], C = 0.001, (x, v)(0) = (1, 0)) with Dormand–Prince 5(4) at rtol = atol = 1e-8: tide `dopri5` (PI
 * controller, its default), tide `dopri5` with SciPy's step rules (same step sequence as SciPy: equal NFE, so time per
 * NFE compares like for like), and SciPy `solve_ivp(method='RK45')` timed in a Python child process
 * (bench/scipy_white_dwarf.py, time.perf_counter). Each time is the median of ≥ 5 samples after a warm-up; a sample
 * repeats the solve until it lasts ≥ 0.1 s. Also reported: the largest difference between tide's and SciPy's
 * solutions on a 51-point grid, and each one's error against a DOP853 rtol 1e-13 reference.
 *
 * Case (b): the spiral neural ODE (Chen et al. 2018's torchdiffeq demo) f(y) = W2·tanh(W1·y³ + b1) + b2, dim 2, hidden 50, batch 16
 * (state [16, 2] flattened), t ∈ [0, 25], 100 save times 25q/100, Dopri5 at rtol 1e-7, atol 1e-9, forward solve only, with
 * the field, initial points and weights of bench/gradients.ts (seeded N(0, 0.1²) weights, zero biases, then its 20 Adam
 * steps). tide `dopri5` (PI and SciPy step rules; fieldFromTrace + ops.model) against SciPy `solve_ivp(method='RK45',
 * t_eval=ts)` with a vectorised NumPy field built from the same weights (sent to Python as JSON on stdin; the Python
 * side is SCIPY_SPIRAL below). Also: the field alone (tide and NumPy, µs per evaluation at batch 16), and tide's solver
 * overhead per attempted step, measured in the same runs as its f time (every f call timed). Target: ≤ 10 µs per f
 * evaluation (PASS/FAIL printed).
 *
 * Output: tables on stdout and bench/results/solve.json, an array of rows { name, sec, nfe_fwd, us_per_nfe,
 * ratio_sec_vs_scipy, ratio_us_per_nfe_vs_scipy, max_abs_diff_vs_scipy, max_abs_err_vs_ref, … } of both cases.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { solve } from '../src/gradients/solve.ts';
import { fieldFromFunction } from '../src/core/field.ts';
import type { SolveOptions } from '../src/integrate/options.ts';
import { printTable, timeIt, writeResults, type Row } from './lib.ts';
import { spiralSetup, mseLoss, pretrain, fieldCost, timedField, BATCH, HIDDEN, T1, N_SAVE, PRETRAIN_STEPS, PRETRAIN_LR } from './gradients.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const RTOL = 1e-8;
const ATOL = 1e-8;
const SAMPLES = 7;
const GRID_N = 51;

interface ScipyResult {
  scipy: string; sec: number; nfev: number; n_accepted: number; y_final: number[];
  grid: number[]; ys: number[][]; ref_ys: number[][];
}

const whiteDwarf = fieldFromFunction((o, s, y) => {
  const t = s + 0.5;
  o[0] = y[1];
  o[1] = -Math.pow(y[0] * y[0] - 0.001, 1.5) - (2 / t) * y[1];
}, 2, 0, 'white-dwarf');

function runScipy(): ScipyResult | string {
  const script = join(HERE, 'scipy_white_dwarf.py');
  const r = spawnSync('python3', [script, String(RTOL), String(ATOL), String(SAMPLES), String(GRID_N)], { encoding: 'utf8', timeout: 300_000 });
  if (r.error) return `python3 could not run (${r.error.message})`;
  if (r.status !== 0) return `python3 ${script} failed: ${r.stderr.trim().split('\n').pop()}`;
  return JSON.parse(r.stdout) as ScipyResult;
}

function maxAbsDiff(a: ArrayLike<number>[], b: number[][]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
  return m;
}

/** Case (a): white dwarf, Dopri5 at rtol = atol = 1e-8, tide vs SciPy RK45. */
function whiteDwarfCase(): Row[] {
  const y0 = Float64Array.of(1, 0);
  const base: SolveOptions = { t0: 0, t1: 5, method: 'dopri5', rtol: RTOL, atol: ATOL };
  const scipy = runScipy();
  const grid = typeof scipy === 'string' ? Array.from({ length: GRID_N }, (_, i) => (5 * i) / (GRID_N - 1)) : scipy.grid;
  const rows: Row[] = [];
  for (const [label, controller] of [['tide dopri5 (PI)', 'pi'], ['tide dopri5 (scipy rules)', 'scipy']] as const) {
    const opts: SolveOptions = { ...base, controller };
    const once = solve(whiteDwarf, y0, opts);
    const { sec } = timeIt(() => { solve(whiteDwarf, y0, opts); }, { batches: SAMPLES, minBatchSec: 0.1 });
    const onGrid = solve(whiteDwarf, y0, { ...opts, saveAt: { ts: grid } });
    const ys = Array.from({ length: onGrid.count }, (_, i) => onGrid.y(i));
    const row: Row = {
      name: `white-dwarf rtol=1e-8: ${label}`, sec, nfe_fwd: once.stats.nfe, us_per_nfe: (sec * 1e6) / once.stats.nfe,
      n_accepted: once.stats.nAccepted, n_rejected: once.stats.nRejected,
    };
    if (typeof scipy !== 'string') {
      row.ratio_sec_vs_scipy = sec / scipy.sec;
      row.ratio_us_per_nfe_vs_scipy = (sec * 1e6) / once.stats.nfe / ((scipy.sec * 1e6) / scipy.nfev);
      row.max_abs_diff_vs_scipy = maxAbsDiff(ys, scipy.ys);
      row.max_abs_err_vs_ref = maxAbsDiff(ys, scipy.ref_ys);
    }
    rows.push(row);
  }
  if (typeof scipy === 'string') {
    console.log(`solve bench: SciPy comparison skipped: ${scipy}`);
    rows.push({ name: 'white-dwarf rtol=1e-8: scipy RK45', sec: null, note: scipy });
  } else {
    rows.push({
      name: `white-dwarf rtol=1e-8: scipy ${scipy.scipy} RK45`, sec: scipy.sec, nfe_fwd: scipy.nfev, us_per_nfe: (scipy.sec * 1e6) / scipy.nfev,
      n_accepted: scipy.n_accepted, ratio_sec_vs_scipy: 1, max_abs_err_vs_ref: maxAbsDiff(scipy.ys, scipy.ref_ys),
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// Case (b): spiral neural ODE, tide vs SciPy RK45.

const RTOL_B = 1e-7;
const ATOL_B = 1e-9;
const TARGET_US_PER_NFE_B = 10;

/** SciPy side of case (b): reads {W1, b1, W2, b2, y0, ts, t1, batch, hidden, rtol, atol, samples} as JSON on stdin. */
const SCIPY_SPIRAL = String.raw`
import json, statistics, sys, time
import numpy as np
import scipy
from scipy.integrate import solve_ivp

inp = json.load(sys.stdin)
B, H = inp["batch"], inp["hidden"]
W1T = np.array(inp["W1"], dtype=float).reshape(H, 2).T.copy()   # W stored [out, in], as in tide and PyTorch
b1 = np.array(inp["b1"], dtype=float)
W2T = np.array(inp["W2"], dtype=float).reshape(2, H).T.copy()
b2 = np.array(inp["b2"], dtype=float)
y0 = np.array(inp["y0"], dtype=float)
ts = np.array(inp["ts"], dtype=float)
span = (0.0, float(inp["t1"]))
rtol, atol, samples = float(inp["rtol"]), float(inp["atol"]), int(inp["samples"])

def f(t, y):
    Y = y.reshape(B, 2)
    return (np.tanh((Y ** 3) @ W1T + b1) @ W2T + b2).ravel()

def timed(fn, min_sec):
    fn()
    t0 = time.perf_counter(); fn(); once = time.perf_counter() - t0
    reps = max(1, int(min_sec / max(once, 1e-9)) + 1)
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        times.append((time.perf_counter() - t0) / reps)
    return statistics.median(times), reps

run = lambda: solve_ivp(f, span, y0, method="RK45", rtol=rtol, atol=atol, t_eval=ts)
sol = run()
assert sol.success, sol.message
steps = solve_ivp(f, span, y0, method="RK45", rtol=rtol, atol=atol)  # without t_eval, sol.t lists the accepted steps
sec, reps = timed(run, 0.1)
f_sec, _ = timed(lambda: [f(0.0, y0) for _ in range(100)], 0.05)
ref = solve_ivp(f, span, y0, method="DOP853", rtol=1e-13, atol=1e-15, t_eval=ts)
assert ref.success, ref.message
print(json.dumps({
    "scipy": scipy.__version__, "numpy": np.__version__, "sec": sec, "reps_per_sample": reps, "samples": samples,
    "nfev": int(sol.nfev), "n_accepted": int(steps.t.size - 1), "field_us": f_sec / 100 * 1e6,
    "ys": sol.y.T.tolist(), "ref_ys": ref.y.T.tolist(), "ref_nfev": int(ref.nfev),
}))
`;

interface ScipySpiralResult {
  scipy: string; numpy: string; sec: number; nfev: number; n_accepted: number; field_us: number;
  ys: number[][]; ref_ys: number[][]; ref_nfev: number;
}

function runScipySpiral(input: object): ScipySpiralResult | string {
  const r = spawnSync('python3', ['-c', SCIPY_SPIRAL], { input: JSON.stringify(input), encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
  if (r.error) return `python3 could not run (${r.error.message})`;
  if (r.status !== 0) return `python3 (SciPy spiral script) failed: ${r.stderr.trim().split('\n').pop()}`;
  return JSON.parse(r.stdout) as ScipySpiralResult;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Case (b): spiral neural ODE, dim 2, hidden 50, batch 16, Dopri5 at rtol 1e-7, atol 1e-9, tide vs SciPy RK45. */
function spiralCase(): { rows: Row[]; pass: boolean | null } {
  const s = spiralSetup(0);
  pretrain(s, mseLoss(s.targets), { t0: 0, t1: T1, saveAt: { ts: s.ts }, method: 'dopri5', rtol: RTOL_B, atol: ATOL_B });
  const p = s.params, H = HIDDEN;
  // mlp([2, H, 2]) layout: W1 [H, 2], b1 [H], W2 [2, H], b2 [2].
  const W1 = p.subarray(0, 2 * H), b1 = p.subarray(2 * H, 3 * H), W2 = p.subarray(3 * H, 5 * H), b2 = p.subarray(5 * H, 5 * H + 2);
  const scipy = runScipySpiral({
    W1: Array.from(W1), b1: Array.from(b1), W2: Array.from(W2), b2: Array.from(b2), y0: Array.from(s.y0), ts: Array.from(s.ts),
    t1: T1, batch: BATCH, hidden: H, rtol: RTOL_B, atol: ATOL_B, samples: SAMPLES,
  });
  const cost = fieldCost(s);
  const tag = `spiral-nn b${BATCH} rtol=1e-7`;
  const rows: Row[] = [];
  let pass: boolean | null = null;
  for (const [label, controller] of [['tide dopri5 (PI)', 'pi'], ['tide dopri5 (scipy rules)', 'scipy']] as const) {
    const opts: SolveOptions = { t0: 0, t1: T1, params: p, method: 'dopri5', rtol: RTOL_B, atol: ATOL_B, controller, saveAt: { ts: s.ts } };
    const once = solve(s.field, s.y0, opts);
    const { sec } = timeIt(() => { solve(s.field, s.y0, opts); }, { batches: SAMPLES, minBatchSec: 0.1 });
    // Solver overhead, measured in the same runs as the f time (every f call timed; the rest is the solver's).
    const tf = timedField(s.field), over: number[] = [], fUs: number[] = [], share: number[] = [];
    for (let i = 0; i < 2 * SAMPLES; i++) {
      tf.reset();
      const a = performance.now();
      const sol = solve(tf.field, s.y0, opts);
      const total = performance.now() - a;
      over.push(((total - tf.ms) * 1e3) / sol.stats.nSteps);
      fUs.push((tf.ms * 1e3) / sol.stats.nfe);
      share.push(1 - tf.ms / total);
    }
    const ys = Array.from({ length: once.count }, (_, i) => once.y(i));
    const usPerNfe = (sec * 1e6) / once.stats.nfe;
    const row: Row = {
      name: `${tag}: ${label}`, sec, nfe_fwd: once.stats.nfe, us_per_nfe: usPerNfe,
      n_accepted: once.stats.nAccepted, n_rejected: once.stats.nRejected,
      field_us_per_eval: cost.evalUs, field_us_per_eval_in_solve: median(fUs),
      overhead_us_per_step: median(over), overhead_share: median(share),
    };
    if (typeof scipy !== 'string') {
      row.ratio_sec_vs_scipy = sec / scipy.sec;
      row.ratio_us_per_nfe_vs_scipy = usPerNfe / ((scipy.sec * 1e6) / scipy.nfev);
      row.max_abs_diff_vs_scipy = maxAbsDiff(ys, scipy.ys);
      row.max_abs_err_vs_ref = maxAbsDiff(ys, scipy.ref_ys);
    }
    if (controller === 'pi') {
      pass = usPerNfe <= TARGET_US_PER_NFE_B;
      row.target_us_per_nfe = TARGET_US_PER_NFE_B;
      row.pass = pass;
    }
    rows.push(row);
  }
  if (typeof scipy === 'string') {
    console.log(`solve bench (b): SciPy comparison skipped: ${scipy}`);
    rows.push({ name: `${tag}: scipy RK45`, sec: null, note: scipy });
  } else {
    rows.push({
      name: `${tag}: scipy ${scipy.scipy} RK45`, sec: scipy.sec, nfe_fwd: scipy.nfev, us_per_nfe: (scipy.sec * 1e6) / scipy.nfev,
      n_accepted: scipy.n_accepted, field_us_per_eval: scipy.field_us, ratio_sec_vs_scipy: 1,
      max_abs_err_vs_ref: maxAbsDiff(scipy.ys, scipy.ref_ys),
    });
  }
  rows.push({
    name: `spiral-nn b${BATCH}: tide field alone (fieldFromTrace + ops.model)`, field_us_per_eval: cost.evalUs, field_us_per_vjp: cost.vjpUs,
    ratio_field_vs_numpy: typeof scipy === 'string' ? null : cost.evalUs / scipy.field_us,
  });
  if (typeof scipy !== 'string') rows.push({ name: `spiral-nn b${BATCH}: numpy ${scipy.numpy} field alone`, field_us_per_eval: scipy.field_us, ratio_field_vs_numpy: 1 });
  return { rows, pass };
}

/**
 * Runs the solver benchmark (cases (a) and (b)), prints the tables and writes bench/results/solve.json (the rows of
 * both cases). `args` is unused for now (kept for the bench/run.ts dispatcher).
 */
export async function main(_args: string[] = []): Promise<Row[]> {
  const rowsA = whiteDwarfCase();
  printTable(`solve (a): white dwarf (McCallum & Foster experiment 1), Dopri5 at rtol = atol = ${RTOL}, median of ${SAMPLES}`, rowsA);
  const b = spiralCase();
  printTable(`solve (b): spiral neural ODE 2→${HIDDEN}→2 (torchdiffeq spiral demo), batch ${BATCH}, t ∈ [0, ${T1}], ${N_SAVE} saves, Dopri5 at rtol ${RTOL_B}, `
    + `atol ${ATOL_B}, forward only; params after ${PRETRAIN_STEPS} Adam steps (lr ${PRETRAIN_LR}) as in bench/gradients; median of ${SAMPLES}; `
    + 'us_per_nfe = sec / nfe_fwd; overhead_* = time outside f (same runs, every f call timed)', b.rows);
  const tide = b.rows[0];
  console.log(`\n${b.pass ? 'PASS' : 'FAIL'}  target (b): ≤ ${TARGET_US_PER_NFE_B} µs per function evaluation, tide dopri5 (PI): `
    + `${(tide.us_per_nfe as number).toFixed(2)} µs per NFE (the field alone: ${(tide.field_us_per_eval as number).toFixed(2)} µs per eval; `
    + `solver overhead ${(tide.overhead_us_per_step as number).toFixed(2)} µs per step, ${(100 * (tide.overhead_share as number)).toFixed(1)} % of the time)`);
  const rows = [...rowsA, ...b.rows];
  writeResults('solve', rows);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e); process.exit(1); });
}
