/**
 * `npm run bench -- gradients`: every gradient method side by side on the spiral neural ODE (Chen et al. 2018's
 * torchdiffeq demo): seminorm adjoints (Kidger, Chen & Lyons 2021, §2.2), IRDM (Daulbaev et al. 2020, §2), and the
 * memory of each sensitivity algorithm as in Pal 2023 thesis Table 2.1.
 *
 * Problem: f(y) = W2·tanh(W1·y³ + b1) + b2 (dim 2, hidden 50; fieldFromTrace + ops.model, as
 * test/gradients/problems.ts), batch 16: the 16 initial points are the true spiral y' = Aᵀy³, A = [[−0.1, 2], [−2, −0.1]],
 * from y(0) = (2, 0) at t = 25k/16, k = 0..15 (state [16, 2] flattened, dim 32); t ∈ [0, 25]; 100 save times 25q/100,
 * q = 1..100; Dopri5 (PI controller) at rtol 1e-7, atol 1e-9. Loss: MSE against the true spiral solved from the same 16
 * points at the same times (tide dopri5, rtol 1e-12, atol 1e-14). Params: weights N(0, 0.1²), biases 0 (Rng seed 0),
 * then PRETRAIN_STEPS Adam steps (0 by default: see PRETRAIN_STEPS).
 *
 * Rows (per tolerance): direct; revolve and online checkpointing with 4 and 16 slots; backsolve with each adjoint norm
 * ('rms', 'seminorm', 'rms-flat', 'seminorm-flat'); interpolated (IRDM) with 16, 32, 64 Chebyshev nodes (rms and
 * seminorm); interpolated-dense (rms and seminorm). Columns: median seconds of forward + backward (`sec`) and of the
 * forward alone (`sec_fwd`); the method's own counts (nfe_fwd, nfe_bwd, vjp_bwd, backward_steps); `us_per_nfe` =
 * sec / (nfe_fwd + vjp_bwd); `f_share`, the share of the time spent inside f.eval / f.vjp (every call timed, separate
 * runs); the method's own `peak_bytes`; the process memory (heapUsed + arrayBuffers, forced GC) retained per run after
 * the forward and after the backward (`heap_fwd_bytes`, `heap_bwd_bytes`; 8 runs held at once); and the relative error
 * of ∂L/∂params against direct at the same tolerance (`rel_err_vs_direct`) and against a near-exact reference (direct
 * at rtol 1e-10, atol 1e-12: `rel_err_vs_ref`), and of ∂L/∂y0 against direct. The whole set runs once more at
 * rtol 1e-5 / atol 1e-7 (rows suffixed by the tolerance) to show the tolerance dependence of the continuous adjoints.
 * A side check runs the adjoint norms with the loss on y(25) alone (one backward interval instead of 100).
 * Derived rows: seminorm vs RMS (and the flat variants) backward NFE, IRDM vs backsolve backward NFE at comparable error, time
 * ratios to direct; target rows with PASS/FAIL (printed, misses included).
 *
 * Output: tables on stdout and bench/results/gradients.json.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { pathToFileURL } from 'node:url';
import { fieldFromFunction, fieldFromTrace, mlp, ops, Rng, adam, solve, solveWithGradient, checkpoint, backsolve, interpolated, problems, fit } from '../src/index.ts';
const problemMse = problems.mseLoss;
import type { GradientSolveOptions, VectorField, GradientResult } from '../src/index.ts';
import { printTable, timeIt, writeResults, type Row } from './lib.ts';

export const BATCH = 16;
export const HIDDEN = 50;
export const T1 = 25;
export const N_SAVE = 100;
export const A_TRUE = [-0.1, 2.0, -2.0, -0.1];
// 0: measure at the seeded init (weights N(0, 0.1²), biases 0, as torchdiffeq's demo starts). After a few Adam steps
// the field is so easy that the 100 save intervals, not the tolerance, set the backward step (1 step per interval),
// and every adjoint norm then takes the same steps; set this > 0 to measure that regime.
export const PRETRAIN_STEPS = 0;
export const PRETRAIN_LR = 1e-2;
const TOLS: ReadonlyArray<{ rtol: number; atol: number; label: string }> = [
  { rtol: 1e-7, atol: 1e-9, label: 'rtol=1e-7' },
  { rtol: 1e-5, atol: 1e-7, label: 'rtol=1e-5' },
];
/** Median of this many timing batches per method (each batch ≥ 0.05 s, after a warm-up). */
const BATCHES = 5;
const TARGET_US_PER_EVAL = 15;

/** Save times 25q/100, q = 1..100 (equally spaced in (0, 25]). */
export function saveTimes(): Float64Array {
  return Float64Array.from({ length: N_SAVE }, (_, q) => (T1 * (q + 1)) / N_SAVE);
}

/** The true spiral y' = Aᵀy³ on a batch of rows (plain function, forward only). */
export function trueSpiralField(batch: number): VectorField {
  const [a11, a12, a21, a22] = A_TRUE;
  return fieldFromFunction((o, _t, y) => {
    for (let i = 0; i < batch; i++) {
      const u = y[2 * i] ** 3, v = y[2 * i + 1] ** 3;
      // Row-vector convention of torchdiffeq: (y³)A, i.e. y' = Aᵀ y³.
      o[2 * i] = u * a11 + v * a21;
      o[2 * i + 1] = u * a12 + v * a22;
    }
  }, 2 * batch, 0, 'true spiral');
}

export interface SpiralSetup {
  /** The neural field, shape [BATCH, 2]. */
  field: VectorField;
  /** 2→HIDDEN→2 tanh MLP; params laid out W1 [HIDDEN, 2], b1 [HIDDEN], W2 [2, HIDDEN], b2 [2]. */
  net: ReturnType<typeof mlp>;
  /** Seeded params: weights N(0, 0.1²), biases 0. */
  params: Float64Array;
  /** The 16 initial points, flattened [16, 2]. */
  y0: Float64Array;
  ts: Float64Array;
  /** The true spiral from y0 at ts, flattened [100, 16, 2] (the loss targets). */
  targets: Float64Array;
}

/** Field, seeded params, initial points and targets (the torchdiffeq spiral demo with a batch of 16 trajectory points). */
export function spiralSetup(seed = 0): SpiralSetup {
  const net = mlp([2, HIDDEN, 2], { activation: 'tanh' });
  const field = fieldFromTrace((_t, y, p) => ops.model(net, p, ops.cube(y)), { shape: [BATCH, 2], paramCount: net.paramCount, name: 'neural spiral' });
  const params = new Float64Array(net.paramCount);
  const rng = new Rng(seed);
  for (const pn of net.paramNames) {
    const size = pn.shape.reduce((a, b) => a * b, 1);
    const view = params.subarray(pn.offset, pn.offset + size);
    if (pn.name.endsWith('weight')) rng.fillNormal(view, 0, 0.1); else view.fill(0);
  }
  // 16 points of the true trajectory from (2, 0), at t = 25k/16.
  const starts = Array.from({ length: BATCH }, (_, k) => (T1 * k) / BATCH);
  const one = solve(trueSpiralField(1), Float64Array.of(2, 0), { t0: 0, t1: T1, method: 'dopri5', rtol: 1e-12, atol: 1e-14, saveAt: { ts: starts } });
  const y0 = new Float64Array(2 * BATCH);
  for (let k = 0; k < BATCH; k++) y0.set(one.y(k), 2 * k);
  const ts = saveTimes();
  const tgt = solve(trueSpiralField(BATCH), y0, { t0: 0, t1: T1, method: 'dopri5', rtol: 1e-12, atol: 1e-14, saveAt: { ts } });
  return { field, net, params, y0, ts, targets: Float64Array.from(tgt.ys) };
}

/** MSE over all saved entries (the problems' loss); writes ∂L/∂ys into dYs. */
export const mseLoss = (targets: Float64Array): ((ys: Readonly<Float64Array>, dYs: Float64Array) => number) => problemMse(targets, 'spiral');

function relErr(g: Float64Array, ref: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < g.length; i++) { num += (g[i] - ref[i]) ** 2; den += ref[i] ** 2; }
  return Math.sqrt(num / den);
}

/** Turns on a forced GC (node runs without --expose-gc under `npm run bench`) so heap figures exclude garbage. */
function enableGc(): (() => void) | null {
  const g = globalThis as { gc?: () => void };
  if (!g.gc) {
    try {
      v8.setFlagsFromString('--expose-gc');
      g.gc = vm.runInNewContext('gc') as () => void;
    } catch { /* heap figures are then left out */ }
  }
  return typeof g.gc === 'function' ? g.gc : null;
}

/** JS heap + ArrayBuffer backing stores (typed arrays live there) after forced collections; ArrayBuffer memory is
 * released by a deferred sweep, so collect and yield to the event loop until two readings agree (at most 6 rounds). */
async function liveBytes(gc: () => void): Promise<number> {
  let prev = NaN;
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 2));
    const m = process.memoryUsage(), now = m.heapUsed + m.arrayBuffers;
    if (now === prev) break;
    prev = now;
  }
  return prev;
}

/** Process memory retained per run: R forward runs kept alive at once (amortises GC noise), then their backwards. */
async function heapPerRun(gc: () => void, s: SpiralSetup, loss: LossFn, options: GradientSolveOptions, R = 8): Promise<{ fwd: number; bwd: number }> {
  const runs: ReturnType<typeof solveWithGradient>[] = [], results: GradientResult[] = [];
  const a = await liveBytes(gc);
  for (let i = 0; i < R; i++) runs.push(solveWithGradient(s.field, s.y0, options));
  const b = await liveBytes(gc);
  for (const run of runs) {
    const dYs = new Float64Array(run.ys.length);
    loss(run.ys, dYs);
    results.push(run.backward(dYs));
  }
  const c = await liveBytes(gc);
  runs.length = 0; results.length = 0;
  return { fwd: Math.round((b - a) / R), bwd: Math.round((c - a) / R) };
}

interface MethodSpec { label: string; options: Partial<GradientSolveOptions> }

function methodSpecs(): MethodSpec[] {
  const m: MethodSpec[] = [{ label: 'direct', options: { gradient: 'direct' } }];
  for (const c of [4, 16]) m.push({ label: `revolve c=${c}`, options: { gradient: checkpoint({ schedule: 'revolve', slots: c }) } });
  for (const c of [4, 16]) m.push({ label: `checkpoint c=${c}`, options: { gradient: checkpoint({ slots: c }) } });
  for (const norm of ['rms', 'seminorm', 'rms-flat', 'seminorm-flat'] as const) m.push({ label: `backsolve ${norm}`, options: { gradient: backsolve({ norm }) } });
  for (const n of [16, 32, 64]) {
    for (const norm of ['rms', 'seminorm'] as const) m.push({ label: `interpolated n=${n} ${norm}`, options: { gradient: interpolated({ nodes: n, norm }) } });
  }
  for (const norm of ['rms', 'seminorm'] as const) m.push({ label: `interpolated-dense ${norm}`, options: { gradient: interpolated({ nodes: 'dense', norm }) } });
  return m;
}

type LossFn = ReturnType<typeof mseLoss>;

/** Forward + backward once; the loss cotangent comes from this run's own outputs. */
function fwdBwd(s: SpiralSetup, loss: LossFn, options: GradientSolveOptions): GradientResult & { loss: number } {
  const run = solveWithGradient(s.field, s.y0, options);
  const dYs = new Float64Array(run.ys.length);
  const L = loss(run.ys, dYs);
  return { loss: L, ...run.backward(dYs) };
}

/** PRETRAIN_STEPS Adam steps with the direct gradient (updates s.params in place). */
export function pretrain(s: SpiralSetup, loss: LossFn, base: GradientSolveOptions): { before: number; after: number } {
  const opt = adam({ lr: PRETRAIN_LR });
  let before = NaN;
  for (let k = 0; k < PRETRAIN_STEPS; k++) {
    const r = fwdBwd(s, loss, { ...base, params: s.params, gradient: 'direct' });
    if (k === 0) before = r.loss;
    opt.step(s.params, r.dParams.slice());
  }
  return { before, after: fwdBwd(s, loss, { ...base, params: s.params, gradient: 'direct' }).loss };
}

interface Tol { rtol: number; atol: number; label: string }

/** Median µs of one field evaluation and of one VJP (which also evaluates f) at batch 16, at the current params. */
export function fieldCost(s: SpiralSetup): { evalUs: number; vjpUs: number } {
  const d = s.field.dim, y = s.y0.slice(), out = new Float64Array(d), dY = new Float64Array(d), dP = new Float64Array(s.field.paramCount);
  const v = new Float64Array(d).fill(0.1);
  const ev = timeIt(() => s.field.eval(out, 0, y, s.params), { batches: 9, minBatchSec: 0.03 });
  const vj = timeIt(() => { s.field.vjp!(dY, dP, v, 0, y, s.params, out); }, { batches: 9, minBatchSec: 0.03 });
  return { evalUs: ev.sec * 1e6, vjpUs: vj.sec * 1e6 };
}

/** The field with every eval and vjp call timed (performance.now around each; ~0.1 µs added per call). */
export interface TimedField { readonly field: VectorField; ms: number; reset(): void }
export function timedField(inner: VectorField): TimedField {
  const t: TimedField = {
    ms: 0,
    reset() { t.ms = 0; },
    field: {
      dim: inner.dim, paramCount: inner.paramCount, name: inner.name,
      eval(out, time, y, params) { const a = performance.now(); inner.eval(out, time, y, params); t.ms += performance.now() - a; },
      vjp(dY, dParams, v, time, y, params, fOut) {
        const a = performance.now();
        const r = inner.vjp!(dY, dParams, v, time, y, params, fOut);
        t.ms += performance.now() - a;
        return r;
      },
    },
  };
  return t;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Share of a forward + backward spent inside f (evals and VJPs), measured in the same runs (median of `runs`). */
function fShare(s: SpiralSetup, loss: LossFn, options: GradientSolveOptions, runs = 3): number {
  const tf = timedField(s.field), si: SpiralSetup = { ...s, field: tf.field };
  const shares: number[] = [];
  for (let i = 0; i < runs; i++) {
    tf.reset();
    const a = performance.now();
    fwdBwd(si, loss, options);
    shares.push(tf.ms / (performance.now() - a));
  }
  return median(shares);
}

async function runTolerance(s: SpiralSetup, loss: LossFn, tol: Tol, ref: Float64Array, gc: (() => void) | null): Promise<Row[]> {
  const base: GradientSolveOptions = { t0: 0, t1: T1, saveAt: { ts: s.ts }, params: s.params, method: 'dopri5', rtol: tol.rtol, atol: tol.atol };
  const rows: Row[] = [];
  let gDirect: Float64Array | null = null, dy0Direct: Float64Array | null = null;
  for (const spec of methodSpecs()) {
    const options: GradientSolveOptions = { ...base, ...spec.options };
    const res = fwdBwd(s, loss, options);
    if (spec.label === 'direct') { gDirect = res.dParams; dy0Direct = res.dY0; }
    const mem = gc ? await heapPerRun(gc, s, loss, options) : null;
    const fwd = timeIt(() => { solveWithGradient(s.field, s.y0, options); }, { batches: BATCHES, minBatchSec: 0.03, warmupSec: 0.02 });
    const both = timeIt(() => { fwdBwd(s, loss, options); }, { batches: BATCHES, minBatchSec: 0.05, warmupSec: 0.05 });
    const r = res.report;
    rows.push({
      name: `${spec.label} ${tol.label}`, method: r.method, tol: tol.label, rtol: tol.rtol, atol: tol.atol,
      sec: both.sec, sec_fwd: fwd.sec, spread: both.spread,
      nfe_fwd: r.nfeForward, nfe_bwd: r.nfeBackward, vjp_bwd: r.vjpBackward,
      us_per_nfe: (both.sec * 1e6) / (r.nfeForward + r.vjpBackward),
      // Share of the time spent inside f (evals + VJPs), timed around each call in separate runs.
      f_share: fShare(s, loss, options),
      steps: r.steps, backward_steps: r.backwardSteps,
      peak_bytes: r.peakBytes, effective_checkpoints: r.effectiveCheckpoints,
      heap_fwd_bytes: mem ? mem.fwd : null, heap_bwd_bytes: mem ? mem.bwd : null,
      loss: res.loss,
      rel_err_vs_direct: relErr(res.dParams, gDirect!), rel_err_vs_ref: relErr(res.dParams, ref),
      rel_err_dy0_vs_direct: relErr(res.dY0, dy0Direct!),
    });
  }
  return rows;
}

/** Fixed steps: midpoint with FIXED_STEPS steps on [0, 25] (a fixed grid hitting every save time), direct gradient. */
const FIXED_STEPS = 1000;

/**
 * Midpoint (explicit, 2 stages) with 1000 fixed steps and the direct gradient: a per-step-overhead case (no error
 * control, 2000 evaluations forward, 2000 VJPs backward). ratio_sec_vs_direct_dopri5: against the dopri5 rtol 1e-7 row.
 */
export function fixedStepRow(s: SpiralSetup, loss: LossFn, dopri5Direct: Row | undefined): Row {
  const options: GradientSolveOptions = { t0: 0, t1: T1, saveAt: { ts: s.ts }, params: s.params, method: 'midpoint', stepSize: T1 / FIXED_STEPS, gradient: 'direct' };
  const res = fwdBwd(s, loss, options);
  const fwd = timeIt(() => { solveWithGradient(s.field, s.y0, options); }, { batches: BATCHES, minBatchSec: 0.05, warmupSec: 0.05 });
  const both = timeIt(() => { fwdBwd(s, loss, options); }, { batches: BATCHES, minBatchSec: 0.1, warmupSec: 0.05 });
  const r = res.report;
  return {
    name: `midpoint ${FIXED_STEPS} fixed steps direct`, solver: 'midpoint', method: r.method, step_size: T1 / FIXED_STEPS,
    sec: both.sec, sec_fwd: fwd.sec, spread: both.spread, nfe_fwd: r.nfeForward, vjp_bwd: r.vjpBackward,
    us_per_nfe: (both.sec * 1e6) / (r.nfeForward + r.vjpBackward), steps: r.steps, loss: res.loss,
    ratio_sec_vs_direct_dopri5: dopri5Direct ? both.sec / num(dopri5Direct, 'sec') : null,
  };
}

/**
 * Side check of the adjoint norms without the save grid: the loss on y(25) alone (one save time, so the backward solve
 * is one interval instead of 100), counts and errors only (no timing). Errors against direct at rtol 1e-10 for the same
 * loss.
 */
function singleSaveNorms(s: SpiralSetup, tol: Tol): Row[] {
  const d = s.field.dim, last = s.targets.subarray((N_SAVE - 1) * d);
  const lossLast: LossFn = (ys, dYs) => {
    let L = 0;
    for (let i = 0; i < d; i++) { const r = ys[i] - last[i]; L += r * r; dYs[i] = (2 * r) / d; }
    return L / d;
  };
  const base: GradientSolveOptions = { t0: 0, t1: T1, saveAt: { t1: true }, params: s.params, method: 'dopri5', rtol: tol.rtol, atol: tol.atol };
  const ref = fwdBwd(s, lossLast, { ...base, rtol: 1e-10, atol: 1e-12, gradient: 'direct' }).dParams;
  const rows: Row[] = [];
  const specs: MethodSpec[] = [{ label: 'direct', options: { gradient: 'direct' } }];
  for (const g of ['backsolve', 'interpolated'] as const) {
    for (const norm of ['rms', 'seminorm', 'rms-flat', 'seminorm-flat'] as const) specs.push({ label: `${g}${g === 'interpolated' ? ' n=32' : ''} ${norm}`, options: { gradient: g === 'backsolve' ? backsolve({ norm }) : interpolated({ nodes: 32, norm }) } });
  }
  for (const spec of specs) {
    const r = fwdBwd(s, lossLast, { ...base, ...spec.options });
    rows.push({
      name: `${spec.label} ts=[25] ${tol.label}`, method: r.report.method, tol: tol.label, n_save: 1,
      nfe_fwd: r.report.nfeForward, nfe_bwd: r.report.nfeBackward, vjp_bwd: r.report.vjpBackward, backward_steps: r.report.backwardSteps,
      rel_err_vs_ref: relErr(r.dParams, ref),
    });
  }
  const nb = (label: string): number => num(rows.find((r) => r.name === `${label} ts=[25] ${tol.label}`), 'nfe_bwd');
  rows.push({
    name: `derived ts=[25] ${tol.label}`, tol: tol.label,
    ratio_nfe_bwd_seminorm_vs_rms: nb('backsolve seminorm') / nb('backsolve rms'),
    ratio_nfe_bwd_seminorm_vs_rms_flat: nb('backsolve seminorm') / nb('backsolve rms-flat'),
    ratio_nfe_bwd_seminorm_flat_vs_rms_flat: nb('backsolve seminorm-flat') / nb('backsolve rms-flat'),
    ratio_nfe_bwd_irdm32_vs_backsolve_rms: nb('interpolated n=32 rms') / nb('backsolve rms'),
    ratio_nfe_bwd_irdm32_vs_backsolve_seminorm: nb('interpolated n=32 seminorm') / nb('backsolve seminorm'),
  });
  return rows;
}

const num = (r: Row | undefined, k: string): number => (r && typeof r[k] === 'number' ? r[k] as number : NaN);

/** Seminorm vs RMS, IRDM vs backsolve at comparable error, for one tolerance's rows. */
function derived(rows: Row[], tol: Tol): Row {
  const by = new Map(rows.map((r) => [r.name.slice(0, -tol.label.length - 1), r]));
  const d: Row = { name: `derived ${tol.label}`, tol: tol.label };
  const nb = (label: string): number => num(by.get(label), 'nfe_bwd');
  d.ratio_nfe_bwd_seminorm_vs_rms = nb('backsolve seminorm') / nb('backsolve rms');
  d.pct_cut_nfe_bwd_seminorm_vs_rms = 100 * (1 - d.ratio_nfe_bwd_seminorm_vs_rms);
  d.ratio_nfe_bwd_seminorm_vs_rms_flat = nb('backsolve seminorm') / nb('backsolve rms-flat');
  d.ratio_nfe_bwd_seminorm_flat_vs_rms_flat = nb('backsolve seminorm-flat') / nb('backsolve rms-flat');
  d.pct_cut_nfe_bwd_seminorm_flat_vs_rms_flat = 100 * (1 - d.ratio_nfe_bwd_seminorm_flat_vs_rms_flat);
  for (const n of [16, 32, 64]) d[`ratio_nfe_bwd_irdm${n}_seminorm_vs_rms`] = nb(`interpolated n=${n} seminorm`) / nb(`interpolated n=${n} rms`);
  // IRDM vs backsolve at comparable error (same norm): the fewest nodes whose error against the reference is at most
  // twice backsolve's; if none is, the most accurate node count (flagged).
  for (const norm of ['rms', 'seminorm']) {
    const bs = by.get(`backsolve ${norm}`)!;
    const errBs = num(bs, 'rel_err_vs_ref');
    const cands = [16, 32, 64].map((n) => ({ n, r: by.get(`interpolated n=${n} ${norm}`)! }));
    const ok = cands.find((c) => num(c.r, 'rel_err_vs_ref') <= 2 * errBs);
    const pick = ok ?? cands.reduce((a, b) => (num(b.r, 'rel_err_vs_ref') < num(a.r, 'rel_err_vs_ref') ? b : a));
    d[`irdm_nodes_comparable_${norm}`] = pick.n;
    d[`irdm_comparable_${norm}`] = ok !== undefined;
    d[`rel_err_ref_backsolve_${norm}`] = errBs;
    d[`rel_err_ref_irdm_${norm}`] = num(pick.r, 'rel_err_vs_ref');
    d[`ratio_nfe_bwd_irdm_vs_backsolve_${norm}`] = num(pick.r, 'nfe_bwd') / num(bs, 'nfe_bwd');
    d[`ratio_sec_irdm_vs_backsolve_${norm}`] = num(pick.r, 'sec') / num(bs, 'sec');
    const dense = by.get(`interpolated-dense ${norm}`)!;
    d[`ratio_nfe_bwd_irdm_dense_vs_backsolve_${norm}`] = num(dense, 'nfe_bwd') / num(bs, 'nfe_bwd');
  }
  const dir = by.get('direct')!;
  for (const label of ['revolve c=16', 'checkpoint c=16', 'backsolve seminorm', 'interpolated n=32 seminorm']) {
    d[`ratio_sec_${label.replace(/[ =-]+/g, '_')}_vs_direct`] = num(by.get(label), 'sec') / num(dir, 'sec');
  }
  return d;
}

const TRAIN_STEPS = 200;

/**
 * The same training loop two ways: `fit` (one prepared solve reused by every step) and a loop that calls
 * solveWithGradient every step. Same seed, same optimizer, so the losses must agree to round-off.
 */
function trainingLoops(s: SpiralSetup, loss: ReturnType<typeof mseLoss>, base: GradientSolveOptions): Row[] {
  const rows: Row[] = [];
  const o: GradientSolveOptions = { ...base, rtol: 1e-5, atol: 1e-7 };
  for (const [label, gradient] of [['direct', 'direct'], ['checkpoint c=4', checkpoint({ slots: 4 })]] as const) {
    const p1 = Float64Array.from(s.params), p2 = Float64Array.from(s.params);
    let t = performance.now();
    const res = fit({ field: s.field, y0: s.y0, params: p1, loss, optimizer: adam({ lr: 1e-3 }), steps: TRAIN_STEPS, solve: { ...o, gradient } });
    const prepared = (performance.now() - t) / 1000;
    const opt = adam({ lr: 1e-3 });
    let last = NaN;
    t = performance.now();
    for (let k = 0; k < TRAIN_STEPS; k++) {
      const run = solveWithGradient(s.field, s.y0, { ...o, params: p2, gradient });
      const dYs = new Float64Array(run.ys.length);
      last = loss(run.ys, dYs);
      opt.step(p2, run.backward(dYs).dParams as Float64Array);
    }
    const unprepared = (performance.now() - t) / 1000;
    rows.push({ name: `training ${label} prepared`, sec: prepared, sec_per_step: prepared / TRAIN_STEPS, final_loss: res.finalLoss, steps: TRAIN_STEPS });
    rows.push({ name: `training ${label} unprepared`, sec: unprepared, sec_per_step: unprepared / TRAIN_STEPS, final_loss: last, steps: TRAIN_STEPS,
      ratio_unprepared_over_prepared: unprepared / prepared });
  }
  return rows;
}

/** Columns printed (the JSON keeps every field). */
const SHOWN = ['name', 'sec', 'sec_fwd', 'nfe_fwd', 'nfe_bwd', 'vjp_bwd', 'us_per_nfe', 'f_share', 'steps', 'backward_steps', 'peak_bytes',
  'heap_fwd_bytes', 'heap_bwd_bytes', 'rel_err_vs_direct', 'rel_err_vs_ref', 'rel_err_dy0_vs_direct'];
const project = (r: Row, keys: string[]): Row => Object.fromEntries(keys.filter((k) => k in r).map((k) => [k, r[k]])) as Row;

/**
 * Runs every gradient method at two tolerances, prints the tables, the derived ratios and the PASS/FAIL lines of the
 * targets, and writes bench/results/gradients.json. `args` is unused.
 */
export async function main(_args: string[] = []): Promise<Row[]> {
  const tStart = performance.now();
  const gc = enableGc();
  const s = spiralSetup(0);
  const loss = mseLoss(s.targets);
  const tight: GradientSolveOptions = { t0: 0, t1: T1, saveAt: { ts: s.ts }, method: 'dopri5', rtol: TOLS[0].rtol, atol: TOLS[0].atol };
  const pre = pretrain(s, loss, tight);
  const refOptions: GradientSolveOptions = { ...tight, params: s.params, rtol: 1e-10, atol: 1e-12, gradient: 'direct' };
  const refRun = fwdBwd(s, loss, refOptions);
  const ref = refRun.dParams;
  const setupRow: Row = {
    name: 'setup', problem: 'spiral neural ODE f(y) = W2·tanh(W1·y³ + b1) + b2 (fieldFromTrace + ops.model)',
    dim: 2, hidden: HIDDEN, batch: BATCH, state_len: s.field.dim, param_count: s.field.paramCount, t0: 0, t1: T1, n_save: N_SAVE,
    y0: `true spiral from (2, 0) at t = 25k/16, k = 0..15`, targets: 'true spiral y\' = Aᵀy³ from y0 at the save times (dopri5 rtol 1e-12, atol 1e-14)',
    loss_fn: 'MSE over all saved entries', solver: 'dopri5 (PI controller, Hairer error weights)',
    params_init: 'weights N(0, 0.1²), biases 0, Rng seed 0',
    params_state: `after ${PRETRAIN_STEPS} Adam steps (lr ${PRETRAIN_LR}, direct gradient, rtol 1e-7, atol 1e-9)`,
    pretrain_steps: PRETRAIN_STEPS, pretrain_lr: PRETRAIN_LR, loss_init: pre.before, loss_pretrained: pre.after,
    reference: 'direct gradient at rtol 1e-10, atol 1e-12', ref_nfe_fwd: refRun.report.nfeForward, ref_steps: refRun.report.steps,
    note_timing: `median of ${BATCHES} batches (each ≥ 0.05 s) after a warm-up; sec = forward + backward, sec_fwd = forward alone`,
    note_heap: gc ? 'heap_*_bytes: process heapUsed + arrayBuffers retained per run (8 runs alive at once, forced GC), after the forward and after the backward'
      : 'heap figures unavailable (no GC)',
    note_us_per_nfe: 'sec / (nfe_fwd + vjp_bwd): forward f evaluations and backward VJPs (backward re-evaluations of f not counted)',
  };
  console.log(`gradients bench: ${PRETRAIN_STEPS} Adam steps (lr ${PRETRAIN_LR}, direct) from the seeded init: loss ${pre.before.toExponential(4)} → ${pre.after.toExponential(4)}; reference gradient: direct at rtol 1e-10 (${refRun.report.steps} steps)`);
  const cost = fieldCost(s);
  setupRow.field_eval_us = cost.evalUs;
  setupRow.field_vjp_us = cost.vjpUs;
  setupRow.note_f_share = 'share of a forward + backward spent inside f.eval / f.vjp (timed around each call, median of 3 runs)';
  console.log(`field alone at batch 16: eval ${cost.evalUs.toFixed(2)} µs, VJP (with f) ${cost.vjpUs.toFixed(2)} µs`);
  const allRows: Row[] = [setupRow];
  const derivedRows: Row[] = [];
  for (const tol of TOLS) {
    const rows = await runTolerance(s, loss, tol, ref, gc);
    printTable(`gradients: spiral neural ODE 2→50→2, batch 16, t ∈ [0, 25], 100 saves, dopri5 rtol ${tol.rtol}, atol ${tol.atol}. `
      + 'sec = median fwd+bwd, us_per_nfe = sec / (nfe_fwd + vjp_bwd): counts forward f evals and backward VJPs, not backward re-evaluations; '
      + 'f_share = share of sec in the field; heap_* = heapUsed + arrayBuffers retained per run; rel_err on ∂L/∂params (dy0: ∂L/∂y0)', rows.map((r) => project(r, SHOWN)));
    allRows.push(...rows);
    derivedRows.push(derived(rows, tol));
  }
  const fixed = fixedStepRow(s, loss, allRows.find((r) => r.name === `direct ${TOLS[0].label}`));
  printTable(`fixed steps: midpoint, ${FIXED_STEPS} steps of ${T1 / FIXED_STEPS}, direct gradient (sec = median fwd+bwd)`,
    [project(fixed, ['name', 'sec', 'sec_fwd', 'nfe_fwd', 'vjp_bwd', 'us_per_nfe', 'steps', 'ratio_sec_vs_direct_dopri5'])]);
  allRows.push(fixed);
  // The same norms with one save time (no save grid chopping the backward solve).
  const single = TOLS.flatMap((tol) => singleSaveNorms(s, tol));
  printTable('side check: loss on y(25) only (1 save time: the backward solve is one interval), counts and error vs direct at rtol 1e-10',
    single.filter((r) => !r.name.startsWith('derived')).map((r) => project(r, ['name', 'nfe_fwd', 'nfe_bwd', 'vjp_bwd', 'backward_steps', 'rel_err_vs_ref'])));
  allRows.push(...single.filter((r) => !r.name.startsWith('derived')));
  derivedRows.push(...single.filter((r) => r.name.startsWith('derived')));
  // Derived ratios, transposed for reading.
  console.log('\nderived ratios');
  for (const d of derivedRows) {
    for (const [k, v] of Object.entries(d)) if (k !== 'name' && k !== 'tol') console.log(`  ${d.name.padEnd(26)} ${k.padEnd(48)} ${typeof v === 'number' ? v.toPrecision(4) : String(v)}`);
  }
  allRows.push(...derivedRows);
  const training = trainingLoops(s, loss, tight);
  printTable(`training loop: ${TRAIN_STEPS} Adam steps (lr 1e-3) on the spiral problem at rtol 1e-5, prepared (fit: one prepareSolve) vs unprepared (solveWithGradient every step: options checked, workspaces, tapes (re-traced graphs) and method buffers rebuilt)`,
    training.map((r) => project(r, ['name', 'sec', 'sec_per_step', 'final_loss', 'ratio_unprepared_over_prepared'])));
  allRows.push(...training);

  // Targets (printed whether they pass or not).
  const targets: Row[] = [];
  for (const tol of TOLS) {
    const direct = allRows.find((r) => r.name === `direct ${tol.label}`)!;
    const us = num(direct, 'us_per_nfe');
    // What the field alone costs per counted evaluation (no solver at all): the floor for this figure.
    const nf = num(direct, 'nfe_fwd'), nv = num(direct, 'vjp_bwd');
    const floor = (nf * cost.evalUs + nv * cost.vjpUs) / (nf + nv);
    targets.push({ name: `target direct fwd+bwd ≤ ${TARGET_US_PER_EVAL} µs per evaluation (nfe_fwd + vjp_bwd) ${tol.label}`, value_us_per_nfe: us, limit_us_per_nfe: TARGET_US_PER_EVAL, field_only_floor_us_per_nfe: floor, pass: us <= TARGET_US_PER_EVAL });
    const sem = num(allRows.find((r) => r.name === `backsolve seminorm ${tol.label}`), 'nfe_bwd');
    const rms = num(allRows.find((r) => r.name === `backsolve rms ${tol.label}`), 'nfe_bwd');
    targets.push({ name: `target backsolve nfe_bwd seminorm < rms ${tol.label}`, nfe_bwd_seminorm: sem, nfe_bwd_rms: rms, pass: sem < rms });
    const mixed = num(allRows.find((r) => r.name === `backsolve rms-flat ${tol.label}`), 'nfe_bwd');
    const mixedSemi = num(allRows.find((r) => r.name === `backsolve seminorm-flat ${tol.label}`), 'nfe_bwd');
    targets.push({ name: `check backsolve nfe_bwd seminorm ≤ rms-flat ${tol.label}`, nfe_bwd_seminorm: sem, nfe_bwd_rms_flat: mixed, pass: sem <= mixed });
    targets.push({ name: `check backsolve nfe_bwd seminorm-flat ≤ rms-flat ${tol.label}`, nfe_bwd_seminorm_flat: mixedSemi, nfe_bwd_rms_flat: mixed, pass: mixedSemi <= mixed });
  }
  for (const tol of TOLS) {
    const sem = num(derivedRows.find((r) => r.name === `derived ts=[25] ${tol.label}`), 'ratio_nfe_bwd_seminorm_vs_rms');
    targets.push({ name: `info backsolve nfe_bwd seminorm < rms with one save time ${tol.label}`, ratio_nfe_bwd_seminorm_vs_rms: sem, pass: sem < 1 });
  }
  console.log('');
  for (const t of targets) {
    const figs = Object.entries(t).filter(([k]) => k !== 'name' && k !== 'pass').map(([k, v]) => `${k} = ${typeof v === 'number' ? +v.toPrecision(4) : v}`).join(', ');
    console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${figs}`);
  }
  allRows.push(...targets);
  const total = (performance.now() - tStart) / 1000;
  setupRow.bench_total_sec = total;
  console.log(`\ngradients bench: ${total.toFixed(1)} s in all`);
  writeResults('gradients', allRows);
  return allRows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(e); process.exit(1); });
}
