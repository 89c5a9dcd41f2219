/**
 * The fused dense layer as kernels: y = act(x·Wᵀ + b) (W stored [out, in]) and its pullback
 *   dz = dOut ⊙ act'(z),  dW += dzᵀ·x,  db += colsum(dz),  dX = dz·W,
 * on row-major float arrays, x batch×nIn, W nOut×nIn, b nOut, z and y batch×nOut.
 *
 * Float64 layers with batch·nOut·nIn ≥ AUTO_MIN_FLOPS run in WebAssembly (wasm.ts):
 * operands are copied in once, z and dz stay in the module between the gemms, and tanh, relu and identity are applied
 * there (bit-identical to the JS activations); other activations run in JS on z copied out. Otherwise, and always
 * with `kernels.setBackend('js')`, the JS gemm and activation kernels run, exactly as before the Wasm backend.
 */
import type { FloatArray } from '../array.ts';
import type { Activation } from './activations.ts';
import { gemmNN, gemmNT, gemmNTBias, gemmTN } from './gemm.ts';
import { sumRows } from './blas1.ts';
import { wasmActivationId, wasmDenseForward, wasmDenseVjp, wasmFor } from './wasm.ts';

function toWasm(x: Readonly<FloatArray>, W: Readonly<FloatArray>, out: Readonly<FloatArray>, batch: number, nOut: number,
  nIn: number): boolean {
  return wasmFor(batch * nOut * nIn) && x instanceof Float64Array && W instanceof Float64Array && out instanceof Float64Array;
}

/**
 * out = act(x·Wᵀ + b) for batch rows. z (batch×nOut) receives the pre-activation when the activation is not the
 * identity and its pullback may need it (act.needsInput, or the JS route); with the identity, z is unused (pass
 * any array). bias null: none. out must not alias x, W or z. Returns out.
 */
export function denseForward(out: FloatArray, z: FloatArray, x: Readonly<FloatArray>, W: Readonly<FloatArray>,
  bias: Readonly<FloatArray> | null, batch: number, nOut: number, nIn: number, act: Activation): FloatArray {
  const identity = act.name === 'identity';
  const id = wasmActivationId(act.name);
  if (toWasm(x, W, out, batch, nOut, nIn) && (id >= 0 || z instanceof Float64Array)
    && wasmDenseForward(out as Float64Array, z as Float64Array, x as Float64Array, W as Float64Array,
      bias as Float64Array | null, batch, nOut, nIn, id)) {
    if (id < 0) act.forward(out, z);
    return out;
  }
  const zz = identity ? out : z;
  if (bias !== null) gemmNTBias(zz, x, W, bias, batch, nOut, nIn);
  else gemmNT(zz, x, W, batch, nOut, nIn);
  if (!identity) act.forward(out, zz);
  return out;
}

/**
 * The pullback of denseForward at the same x, W (z, y as it left them): dW += dzᵀ·x, db += colsum(dz), dX = dz·W
 * (each skipped when null), with dz = dOut ⊙ act'(z) formed in the scratch dz (batch×nOut; unused for the
 * identity). dX is overwritten and must not alias dOut.
 */
export function denseVjp(dW: FloatArray | null, db: FloatArray | null, dX: FloatArray | null, dz: FloatArray,
  dOut: Readonly<FloatArray>, x: Readonly<FloatArray>, W: Readonly<FloatArray>, z: Readonly<FloatArray>,
  y: Readonly<FloatArray>, batch: number, nOut: number, nIn: number, act: Activation): void {
  const identity = act.name === 'identity';
  if (toWasm(x, W, dOut, batch, nOut, nIn) && (dW === null || dW instanceof Float64Array)
    && (db === null || db instanceof Float64Array) && (dX === null || dX instanceof Float64Array)
    && (identity || (y instanceof Float64Array && dz instanceof Float64Array))) {
    const id = wasmActivationId(act.name);
    // A JS-only activation forms dz here; Wasm then takes it as given (act = -1).
    const g = id >= 0 ? dOut : act.backward(dz, dOut, z, y);
    if (wasmDenseVjp(dW as Float64Array | null, db as Float64Array | null, dX as Float64Array | null, g as Float64Array,
      y as Float64Array, id, x as Float64Array, W as Float64Array, batch, nOut, nIn)) return;
  }
  const g: Readonly<FloatArray> = identity ? dOut : act.backward(dz, dOut, z, y);
  if (dW !== null) gemmTN(dW, g, x, nOut, nIn, batch, 1, 1);
  if (db !== null) sumRows(db, g, batch, nOut, 1, 1);
  if (dX !== null) gemmNN(dX, g, W, batch, nIn, nOut);
}
