/**
 * bench/activations: per-element cost of each activation's forward and backward on an 800-element Float64Array
 * (batch 16 × hidden 50, one neural ODE field evaluation), side by side with a plain Math.* loop for the same
 * function. Rows: { name, ns_per_elem, ratio_vs_math, max_ulp } where max_ulp is the forward's largest error against
 * the mpmath references in test/fixtures/erf_refs.json (null where the fixture has none, e.g. backward rows).
 *
 * Then the Wasm tanh kernel (copies in and out included) against the JS kernel at n and at 1e5 elements (ratio_vs_js).
 * Usage: npm run bench -- activations [--n=800] [--quick]      or      node --import tsx bench/activations.ts
 * Inputs are N(0, 1.5²) draws (a typical pre-activation spread, signs random) from a fixed seed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { activations, ACTIVATION_NAMES } from '../src/core/kernels/activations.ts';
import type { ActivationName } from '../src/core/kernels/activations.ts';
import { ready, wasmActivationId, wasmActivationKernel } from '../src/core/kernels/wasm.ts';
import { timeIt, printTable, writeResults } from './lib.ts';
import type { Row } from './lib.ts';
import { ulpOf } from '../test/oracles/ulp.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, '..', 'test', 'fixtures', 'erf_refs.json');

// --------------------------------------------------------------------------------------------------------------
// Baselines: what one writes with Math.* (erf has no Math.* form: fdlibm's erf with Math.exp, as any port does).

const SQRT_2_OVER_PI = 0.7978845608028654;

function erfMath(x: number): number {
  // fdlibm s_erf.c (Sun, 1993), the same pieces as fastmath.erf, with Math.exp and no care for exp(−x²)'s argument
  const a = Math.abs(x);
  let v: number;
  if (a < 0.84375) {
    const z = x * x;
    const r = 1.28379167095512558561e-01 + z * (-3.25042107247001499370e-01 + z * (-2.84817495755985104766e-02 + z * (-5.77027029648944159157e-03 + z * -2.37630166566501626084e-05)));
    const s = 1 + z * (3.97917223959155352819e-01 + z * (6.50222499887672944485e-02 + z * (5.08130628187576562776e-03 + z * (1.32494738004321644526e-04 + z * -3.96022827877536812320e-06))));
    return x + x * (r / s);
  }
  if (a < 1.25) {
    const s = a - 1;
    const p = -2.36211856075265944077e-03 + s * (4.14856118683748331666e-01 + s * (-3.72207876035701323847e-01 + s * (3.18346619901161753674e-01 + s * (-1.10894694282396677476e-01 + s * (3.54783043256182359371e-02 + s * -2.16637559486879084300e-03)))));
    const q = 1 + s * (1.06420880400844228286e-01 + s * (5.40397917702171048937e-01 + s * (7.18286544141962662868e-02 + s * (1.26171219808761642112e-01 + s * (1.36370839120290507362e-02 + s * 1.19844998467991074170e-02)))));
    v = 8.45062911510467529297e-01 + p / q;
  } else if (a >= 6) {
    v = 1;
  } else {
    const s = 1 / (a * a);
    let rs: number;
    if (a < 2.857142857142857) {
      const r = -9.86494403484714822705e-03 + s * (-6.93858572707181764372e-01 + s * (-1.05586262253232909814e+01 + s * (-6.23753324503260060396e+01 + s * (-1.62396669462573470355e+02 + s * (-1.84605092906711035994e+02 + s * (-8.12874355063065934246e+01 + s * -9.81432934416914548592e+00))))));
      const q = 1 + s * (1.96512716674392571292e+01 + s * (1.37657754143519042600e+02 + s * (4.34565877475229228821e+02 + s * (6.45387271733267880336e+02 + s * (4.29008140027567833386e+02 + s * (1.08635005541779435134e+02 + s * (6.57024977031928170135e+00 + s * -6.04244152148580987438e-02)))))));
      rs = r / q;
    } else {
      const r = -9.86494292470009928597e-03 + s * (-7.99283237680523006574e-01 + s * (-1.77579549177547519889e+01 + s * (-1.60636384855821916062e+02 + s * (-6.37566443368389627722e+02 + s * (-1.02509513161107724954e+03 + s * -4.83519191608651397019e+02)))));
      const q = 1 + s * (3.03380607434824582924e+01 + s * (3.25792512996573918826e+02 + s * (1.53672958608443695994e+03 + s * (3.19985821950859553908e+03 + s * (2.55305040643316442583e+03 + s * (4.74528541206955367215e+02 + s * -2.24409524465858183362e+01))))));
      rs = r / q;
    }
    v = 1 - Math.exp(-a * a - 0.5625 + rs) / a;
  }
  return x < 0 ? -v : v;
}

type Fwd = (out: Float64Array, x: Float64Array) => void;
type Bwd = (dX: Float64Array, dOut: Float64Array, x: Float64Array, y: Float64Array) => void;

const mathForward: Record<ActivationName, Fwd> = {
  identity: (o, x) => { for (let i = 0; i < x.length; i++) o[i] = x[i]; },
  tanh: (o, x) => { for (let i = 0; i < x.length; i++) o[i] = Math.tanh(x[i]); },
  sigmoid: (o, x) => { for (let i = 0; i < x.length; i++) o[i] = 1 / (1 + Math.exp(-x[i])); },
  softplus: (o, x) => { for (let i = 0; i < x.length; i++) { const v = x[i]; o[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))); } },
  relu: (o, x) => { for (let i = 0; i < x.length; i++) { const v = x[i]; o[i] = v > 0 ? v : 0; } },
  gelu: (o, x) => { for (let i = 0; i < x.length; i++) { const v = x[i]; o[i] = 0.5 * v * (1 + erfMath(v * Math.SQRT1_2)); } },
  'gelu-tanh': (o, x) => { for (let i = 0; i < x.length; i++) { const v = x[i]; o[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))); } },
  swish: (o, x) => { for (let i = 0; i < x.length; i++) { const v = x[i]; o[i] = v / (1 + Math.exp(-v)); } },
};

const mathBackward: Record<ActivationName, Bwd> = {
  identity: (d, g) => { for (let i = 0; i < g.length; i++) d[i] = g[i]; },
  tanh: (d, g, _x, y) => { for (let i = 0; i < g.length; i++) d[i] = g[i] * (1 - y[i] * y[i]); },
  sigmoid: (d, g, _x, y) => { for (let i = 0; i < g.length; i++) d[i] = g[i] * y[i] * (1 - y[i]); },
  softplus: (d, g, x) => { for (let i = 0; i < g.length; i++) d[i] = g[i] / (1 + Math.exp(-x[i])); },
  relu: (d, g, x) => { for (let i = 0; i < g.length; i++) d[i] = x[i] > 0 ? g[i] : 0; },
  gelu: (d, g, x) => {
    for (let i = 0; i < g.length; i++) {
      const v = x[i];
      d[i] = g[i] * (0.5 * (1 + erfMath(v * Math.SQRT1_2)) + v * Math.exp(-0.5 * v * v) * 0.3989422804014327);
    }
  },
  'gelu-tanh': (d, g, x) => {
    for (let i = 0; i < g.length; i++) {
      const v = x[i], t = Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
      d[i] = g[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v));
    }
  },
  swish: (d, g, x) => {
    for (let i = 0; i < g.length; i++) { const v = x[i], s = 1 / (1 + Math.exp(-v)); d[i] = g[i] * s * (1 + v * (1 - s)); }
  },
};

/** Largest forward error in ulps against the fixture's mpmath references (hi + lo), or null if none. */
type Refs = Record<string, [number, number, number][]>;
function maxUlp(f: (x: number) => number, refs: [number, number, number][] | undefined): number | null {
  if (!refs) return null;
  let m = 0;
  for (const [x, hi, lo] of refs) {
    if (Math.abs(hi) < 2.2250738585072014e-308) continue; // subnormal results: ulps there are not relative error
    const e = Math.abs((f(x) - hi) - lo) / ulpOf(hi);
    if (e > m) m = e;
  }
  return Math.round(m * 1000) / 1000;
}

/** Seeded N(0, sd²) draws (xorshift + Box–Muller; the bench must not depend on other modules' RNG). */
function normals(n: number, sd: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const u = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return (s + 0.5) / 4294967296; };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = sd * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

export async function main(args: string[] = []): Promise<void> {
  const nArg = args.find((a) => a.startsWith('--n='));
  const n = nArg ? Number(nArg.slice(4)) : 800;
  const quick = args.includes('--quick');
  const timing = quick ? { minBatchSec: 0.01, batches: 5, warmupSec: 0.05 } : { minBatchSec: 0.03, batches: 15, warmupSec: 0.2 };
  const refs: Refs | null = existsSync(fixture) ? JSON.parse(readFileSync(fixture, 'utf8')) as Refs : null;
  const mathScalar: Partial<Record<ActivationName, (x: number) => number>> = {
    tanh: Math.tanh,
    sigmoid: (x) => 1 / (1 + Math.exp(-x)),
    softplus: (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))),
    gelu: (x) => 0.5 * x * (1 + erfMath(x * Math.SQRT1_2)),
    'gelu-tanh': (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
    swish: (x) => x / (1 + Math.exp(-x)),
  };

  const x = normals(n, 1.5, 12345);
  const g = normals(n, 1, 777);
  const y = new Float64Array(n), out = new Float64Array(n), dX = new Float64Array(n);
  const rows: Row[] = [];
  for (const name of ACTIVATION_NAMES) {
    const act = activations[name];
    act.forward(y, x);
    const ref = refs?.[name];
    const tf = timeIt(callSite(() => act.forward(out, x)), timing).sec / n * 1e9;
    const tfm = timeIt(callSite(() => mathForward[name](out, x)), timing).sec / n * 1e9;
    const tb = timeIt(callSite(() => act.backward(dX, g, x, y)), timing).sec / n * 1e9;
    const tbm = timeIt(callSite(() => mathBackward[name](dX, g, x, y)), timing).sec / n * 1e9;
    const ms = mathScalar[name];
    rows.push({ name: `${name} forward`, ns_per_elem: round(tf), ratio_vs_math: round(tf / tfm), max_ulp: name === 'identity' || name === 'relu' ? 0 : maxUlp(act.f, ref) });
    rows.push({ name: `${name} forward (Math.*)`, ns_per_elem: round(tfm), ratio_vs_math: 1, max_ulp: name === 'identity' || name === 'relu' ? 0 : ms ? maxUlp(ms, ref) : null });
    rows.push({ name: `${name} backward`, ns_per_elem: round(tb), ratio_vs_math: round(tb / tbm), max_ulp: null });
    rows.push({ name: `${name} backward (Math.*)`, ns_per_elem: round(tbm), ratio_vs_math: 1, max_ulp: null });
  }
  // The Wasm tanh kernel (wasm/assembly/activations.ts, bit-identical to fastmath.tanh), through the public entry
  // (copy in, kernel, copy out) at n and at 1e5 elements, against the JS kernel on the same data.
  if (await ready() === 'wasm') {
    const id = wasmActivationId('tanh');
    for (const m of [n, 100000]) {
      const xm = m === n ? x : normals(m, 1.5, 4242), om = new Float64Array(m);
      const tw = timeIt(callSite(() => wasmActivationKernel(om, xm, null, m, id)), timing).sec / m * 1e9;
      const tj = timeIt(callSite(() => activations.tanh.forward(om, xm)), timing).sec / m * 1e9;
      rows.push({ name: `tanh forward, Wasm kernel incl. copies (n = ${m})`, ns_per_elem: round(tw), ratio_vs_math: null, ratio_vs_js: round(tw / tj),
        max_ulp: maxUlp((v) => wasmActivationKernel(new Float64Array(1), Float64Array.of(v), null, 1, id)[0], refs?.tanh) });
      rows.push({ name: `tanh forward, JS kernel (n = ${m})`, ns_per_elem: round(tj), ratio_vs_math: null, ratio_vs_js: 1, max_ulp: null });
    }
  }
  printTable(`activations: ns per element, n = ${n} (Float64Array), Math.* loops as baseline${refs ? '' : ' (fixture missing: no max_ulp)'}`, rows);
  writeResults('activations', rows);
}

/**
 * A fresh function (own source, own type feedback) that calls f: otherwise every row would be timed through the same
 * closure literal, whose call site turns polymorphic over all activations and makes V8 inline them all into it,
 * which slows the later rows (relu by 3×). A model calls one activation from each site, so one site per row is fair.
 */
function callSite(f: () => void): () => void {
  return new Function('f', 'return function callSite() { f(); };')(f) as () => void;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
