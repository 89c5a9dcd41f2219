export { gemm, gemmNN, gemmNT, gemmNTBias, gemmTN, gemmTT } from './gemm.ts';
export { axpy, axpyInPlace, scale, add, sub, mul, div, copy, dot, sum, norm2, normInf, addRowBias, sumRows, sumCols, fill, linComb,
  BLAS1_AUTO_MIN_LENGTH, BLAS1_AUTO_MAX } from './blas1.ts';
export { denseForward, denseVjp } from './dense.ts';
export { gemm32, gemmNN32, gemmNT32, gemmNTBias32, gemmTN32, gemmTT32 } from './gemm32.ts';
export { denseForward32, denseVjp32 } from './dense32.ts';
export { setBackend, getBackend, ready, wasmUnavailableReason, AUTO_MIN_FLOPS } from './wasm.ts';
export type { KernelBackend } from './wasm.ts';
export * as fastmath from './fastmath.ts';
