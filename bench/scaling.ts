/**
 * bench/scaling: how tide's float64 kernels scale with the field, JS against WebAssembly SIMD, NumPy for reference.
 *
 * Rows, at batch×hidden 16×50, 256×256 and 1024×512 (one thread), in float64 and float32:
 *  - `mlp fwd|fwd+vjp B×H js|wasm[ float32]`: a dense H→H→H tanh MLP (mlp([H, H, H], { dtype })), forward, and
 *    forward + VJP (dW, db and dX of both layers), with `kernels.setBackend('js' | 'wasm')`. Flops: forward 4·B·H²
 *    (two gemms), forward+VJP 3× that; `ratio_vs_js` = JS seconds / Wasm seconds; on float32 rows
 *    `ratio_f32_vs_f64` = float64 seconds / float32 seconds on the same backend (the target: ≥ 1.7 in wasm).
 *  - `solve dopri5 B×H wasm[ float32]`: a dopri5 solve (t ∈ [0, 1], rtol 1e-5, atol 1e-7) of dy/dt = mlp(y) on the
 *    batch (fieldFromModel; the float32 field evaluates in float32 inside the float64 solve), with `nfe`,
 *    `us_per_nfe`, `ratio_f32_vs_f64` (whole solve), `ratio_per_nfe_f32_vs_f64` and `max_rel_diff_vs_f64` (final
 *    state); 1024×512 only without --quick.
 *  - `gemm NT B×H×H wasm[ float32]`: the forward gemm x·Wᵀ through JS arrays (operands copied in, result out) and
 *    resident (operands already in Wasm memory): `copy_fraction` is the share of the call the copies take.
 *  - `numpy matmul|forward|forward+vjp B×H tN`: bench/numpy_scaling.py in a child python3, at 1 BLAS thread and at
 *    the default count, with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from that child's environment only (they
 *    pin OpenBLAS to a slower kernel); the BLAS library and kernel used are printed and stored in a `numpy blas` row.
 * Wasm timings are the best median of rounds that alternate float64 and float32 (3 with --quick, else 5), so a
 * change of the machine's load between rows does not land on one dtype; JS rows are one round.
 * `--quick`: fewer timing batches and rounds, no 1024×512 solve (about 70 s; the full run takes a few minutes).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mlp, Rng, fieldFromModel, solve } from '../src/index.ts';
import { gemmNT } from '../src/core/kernels/gemm.ts';
import { gemmNT32 } from '../src/core/kernels/gemm32.ts';
import { setBackend, wasmGemmResident, wasmGemm32Resident } from '../src/core/kernels/wasm.ts';
import type { FloatArray } from '../src/core/array.ts';
import { timeIt, printTable, writeResults } from './lib.ts';
import type { Row } from './lib.ts';

const SIZES: ReadonlyArray<readonly [number, number]> = [[16, 50], [256, 256], [1024, 512]];

interface NumpyOut { numpy: string; blas: Record<string, unknown>; rows: Array<{ name: string; op: string; batch: number; hidden: number; threads: number; sec: number }> }

function runNumpy(quick: boolean): NumpyOut | string {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'numpy_scaling.py');
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('python3', [script, quick ? '0.05' : '0.2', quick ? '3' : '5', ...SIZES.map(([b, h]) => `${b}x${h}`)],
    { encoding: 'utf8', env, timeout: 300_000 });
  if (r.error) return `python3 could not run (${r.error.message})`;
  if (r.status !== 0) return `python3 ${script} failed: ${r.stderr.trim().split('\n').pop()}`;
  return JSON.parse(r.stdout) as NumpyOut;
}

export async function main(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  setBackend('wasm'); // throws if this runtime has no WebAssembly SIMD: the comparison needs both
  const rows: Row[] = [];
  const rng = new Rng(0);
  for (const [batch, hidden] of SIZES) {
    const big = batch * hidden * hidden > 1e7;
    const opts = { minBatchSec: quick ? 0.02 : 0.05, batches: quick ? 3 : big ? 5 : 9, warmupSec: quick ? 0.05 : 0.1 };
    // Both dtypes set up first, so their timings can alternate (the machine's load changes between rows).
    const setups = (['float64', 'float32'] as const).map((dtype) => {
      const f32 = dtype === 'float32';
      const alloc = (n: number): FloatArray => (f32 ? new Float32Array(n) : new Float64Array(n));
      const model = mlp([hidden, hidden, hidden], { activation: 'tanh', dtype });
      const params = alloc(model.paramCount);
      model.init(params, rng);
      const ws = model.workspace(batch);
      const x = alloc(batch * hidden); x.set(rng.fillNormal(new Float64Array(batch * hidden)));
      const dOut = alloc(batch * hidden); dOut.set(rng.fillNormal(new Float64Array(batch * hidden)));
      const out = alloc(batch * hidden), dX = alloc(batch * hidden), dP = alloc(model.paramCount);
      const fwd = (): void => { model.apply(out, params, x, ws); };
      const both = (): void => { model.apply(out, params, x, ws); model.vjp(dP, dX, dOut, params, x, ws); };
      return { dtype, f32, alloc, params, x, fwd, both, suffix: f32 ? ' float32' : '' };
    });
    const flopsFwd = 4 * batch * hidden * hidden;
    // sec[dtype backend op]: the best median over rounds that alternate float64 and float32 (one round for JS).
    const sec: Record<string, number> = {};
    for (const backend of ['js', 'wasm'] as const) {
      setBackend(backend);
      const rounds = backend === 'js' ? 1 : quick ? 3 : 5;
      for (let round = 0; round < rounds; round++) {
        for (const su of setups) {
          for (const [op, fn] of [['fwd', su.fwd], ['fwd+vjp', su.both]] as const) {
            const key = `${su.dtype} ${backend} ${op}`;
            sec[key] = Math.min(sec[key] ?? Infinity, timeIt(fn, opts).sec);
          }
        }
      }
      for (const su of setups) {
        for (const [op, flops] of [['fwd', flopsFwd], ['fwd+vjp', 3 * flopsFwd]] as const) {
          const t = sec[`${su.dtype} ${backend} ${op}`];
          const row: Row = { name: `mlp ${op} ${batch}x${hidden} ${backend}${su.suffix}`, op, batch, hidden, backend, dtype: su.dtype, sec: t, us: t * 1e6, gflops: flops / t / 1e9 };
          if (backend === 'wasm') row.ratio_vs_js = sec[`${su.dtype} js ${op}`] / t;
          if (su.f32) row.ratio_f32_vs_f64 = sec[`float64 ${backend} ${op}`] / t;
          rows.push(row);
        }
      }
    }
    // The forward gemm alone, through JS arrays and resident in Wasm memory: what copying the operands costs.
    setBackend('wasm');
    for (const su of setups) {
      const W = su.params.subarray(0, hidden * hidden), z = su.alloc(batch * hidden), x = su.x;
      const gemmCall = su.f32
        ? () => gemmNT32(z as Float32Array, x as Float32Array, W as Float32Array, batch, hidden, hidden)
        : () => gemmNT(z, x, W, batch, hidden, hidden);
      const resident = su.f32 ? wasmGemm32Resident : wasmGemmResident;
      // Interleaved rounds, best of each: the two differ by a few percent, less than the noise of one median.
      let copiedSec = Infinity, residentSec = Infinity;
      for (let round = 0; round < 3; round++) {
        copiedSec = Math.min(copiedSec, timeIt(gemmCall, opts).sec);
        gemmCall(); // lays out this shape's operands for the resident run
        residentSec = Math.min(residentSec, timeIt(() => resident(batch, hidden, hidden, false, true), opts).sec);
      }
      const g = 2 * batch * hidden * hidden;
      const grow: Row = { name: `gemm NT ${batch}x${hidden}x${hidden} wasm${su.suffix}`, op: 'gemm NT', batch, hidden, backend: 'wasm', dtype: su.dtype,
        sec: copiedSec, us: copiedSec * 1e6, gflops: g / copiedSec / 1e9, resident_sec: residentSec, resident_gflops: g / residentSec / 1e9,
        copy_fraction: 1 - residentSec / copiedSec };
      if (su.f32) {
        const r64 = rows.find((r) => r.name === `gemm NT ${batch}x${hidden}x${hidden} wasm`);
        if (r64) grow.ratio_f32_vs_f64 = (r64.sec as number) / copiedSec;
      }
      rows.push(grow);
    }
    // End to end: a dopri5 solve of dy/dt = mlp(y) on the batch (fieldFromModel; float32: mixed precision, y and the
    // controller in float64), same weights (rounded to float32) in both. 1024×512 only without --quick (~1 s a solve).
    if (!(quick && batch * hidden * hidden > 1e8)) {
      const p64 = Float64Array.from(setups[1].params);
      const y0 = Float64Array.from(setups[0].x);
      const o = { t1: 1, params: p64, method: 'dopri5', rtol: 1e-5, atol: 1e-7 } as const;
      const solves = setups.map((su) => {
        const field = fieldFromModel(mlp([hidden, hidden, hidden], { activation: 'tanh', dtype: su.dtype }), batch);
        return { su, field, sol: solve(field, y0, o) };
      });
      const sOpts = { minBatchSec: quick ? 0.02 : 0.05, batches: quick ? 3 : 5, warmupSec: 0 };
      const solveSec = [Infinity, Infinity];
      for (let round = 0; round < (quick ? 2 : 3); round++) {
        solves.forEach((sv, i) => { solveSec[i] = Math.min(solveSec[i], timeIt(() => { solve(sv.field, y0, o); }, sOpts).sec); });
      }
      const ref = solves[0].sol.yFinal;
      let diff = 0, scale = 0;
      for (let i = 0; i < ref.length; i++) { diff = Math.max(diff, Math.abs(solves[1].sol.yFinal[i] - ref[i])); scale = Math.max(scale, Math.abs(ref[i])); }
      solves.forEach((sv, i) => {
        const nfe = sv.sol.stats.nfe;
        const row: Row = { name: `solve dopri5 ${batch}x${hidden} wasm${sv.su.suffix}`, op: 'solve', batch, hidden, backend: 'wasm', dtype: sv.su.dtype,
          sec: solveSec[i], us: solveSec[i] * 1e6, nfe, us_per_nfe: solveSec[i] * 1e6 / nfe };
        if (sv.su.f32) {
          row.ratio_f32_vs_f64 = solveSec[0] / solveSec[i];
          row.ratio_per_nfe_f32_vs_f64 = (solveSec[0] / solves[0].sol.stats.nfe) / (solveSec[i] / nfe);
          row.max_rel_diff_vs_f64 = diff / scale;
        }
        rows.push(row);
      });
    }
    for (const su of setups) {
      const r = (op: string): string => (sec[`${su.dtype} js ${op}`] / sec[`${su.dtype} wasm ${op}`]).toFixed(1);
      console.log(`  ${batch}x${hidden} ${su.dtype}: forward ${r('fwd')}x, forward+vjp ${r('fwd+vjp')}x faster in wasm`
        + (su.f32 ? `; float32/float64 in wasm: forward ${(sec['float64 wasm fwd'] / sec['float32 wasm fwd']).toFixed(2)}x, forward+vjp ${(sec['float64 wasm fwd+vjp'] / sec['float32 wasm fwd+vjp']).toFixed(2)}x` : ''));
    }
  }
  setBackend('auto');

  const np = runNumpy(quick);
  if (typeof np === 'string') {
    console.log(`\nNumPy rows skipped: ${np}`);
    rows.push({ name: 'numpy skipped', reason: np });
  } else {
    const flat: Row = { name: 'numpy blas', numpy: np.numpy };
    for (const [k, v] of Object.entries(np.blas)) flat[k] = typeof v === 'number' || typeof v === 'string' ? v : String(v);
    rows.push(flat);
    for (const r of np.rows) {
      const flops = (r.op === 'matmul' ? 2 : r.op === 'forward' ? 4 : 12) * r.batch * r.hidden * r.hidden;
      const row: Row = { name: r.name, op: r.op, batch: r.batch, hidden: r.hidden, backend: `numpy t${r.threads}`, threads: r.threads,
        sec: r.sec, us: r.sec * 1e6, gflops: flops / r.sec / 1e9 };
      const wasm = rows.find((w) => w.name === `mlp ${r.op === 'forward' ? 'fwd' : 'fwd+vjp'} ${r.batch}x${r.hidden} wasm`); // float64 NumPy: float64 rows
      if (r.op !== 'matmul' && wasm) row.ratio_wasm_over_numpy = (wasm.gflops as number) / (row.gflops as number);
      rows.push(row);
    }
    console.log(`\nNumPy ${np.numpy}, BLAS: ${JSON.stringify(np.blas)}`);
  }
  const isNumpy = (r: Row): boolean => r.name.startsWith('numpy');
  printTable('H→H→H tanh MLP (mlp([H, H, H])) and its forward gemm, float64 and float32, one thread: JS kernels vs WebAssembly SIMD',
    rows.filter((r) => !isNumpy(r)));
  const npRows = rows.filter((r) => isNumpy(r) && r.name !== 'numpy blas');
  if (npRows.length > 0) printTable('NumPy, same sizes (tN: N BLAS threads)', npRows);
  writeResults('scaling', rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
