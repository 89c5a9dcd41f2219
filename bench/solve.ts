/**
 * `npm run bench -- solve`: the ODE solver layer against SciPy.
 *
 * Case (a): the Chandrasekhar white dwarf (benchmarks.md §1.1: x' = v, v' = −(x² − C)^{3/2} − 2v/t, t = s + 0.5,
 * s ∈ [0, 5], C = 0.001, (x, v)(0) = (1, 0)) with Dormand–Prince 5(4) at rtol = atol = 1e-8: tide `dopri5` (PI
 * controller, its default), tide `dopri5` with SciPy's step rules (same step sequence as SciPy: equal NFE, so time per
 * NFE compares like for like), and SciPy `solve_ivp(method='RK45')` timed in a Python child process
 * (bench/scipy_white_dwarf.py, time.perf_counter). Each time is the median of ≥ 5 samples after a warm-up; a sample
 * repeats the solve until it lasts ≥ 0.1 s. Also reported: the largest difference between tide's and SciPy's
 * solutions on a 51-point grid, and each one's error against a DOP853 rtol 1e-13 reference.
 *
 * (Case (b), the spiral neural ODE of benchmarks.md §5, is added once the neural-network layers exist.)
 *
 * Output: a table on stdout and bench/results/solve.json, an array of rows { name, sec, nfe_fwd, us_per_nfe,
 * ratio_sec_vs_scipy, ratio_us_per_nfe_vs_scipy, max_abs_diff_vs_scipy, max_abs_err_vs_ref, … }.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { solve } from '../src/solve/solve.ts';
import { fieldFromFunction } from '../src/core/field.ts';
import type { SolveOptions } from '../src/solve/options.ts';
import { printTable, timeIt, writeResults, type Row } from './lib.ts';

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

/**
 * Runs the solver benchmark, prints a table and writes bench/results/solve.json. `args` is unused for now
 * (kept for the bench/run.ts dispatcher).
 */
export async function main(_args: string[] = []): Promise<Row[]> {
  const rows = whiteDwarfCase();
  printTable(`solve: white dwarf (benchmarks.md §1.1), Dopri5 at rtol = atol = ${RTOL}, median of ${SAMPLES}`, rows);
  writeResults('solve', rows);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e); process.exit(1); });
}
