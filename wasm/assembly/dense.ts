/**
 * The fused dense layer y = act(x·Wᵀ + b) (W stored [out, in]) and its pullback, on operands already in this
 * module's memory, so the pre-activation and its cotangent never leave it:
 *   forward: z = x·Wᵀ (gemm NT), z += b, y = act(z)
 *   vjp:     dz = dOut ⊙ act'(y) (or dz given), dW += dzᵀ·x (gemm TN), db += colsum(dz), dX = dz·W (gemm NN).
 */
import { gemm } from './gemm';
import { biasAct, actBackward, colsumAdd } from './activations';

/** Forward on batch rows: z (batch×out) = x (batch×in)·Wᵀ + b (bias 0: none), y = act(z); y may equal z. */
export function denseForward(y: usize, z: usize, x: usize, w: usize, bias: usize, batch: i32, nOut: i32, nIn: i32,
  act: i32, work: usize): void {
  gemm(0, 1, batch, nOut, nIn, 1, 0, x, nIn, w, nIn, z, nOut, work);
  biasAct(y, z, bias, batch, nOut, act);
}

/**
 * Pullback: with dOut ≠ 0, dz = dOut ⊙ act'(y) first (else dz holds the cotangent of z already); then
 * dW += dzᵀ·x and db += colsum(dz) (when dW / db ≠ 0), dX = dz·W (when dX ≠ 0).
 */
export function denseVjp(dz: usize, dOut: usize, y: usize, act: i32, x: usize, w: usize, dW: usize, db: usize, dX: usize,
  batch: i32, nOut: i32, nIn: i32, work: usize): void {
  if (dOut != 0) actBackward(dz, dOut, y, batch * nOut, act);
  if (dW != 0) gemm(1, 0, nOut, nIn, batch, 1, 1, dz, nOut, x, nIn, dW, nIn, work);
  if (db != 0) colsumAdd(db, dz, batch, nOut);
  if (dX != 0) gemm(0, 0, batch, nIn, nOut, 1, 0, dz, nOut, w, nIn, dX, nIn, work);
}
