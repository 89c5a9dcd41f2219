/**
 * `npm run bench -- dop853 [--quick]`: a DETEST-style work-precision comparison of tide's `dopri8` (Dormand–Prince
 * 8(5,3), DOP853) against SciPy's `solve_ivp(method='DOP853')`, with tide's dopri5/tsit5 and SciPy's RK45 beside them.
 *
 * Problems (12): the white dwarf of src/problems (shifted clock s = t − 0.5 ∈ [0, 5]); the spiral neural ODE field of
 * bench/solve (2 → 50 → 2 tanh MLP on y³, batch 16, t ∈ [0, 25], seeded weights); Lotka–Volterra ((1.5, 1, 3, 1),
 * y0 = (1, 1), t ∈ [0, 10]); Van der Pol μ = 1, 5, 10 (y0 = (2, 0), t ∈ [0, 20]); the Arenstorf orbit (Hairer,
 * Nørsett & Wanner I, §II.0: one period, T = 17.0652…); and DETEST (Hull, Enright, Fellen & Sedgwick, SIAM J. Numer.
 * Anal. 9 (1972) 603–637) A2 (y' = −y³/2), A3 (y' = y cos t), B5 (Euler's rigid body), D1 and D5 (the two-body
 * problem at eccentricity 0.1 and 0.9), all on [0, 20] with their exact solutions.
 *
 * For each problem and rtol = atol ∈ {1e-4, …, 1e-12} (--quick: 1e-4, 1e-6, 1e-8, 1e-10 and fewer problems):
 * NFE (counting the initial f and the initial-step probe, as SciPy's nfev does) and err_max, the largest absolute
 * error over every accepted step end (at most 2000 of them, evenly strided) against a reference: the exact solution
 * for DETEST, otherwise SciPy DOP853 at rtol 2.3e-14 (its distance to a 1e-13 solve is reported as ref_err_max).
 * Runs: tide dopri8 with its default PI controller and with SciPy's step rules (`controller: 'scipy'`: the same
 * steps as SciPy, so NFE equal: ratio_nfe_vs_scipy = 1), tide dopri5 and tsit5 (PI), SciPy DOP853 and RK45 (run by
 * bench/dop853_scipy.py in a child python3, which also measures tide's errors against the same references).
 *
 * NFE at equal error: ratio_nfe_vs_dop853 = NFE of a run / the NFE SciPy DOP853 needs for the same err_max, read off
 * DOP853's work-precision curve of that problem by linear interpolation in (log err, log NFE) between its tolerances
 * (on the curve's lower envelope: the cheapest run reaching at most that error); null where err_max lies outside the
 * range DOP853 covers. Per method and problem, both curves are read the same way at the target errors 10^(−k/2) that
 * both reach, and the geometric mean of those NFE ratios is reported (so DOP853 itself is exactly 1), then the
 * geometric mean over the problems. Target: tide dopri8 (PI) ≤ 1 (no more NFE than DOP853 for the same accuracy).
 *
 * Output: tables on stdout and bench/results/dop853.json (rows { name, problem, method, rtol, nfe, err_max,
 * ratio_nfe_vs_dop853, … }, then per-problem and overall summaries).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { solve } from '../src/gradients/solve.ts';
import { fieldFromFunction, type VectorField } from '../src/core/field.ts';
import type { SolveOptions } from '../src/integrate/options.ts';
import { whiteDwarfField, WHITE_DWARF_Y0 } from '../src/problems/white-dwarf.ts';
import { printTable, writeResults, type Row } from './lib.ts';
import { spiralSetup, BATCH, HIDDEN, T1 as SPIRAL_T1 } from './gradients.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const MAX_POINTS = 2000;
const ARENSTORF_MU = 0.012277471;
const ARENSTORF_T = 17.0652165601579625588917206249;

interface BenchProblem {
  name: string; field: VectorField; y0: Float64Array; t0: number; t1: number; params: Float64Array;
  /** What the python side needs beyond the name (μ, spiral weights). */
  extra?: Record<string, unknown>;
}

const none = new Float64Array(0);
const f = (name: string, dim: number, fn: (o: Float64Array, t: number, y: Readonly<Float64Array>) => void): VectorField =>
  fieldFromFunction((o, t, y) => fn(o, t, y), dim, 0, name);

function problems(quick: boolean): BenchProblem[] {
  const spiral = spiralSetup(0);
  const p = spiral.params, H = HIDDEN;
  const list: BenchProblem[] = [
    { name: 'white-dwarf', field: whiteDwarfField(), y0: Float64Array.from(WHITE_DWARF_Y0), t0: 0, t1: 5, params: none },
    {
      name: 'spiral-nn', field: spiral.field, y0: spiral.y0, t0: 0, t1: SPIRAL_T1, params: p,
      // mlp([2, H, 2]) layout: W1 [H, 2], b1 [H], W2 [2, H], b2 [2].
      extra: { spiral: { W1: Array.from(p.subarray(0, 2 * H)), b1: Array.from(p.subarray(2 * H, 3 * H)), W2: Array.from(p.subarray(3 * H, 5 * H)), b2: Array.from(p.subarray(5 * H, 5 * H + 2)), batch: BATCH, hidden: H } },
    },
    { name: 'lotka-volterra', field: f('lotka-volterra', 2, (o, _t, y) => { o[0] = 1.5 * y[0] - y[0] * y[1]; o[1] = y[0] * y[1] - 3 * y[1]; }), y0: Float64Array.of(1, 1), t0: 0, t1: 10, params: none },
  ];
  for (const mu of quick ? [5] : [1, 5, 10]) {
    list.push({ name: `van-der-pol-mu${mu}`, field: f(`van-der-pol μ=${mu}`, 2, (o, _t, y) => { o[0] = y[1]; o[1] = mu * (1 - y[0] * y[0]) * y[1] - y[0]; }), y0: Float64Array.of(2, 0), t0: 0, t1: 20, params: none, extra: { mu } });
  }
  list.push({
    name: 'arenstorf', t0: 0, t1: ARENSTORF_T, params: none, y0: Float64Array.of(0.994, 0, 0, -2.00158510637908252240537862224),
    field: f('arenstorf', 4, (o, _t, y) => {
      const mu = ARENSTORF_MU, mp = 1 - mu;
      const d1 = ((y[0] + mu) ** 2 + y[1] ** 2) ** 1.5, d2 = ((y[0] - mp) ** 2 + y[1] ** 2) ** 1.5;
      o[0] = y[2]; o[1] = y[3];
      o[2] = y[0] + 2 * y[3] - (mp * (y[0] + mu)) / d1 - (mu * (y[0] - mp)) / d2;
      o[3] = y[1] - 2 * y[2] - (mp * y[1]) / d1 - (mu * y[1]) / d2;
    }),
  });
  list.push({ name: 'detest-A2', field: f('A2', 1, (o, _t, y) => { o[0] = -0.5 * y[0] ** 3; }), y0: Float64Array.of(1), t0: 0, t1: 20, params: none });
  if (!quick) {
    list.push({ name: 'detest-A3', field: f('A3', 1, (o, t, y) => { o[0] = y[0] * Math.cos(t); }), y0: Float64Array.of(1), t0: 0, t1: 20, params: none });
    list.push({ name: 'detest-B5', field: f('B5', 3, (o, _t, y) => { o[0] = y[1] * y[2]; o[1] = -y[0] * y[2]; o[2] = -0.51 * y[0] * y[1]; }), y0: Float64Array.of(0, 1, 1), t0: 0, t1: 20, params: none });
  }
  const twoBody = f('two-body', 4, (o, _t, y) => {
    const r3 = (y[0] * y[0] + y[1] * y[1]) ** 1.5;
    o[0] = y[2]; o[1] = y[3]; o[2] = -y[0] / r3; o[3] = -y[1] / r3;
  });
  for (const e of quick ? [0.9] : [0.1, 0.9]) {
    list.push({ name: `detest-D${e === 0.1 ? 1 : 5}`, field: twoBody, y0: Float64Array.of(1 - e, 0, 0, Math.sqrt((1 + e) / (1 - e))), t0: 0, t1: 20, params: none });
  }
  return list;
}

/** tide runs: label → solve options. */
const TIDE_METHODS: readonly [string, Partial<SolveOptions>][] = [
  ['tide dopri8 (PI)', { method: 'dopri8' }],
  ['tide dopri8 (scipy rules)', { method: 'dopri8', controller: 'scipy' }],
  ['tide dopri5 (PI)', { method: 'dopri5' }],
  ['tide tsit5 (PI)', { method: 'tsit5' }],
];
const SCIPY_METHODS = ['DOP853', 'RK45'];

/** Indices 0 … n−1 thinned to at most max, evenly, the last always kept (bench/dop853_scipy.py strides the same way). */
function strided(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const idx = new Set<number>();
  for (let i = 0; i < max; i++) idx.add(Math.round((i * (n - 1)) / (max - 1)));
  idx.add(n - 1);
  return [...idx].sort((a, b) => a - b);
}

interface Run { problem: string; method: string; rtol: number; atol: number; nfe: number; nAccepted: number; nRejected: number | null; err: number }

/**
 * NFE that `curve` (one method's runs on one problem) needs to reach error e: linear in (log err, log NFE) on the
 * lower envelope of the curve; null outside its range.
 */
export function nfeAtError(curve: readonly { nfe: number; err: number }[], e: number): number | null {
  const pts = [...curve].filter((c) => c.err > 0 && Number.isFinite(c.err)).sort((a, b) => a.nfe - b.nfe);
  // Lower envelope: the best error reached with at most this many NFE.
  const env: { nfe: number; err: number }[] = [];
  for (const c of pts) if (env.length === 0 || c.err < env[env.length - 1].err) env.push(c);
  if (env.length < 2 || e >= env[0].err || e < env[env.length - 1].err) return e === env[0]?.err ? env[0].nfe : null;
  let k = 1;
  while (env[k].err > e) k++;
  const a = env[k - 1], b = env[k];
  const w = (Math.log(e) - Math.log(a.err)) / (Math.log(b.err) - Math.log(a.err));
  return Math.exp(Math.log(a.nfe) + w * (Math.log(b.nfe) - Math.log(a.nfe)));
}

const geomean = (xs: number[]): number | null => (xs.length === 0 ? null : Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length));

/**
 * Runs the comparison, prints the tables and writes bench/results/dop853.json. `--quick`: 4 tolerances, 9 problems.
 */
export async function main(args: string[] = []): Promise<Row[]> {
  const quick = args.includes('--quick');
  const exps = quick ? [4, 6, 8, 10] : [4, 5, 6, 7, 8, 9, 10, 11, 12];
  const tolerances = exps.map((x) => [10 ** -x, 10 ** -x] as [number, number]);
  const probs = problems(quick);
  const started = performance.now();

  // tide: step ends (saveAt.steps: no dense output, so NFE is the solver's own).
  const runs: Run[] = [];
  const tideStates: { problem: string; key: string; ts: number[]; ys: number[][] }[] = [];
  for (const P of probs) {
    for (const [label, opts] of TIDE_METHODS) {
      for (const [rtol, atol] of tolerances) {
        const sol = solve(P.field, P.y0, { t0: P.t0, t1: P.t1, params: P.params, rtol, atol, maxSteps: 1_000_000, saveAt: { t0: true, steps: true }, ...opts });
        const idx = strided(sol.count, MAX_POINTS);
        const key = `${P.name}|${label}|${rtol}`;
        tideStates.push({ problem: P.name, key, ts: idx.map((i) => sol.ts[i]), ys: idx.map((i) => Array.from(sol.y(i))) });
        runs.push({ problem: P.name, method: label, rtol, atol, nfe: sol.stats.nfe, nAccepted: sol.stats.nAccepted, nRejected: sol.stats.nRejected, err: NaN });
      }
    }
  }
  const tideSec = (performance.now() - started) / 1000;

  const input = {
    tolerances, methods: SCIPY_METHODS, max_points: MAX_POINTS, tide: tideStates,
    problems: probs.map((P) => ({ name: P.name, t0: P.t0, t1: P.t1, y0: Array.from(P.y0), ...(P.extra ?? {}) })),
  };
  const script = join(HERE, 'dop853_scipy.py');
  const r = spawnSync('python3', [script], { input: JSON.stringify(input), encoding: 'utf8', timeout: 600_000, maxBuffer: 256 << 20 });
  if (r.error || r.status !== 0) {
    const why = r.error ? `python3 could not run (${r.error.message})` : `python3 ${script} failed: ${r.stderr.trim().split('\n').pop()}`;
    console.log(`dop853 bench: SciPy comparison skipped: ${why}`);
    const rows: Row[] = [{ name: 'dop853: scipy comparison skipped', note: why }];
    writeResults('dop853', rows);
    return rows;
  }
  const py = JSON.parse(r.stdout) as {
    scipy: string; numpy: string;
    problems: Record<string, { reference: string; ref_err_max: number; runs: { method: string; rtol: number; atol: number; nfe: number; n_accepted: number; err_max: number }[] }>;
    tide: { key: string; err_max: number }[];
  };
  const errByKey = new Map(py.tide.map((t) => [t.key, t.err_max]));
  for (const run of runs) run.err = errByKey.get(`${run.problem}|${run.method}|${run.rtol}`) as number;
  for (const P of probs) {
    for (const s of py.problems[P.name].runs) {
      runs.push({ problem: P.name, method: `scipy ${s.method}`, rtol: s.rtol, atol: s.atol, nfe: s.nfe, nAccepted: s.n_accepted, nRejected: null, err: s.err_max });
    }
  }
  const totalSec = (performance.now() - started) / 1000;

  // Per-run rows with NFE at equal error against DOP853.
  const rows: Row[] = [];
  const methods = [...TIDE_METHODS.map(([l]) => l), ...SCIPY_METHODS.map((m) => `scipy ${m}`)];
  for (const P of probs) {
    const dop = runs.filter((x) => x.problem === P.name && x.method === 'scipy DOP853');
    const curve = dop.map((x) => ({ nfe: x.nfe, err: x.err }));
    for (const m of methods) {
      for (const run of runs.filter((x) => x.problem === P.name && x.method === m)) {
        const at = nfeAtError(curve, run.err);
        const ratio = at === null ? null : run.nfe / at;
        const row: Row = {
          name: `${P.name} rtol=${run.rtol.toExponential(0)}: ${m}`, problem: P.name, method: m, rtol: run.rtol, atol: run.atol,
          nfe: run.nfe, n_accepted: run.nAccepted, n_rejected: run.nRejected, err_max: run.err, ratio_nfe_vs_dop853: ratio,
        };
        if (m === 'tide dopri8 (scipy rules)') {
          const same = dop.find((x) => x.rtol === run.rtol) as Run;
          row.ratio_nfe_vs_scipy = run.nfe / same.nfe;
        }
        rows.push(row);
      }
    }
  }

  // Per problem: both curves read at common target errors 10^(−k/2) (each method's and DOP853's envelopes, so DOP853
  // itself is 1 by construction), geometric mean over the targets both reach.
  const summary: Row[] = [];
  const perMethod = new Map<string, number[]>();
  for (const P of probs) {
    const row: Row = { name: `${P.name}: geomean ratio_nfe_vs_dop853`, problem: P.name, reference: py.problems[P.name].reference, ref_err_max: py.problems[P.name].ref_err_max };
    const curveOf = (m: string): { nfe: number; err: number }[] => runs.filter((x) => x.problem === P.name && x.method === m).map((x) => ({ nfe: x.nfe, err: x.err }));
    const dopCurve = curveOf('scipy DOP853');
    for (const m of methods) {
      const mine = curveOf(m), list: number[] = [];
      for (let k = 0; k <= 40; k++) {
        const e = 10 ** (-k / 2), a = nfeAtError(mine, e), b = nfeAtError(dopCurve, e);
        if (a !== null && b !== null) list.push(a / b);
      }
      const g = geomean(list);
      row[`${m.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '').toLowerCase()}`] = g;
      if (g !== null) perMethod.set(m, [...(perMethod.get(m) ?? []), g]);
    }
    summary.push(row);
  }
  const overall: Row[] = methods.map((m) => ({
    name: `all problems: ${m}`, method: m, ratio_nfe_vs_dop853_geomean: geomean(perMethod.get(m) ?? []),
    ratio_nfe_vs_dop853_worst_problem: Math.max(...(perMethod.get(m) ?? [NaN])), problems: (perMethod.get(m) ?? []).length,
  }));
  const pi = overall[0].ratio_nfe_vs_dop853_geomean as number;
  const pass = pi <= 1;
  overall[0].target_ratio = 1;
  overall[0].pass = pass;
  overall.push({ name: 'run', scipy: py.scipy, numpy: py.numpy, tolerances: exps.map((x) => `1e-${x}`).join(' '), quick, tide_sec: tideSec, total_sec: totalSec });

  printTable(`dop853: work-precision, rtol = atol ∈ {${exps.map((x) => `1e-${x}`).join(', ')}}; err_max = max abs error over step ends; ratio = NFE / DOP853's NFE at equal error`, rows);
  printTable('dop853: geometric mean of ratio_nfe_vs_dop853 per problem (columns: methods)', summary);
  printTable('dop853: over all problems', overall);
  console.log(`\n${pass ? 'PASS' : 'FAIL'}  target: tide dopri8 (PI) NFE at equal error ≤ SciPy DOP853's: geometric mean ratio ${pi.toFixed(3)} over ${probs.length} problems (${totalSec.toFixed(1)} s)`);
  const all = [...rows, ...summary, ...overall];
  writeResults('dop853', all);
  return all;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e); process.exit(1); });
}
