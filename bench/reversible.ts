/**
 * bench/reversible: the reversible-solver paper's experiments (McCallum & Foster 2024; slides in shared/seeds) on
 * tide, all methods in one run: the reversible solver against recursive checkpointing (online, diffrax's
 * RecursiveCheckpointAdjoint baseline) with c checkpoints, and backprop through the stored solver (direct).
 *   1. White dwarf (Chandrasekhar; the slides' first table): midpoint / reversible midpoint, 1000 steps, 1000 AdamW training steps.
 *   2. Coupled oscillator (the slides' second table; offline substitute of the Schmidt & Lipson 2009 data): midpoint, 499 steps.
 *   3. Double pendulum (the slides' third table; offline substitute): Bogacki–Shampine, adaptive (rtol = atol = 1e-6, I controller).
 * Columns: final and minimum loss, time, peak gradient bytes (each method's own accounting: states, stages,
 * checkpoints, grid), effective checkpoints, NFE per training step, heap growth. Ratios of reversible against
 * checkpointing at equal memory (c = 2) and against the fastest checkpointing row.
 * Args: --quick (fewer training steps everywhere), --wd-steps N, --osc-steps N, --pend-steps N, --only NAME.
 */
import { problems, fit, checkpoint, reversible, solveWithGradient, coupledSolver, tableaus, fieldFromTrace, ops, mlp, fieldFromModel, Rng, TideError } from '../src/index.ts';
import type { GradientMethod, VectorField } from '../src/index.ts';
type Problem = problems.Problem;
const { whiteDwarfProblem, coupledOscillatorProblem, doublePendulumProblem, trainingOptimizer } = problems;
import { printTable, writeResults, heapUsedBytes } from './lib.ts';
import type { Row } from './lib.ts';

interface Variant { label: string; gradient: string | GradientMethod }

function runVariant(pb: Problem, v: Variant, steps: number, seed: number): Row {
  // Warm-up (not timed): a few steps so that the first variant of a short run does not pay the JIT's compilation.
  fit({ field: pb.field, y0: pb.y0, params: pb.init(seed), loss: pb.loss, optimizer: trainingOptimizer(pb.training), steps: Math.min(20, steps), solve: { ...pb.solveOptions, gradient: v.gradient } });
  const params = pb.init(seed);
  const optimizer = trainingOptimizer(pb.training);
  const heap0 = heapUsedBytes();
  let heapPeak = heap0;
  const t0 = performance.now();
  const res = fit({
    field: pb.field, y0: pb.y0, params, loss: pb.loss, optimizer, steps,
    solve: { ...pb.solveOptions, gradient: v.gradient },
    onStep: ({ step }) => { if (step % 50 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed); },
  });
  const sec = (performance.now() - t0) / 1000;
  // The paper excludes the first (compiling) step; tide has no compile step, but exclude it alike.
  const secExFirst = sec - res.stepSec[0];
  const r = res.lastReport!;
  return {
    name: `${pb.name} ${v.label}`, problem: pb.name, method: v.label, training_steps: steps,
    final_loss: res.finalLoss, min_loss: res.minLoss, sec: secExFirst, sec_per_step: secExFirst / Math.max(1, steps - 1),
    peak_bytes: res.peakBytes, state_bytes: r.stateBytes, effective_checkpoints: r.effectiveCheckpoints, solver_steps: r.steps,
    nfe_fwd: r.nfeForward, nfe_bwd: r.nfeBackward, vjp_bwd: r.vjpBackward, heap_growth_bytes: Math.max(0, heapPeak - heap0),
  };
}

function addRatios(rows: Row[]): void {
  const rev = rows.find((r) => r.method === 'reversible');
  const ck = rows.filter((r) => String(r.method).startsWith('checkpoint'));
  if (!rev || ck.length === 0) return;
  const c2 = ck.find((r) => r.method === 'checkpoint c=2');
  const fastest = ck.reduce((a, b) => ((a.sec as number) <= (b.sec as number) ? a : b));
  if (c2) {
    rev.ratio_time_c2_over_rev = (c2.sec as number) / (rev.sec as number);
    rev.ratio_bytes_c2_over_rev = (c2.peak_bytes as number) / (rev.peak_bytes as number);
    rev.ratio_state_bytes_c2_over_rev = (c2.state_bytes as number) / (rev.state_bytes as number);
  }
  rev.fastest_checkpoint = fastest.method as string;
  rev.ratio_time_fastest_over_rev = (fastest.sec as number) / (rev.sec as number);
  rev.ratio_bytes_fastest_over_rev = (fastest.peak_bytes as number) / (rev.peak_bytes as number);
  rev.ratio_state_bytes_fastest_over_rev = (fastest.state_bytes as number) / (rev.state_bytes as number);
  rev.ratio_checkpoints_fastest_over_rev = (fastest.effective_checkpoints as number) / (rev.effective_checkpoints as number);
  for (const r of rows) r.ratio_time_over_rev = (r.sec as number) / (rev.sec as number);
}

/** Relative 2-norm difference. */
function relDiff(a: Float64Array, b: Float64Array): number {
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; n += b[i] ** 2; }
  return Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-300);
}

/**
 * Long horizons (the reliability rows): pendulum and tanh-MLP fields, N fixed rk4 steps of the λ-coupled scheme,
 * λ ∈ {0.999, 0.99, 0.9, 0.5}. Per case: direct (stored-state backprop through the same scheme, the oracle), the
 * reversible method with re-anchoring (default) and without (anchorEvery: 0). Columns: time, states held, anchors, the
 * gradient's difference to the oracle, and what happened without anchors (the measured drift, or the error's code).
 */
function longHorizons(Ns: number[]): Row[] {
  const pend = fieldFromTrace((_t, y, p) => ops.concat([ops.slice(y, 1, 1), ops.mul(ops.neg(ops.at(p, 0)), ops.sin(ops.slice(y, 0, 1)))]),
    { shape: [2], paramCount: 1, name: 'pendulum' });
  const net = mlp([2, 8, 2], { activation: 'tanh' });
  const netParams = new Float64Array(net.paramCount); net.init(netParams, new Rng(3));
  const fields: Array<[string, VectorField, Float64Array, Float64Array]> = [
    ['pendulum', pend, Float64Array.of(1), Float64Array.of(1, 0)],
    ['tanh-MLP', fieldFromModel(net, 1), netParams, Float64Array.of(0.5, -0.3)],
  ];
  const rows: Row[] = [];
  const dYs = Float64Array.of(1, 1);
  for (const [fname, field, params, y0] of fields) {
    for (const N of Ns) {
      for (const lambda of [0.999, 0.99, 0.9, 0.5]) {
        const o = { t1: N * 1e-3, stepSize: 1e-3, method: coupledSolver(tableaus.rk4, { lambda }), params, saveAt: { t1: true }, maxSteps: N + 10 };
        const name = `long ${fname} N=${N} λ=${lambda}`;
        const time = <T>(f: () => T): [T, number] => { const t0 = performance.now(); const r = f(); return [r, (performance.now() - t0) / 1000]; };
        try {
          const [ref, secDirect] = time(() => solveWithGradient(field, y0, { ...o, gradient: 'direct' }).backward(dYs));
          const [rev, secRev] = time(() => solveWithGradient(field, y0, { ...o, gradient: reversible() }).backward(dYs));
          let without = 'ok';
          let driftWithout = NaN;
          try {
            const r0 = solveWithGradient(field, y0, { ...o, gradient: reversible({ anchorEvery: 0 }) }).backward(dYs);
            driftWithout = r0.report.reconstructionError ?? NaN;
          } catch (e) { without = e instanceof TideError ? e.code : String(e); }
          const err = Math.max(relDiff(rev.dParams, ref.dParams), relDiff(rev.dY0, ref.dY0));
          rows.push({
            name, field: fname, steps: N, lambda, sec_direct: secDirect, sec_reversible: secRev, ratio_sec_reversible_over_direct: secRev / secDirect,
            state_bytes_direct: ref.report.stateBytes, state_bytes_reversible: rev.report.stateBytes, anchors: rev.report.anchors ?? 0,
            anchor_every: rev.report.anchorEvery ?? 0, segments_redone: rev.report.segmentsRedone ?? 0, max_anchor_drift: rev.report.maxAnchorDrift ?? 0,
            rel_err_vs_direct: err, pass_1e_8: err < 1e-8, without_anchors: without, drift_without_anchors: driftWithout,
          });
        } catch (e) {
          rows.push({ name, field: fname, steps: N, lambda, error: e instanceof TideError ? e.code : String(e), message: e instanceof Error ? e.message.slice(0, 160) : '' });
        }
      }
    }
  }
  return rows;
}

export async function main(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  const opt = (name: string, fallback: number): number => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : fallback; };
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
  const all: Row[] = [];
  const experiments: Array<{ key: string; make: () => Problem; steps: number; cs: number[]; paper: string }> = [
    { key: 'white-dwarf', make: () => whiteDwarfProblem({ method: 'midpoint' }), steps: opt('wd-steps', quick ? 100 : 1000), cs: [2, 4, 8, 16, 32, 44],
      paper: 'paper (GPU, 1000 steps): reversible 1.7 min; checkpointing c=2 280.0, c=4 30.3, c=8 10.6, c=16 9.6, c=32 8.7, c=44 5.5 min; loss 0.9e-4 for all' },
    { key: 'coupled-oscillator', make: () => coupledOscillatorProblem({ method: 'midpoint' }), steps: opt('osc-steps', quick ? 50 : 500), cs: [2, 4, 8, 16, 31],
      paper: 'paper (GPU, 10,000 steps, real data): reversible 14.3 min; c=2 632.2, c=4 99.0, c=8 63.4, c=16 53.8, c=31 36.6 min; loss 1.0e-3' },
    { key: 'double-pendulum', make: () => doublePendulumProblem(), steps: opt('pend-steps', quick ? 30 : 200), cs: [2, 4, 8, 16, 32],
      paper: 'paper (GPU, 10,000 steps, real data, bs3 adaptive): reversible 21.9 min; c=2 818.2, c=4 135.2, c=8 82.8, c=16 70.8, c=32 62.4 min; loss 7.8–12.8e-3' },
  ];
  if (!only || only === 'long-horizon') {
    const rows = longHorizons(quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]);
    printTable('long horizons: λ-coupled rk4, h = 1e-3, loss on y(T); reversible with re-anchoring vs stored-state backprop (direct) through the same scheme; without anchors: the drift, or the error raised',
      rows.map((r) => ({ name: r.name, sec_direct: r.sec_direct, sec_reversible: r.sec_reversible, ratio_sec: r.ratio_sec_reversible_over_direct, state_bytes_direct: r.state_bytes_direct,
        state_bytes_rev: r.state_bytes_reversible, anchors: r.anchors, redone: r.segments_redone, rel_err_vs_direct: r.rel_err_vs_direct, without_anchors: r.without_anchors ?? r.error })));
    all.push(...rows);
  }
  for (const ex of experiments) {
    if (only && only !== ex.key) continue;
    const pb = ex.make();
    const variants: Variant[] = [
      // The paper's adaptive runs save at the accepted steps and interpolate linearly (its double pendulum); fixed-step
      // runs land on the save times anyway.
      { label: 'reversible', gradient: reversible({ lambda: 0.999, saves: ex.key === 'double-pendulum' ? 'linear' : 'land' }) },
      ...ex.cs.map((c) => ({ label: `checkpoint c=${c}`, gradient: checkpoint({ slots: c }) })),
      { label: 'direct', gradient: 'direct' },
    ];
    const rows: Row[] = [];
    for (const v of variants) {
      const row = runVariant(pb, v, ex.steps, 0);
      rows.push(row);
      console.log(`  ${row.name}: ${(row.sec as number).toFixed(2)} s, loss ${(row.final_loss as number).toExponential(3)}, ${row.peak_bytes} B`);
    }
    addRatios(rows);
    printTable(`${pb.name}: ${ex.steps} training steps (${ex.paper})`, rows.map((r) => ({
      name: r.method as string, final_loss: r.final_loss, min_loss: r.min_loss, sec: r.sec, sec_per_step: r.sec_per_step, peak_bytes: r.peak_bytes, state_bytes: r.state_bytes,
      eff_ckpt: r.effective_checkpoints, nfe_fwd: r.nfe_fwd, nfe_bwd: r.nfe_bwd, vjp_bwd: r.vjp_bwd, time_over_rev: r.ratio_time_over_rev,
    })));
    const rev = rows[0];
    console.log(`reversible vs checkpointing at equal memory (c = 2): ${(rev.ratio_time_c2_over_rev as number).toFixed(2)}× the speed; state memory ratio ${(rev.ratio_state_bytes_c2_over_rev as number).toFixed(2)} (all bytes ${(rev.ratio_bytes_c2_over_rev as number).toFixed(2)})`);
    console.log(`reversible vs fastest checkpointing (${rev.fastest_checkpoint}): ${(rev.ratio_time_fastest_over_rev as number).toFixed(2)}× the speed; ${(rev.ratio_checkpoints_fastest_over_rev as number).toFixed(1)}× fewer effective checkpoints, state memory ratio ${(rev.ratio_state_bytes_fastest_over_rev as number).toFixed(2)} (all bytes incl. outputs and grid ${(rev.ratio_bytes_fastest_over_rev as number).toFixed(2)})`);
    all.push(...rows);
  }
  writeResults(only ? `reversible-${only}` : 'reversible', all);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
