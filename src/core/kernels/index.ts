export { gemm, gemmNN, gemmNT, gemmNTBias, gemmTN, gemmTT } from './gemm.ts';
export { axpy, axpyInPlace, scale, add, sub, mul, div, copy, dot, sum, norm2, normInf, addRowBias, sumRows, sumCols, fill } from './blas1.ts';
export { denseForward, denseVjp } from './dense.ts';
export { setBackend, getBackend, ready, wasmUnavailableReason, AUTO_MIN_FLOPS } from './wasm.ts';
export type { KernelBackend } from './wasm.ts';
export * as fastmath from './fastmath.ts';
