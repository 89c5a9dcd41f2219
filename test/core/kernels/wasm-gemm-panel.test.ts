/**
 * A small product with B transposed and n wider than the B panel (NC = 2048 columns): it must take the packed route.
 * It once took the direct route, whose transposed copy of B (k·n entries) overran the work area sized for
 * min(k, KC)·min(n, NC) entries; in a fresh module (this file runs in its own process, so the arena has not grown
 * yet) 1×8192×1 trapped with an out-of-bounds memory access. Checked against the JS kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gemm } from '../../../src/core/kernels/gemm.ts';
import { setBackend } from '../../../src/core/kernels/wasm.ts';
import { Rng } from '../../../src/core/random.ts';

test('fresh module: small products with Bᵀ and n > 2048 (1×8192×1, 1×4096×2, 2×3000×1) match the JS kernel', () => {
  const rng = new Rng(3);
  for (const [m, n, k] of [[1, 8192, 1], [1, 4096, 2], [2, 3000, 1]]) {
    const a = rng.fillNormal(new Float64Array(m * k)), b = rng.fillNormal(new Float64Array(k * n));
    setBackend('js');
    const js = gemm(new Float64Array(m * n), a, b, m, n, k, false, true, 1, 0) as Float64Array;
    setBackend('wasm');
    const wasm = gemm(new Float64Array(m * n), a, b, m, n, k, false, true, 1, 0) as Float64Array;
    setBackend('auto');
    for (let i = 0; i < m * n; i++) assert.ok(Math.abs(wasm[i] - js[i]) <= 1e-15 * (1 + Math.abs(js[i])), `${m}×${n}×${k} entry ${i}: wasm ${wasm[i]} js ${js[i]}`);
  }
});
