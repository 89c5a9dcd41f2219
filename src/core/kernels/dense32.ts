/**
 * The fused float32 dense layer y = act(x·Wᵀ + b) and its pullback (dz = dOut ⊙ act'(z), dW += dzᵀ·x,
 * db += colsum(dz), dX = dz·W): dense.ts for Float32Array operands, on the float32 gemms (gemm32.ts), so the float64
 * kernels never see a Float32Array. Layers with batch·nOut·nIn at or above the backend's cutoff run in WebAssembly
 * (f32x4, wasm/assembly/dense32.ts: operands copied in once, z and dz kept there, tanh/relu/identity applied there:
 * relu, identity and the backward passes bit-identical to the JS float32 activations, tanh in float32 arithmetic
 * within 1.06 ulp, so at most one ulp from JS); otherwise the JS kernels.
 */
import type { Activation } from './activations.ts';
import { gemmNN32, gemmNT32, gemmNTBias32, gemmTN32 } from './gemm32.ts';
import { wasmActivationId, wasmDenseForward32, wasmDenseVjp32, wasmFor } from './wasm.ts';

/** out = act(x·Wᵀ + b) on float32 arrays; arguments as denseForward (dense.ts). Returns out. */
export function denseForward32(out: Float32Array, z: Float32Array, x: Readonly<Float32Array>, W: Readonly<Float32Array>,
  bias: Readonly<Float32Array> | null, batch: number, nOut: number, nIn: number, act: Activation): Float32Array {
  const identity = act.name === 'identity';
  const id = wasmActivationId(act.name);
  if (wasmFor(batch * nOut * nIn) && wasmDenseForward32(out, z, x, W, bias, batch, nOut, nIn, id)) {
    if (id < 0) act.forward(out, z);
    return out;
  }
  const zz = identity ? out : z;
  if (bias !== null) gemmNTBias32(zz, x, W, bias, batch, nOut, nIn);
  else gemmNT32(zz, x, W, batch, nOut, nIn);
  if (!identity) act.forward(out, zz);
  return out;
}

/** db[j] += Σ_i g[i, j], rounded to float32 after each addition (as the Wasm column sum). */
function colsumAdd32(db: Float32Array, g: Readonly<Float32Array>, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) db[j] += g[o + j];
  }
}

/** The pullback of denseForward32; arguments as denseVjp (dense.ts). */
export function denseVjp32(dW: Float32Array | null, db: Float32Array | null, dX: Float32Array | null, dz: Float32Array,
  dOut: Readonly<Float32Array>, x: Readonly<Float32Array>, W: Readonly<Float32Array>, z: Readonly<Float32Array>,
  y: Readonly<Float32Array>, batch: number, nOut: number, nIn: number, act: Activation): void {
  const identity = act.name === 'identity';
  if (wasmFor(batch * nOut * nIn)) {
    const id = wasmActivationId(act.name);
    const g = id >= 0 ? dOut : act.backward(dz, dOut, z, y) as Float32Array;
    if (wasmDenseVjp32(dW, db, dX, g, y, id, x, W, batch, nOut, nIn)) return;
  }
  const g = identity ? dOut : act.backward(dz, dOut, z, y) as Float32Array;
  if (dW !== null) gemmTN32(dW, g, x, nOut, nIn, batch, 1, 1);
  if (db !== null) colsumAdd32(db, g, batch, nOut);
  if (dX !== null) gemmNN32(dX, g, W, batch, nIn, nOut);
}
