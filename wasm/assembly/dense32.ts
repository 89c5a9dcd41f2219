/**
 * The fused float32 dense layer y = act(x·Wᵀ + b) and its pullback, as dense.ts on float32 operands (gemm32,
 * activations32): z and dz stay in this module's memory between the gemms.
 */
import { gemm32 } from './gemm32';
import { biasAct32, actBackward32, colsumAdd32 } from './activations32';

/** Forward: z (batch×out) = x·Wᵀ + b (bias 0: none), y = act(z); y may equal z. */
export function denseForward32(y: usize, z: usize, x: usize, w: usize, bias: usize, batch: i32, nOut: i32, nIn: i32,
  act: i32, work: usize): void {
  gemm32(0, 1, batch, nOut, nIn, 1, 0, x, nIn, w, nIn, z, nOut, work);
  biasAct32(y, z, bias, batch, nOut, act);
}

/** Pullback: dz = dOut ⊙ act'(y) (when dOut ≠ 0; else dz given), dW += dzᵀ·x, db += colsum(dz), dX = dz·W. */
export function denseVjp32(dz: usize, dOut: usize, y: usize, act: i32, x: usize, w: usize, dW: usize, db: usize, dX: usize,
  batch: i32, nOut: i32, nIn: i32, work: usize): void {
  if (dOut != 0) actBackward32(dz, dOut, y, batch * nOut, act);
  if (dW != 0) gemm32(1, 0, nOut, nIn, batch, 1, 1, dz, nOut, x, nIn, dW, nIn, work);
  if (db != 0) colsumAdd32(db, dz, batch, nOut);
  if (dX != 0) gemm32(0, 0, batch, nIn, nOut, 1, 0, dz, nOut, w, nIn, dX, nIn, work);
}
