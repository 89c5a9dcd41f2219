/**
 * tide's WebAssembly kernels (float64 on f64x2, float32 on f32x4; 128-bit SIMD), compiled by wasm/build.mjs into
 * src/core/kernels/wasm-binary.generated.ts. The JS side (src/core/kernels/wasm.ts) owns the memory layout:
 * it copies operands in, calls these with byte addresses, and copies results out.
 */
export { gemm, gemmWorkBytes } from './gemm';
export { setTables, actForward, actBackward, biasAct, colsumAdd } from './activations';
export { denseForward, denseVjp } from './dense';
export { gemm32, gemm32WorkBytes } from './gemm32';
export { actForward32, actBackward32 } from './activations32';
export { denseForward32, denseVjp32 } from './dense32';
export { axpy, axpyInPlace, scale, binary, dot, sum, linComb, sumSquaredScaled } from './blas1';

/** First free byte after the module's static data: the JS allocator starts here. */
export function heapBase(): usize { return __heap_base; }
