/**
 * Dense row-major arrays over Float64Array (default) or Float32Array, with shape checking.
 * `NDArray` is a thin holder (data + shape + dtype); kernels work on the raw typed arrays so hot loops
 * see one array type and allocate nothing.
 */
import { TideError, fmtShape, fmtGot } from './errors.ts';

/** Element type of arrays, parameters and models: 'float64' (the default everywhere) or 'float32'. */
export type DType = 'float64' | 'float32';
/** A typed array of either {@link DType}. */
export type FloatArray = Float64Array | Float32Array;
/** Sizes of the axes, outermost first (row-major); [] is a scalar. */
export type Shape = readonly number[];

/** Number of elements of a shape ([] is a scalar: 1 element). Throws on a bad shape. */
export function shapeSize(shape: Shape, where = 'shape'): number {
  if (!Array.isArray(shape)) {
    throw new TideError('SHAPE', `${where}: a shape must be an array of non-negative integers such as [16, 2] ([] for a scalar), got ${fmtGot(shape)}.`, { got: fmtGot(shape) });
  }
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new TideError('SHAPE', `${where}: shape ${fmtShape(shape)} has a bad dimension ${d}; dimensions must be non-negative integers.`, { shape: [...shape] });
    }
    n *= d;
  }
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Allocates a zeroed typed array of the given dtype. */
export function allocate(dtype: DType, n: number): FloatArray {
  if (!Number.isInteger(n) || n < 0) throw new TideError('SHAPE', `allocate: n must be an integer ≥ 0 (the number of elements), got ${fmtGot(n)}.`, { got: fmtGot(n) });
  if (dtype === 'float64') return new Float64Array(n);
  if (dtype === 'float32') return new Float32Array(n);
  throw new TideError('DTYPE', `unknown dtype '${String(dtype)}'; expected 'float64' or 'float32'.`);
}

export function dtypeOf(a: FloatArray): DType {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Float32Array) return 'float32';
  throw new TideError('DTYPE', `expected a Float64Array or Float32Array, got ${describe(a)}. Wrap plain arrays with Float64Array.from(...).`);
}

export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return `a plain array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} of length ${(x as unknown as ArrayLike<number>).length}`;
  return typeof x === 'object' ? `an object (${(x as object).constructor?.name ?? 'Object'})` : `${typeof x} ${String(x)}`;
}

/** Checks that `x` is a typed float array of length `n`; names the argument in the error. */
export function checkArray(where: string, name: string, x: unknown, n: number, shape?: Shape): FloatArray {
  if (!(x instanceof Float64Array) && !(x instanceof Float32Array)) {
    throw new TideError('DTYPE', `${where}: ${name} must be a Float64Array (or Float32Array), got ${describe(x)}.${Array.isArray(x) ? ' Use Float64Array.from(...).' : ''}`, { name });
  }
  if (x.length !== n) {
    const s = shape ? ` (shape ${fmtShape(shape)})` : '';
    throw new TideError('SHAPE', `${where}: ${name} has length ${x.length}; expected ${n}${s}.`, { name, expected: n, got: x.length });
  }
  return x;
}

/**
 * A dense row-major array: data, shape and dtype. `new NDArray(data, shape)` wraps data without copying; it throws
 * TideError('DTYPE') for data that is not a Float64Array / Float32Array and TideError('SHAPE') when data.length
 * differs from the shape's product.
 * @property data the elements, flat and row-major (not copied: the array shares it).
 * @property shape the shape (frozen).
 * @property zeros a zero-filled array of that shape and dtype (default 'float64').
 * @property dtype 'float64' or 'float32', from the data's type.
 * @property size number of elements (the shape's product).
 * @property rank number of axes.
 * @property set writes value at a multi-index (value first: set(value, i, j)); throws TideError('SHAPE') for a wrong index count or an index out of range.
 * @property clone a copy with its own data.
 * @property toFloat32 a float32 copy (values rounded to single precision).
 * @property toFloat64 a float64 copy.
 */
export class NDArray {
  readonly data: FloatArray;
  readonly shape: Shape;
  constructor(data: FloatArray, shape: Shape) {
    if (!(data instanceof Float64Array) && !(data instanceof Float32Array)) {
      throw new TideError('DTYPE', `NDArray: data must be a Float64Array or Float32Array, got ${describe(data)}. For nested or plain arrays use NDArray.from(values).`, { got: describe(data) });
    }
    const n = shapeSize(shape, 'NDArray');
    if (data.length !== n) {
      throw new TideError('SHAPE', `NDArray: data has ${data.length} elements but shape ${fmtShape(shape)} needs ${n}.`, { shape: [...shape], length: data.length });
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }
  static zeros(shape: Shape, dtype: DType = 'float64'): NDArray {
    return new NDArray(allocate(dtype, shapeSize(shape, 'NDArray.zeros')), shape);
  }
  /** From nested plain arrays (rectangular) or a flat list with an explicit shape. */
  static from(values: number | readonly unknown[], shape?: Shape, dtype: DType = 'float64'): NDArray {
    if (typeof values === 'number') return new NDArray(allocate(dtype, 1).fill(values), shape ?? []);
    if (!Array.isArray(values)) {
      throw new TideError('BAD_ARGUMENT', `NDArray.from: values must be a number or (nested) plain arrays of numbers such as [[1, 2], [3, 4]], got ${describe(values)}.${ArrayBuffer.isView(values) ? ' Wrap a typed array with new NDArray(data, shape).' : ''}`);
    }
    const inferred: number[] = [];
    let probe: unknown = values;
    while (Array.isArray(probe)) { inferred.push(probe.length); probe = probe[0]; }
    const flat = (values as unknown[]).flat(Infinity) as number[];
    const s = shape ?? inferred;
    if (shapeSize(s) !== flat.length) {
      throw new TideError('SHAPE', `NDArray.from: ${flat.length} values do not fit shape ${fmtShape(s)}; nested arrays must be rectangular.`);
    }
    const data = allocate(dtype, flat.length);
    for (let i = 0; i < flat.length; i++) {
      if (typeof flat[i] !== 'number') throw new TideError('BAD_ARGUMENT', `NDArray.from: element ${i} is ${describe(flat[i])}, expected a number.`);
      data[i] = flat[i];
    }
    return new NDArray(data, s);
  }
  get dtype(): DType { return dtypeOf(this.data); }
  get size(): number { return this.data.length; }
  get rank(): number { return this.shape.length; }
  /** A view with another shape of the same size (no copy). */
  reshape(shape: Shape): NDArray {
    const n = shapeSize(shape, 'reshape');
    if (n !== this.size) throw new TideError('SHAPE', `reshape: cannot reshape ${fmtShape(this.shape)} (${this.size} elements) to ${fmtShape(shape)} (${n}).`);
    return new NDArray(this.data, shape);
  }
  /** Element at a multi-index (checked). */
  get(...idx: number[]): number { return this.data[this.offset(idx)]; }
  set(value: number, ...idx: number[]): void {
    if (typeof value !== 'number') throw new TideError('BAD_ARGUMENT', `NDArray.set: the value (first argument) must be a number, got ${describe(value)}; the indices come after it: set(value, i, j).`);
    this.data[this.offset(idx)] = value;
  }
  private offset(idx: number[]): number {
    if (idx.length !== this.shape.length) throw new TideError('SHAPE', `NDArray index has ${idx.length} entries for shape ${fmtShape(this.shape)}.`);
    let o = 0;
    for (let i = 0; i < idx.length; i++) {
      if (!Number.isInteger(idx[i]) || idx[i] < 0 || idx[i] >= this.shape[i]) {
        throw new TideError('SHAPE', `NDArray index ${idx[i]} out of range for axis ${i} of size ${this.shape[i]}.`);
      }
      o = o * this.shape[i] + idx[i];
    }
    return o;
  }
  clone(): NDArray { return new NDArray(this.data.slice(), this.shape); }
  toFloat32(): NDArray { return new NDArray(Float32Array.from(this.data), this.shape); }
  toFloat64(): NDArray { return new NDArray(Float64Array.from(this.data), this.shape); }
  /** Nested plain arrays, for printing and JSON. */
  toNested(): unknown {
    const rec = (dim: number, off: number): unknown => {
      if (dim === this.shape.length) return this.data[off];
      const stride = shapeSize(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(rec(dim + 1, off + i * stride));
      return out;
    };
    return rec(0, 0);
  }
}

/**
 * Views of a flat buffer's parts: `count` parts of `size` elements, the last one running to the buffer's end. Views are
 * kept for the last two buffers seen, so a step method handed the same state buffers step after step (one, or two in
 * turn) allocates nothing. The returned array is reused: read the parts out of it before the next call.
 */
export class PartViews {
  private recent: Float64Array | null = null;
  private older: Float64Array | null = null;
  private recentParts: Float64Array[];
  private olderParts: Float64Array[];
  constructor(private readonly size: number, private readonly count: number) {
    this.recentParts = new Array<Float64Array>(count); this.olderParts = new Array<Float64Array>(count);
  }
  /** The parts of `buf`, as views into it. */
  of(buf: Float64Array): readonly Float64Array[] {
    if (buf === this.recent) return this.recentParts;
    const parts = this.olderParts;
    if (buf !== this.older) {
      const n = this.count, s = this.size;
      for (let i = 0; i < n; i++) parts[i] = i < n - 1 ? buf.subarray(i * s, (i + 1) * s) : buf.subarray(i * s);
    }
    this.olderParts = this.recentParts; this.older = this.recent;
    this.recentParts = parts; this.recent = buf;
    return parts;
  }
}
