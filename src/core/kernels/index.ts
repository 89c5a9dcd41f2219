export { gemm, gemmNN, gemmNT, gemmNTBias, gemmTN, gemmTT } from './gemm.ts';
export { axpy, axpyInPlace, scale, add, sub, mul, div, copy, dot, sum, norm2, normInf, addRowBias, sumRows, sumCols, fill } from './blas1.ts';
export * as fastmath from './fastmath.ts';
