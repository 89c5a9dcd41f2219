/**
 * The WebAssembly backend of the float64 and float32 kernels: gemm (all four transposes) and the fused dense layer
 * forward and pullback, on f64x2 and on f32x4 (wasm/assembly/*32.ts), and the float64 vector kernels of blas1.ts and
 * the error-norm sum (wasm/assembly/blas1.ts, bit-identical to the JS loops; routed by length), compiled from wasm/assembly/ (AssemblyScript, 128-bit SIMD) by wasm/build.mjs and embedded as base64 in
 * wasm-binary.generated.ts, so Node and browsers load the same bytes with no fetch and no fs.
 *
 * Selection: `setBackend('auto')` (the default) uses Wasm where `WebAssembly.validate` accepts the SIMD module and
 * the call is large enough to repay copying its operands (AUTO_MIN_FLOPS, measured in bench/scaling.ts); 'wasm'
 * sends every call there (tests, benches); 'js' never. Float32 calls come through the float32 JS kernels (gemm32.ts,
 * dense32.ts) under the same rule.
 * The module is compiled on first use, synchronously; where a browser refuses synchronous compilation of a module
 * this size on its main thread (older Chrome: 4 KiB), 'auto' keeps the JS kernels until the asynchronous compile
 * started then has finished — `await kernels.ready()` waits for it.
 *
 * Memory: the JS arrays stay where they are; each call copies its operands into one scratch arena in the module's
 * memory (bump layout per call, grown on demand, never shrunk), runs, and copies results out. Copies are O(n²)
 * against O(n³) work: measured 9% of a 16×50×50 gemm, 2% at 256³, 1% at 1024×512×512 (bench/scaling.ts). The
 * fused dense kernels keep z and dz inside the module between their gemms. A chain of dense layers (float64, or
 * float32 on the float32 kernels) with tanh, relu or identity runs forward and backward as one call each: its hidden activations stay in the arena from
 * the forward to the matching VJP and are copied out to the chain's workspace only when another call needs the
 * arena (wasmSettle), on a backend switch, or before the JS route. Products of at most 8192 multiply–adds (65536
 * when B is not transposed or m ≥ 32) skip packing (a direct loop with 4×4 and 4×2 register blocks, the same sums
 * in the same order, so bit-identical).
 * Calls allocate nothing once the arena has grown to the largest call and the cached views of it exist.
 */
import { TideError } from '../errors.ts';
import { TANH_TABLE } from './fastmath.ts';
import { WASM_BASE64 } from './wasm-binary.generated.ts';

/** Which kernels run float64 and float32 work: 'auto' (Wasm where available and worth it), 'wasm' (always), 'js' (never). */
export type KernelBackend = 'auto' | 'wasm' | 'js';

/**
 * Product m·n·k from which 'auto' uses Wasm for a gemm or dense layer. Below it the JS loops win: the call, the
 * copies and the packing cost more than SIMD saves. Measured crossover (gemm incl. copies, every transpose): about
 * 8·8·8 for square shapes, 256·2·2 for the JS kernels' special n = 2 and k = 2 paths (even there, within 5%); from
 * 1024 on, Wasm was as fast or faster in every shape tried, 3–10× from 16·16·16 on.
 */
export const AUTO_MIN_FLOPS = 1024;

/** Activation ids the Wasm module computes itself (wasm/assembly/activations.ts); others run in JS on z. */
const WASM_ACT: Readonly<Record<string, number>> = Object.freeze({ identity: 0, tanh: 1, relu: 2 });

interface WasmExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  setTables(tanhTable: number): void;
  gemmWorkBytes(m: number, n: number, k: number): number;
  gemm(transA: number, transB: number, m: number, n: number, k: number, alpha: number, beta: number,
    a: number, lda: number, b: number, ldb: number, c: number, ldc: number, work: number): void;
  denseForward(y: number, z: number, x: number, w: number, bias: number, batch: number, nOut: number, nIn: number,
    act: number, work: number): void;
  actForward(y: number, x: number, n: number, act: number): void;
  actBackward(dX: number, dOut: number, y: number, n: number, act: number): void;
  denseVjp(dz: number, dOut: number, y: number, act: number, x: number, w: number, dW: number, db: number, dX: number,
    batch: number, nOut: number, nIn: number, work: number): void;
  gemm32WorkBytes(m: number, n: number, k: number): number;
  gemm32(transA: number, transB: number, m: number, n: number, k: number, alpha: number, beta: number,
    a: number, lda: number, b: number, ldb: number, c: number, ldc: number, work: number): void;
  denseForward32(y: number, z: number, x: number, w: number, bias: number, batch: number, nOut: number, nIn: number,
    act: number, work: number): void;
  actForward32(y: number, x: number, n: number, act: number): void;
  actBackward32(dX: number, dOut: number, y: number, n: number, act: number): void;
  denseVjp32(dz: number, dOut: number, y: number, act: number, x: number, w: number, dW: number, db: number, dX: number,
    batch: number, nOut: number, nIn: number, work: number): void;
  axpy(out: number, alpha: number, x: number, y: number, n: number): void;
  axpyInPlace(y: number, alpha: number, x: number, n: number): void;
  scale(out: number, alpha: number, x: number, n: number): void;
  binary(op: number, out: number, x: number, y: number, n: number): void;
  dot(x: number, y: number, n: number): number;
  sum(x: number, n: number): number;
  linComb(out: number, y: number, w: number, coeffs: number, k0: number, kStride: number, count: number, n: number): void;
  sumSquaredScaled(err: number, yPrev: number, yNew: number, rtol: number, rs: number, atol: number, as: number, n: number): number;
}

/** The part of the WebAssembly JS API used here (declared locally: src/ compiles without DOM or Node types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<WasmInstance>;
}

interface WasmInstance { readonly exports: unknown }

const UNLOADED = 0, READY = 1, UNAVAILABLE = 2, PENDING = 3;
let state = UNLOADED;
let whyUnavailable = '';
let pending: Promise<void> | null = null;
let requested: KernelBackend = 'auto';
/** The flop cutoff in force: AUTO_MIN_FLOPS, 0 ('wasm') or Infinity ('js', or no Wasm here). */
let cutoff = AUTO_MIN_FLOPS;
/** Factor on the vector kernels' length thresholds (wasmForLength): 1 ('auto'), 0 ('wasm'), Infinity ('js', or no Wasm). */
let lengthGate = 1;
let ex: WasmExports | null = null;
let mem = new Float64Array(0);
/** The same memory as float32 (element i is byte 4i); renewed with mem. */
let mem32 = new Float32Array(0);
/** First arena element (index into mem, 64-byte aligned). */
let arena = 0;

// ---------------------------------------------------------------------------------------------------------------
// Loading

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes standard base64 (no atob: not in every worker or embedded runtime). */
function decodeBase64(s: string): Uint8Array {
  const lut = new Uint8Array(128);
  for (let i = 0; i < 64; i++) lut[B64.charCodeAt(i)] = i;
  let n = s.length;
  while (n > 0 && s[n - 1] === '=') n--;
  const out = new Uint8Array((n * 3) >> 2);
  let o = 0, acc = 0, bits = 0;
  for (let i = 0; i < n; i++) {
    acc = (acc << 6) | lut[s.charCodeAt(i)];
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (acc >> bits) & 255; }
  }
  return out;
}

function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

/** Lays out an instance's memory (the tanh table, then the arena) and makes it the backend. */
function install(instance: WasmInstance): void {
  const e = instance.exports as WasmExports;
  const tableAt = (e.heapBase() + 63) & ~63;
  const tableBytes = TANH_TABLE.length * 8;
  ex = e;
  arena = ((tableAt + tableBytes + 63) & ~63) / 8;
  if (!reserve(0)) throw new RangeError('no memory for the tables');
  mem.set(TANH_TABLE, tableAt / 8);
  e.setTables(tableAt);
  state = READY;
}

/** Compiles the module now if it can be (returns true once it is loaded). */
function load(): boolean {
  if (state === READY) return true;
  if (state === UNAVAILABLE || state === PENDING) return false;
  const api = wasmApi();
  if (api === undefined) return fail('this runtime has no WebAssembly');
  const bytes = decodeBase64(WASM_BASE64);
  if (!api.validate(bytes)) return fail('this runtime\'s WebAssembly lacks 128-bit SIMD (WebAssembly.validate rejects the module)');
  try {
    install(new api.Instance(new api.Module(bytes), {}));
    return true;
  } catch (err) {
    // Browsers may refuse synchronous compilation or instantiation on the main thread (RangeError): go asynchronous.
    if (err instanceof RangeError && typeof api.compile === 'function') {
      state = PENDING;
      pending = api.compile(bytes).then((m) => api.instantiate(m, {})).then(install)
        .catch((e2: unknown) => { fail(`asynchronous compilation failed: ${String(e2)}`); });
      return false;
    }
    return fail(`instantiation failed: ${String(err)}`);
  }
}

function fail(why: string): false {
  state = UNAVAILABLE;
  whyUnavailable = why;
  cutoff = Infinity;
  lengthGate = Infinity;
  return false;
}

/**
 * Chooses the kernels (float64 and float32 alike): 'auto' (default: Wasm where the runtime supports SIMD and the call
 * is large enough), 'wasm' (every gemm, dense layer and routed float64 vector kernel in Wasm, whatever its size: for
 * tests and benchmarks) or 'js'. The vector kernels give the same bits on either backend.
 * Float64 results differ between backends only by summation order (gemm) — activations are bit-identical; float32
 * results also by the float32 accumulation of the Wasm gemm and at most one ulp of tanh (dense32.ts).
 * Throws TideError('BAD_OPTION') for another name, or for 'wasm' where the module cannot be loaded (the message
 * says why; in a browser that only compiles it asynchronously, `await kernels.ready()` first).
 */
export function setBackend(backend: KernelBackend): void {
  if (backend !== 'auto' && backend !== 'wasm' && backend !== 'js') {
    throw new TideError('BAD_OPTION', `kernels.setBackend: unknown backend '${String(backend)}'. Valid: auto, wasm, js.`, { backend });
  }
  if (backend === 'wasm' && !load()) {
    throw new TideError('BAD_OPTION', state === PENDING
      ? 'kernels.setBackend(\'wasm\'): the WebAssembly kernels are still compiling (this runtime refused to compile them synchronously); `await kernels.ready()` first.'
      : `kernels.setBackend('wasm'): WebAssembly kernels are unavailable: ${whyUnavailable}. Use 'auto' or 'js'.`, { backend });
  }
  wasmSettle();
  requested = backend;
  cutoff = backend === 'js' || state === UNAVAILABLE ? Infinity : backend === 'wasm' ? 0 : AUTO_MIN_FLOPS;
  lengthGate = backend === 'js' || state === UNAVAILABLE ? Infinity : backend === 'wasm' ? 0 : 1;
}

/** The backend the kernels use now: 'wasm' once the module is loaded and not switched off, else 'js'. */
export function getBackend(): 'wasm' | 'js' {
  if (requested === 'js') return 'js';
  return load() ? 'wasm' : 'js';
}

/** Why the Wasm kernels are unavailable ('' while they are available or not yet tried). */
export function wasmUnavailableReason(): string {
  return whyUnavailable;
}

/**
 * Loads the Wasm kernels (asynchronously where the runtime requires it) and resolves to the backend in use then.
 * Never rejects: without WebAssembly SIMD it resolves to 'js'.
 */
export async function ready(): Promise<'wasm' | 'js'> {
  load();
  if (pending !== null) await pending;
  return getBackend();
}

/**
 * True if a call of m·n·k flops (float64 or float32) should go to Wasm now (loads the module on the first such call).
 * The hot-path check: one comparison unless the call is large.
 */
export function wasmFor(flops: number): boolean {
  return flops >= cutoff && (state === READY || load());
}

/**
 * True if a vector kernel of length n whose 'auto' threshold is minLength (blas1.ts's BLAS1_AUTO_MIN_LENGTH) should
 * go to Wasm now: n ≥ minLength under 'auto', always under 'wasm' (unless minLength is Infinity: a kernel that is
 * never routed), never under 'js' or without Wasm. Loads the module on the first such call.
 */
export function wasmForLength(n: number, minLength: number): boolean {
  return n >= minLength * lengthGate && (state === READY || load());
}

/** Whether setBackend('wasm') is in force (every routed vector call goes to Wasm, whatever the 'auto' limits say). */
export function wasmForced(): boolean {
  return lengthGate === 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Arena: element offsets into mem; every region starts on 16 bytes (two doubles) for aligned v128 access.

/**
 * Ensures the arena holds n doubles, growing memory (and renewing the view) if not. Returns false if memory cannot
 * grow that far (wasm32 stops at 4 GiB, some runtimes earlier): the caller then runs the JS kernel instead.
 */
function reserve(n: number): boolean {
  // Hot path: one comparison. The module never grows its memory itself, so mem covers the whole memory until
  // reserve grows it; growing detaches the old buffer (mem.length becomes 0), which sends the next call here too.
  if (arena + n <= mem.length) return true;
  const e = ex!;
  const need = (arena + n) * 8;
  const have = e.memory.buffer.byteLength;
  if (need > have) {
    try { e.memory.grow(Math.ceil((need - have) / 65536)); } catch { return false; }
  }
  if (mem.buffer !== e.memory.buffer) {
    mem = new Float64Array(e.memory.buffer); views.fill(null);
    mem32 = new Float32Array(e.memory.buffer); views32.fill(null);
  }
  return true;
}

function even(n: number): number { return (n + 1) & ~1; }

const VIEWS = 32;
const views: Array<Float64Array | null> = new Array<Float64Array | null>(VIEWS).fill(null);
const viewOff = new Float64Array(VIEWS), viewLen = new Float64Array(VIEWS);
let viewNext = 0;

/** A cached view of mem[off, off + n) (allocated once per region and memory buffer). */
function view(off: number, n: number): Float64Array {
  for (let i = 0; i < VIEWS; i++) if (viewOff[i] === off && viewLen[i] === n && views[i] !== null) return views[i]!;
  const v = mem.subarray(off, off + n);
  views[viewNext] = v; viewOff[viewNext] = off; viewLen[viewNext] = n;
  viewNext = (viewNext + 1) % VIEWS;
  return v;
}

const views32: Array<Float32Array | null> = new Array<Float32Array | null>(VIEWS).fill(null);
const view32Off = new Float64Array(VIEWS), view32Len = new Float64Array(VIEWS);
let view32Next = 0;

/** A cached view of mem32[off, off + n) (float32 element offsets). */
function view32(off: number, n: number): Float32Array {
  for (let i = 0; i < VIEWS; i++) if (view32Off[i] === off && view32Len[i] === n && views32[i] !== null) return views32[i]!;
  const v = mem32.subarray(off, off + n);
  views32[view32Next] = v; view32Off[view32Next] = off; view32Len[view32Next] = n;
  view32Next = (view32Next + 1) % VIEWS;
  return v;
}

function copyIn(off: number, src: Readonly<Float64Array>, n: number): void {
  if (src.length === n) mem.set(src, off);
  else for (let i = 0; i < n; i++) mem[off + i] = src[i];
}

function copyOut(dst: Float64Array, off: number, n: number): void {
  if (dst.length === n) dst.set(view(off, n));
  else for (let i = 0; i < n; i++) dst[i] = mem[off + i];
}

// ---------------------------------------------------------------------------------------------------------------
// Kernels on JS arrays (callers checked wasmFor and that every array is a Float64Array).

/**
 * out (m×n) = alpha·op(A)·op(B) + beta·out in Wasm, shapes as in gemm.ts (A m×k, or k×m when transA; B k×n, or
 * n×k when transB); out must not alias A or B. beta = 0 does not read out. Returns false (out untouched) if the
 * operands do not fit in Wasm memory.
 */
export function wasmGemm(out: Float64Array, a: Readonly<Float64Array>, b: Readonly<Float64Array>, m: number, n: number,
  k: number, transA: boolean, transB: boolean, alpha: number, beta: number): boolean {
  if (resident !== null) wasmSettle();
  const e = ex!;
  const la = m * k, lb = k * n, lc = m * n;
  const oa = arena, ob = oa + even(la), oc = ob + even(lb), ow = oc + even(lc);
  if (!reserve(ow - arena + e.gemmWorkBytes(m, n, k) / 8)) return false;
  copyIn(oa, a, la);
  copyIn(ob, b, lb);
  if (beta !== 0) copyIn(oc, out, lc);
  e.gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, beta, oa * 8, transA ? m : k, ob * 8, transB ? k : n, oc * 8, n, ow * 8);
  copyOut(out, oc, lc);
  return true;
}

/** The Wasm id of an activation, or -1 if it runs in JS (on z copied out of Wasm). */
export function wasmActivationId(name: string): number {
  const id = WASM_ACT[name];
  return id === undefined ? -1 : id;
}

/**
 * Dense forward in Wasm: z = x·Wᵀ + b (x batch×nIn, W nOut×nIn, b nOut or null), then y = act(z) into out.
 * act: a wasmActivationId; with -1 the pre-activation is written to zOut (batch×nOut) and the caller applies the
 * activation in JS. Returns false (nothing written) if the operands do not fit in Wasm memory.
 */
export function wasmDenseForward(out: Float64Array, zOut: Float64Array, x: Readonly<Float64Array>, W: Readonly<Float64Array>,
  bias: Readonly<Float64Array> | null, batch: number, nOut: number, nIn: number, act: number): boolean {
  if (resident !== null) wasmSettle();
  const e = ex!;
  const lx = batch * nIn, lw = nOut * nIn, lz = batch * nOut;
  const ox = arena, ow = ox + even(lx), ob = ow + even(lw), oz = ob + even(nOut), ok = oz + even(lz);
  if (!reserve(ok - arena + e.gemmWorkBytes(batch, nOut, nIn) / 8)) return false;
  copyIn(ox, x, lx);
  copyIn(ow, W, lw);
  if (bias !== null) copyIn(ob, bias, nOut);
  e.denseForward(oz * 8, oz * 8, ox * 8, ow * 8, bias !== null ? ob * 8 : 0, batch, nOut, nIn, act < 0 ? 0 : act, ok * 8);
  copyOut(act < 0 ? zOut : out, oz, lz);
  return true;
}

/**
 * Dense pullback in Wasm. With act ≥ 0 (a wasmActivationId), dz = dOut ⊙ act'(y) is formed in Wasm from dOut and
 * y; with act = -1, dzOrDOut already holds dz (the caller ran the activation's backward in JS). Then
 * dW += dzᵀ·x and db += colsum(dz) (when not null), dX = dz·W (when not null). Returns false (nothing written) if
 * the operands do not fit in Wasm memory.
 */
export function wasmDenseVjp(dW: Float64Array | null, db: Float64Array | null, dX: Float64Array | null,
  dzOrDOut: Readonly<Float64Array>, y: Readonly<Float64Array>, act: number, x: Readonly<Float64Array>,
  W: Readonly<Float64Array>, batch: number, nOut: number, nIn: number): boolean {
  if (resident !== null) wasmSettle();
  const e = ex!;
  const lz = batch * nOut, lx = batch * nIn, lw = nOut * nIn;
  const needY = act > 0;
  const od = arena, oy = od + even(lz), ox = oy + (needY ? even(lz) : 0), ow = ox + (dW !== null ? even(lx) : 0);
  const odw = ow + (dX !== null ? even(lw) : 0), odb = odw + (dW !== null ? even(lw) : 0);
  const odx = odb + (db !== null ? even(nOut) : 0), ok = odx + (dX !== null ? even(lx) : 0);
  if (!reserve(ok - arena + Math.max(e.gemmWorkBytes(nOut, nIn, batch), e.gemmWorkBytes(batch, nIn, nOut)) / 8)) return false;
  copyIn(od, dzOrDOut, lz);
  if (needY) copyIn(oy, y, lz);
  if (dW !== null) { copyIn(ox, x, lx); copyIn(odw, dW, lw); }
  if (dX !== null) copyIn(ow, W, lw);
  if (db !== null) copyIn(odb, db, nOut);
  e.denseVjp(od * 8, act > 0 ? od * 8 : 0, oy * 8, act < 0 ? 0 : act, ox * 8, ow * 8, dW !== null ? odw * 8 : 0,
    db !== null ? odb * 8 : 0, dX !== null ? odx * 8 : 0, batch, nOut, nIn, ok * 8);
  if (dW !== null) copyOut(dW, odw, lw);
  if (db !== null) copyOut(db, odb, nOut);
  if (dX !== null) copyOut(dX, odx, lx);
  return true;
}

/**
 * For bench/scaling.ts only (not exported from the package): the gemm of the last wasmGemm call of this shape again,
 * on the operands it left in the arena, with no copies — the kernel alone, to measure what the copies cost.
 */
export function wasmGemmResident(m: number, n: number, k: number, transA: boolean, transB: boolean): void {
  if (resident !== null) wasmSettle();
  const e = ex!;
  const oa = arena, ob = oa + even(m * k), oc = ob + even(k * n), ow = oc + even(m * n);
  e.gemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, 1, 0, oa * 8, transA ? m : k, ob * 8, transB ? k : n, oc * 8, n, ow * 8);
}

/**
 * For the tests only: out = act(x) (backward false) or out = dOut ⊙ act'(from y) (backward true, x = dOut, y given)
 * for the first n entries, with the Wasm activation `id` (a wasmActivationId ≥ 0). Loads the module if needed.
 */
export function wasmActivationKernel(out: Float64Array, x: Readonly<Float64Array>, y: Readonly<Float64Array> | null,
  n: number, id: number): Float64Array {
  if (!load()) throw new TideError('BAD_OPTION', `WebAssembly kernels are unavailable: ${whyUnavailable}.`);
  if (resident !== null) wasmSettle();
  const e = ex!;
  const ox = arena, oy = ox + even(n), oo = oy + even(n);
  if (!reserve(oo + even(n) - arena)) throw new RangeError('wasmActivationKernel: out of Wasm memory');
  copyIn(ox, x, n);
  if (y !== null) { copyIn(oy, y, n); e.actBackward(oo * 8, ox * 8, oy * 8, n, id); } else e.actForward(oo * 8, ox * 8, n, id);
  copyOut(out, oo, n);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Vector kernels (wasm/assembly/blas1.ts), bit-identical to blas1.ts's JS loops. The callers (blas1.ts,
// control/norms.ts) checked wasmForLength and that every array is a Float64Array of exactly the length n, so each
// operand is one TypedArray.set in and the result one set out. Each returns false (nothing written) if the operands
// do not fit in Wasm memory. They place their operands after the arena regions of a chain whose hidden activations
// are resident (vecBase), so a stage combination between a chain's forward and its vjp leaves them there.

/** First arena element the vector kernels may use: past a resident chain's layout, if one is resident, else the arena. */
function vecBase(): number {
  if (resident === null) return arena;
  return residentIs32 ? even(Math.ceil(chainEnd32 / 2)) : even(chainEnd);
}

/** out = alpha·x + y (out may alias x or y: the operands are copied in first). */
export function wasmAxpy(out: Float64Array, alpha: number, x: Readonly<Float64Array>, y: Readonly<Float64Array>): boolean {
  const n = out.length, ox = vecBase(), oy = ox + even(n);
  if (!reserve(oy + even(n) - arena)) return false;
  mem.set(x, ox); mem.set(y, oy);
  ex!.axpy(oy * 8, alpha, ox * 8, oy * 8, n);
  out.set(view(oy, n));
  return true;
}

/** y += alpha·x. */
export function wasmAxpyInPlace(y: Float64Array, alpha: number, x: Readonly<Float64Array>): boolean {
  const n = y.length, ox = vecBase(), oy = ox + even(n);
  if (!reserve(oy + even(n) - arena)) return false;
  mem.set(x, ox); mem.set(y, oy);
  ex!.axpyInPlace(oy * 8, alpha, ox * 8, n);
  y.set(view(oy, n));
  return true;
}

/** out = alpha·x. */
export function wasmScale(out: Float64Array, alpha: number, x: Readonly<Float64Array>): boolean {
  const n = out.length, ox = vecBase();
  if (!reserve(ox + even(n) - arena)) return false;
  mem.set(x, ox);
  ex!.scale(ox * 8, alpha, ox * 8, n);
  out.set(view(ox, n));
  return true;
}

/** Operation ids of wasmBinary (wasm/assembly/blas1.ts OP_ADD, OP_SUB, OP_MUL). */
export const WASM_ADD = 0, WASM_SUB = 1, WASM_MUL = 2;

/** out = x op y, op one of WASM_ADD, WASM_SUB, WASM_MUL. */
export function wasmBinary(op: number, out: Float64Array, x: Readonly<Float64Array>, y: Readonly<Float64Array>): boolean {
  const n = out.length, ox = vecBase(), oy = ox + even(n);
  if (!reserve(oy + even(n) - arena)) return false;
  mem.set(x, ox); mem.set(y, oy);
  ex!.binary(op, ox * 8, ox * 8, oy * 8, n);
  out.set(view(ox, n));
  return true;
}

/** Σ x·y in the JS dot's order (NaN if the operands do not fit in Wasm memory: callers check wasmFits first). */
export function wasmDot(x: Readonly<Float64Array>, y: Readonly<Float64Array>): number {
  const n = x.length, ox = vecBase(), oy = ox + even(n);
  if (!reserve(oy + even(n) - arena)) return NaN;
  mem.set(x, ox); mem.set(y, oy);
  return ex!.dot(ox * 8, oy * 8, n);
}

/** Σ x in index order (NaN if x does not fit in Wasm memory). */
export function wasmSum(x: Readonly<Float64Array>): number {
  const n = x.length, ox = vecBase();
  if (!reserve(ox + even(n) - arena)) return NaN;
  mem.set(x, ox);
  return ex!.sum(ox * 8, n);
}

/** Whether `doubles` more float64 fit in the arena (growing memory if needed): the check before wasmDot / wasmSum. */
export function wasmFits(doubles: number): boolean {
  return reserve(vecBase() - arena + doubles + 2);
}

/**
 * out[outOffset + m] = y[m] + w·Σ_{j<count} coeffs[j]·ks[j][m], m < n (y null: (Σ …)·w) in the operation order of
 * blas1.ts's linComb; only the stages with a nonzero coefficient are copied in. out may alias y or any ks[j]
 * (everything is copied in first).
 */
export function wasmLinComb(out: Float64Array, outOffset: number, n: number, y: Readonly<Float64Array> | null, w: number,
  coeffs: ArrayLike<number>, ks: readonly Readonly<Float64Array>[], count: number): boolean {
  const stride = even(n);
  let nz = 0;
  for (let j = 0; j < count; j++) if (coeffs[j] !== 0) nz++;
  // out first, so its (cached) view is at the same place whatever the stage count.
  const oo = vecBase(), oc = oo + stride, oy = oc + even(nz), ok = oy + (y !== null ? stride : 0);
  if (!reserve(ok + nz * stride - arena)) return false;
  for (let j = 0, t = 0; j < count; j++) {
    const c = coeffs[j];
    if (c === 0) continue;
    mem[oc + t] = c;
    mem.set(ks[j], ok + t * stride);
    t++;
  }
  if (y !== null) mem.set(y, oy);
  ex!.linComb(oo * 8, y !== null ? oy * 8 : 0, w, oc * 8, ok * 8, stride * 8, nz, n);
  out.set(view(oo, n), outOffset);
  return true;
}

/**
 * Σ (err_i / (atol_i + rtol_i·max(|yPrev_i|, |yNew_i|)))² over all n = err.length components, in the JS order of
 * control/norms.ts's sumSquaredScaled (tolerance arrays of length n, or numbers). NaN if it does not fit (check wasmFits).
 */
export function wasmSumSquaredScaled(err: Readonly<Float64Array>, yPrev: Readonly<Float64Array>, yNew: Readonly<Float64Array>,
  rtol: number | Readonly<Float64Array>, atol: number | Readonly<Float64Array>): number {
  const n = err.length, s = even(n);
  const oe = vecBase(), op = oe + s, on = op + s, ort = on + s;
  const rArr = typeof rtol !== 'number', aArr = typeof atol !== 'number';
  const oat = ort + (rArr ? s : 2);
  if (!reserve(oat + (aArr ? s : 2) - arena)) return NaN;
  mem.set(err, oe); mem.set(yPrev, op); mem.set(yNew, on);
  if (rArr) mem.set(rtol, ort); else mem[ort] = rtol;
  if (aArr) mem.set(atol, oat); else mem[oat] = atol;
  return ex!.sumSquaredScaled(oe * 8, op * 8, on * 8, ort * 8, rArr ? 8 : 0, oat * 8, aArr ? 8 : 0, n);
}

// ---------------------------------------------------------------------------------------------------------------
// Float32 kernels (wasm/assembly/*32.ts). Offsets here are float32 element indices into mem32; regions are padded
// to four floats so every one starts on 16 bytes. Separate functions from the float64 ones, so each stays
// monomorphic in V8.

function quad(n: number): number { return (n + 3) & ~3; }

function copyIn32(off: number, src: Readonly<Float32Array>, n: number): void {
  if (src.length === n) mem32.set(src, off);
  else for (let i = 0; i < n; i++) mem32[off + i] = src[i];
}

function copyOut32(dst: Float32Array, off: number, n: number): void {
  if (dst.length === n) dst.set(view32(off, n));
  else for (let i = 0; i < n; i++) dst[i] = mem32[off + i];
}

/** Float32 gemm in Wasm (f32x4), as wasmGemm. alpha and beta are rounded to float32. */
export function wasmGemm32(out: Float32Array, a: Readonly<Float32Array>, b: Readonly<Float32Array>, m: number, n: number,
  k: number, transA: boolean, transB: boolean, alpha: number, beta: number): boolean {
  if (resident !== null) wasmSettle();
  const e = ex!;
  const la = m * k, lb = k * n, lc = m * n;
  const oa = arena * 2, ob = oa + quad(la), oc = ob + quad(lb), ow = oc + quad(lc);
  if (!reserve((ow - oa) / 2 + e.gemm32WorkBytes(m, n, k) / 8)) return false;
  copyIn32(oa, a, la);
  copyIn32(ob, b, lb);
  if (beta !== 0) copyIn32(oc, out, lc);
  e.gemm32(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, beta, oa * 4, transA ? m : k, ob * 4, transB ? k : n, oc * 4, n, ow * 4);
  copyOut32(out, oc, lc);
  return true;
}

/** Float32 dense forward in Wasm, as wasmDenseForward. */
export function wasmDenseForward32(out: Float32Array, zOut: Float32Array, x: Readonly<Float32Array>, W: Readonly<Float32Array>,
  bias: Readonly<Float32Array> | null, batch: number, nOut: number, nIn: number, act: number): boolean {
  if (resident !== null) wasmSettle();
  const e = ex!;
  const lx = batch * nIn, lw = nOut * nIn, lz = batch * nOut;
  const ox = arena * 2, ow = ox + quad(lx), ob = ow + quad(lw), oz = ob + quad(nOut), ok = oz + quad(lz);
  if (!reserve((ok - ox) / 2 + e.gemm32WorkBytes(batch, nOut, nIn) / 8)) return false;
  copyIn32(ox, x, lx);
  copyIn32(ow, W, lw);
  if (bias !== null) copyIn32(ob, bias, nOut);
  e.denseForward32(oz * 4, oz * 4, ox * 4, ow * 4, bias !== null ? ob * 4 : 0, batch, nOut, nIn, act < 0 ? 0 : act, ok * 4);
  copyOut32(act < 0 ? zOut : out, oz, lz);
  return true;
}

/** Float32 dense pullback in Wasm, as wasmDenseVjp. */
export function wasmDenseVjp32(dW: Float32Array | null, db: Float32Array | null, dX: Float32Array | null,
  dzOrDOut: Readonly<Float32Array>, y: Readonly<Float32Array>, act: number, x: Readonly<Float32Array>,
  W: Readonly<Float32Array>, batch: number, nOut: number, nIn: number): boolean {
  if (resident !== null) wasmSettle();
  const e = ex!;
  const lz = batch * nOut, lx = batch * nIn, lw = nOut * nIn;
  const needY = act > 0;
  const od = arena * 2, oy = od + quad(lz), ox = oy + (needY ? quad(lz) : 0), ow = ox + (dW !== null ? quad(lx) : 0);
  const odw = ow + (dX !== null ? quad(lw) : 0), odb = odw + (dW !== null ? quad(lw) : 0);
  const odx = odb + (db !== null ? quad(nOut) : 0), ok = odx + (dX !== null ? quad(lx) : 0);
  if (!reserve((ok - od) / 2 + Math.max(e.gemm32WorkBytes(nOut, nIn, batch), e.gemm32WorkBytes(batch, nIn, nOut)) / 8)) return false;
  copyIn32(od, dzOrDOut, lz);
  if (needY) copyIn32(oy, y, lz);
  if (dW !== null) { copyIn32(ox, x, lx); copyIn32(odw, dW, lw); }
  if (dX !== null) copyIn32(ow, W, lw);
  if (db !== null) copyIn32(odb, db, nOut);
  e.denseVjp32(od * 4, act > 0 ? od * 4 : 0, oy * 4, act < 0 ? 0 : act, ox * 4, ow * 4, dW !== null ? odw * 4 : 0,
    db !== null ? odb * 4 : 0, dX !== null ? odx * 4 : 0, batch, nOut, nIn, ok * 4);
  if (dW !== null) copyOut32(dW, odw, lw);
  if (db !== null) copyOut32(db, odb, nOut);
  if (dX !== null) copyOut32(dX, odx, lx);
  return true;
}

/** For bench/scaling.ts only: the float32 gemm of the last wasmGemm32 call of this shape again, resident (no copies). */
export function wasmGemm32Resident(m: number, n: number, k: number, transA: boolean, transB: boolean): void {
  if (resident !== null) wasmSettle();
  const e = ex!;
  const oa = arena * 2, ob = oa + quad(m * k), oc = ob + quad(k * n), ow = oc + quad(m * n);
  e.gemm32(transA ? 1 : 0, transB ? 1 : 0, m, n, k, 1, 0, oa * 4, transA ? m : k, ob * 4, transB ? k : n, oc * 4, n, ow * 4);
}

/** For the tests only: the float32 Wasm activation `id` forward (y null) or backward (x = dOut, y given). */
export function wasmActivationKernel32(out: Float32Array, x: Readonly<Float32Array>, y: Readonly<Float32Array> | null,
  n: number, id: number): Float32Array {
  if (!load()) throw new TideError('BAD_OPTION', `WebAssembly kernels are unavailable: ${whyUnavailable}.`);
  if (resident !== null) wasmSettle();
  const e = ex!;
  const ox = arena * 2, oy = ox + quad(n), oo = oy + quad(n);
  if (!reserve((oo + quad(n) - ox) / 2)) throw new RangeError('wasmActivationKernel32: out of Wasm memory');
  copyIn32(ox, x, n);
  if (y !== null) { copyIn32(oy, y, n); e.actBackward32(oo * 4, ox * 4, oy * 4, n, id); } else e.actForward32(oo * 4, ox * 4, n, id);
  copyOut32(out, oo, n);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// A chain of dense layers in one call: the hidden activations and their cotangents stay in the module between the
// layers (each layer alone copies its input in and its output out). Same kernels, same order: bit-identical to the
// layers called one by one.

/**
 * The layers of a chain of float64 dense layers as wasmChainForward / wasmChainVjp read them, fixed per chain.
 * Layer i maps dims[i] to dims[i + 1] features; its weight starts at params[wOff[i]], its bias (if hasBias[i]) right
 * after the weight; act[i] is a wasmActivationId ≥ 0.
 */
export interface WasmChainPlan {
  readonly layers: number;
  readonly dims: Int32Array;
  readonly wOff: Int32Array;
  readonly hasBias: Uint8Array;
  readonly act: Int32Array;
  readonly paramCount: number;
  /** Largest dims[i]·dims[i + 1] (for the work size). */
  readonly maxWidth: number;
}

/**
 * The hidden activations (a chain workspace's hs arrays) that the last chain forward left in the arena without
 * copying them out: the matching vjp reads them there. Any other use of the arena first copies them to their arrays
 * (wasmSettle), so the arrays are only stale while nothing else could have read them through this module.
 */
let resident: readonly Float64Array[] | readonly Float32Array[] | null = null;
/** Whether resident holds a float32 chain's activations (at chainOff32) rather than a float64 one's (at chainOff). */
let residentIs32 = false;

/**
 * Copies the hidden activations a chain forward (float64 or float32) left in Wasm memory to their JS arrays (the
 * chain workspace's outs). Every other kernel call does this first; a chain that is about to run its JS route
 * calls it too.
 */
export function wasmSettle(): void {
  const hs = resident;
  if (hs === null) return;
  resident = null;
  if (residentIs32) {
    const h32 = hs as readonly Float32Array[];
    for (let i = 0; i < h32.length; i++) copyOut32(h32[i], chainOff32[i], h32[i].length);
  } else {
    const h64 = hs as readonly Float64Array[];
    for (let i = 0; i < h64.length; i++) copyOut(h64[i], chainOff[i], h64[i].length);
  }
}

/** Arena offsets of the last chain layout (recomputed only when plan or batch change). */
let chainPlan: WasmChainPlan | null = null, chainBatch = -1;
const chainOff = new Int32Array(64);
let chainX = 0, chainP = 0, chainDP = 0, chainWork = 0, chainEnd = 0;

/** Lays out x, params, dParams, per-layer outputs (h) and cotangents (g), then the gemm work space. */
function chainLayout(p: WasmChainPlan, batch: number): boolean {
  if (chainPlan === p && chainBatch === batch) return reserve(chainEnd - arena);
  const e = ex!, L = p.layers;
  if (2 * L + 1 > chainOff.length) return false;
  let o = arena;
  chainX = o; o += even(batch * p.dims[0]);
  chainP = o; o += even(p.paramCount);
  chainDP = o; o += even(p.paramCount);
  // chainOff[i]: output h_i of layer i (batch × dims[i + 1]); chainOff[L + i]: its cotangent, then dz in place.
  for (let i = 0; i < L; i++) { chainOff[i] = o; o += even(batch * p.dims[i + 1]); }
  for (let i = 0; i <= L; i++) { chainOff[L + i] = o; o += even(batch * p.dims[i === L ? 0 : i + 1]); }
  chainWork = o;
  let wb = 0;
  for (let i = 0; i < L; i++) {
    const m = p.dims[i + 1], k = p.dims[i];
    wb = Math.max(wb, e.gemmWorkBytes(batch, m, k), e.gemmWorkBytes(m, k, batch), e.gemmWorkBytes(batch, k, m));
  }
  chainEnd = o + wb / 8;
  chainPlan = null;
  if (!reserve(chainEnd - arena)) return false;
  chainPlan = p; chainBatch = batch;
  return true;
}

/**
 * Forward of the whole chain in Wasm: hs[i] = h_i (batch × dims[i + 1]) for the hidden layers i < L − 1, out = the
 * last layer's output. Returns false (nothing written) if the operands do not fit in Wasm memory.
 */
export function wasmChainForward(p: WasmChainPlan, out: Float64Array, hs: readonly Float64Array[], x: Readonly<Float64Array>,
  params: Readonly<Float64Array>, batch: number): boolean {
  // Another chain's activations move out first; this chain's own are superseded by this forward.
  if (resident !== hs) wasmSettle();
  resident = null;
  if (!chainLayout(p, batch)) return false;
  const e = ex!, L = p.layers;
  copyIn(chainX, x, batch * p.dims[0]);
  copyIn(chainP, params, p.paramCount);
  let xin = chainX;
  for (let i = 0; i < L; i++) {
    const nIn = p.dims[i], nOut = p.dims[i + 1], w = chainP + p.wOff[i], oh = chainOff[i];
    e.denseForward(oh * 8, oh * 8, xin * 8, w * 8, p.hasBias[i] !== 0 ? (w + nOut * nIn) * 8 : 0, batch, nOut, nIn, p.act[i], chainWork * 8);
    xin = oh;
  }
  copyOut(out, chainOff[L - 1], batch * p.dims[L]);
  // The hidden activations stay here (copied to hs only if something else needs the arena before the vjp).
  if (L > 1) { resident = hs; residentIs32 = false; }
  return true;
}

/**
 * Pullback of the whole chain in Wasm at the forward's x, hs and y (the last layer's output, read when its activation
 * is not the identity): dParams += (∂out/∂params)ᵀ·dOut (when not null), dX = (∂out/∂x)ᵀ·dOut (when not null,
 * overwritten). Returns false (nothing written) if the operands do not fit in Wasm memory.
 */
export function wasmChainVjp(p: WasmChainPlan, dParams: Float64Array | null, dX: Float64Array | null, dOut: Readonly<Float64Array>,
  x: Readonly<Float64Array>, hs: readonly Float64Array[], y: Readonly<Float64Array>, params: Readonly<Float64Array>, batch: number): boolean {
  const inPlace = resident === hs && resident !== null;
  if (!inPlace) wasmSettle();
  if (!chainLayout(p, batch)) return false;
  const e = ex!, L = p.layers;
  if (dParams !== null) { copyIn(chainX, x, batch * p.dims[0]); copyIn(chainDP, dParams, p.paramCount); }
  copyIn(chainP, params, p.paramCount);
  // The pullback writes no h region, so resident activations stay valid for another vjp of the same forward.
  if (!inPlace) for (let i = 0; i < L - 1; i++) copyIn(chainOff[i], hs[i], batch * p.dims[i + 1]);
  if (p.act[L - 1] > 0) copyIn(chainOff[L - 1], y, batch * p.dims[L]);
  copyIn(chainOff[2 * L - 1], dOut, batch * p.dims[L]);
  for (let i = L - 1; i >= 0; i--) {
    const nIn = p.dims[i], nOut = p.dims[i + 1], w = chainP + p.wOff[i], dw = chainDP + p.wOff[i];
    const g = chainOff[L + i], act = p.act[i];
    // dX of layer i is the cotangent of h_{i−1} (in chainOff[L + i − 1]); of layer 0, the caller's dX (last region).
    const dxOff = i > 0 ? chainOff[L + i - 1] : dX !== null ? chainOff[2 * L] : -1;
    e.denseVjp(g * 8, act > 0 ? g * 8 : 0, chainOff[i] * 8, act, i > 0 ? chainOff[i - 1] * 8 : chainX * 8, w * 8,
      dParams !== null ? dw * 8 : 0, dParams !== null && p.hasBias[i] !== 0 ? (dw + nOut * nIn) * 8 : 0,
      dxOff >= 0 ? dxOff * 8 : 0, batch, nOut, nIn, chainWork * 8);
  }
  if (dParams !== null) copyOut(dParams, chainDP, p.paramCount);
  if (dX !== null) copyOut(dX, chainOff[2 * L], batch * p.dims[0]);
  return true;
}

// Float32 chains: the same calls on the float32 kernels (denseForward32 / denseVjp32), offsets in float32 elements
// (into mem32) and regions padded to four floats. Separate functions and layout state from the float64 chain, so
// each stays monomorphic; the resident activations are shared state (at most one chain's, of either dtype).

/** Float32 element offsets of the last float32 chain layout (recomputed only when plan or batch change). */
let chainPlan32: WasmChainPlan | null = null, chainBatch32 = -1;
const chainOff32 = new Int32Array(64);
let chainX32 = 0, chainP32 = 0, chainDP32 = 0, chainWork32 = 0, chainEnd32 = 0;

/** chainLayout for a float32 chain. */
function chainLayout32(p: WasmChainPlan, batch: number): boolean {
  const base = arena * 2;
  if (chainPlan32 === p && chainBatch32 === batch) return reserve((chainEnd32 - base) / 2);
  const e = ex!, L = p.layers;
  if (2 * L + 1 > chainOff32.length) return false;
  let o = base;
  chainX32 = o; o += quad(batch * p.dims[0]);
  chainP32 = o; o += quad(p.paramCount);
  chainDP32 = o; o += quad(p.paramCount);
  for (let i = 0; i < L; i++) { chainOff32[i] = o; o += quad(batch * p.dims[i + 1]); }
  for (let i = 0; i <= L; i++) { chainOff32[L + i] = o; o += quad(batch * p.dims[i === L ? 0 : i + 1]); }
  chainWork32 = o;
  let wb = 0;
  for (let i = 0; i < L; i++) {
    const m = p.dims[i + 1], k = p.dims[i];
    wb = Math.max(wb, e.gemm32WorkBytes(batch, m, k), e.gemm32WorkBytes(m, k, batch), e.gemm32WorkBytes(batch, k, m));
  }
  chainEnd32 = o + quad(Math.ceil(wb / 4));
  chainPlan32 = null;
  if (!reserve((chainEnd32 - base) / 2)) return false;
  chainPlan32 = p; chainBatch32 = batch;
  return true;
}

/** wasmChainForward for a float32 chain (float32 kernels; results as its layers called one by one in Wasm). */
export function wasmChainForward32(p: WasmChainPlan, out: Float32Array, hs: readonly Float32Array[], x: Readonly<Float32Array>,
  params: Readonly<Float32Array>, batch: number): boolean {
  if (resident !== hs) wasmSettle();
  resident = null;
  if (!chainLayout32(p, batch)) return false;
  const e = ex!, L = p.layers;
  copyIn32(chainX32, x, batch * p.dims[0]);
  copyIn32(chainP32, params, p.paramCount);
  let xin = chainX32;
  for (let i = 0; i < L; i++) {
    const nIn = p.dims[i], nOut = p.dims[i + 1], w = chainP32 + p.wOff[i], oh = chainOff32[i];
    e.denseForward32(oh * 4, oh * 4, xin * 4, w * 4, p.hasBias[i] !== 0 ? (w + nOut * nIn) * 4 : 0, batch, nOut, nIn, p.act[i], chainWork32 * 4);
    xin = oh;
  }
  copyOut32(out, chainOff32[L - 1], batch * p.dims[L]);
  if (L > 1) { resident = hs; residentIs32 = true; }
  return true;
}

/** wasmChainVjp for a float32 chain. */
export function wasmChainVjp32(p: WasmChainPlan, dParams: Float32Array | null, dX: Float32Array | null, dOut: Readonly<Float32Array>,
  x: Readonly<Float32Array>, hs: readonly Float32Array[], y: Readonly<Float32Array>, params: Readonly<Float32Array>, batch: number): boolean {
  const inPlace = resident === hs && resident !== null;
  if (!inPlace) wasmSettle();
  if (!chainLayout32(p, batch)) return false;
  const e = ex!, L = p.layers;
  if (dParams !== null) { copyIn32(chainX32, x, batch * p.dims[0]); copyIn32(chainDP32, dParams, p.paramCount); }
  copyIn32(chainP32, params, p.paramCount);
  if (!inPlace) for (let i = 0; i < L - 1; i++) copyIn32(chainOff32[i], hs[i], batch * p.dims[i + 1]);
  if (p.act[L - 1] > 0) copyIn32(chainOff32[L - 1], y, batch * p.dims[L]);
  copyIn32(chainOff32[2 * L - 1], dOut, batch * p.dims[L]);
  for (let i = L - 1; i >= 0; i--) {
    const nIn = p.dims[i], nOut = p.dims[i + 1], w = chainP32 + p.wOff[i], dw = chainDP32 + p.wOff[i];
    const g = chainOff32[L + i], act = p.act[i];
    const dxOff = i > 0 ? chainOff32[L + i - 1] : dX !== null ? chainOff32[2 * L] : -1;
    e.denseVjp32(g * 4, act > 0 ? g * 4 : 0, chainOff32[i] * 4, act, i > 0 ? chainOff32[i - 1] * 4 : chainX32 * 4, w * 4,
      dParams !== null ? dw * 4 : 0, dParams !== null && p.hasBias[i] !== 0 ? (dw + nOut * nIn) * 4 : 0,
      dxOff >= 0 ? dxOff * 4 : 0, batch, nOut, nIn, chainWork32 * 4);
  }
  if (dParams !== null) copyOut32(dParams, chainDP32, p.paramCount);
  if (dX !== null) copyOut32(dX, chainOff32[2 * L], batch * p.dims[0]);
  return true;
}
