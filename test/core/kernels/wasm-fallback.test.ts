/**
 * The JS fallback of the kernels: in a child process whose runtime has no WebAssembly at all, or whose
 * WebAssembly.validate rejects the SIMD module (as a runtime without 128-bit SIMD does), 'auto' runs the JS
 * kernels, getBackend() says 'js', ready() resolves to 'js', setBackend('wasm') throws BAD_OPTION saying why, and
 * gemm, the dense layer and the vector kernels (blas1.ts, above their Wasm thresholds) give bit for bit what
 * setBackend('js') gives here. Also: the generated module is built from the current wasm/assembly sources
 * (wasm/build.mjs --check).
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gemm } from '../../../src/core/kernels/gemm.ts';
import * as blas from '../../../src/core/kernels/blas1.ts';
import { setBackend } from '../../../src/core/kernels/wasm.ts';
import { dense } from '../../../src/nn/dense.ts';
import { Rng } from '../../../src/core/random.ts';

after(() => setBackend('auto'));

const root = fileURLToPath(new URL('../../../', import.meta.url));
const src = (p: string): string => pathToFileURL(`${root}src/${p}`).href;

/**
 * The computation both sides run: a 20×30×40 NT gemm and a dense(40, 30, tanh) forward + VJP at batch 20.
 * The child imports everything first: tsx itself compiles with WebAssembly, so the prelude that hides it runs after.
 */
const IMPORTS = `
  const k = await import('${src('core/kernels/wasm.ts')}');
  const { Rng } = await import('${src('core/random.ts')}');
  const { gemm } = await import('${src('core/kernels/gemm.ts')}');
  const { dense } = await import('${src('nn/dense.ts')}');
  const blas = await import('${src('core/kernels/blas1.ts')}');`;
const WORK = `
  const rng = new Rng(42);
  const a = rng.fillNormal(new Float64Array(20 * 40)), b = rng.fillNormal(new Float64Array(30 * 40));
  const c = gemm(new Float64Array(20 * 30), a, b, 20, 30, 40, false, true, 1, 0);
  const layer = dense(40, 30, { activation: 'tanh' }), p = new Float64Array(layer.paramCount);
  layer.init(p, rng);
  const ws = layer.workspace(20), y = new Float64Array(600), dP = new Float64Array(layer.paramCount), dX = new Float64Array(800);
  layer.apply(y, p, a, ws);
  layer.vjp(dP, dX, rng.fillNormal(new Float64Array(600)), p, a, ws);
  const u = rng.fillNormal(new Float64Array(301)), v = rng.fillNormal(new Float64Array(301));
  const vec = [...blas.axpy(new Float64Array(301), 0.5, u, v), ...blas.linComb(new Float64Array(301), u, 0.1, [1, 0, 2], [v, u, u], 3),
    blas.dot(u, v), blas.sum(u)];
  const result = [...c, ...y, ...dP, ...dX, ...vec];
`;

function child(prelude: string): { backend: string; reason: string; ready: string; wasmError: string; code: string; result: number[] } {
  const code = `${IMPORTS}
    ${prelude}
    ${WORK}
    let wasmError = '', code = '';
    try { k.setBackend('wasm'); } catch (e) { wasmError = e.message; code = e.code; }
    const ready = await k.ready();
    process.stdout.write(JSON.stringify({ backend: k.getBackend(), reason: k.wasmUnavailableReason(), ready, wasmError, code, result }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `child failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout);
}

function here(): number[] {
  setBackend('js');
  const rng = new Rng(42);
  const a = rng.fillNormal(new Float64Array(20 * 40)), b = rng.fillNormal(new Float64Array(30 * 40));
  const c = gemm(new Float64Array(20 * 30), a, b, 20, 30, 40, false, true, 1, 0);
  const layer = dense(40, 30, { activation: 'tanh' }), p = new Float64Array(layer.paramCount);
  layer.init(p, rng);
  const ws = layer.workspace(20), y = new Float64Array(600), dP = new Float64Array(layer.paramCount), dX = new Float64Array(800);
  layer.apply(y, p, a, ws);
  layer.vjp(dP, dX, rng.fillNormal(new Float64Array(600)), p, a, ws);
  const u = rng.fillNormal(new Float64Array(301)), v = rng.fillNormal(new Float64Array(301));
  const vec = [...blas.axpy(new Float64Array(301), 0.5, u, v), ...blas.linComb(new Float64Array(301), u, 0.1, [1, 0, 2], [v, u, u], 3),
    blas.dot(u, v), blas.sum(u)];
  return [...c, ...y, ...dP, ...dX, ...vec];
}

describe('JS fallback without WebAssembly SIMD', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['no WebAssembly global', 'delete globalThis.WebAssembly;', /no WebAssembly/],
    ['validate rejects the SIMD module', 'WebAssembly.validate = () => false;', /lacks 128-bit SIMD/],
  ];
  for (const [name, prelude, why] of cases) {
    test(`${name}: 'auto' runs JS, bit-identical to setBackend('js'); 'wasm' throws BAD_OPTION saying why`, () => {
      const r = child(prelude);
      assert.equal(r.backend, 'js');
      assert.equal(r.ready, 'js');
      assert.match(r.reason, why);
      assert.equal(r.code, 'BAD_OPTION');
      assert.match(r.wasmError, /WebAssembly kernels are unavailable/);
      const expected = here();
      assert.equal(r.result.length, expected.length);
      assert.ok(r.result.every((v, i) => Object.is(v, expected[i])), 'results bit-identical to the JS backend');
    });
  }

  test('with WebAssembly SIMD the same computation runs in Wasm and differs only by rounding', () => {
    const r = child('');
    assert.equal(r.backend, 'wasm');
    assert.equal(r.ready, 'wasm');
    const expected = here();
    const worst = Math.max(...r.result.map((v, i) => Math.abs(v - expected[i]) / Math.max(1, Math.abs(expected[i]))));
    assert.ok(worst < 1e-13, `worst relative difference ${worst}`);
  });

  test('a runtime that refuses synchronous compilation (browser main thread): JS until ready() resolves, then Wasm', () => {
    const code = `${IMPORTS}
      WebAssembly.Module = function () { throw new RangeError('WebAssembly.Compile is disallowed on the main thread'); };
      WebAssembly.Instance = function () { throw new RangeError('WebAssembly.Instance is disallowed on the main thread'); };
      const before = k.getBackend();
      let threw = '';
      try { k.setBackend('wasm'); } catch (e) { threw = e.message; }
      const ready = await k.ready();
      k.setBackend('wasm');
      process.stdout.write(JSON.stringify({ before, threw, ready, after: k.getBackend() }));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const out = JSON.parse(r.stdout);
    assert.equal(out.before, 'js');
    assert.match(out.threw, /still compiling.*await kernels\.ready\(\)/);
    assert.equal(out.ready, 'wasm');
    assert.equal(out.after, 'wasm');
  });

  test('the embedded module is built from the current wasm/assembly sources', () => {
    const r = spawnSync(process.execPath, ['wasm/build.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
