/**
 * bench/blas1: the float64 vector kernels, JS loops against the WebAssembly f64x2 kernels (wasm/assembly/blas1.ts)
 * with their copies into and out of Wasm memory included, the way the dispatcher calls them, at n = 8 … 1e6.
 *
 * Rows `KERNEL n=N`: { kernel, n, js_ns_per_elem, wasm_ns_per_elem, ratio_wasm_vs_js } where ratio_wasm_vs_js is JS
 * seconds / Wasm seconds (> 1: Wasm pays). Every kernel is timed through its entry point (blas1.ts; the error-norm sum
 * sumSquaredScaled of control/norms.ts with number tolerances) under kernels.setBackend('js') and ('wasm'). linComb runs with 1, 5 (dopri5's last stage row) and 8 (DOP853's last row, 12 coefficients) nonzero stages;
 * ns per element there counts output elements.
 * Then rows `threshold KERNEL`: crossover_n, the smallest n listed from which Wasm was faster at that n and at every
 * larger n (null: never), min_length, the BLAS1_AUTO_MIN_LENGTH in force, and the BLAS1_AUTO_MAX limit where one
 * applies (max_length for dot; max_stage_elements for linComb, which 'auto' compares with nonzero stages × n). Each
 * row's `auto` says which route 'auto' takes there. Each (kernel, n) is timed JS, Wasm,
 * JS, Wasm and each side keeps its faster median, so a change of the machine's load does not land on one side.
 * Usage: npm run bench -- blas1 [--quick]   (--quick: shorter timing batches, about 30 s; the full run about 2 min).
 */
import * as blas from '../src/core/kernels/blas1.ts';
import { setBackend } from '../src/core/kernels/wasm.ts';
import { sumSquaredScaled } from '../src/control/norms.ts';
import { dopri5 } from '../src/solvers/tableaus/dopri5.ts';
import { dopri8 } from '../src/solvers/tableaus/dopri8.ts';
import { Rng } from '../src/core/random.ts';
import { timeIt, printTable, writeResults } from './lib.ts';
import type { Row } from './lib.ts';

const SIZES = [8, 32, 128, 512, 2048, 8192, 32768, 131072, 1_000_000];

interface Case {
  readonly kernel: string;
  /** The BLAS1_AUTO_MIN_LENGTH entry in force. */
  readonly minKey: keyof typeof blas.BLAS1_AUTO_MIN_LENGTH;
  /** For linComb: the stages with a nonzero coefficient (BLAS1_AUTO_MAX.linCombStageElements limits them times n). */
  readonly stages?: number;
  /** Builds the call for length n (through the dispatching entry point: the backend in force decides). */
  make(n: number, rng: Rng): () => void;
}

let sink = 0;

function vec(rng: Rng, n: number): Float64Array { return rng.fillNormal(new Float64Array(n)); }

function linCombCase(kernel: string, row: ArrayLike<number>): Case {
  let nz = 0;
  for (let j = 0; j < row.length; j++) if (row[j] !== 0) nz++;
  return {
    kernel, minKey: 'linComb', stages: nz,
    make(n, rng) {
      const count = row.length, ks = Array.from({ length: count }, (_, j) => (row[j] !== 0 ? vec(rng, n) : new Float64Array(0)));
      const y = vec(rng, n), out = new Float64Array(n);
      return () => { blas.linComb(out, y, 1e-3, row, ks, count); };
    },
  };
}

const CASES: Case[] = [
  { kernel: 'axpy', minKey: 'axpy', make(n, rng) { const x = vec(rng, n), y = vec(rng, n), o = new Float64Array(n); return () => { blas.axpy(o, 0.5, x, y); }; } },
  { kernel: 'axpyInPlace', minKey: 'axpyInPlace', make(n, rng) { const x = vec(rng, n), y = vec(rng, n); return () => { blas.axpyInPlace(y, 1e-12, x); }; } },
  { kernel: 'scale', minKey: 'scale', make(n, rng) { const x = vec(rng, n), o = new Float64Array(n); return () => { blas.scale(o, 0.5, x); }; } },
  { kernel: 'add', minKey: 'add', make(n, rng) { const x = vec(rng, n), y = vec(rng, n), o = new Float64Array(n); return () => { blas.add(o, x, y); }; } },
  { kernel: 'sub', minKey: 'sub', make(n, rng) { const x = vec(rng, n), y = vec(rng, n), o = new Float64Array(n); return () => { blas.sub(o, x, y); }; } },
  { kernel: 'mul', minKey: 'mul', make(n, rng) { const x = vec(rng, n), y = vec(rng, n), o = new Float64Array(n); return () => { blas.mul(o, x, y); }; } },
  { kernel: 'dot', minKey: 'dot', make(n, rng) { const x = vec(rng, n), y = vec(rng, n); return () => { sink += blas.dot(x, y); }; } },
  { kernel: 'sum', minKey: 'sum', make(n, rng) { const x = vec(rng, n); return () => { sink += blas.sum(x); }; } },
  linCombCase('linComb 1 stage', [0.5]),
  linCombCase('linComb 5 stages', dopri5.a[6]),
  linCombCase('linComb 8 stages', dopri8.a[dopri8.stages - 1]),
  {
    kernel: 'sumSquaredScaled', minKey: 'sumSquaredScaled',
    make(n, rng) {
      const e = vec(rng, n), p = vec(rng, n), q = vec(rng, n);
      return () => { sink += sumSquaredScaled(e, p, q, 1e-6, 1e-9, 0, n); };
    },
  },
];

export async function main(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  setBackend('wasm'); // throws if this runtime has no WebAssembly SIMD: the comparison needs both
  const opts = quick ? { minBatchSec: 0.006, batches: 3, warmupSec: 0.01 } : { minBatchSec: 0.02, batches: 7, warmupSec: 0.04 };
  const rows: Row[] = [];
  const rng = new Rng(0);
  for (const c of CASES) {
    const ratios: number[] = [];
    for (const n of SIZES) {
      const call = c.make(n, rng);
      let js = Infinity, wasm = Infinity;
      for (let round = 0; round < 2; round++) {
        setBackend('js');
        js = Math.min(js, timeIt(call, opts).sec);
        setBackend('wasm');
        wasm = Math.min(wasm, timeIt(call, opts).sec);
      }
      const ratio = js / wasm;
      ratios.push(ratio);
      rows.push({
        name: `${c.kernel} n=${n}`, kernel: c.kernel, n,
        js_ns_per_elem: round3(js * 1e9 / n), wasm_ns_per_elem: round3(wasm * 1e9 / n), ratio_wasm_vs_js: round3(ratio),
        auto: autoRoute(c, n),
      });
    }
    let from = SIZES.length;
    while (from > 0 && ratios[from - 1] > 1) from--;
    const row: Row = { name: `threshold ${c.kernel}`, kernel: c.kernel, crossover_n: from < SIZES.length ? SIZES[from] : null,
      min_length: blas.BLAS1_AUTO_MIN_LENGTH[c.minKey] };
    if (c.minKey === 'dot') row.max_length = blas.BLAS1_AUTO_MAX.dotLength;
    if (c.minKey === 'linComb') row.max_stage_elements = blas.BLAS1_AUTO_MAX.linCombStageElements;
    rows.push(row);
  }
  setBackend('auto');
  if (sink === 0.123) console.log(sink);
  printTable('float64 vector kernels: JS against WebAssembly (copies included); ratio_wasm_vs_js > 1: Wasm faster', rows);
  writeResults('blas1', rows);
}

/** The route 'auto' takes for this case at length n. */
function autoRoute(c: Case, n: number): 'wasm' | 'js' {
  if (n < blas.BLAS1_AUTO_MIN_LENGTH[c.minKey]) return 'js';
  if (c.minKey === 'dot' && n > blas.BLAS1_AUTO_MAX.dotLength) return 'js';
  if (c.stages !== undefined && c.stages * n > blas.BLAS1_AUTO_MAX.linCombStageElements) return 'js';
  return 'wasm';
}

function round3(v: number): number { return Math.round(v * 1000) / 1000; }

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
