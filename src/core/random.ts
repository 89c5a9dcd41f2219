/**
 * The one seedable random generator of tide: xoshiro128** (Blackman & Vigna) seeded through splitmix32,
 * giving 53-bit uniform doubles, and standard normals by the Box–Muller transform (one spare kept).
 * Every place in tide that needs randomness takes an `Rng`, so a run is reproducible from its seed.
 */
import { TideError, checkOptions, fmtGot } from './errors.ts';

/**
 * Plain-JSON state of an {@link Rng} (see {@link Rng.state}).
 * @property seed the seed the generator was made with.
 */
export interface RngState {
  readonly seed: number;
  /** The four 32-bit words of xoshiro128**, as unsigned integers. */
  readonly words: readonly number[];
  /** The Box–Muller spare normal, or null when none is kept. */
  readonly spare: number | null;
}

/**
 * The seedable generator (see the module header). `new Rng(seed)` throws TideError('BAD_ARGUMENT') for a non-finite seed.
 * @property seed the seed it was made with.
 */
export class Rng {
  private s0 = 0; private s1 = 0; private s2 = 0; private s3 = 0;
  private spare = 0; private hasSpare = false;
  readonly seed: number;

  constructor(seed = 0) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new TideError('BAD_ARGUMENT', `Rng: seed must be a finite number, got ${fmtGot(seed)}. Pass an integer such as 42.`);
    }
    this.seed = seed;
    // splitmix32 expands the seed into four non-zero words.
    let x = (Math.floor(seed) ^ Math.floor(seed / 4294967296)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    checkRange('Rng.uniformIn', lo, hi);
    return lo + (hi - lo) * this.uniform();
  }

  /** Standard normal N(0, 1). */
  normal(): number {
    if (this.hasSpare) { this.hasSpare = false; return this.spare; }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    this.hasSpare = true;
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 9007199254740992) {
      throw new TideError('BAD_ARGUMENT', `Rng.int: n must be an integer in [1, 2^53] (the result is in [0, n)), got ${fmtGot(n)}.`);
    }
    return Math.floor(this.uniform() * n);
  }

  /** Fills `out` with uniforms in [lo, hi). Returns out. */
  fillUniform<T extends Float64Array | Float32Array>(out: T, lo = 0, hi = 1): T {
    checkOut('Rng.fillUniform', out);
    checkRange('Rng.fillUniform', lo, hi);
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** Fills `out` with normals of the given mean and standard deviation. Returns out. */
  fillNormal<T extends Float64Array | Float32Array>(out: T, mean = 0, std = 1): T {
    checkOut('Rng.fillNormal', out);
    if (typeof mean !== 'number' || !Number.isFinite(mean) || typeof std !== 'number' || !(std >= 0 && std <= Number.MAX_VALUE)) {
      throw new TideError('BAD_ARGUMENT', `Rng.fillNormal: mean must be a finite number and std a finite number ≥ 0, got mean ${fmtGot(mean)} and std ${fmtGot(std)}.`);
    }
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /**
   * Shuffles `array` in place by Fisher–Yates (Durstenfeld's form: for i = n−1 … 1 swap a[i] with a[j], j uniform in
   * [0, i]; Knuth, TAOCP vol. 2, §3.4.2, Algorithm P) and returns it. Every permutation is equally likely; the
   * same seed gives the same permutation. Works on plain arrays and typed arrays.
   * @throws TideError('BAD_ARGUMENT') unless `array` is an array or a typed array.
   */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    if (!Array.isArray(array) && !(ArrayBuffer.isView(array) && !(array instanceof DataView))) {
      throw new TideError('BAD_ARGUMENT', `Rng.shuffle: expected an array or a typed array to shuffle in place, got ${fmtGot(array)}.`);
    }
    for (let i = array.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = array[i]; array[i] = array[j]; array[j] = t;
    }
    return array;
  }

  /**
   * `k` indices drawn uniformly from 0 … n−1, as an Int32Array in draw order. Without replacement (the default)
   * they are distinct: the first k positions of a partial Fisher–Yates shuffle of 0 … n−1 (O(n) memory, O(n + k)
   * time). With `{ replace: true }` each is an independent uniform draw, as numpy's `choice(n, k)`.
   * @throws TideError('BAD_ARGUMENT') for n not an integer in [1, 2^31), k not an integer ≥ 0, k > n without
   *   replacement, or an unknown option.
   */
  choice(n: number, k: number, options?: { replace?: boolean }): Int32Array {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 2147483647) {
      throw new TideError('BAD_ARGUMENT', `Rng.choice: n must be an integer in [1, 2^31 − 1] (indices 0 … n−1), got ${fmtGot(n)}.`);
    }
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
      throw new TideError('BAD_ARGUMENT', `Rng.choice: k must be an integer ≥ 0 (how many indices), got ${fmtGot(k)}.`);
    }
    checkOptions('Rng.choice', options, ['replace'], '{ replace: true }');
    const replace = options?.replace ?? false;
    if (typeof replace !== 'boolean') {
      throw new TideError('BAD_OPTION', `Rng.choice: replace must be true or false, got ${fmtGot(replace)}.`, { option: 'replace' });
    }
    const out = new Int32Array(k);
    if (replace) {
      for (let i = 0; i < k; i++) out[i] = Math.floor(this.uniform() * n);
      return out;
    }
    if (k > n) {
      throw new TideError('BAD_ARGUMENT', `Rng.choice: cannot draw k = ${k} distinct indices from n = ${n} without replacement; pass { replace: true } or k ≤ n.`);
    }
    // Partial Fisher–Yates: position i takes a uniform pick among the n − i not yet drawn.
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.uniform() * (n - i));
      const t = pool[i]; pool[i] = pool[j]; pool[j] = t;
      out[i] = pool[i];
    }
    return out;
  }

  /**
   * Plain-JSON snapshot of the generator (the four xoshiro words and the spare normal), for checkpointing a
   * training run: `Rng.fromState(rng.state())` continues the exact same stream.
   */
  state(): RngState {
    return { seed: this.seed, words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spare: this.hasSpare ? this.spare : null };
  }

  /**
   * A generator that continues from a {@link Rng.state} snapshot.
   * @throws TideError('BAD_ARGUMENT') for a malformed snapshot (words not four uint32 not all 0, spare not a finite number or null).
   */
  static fromState(s: RngState): Rng {
    const w = (s as Partial<RngState> | null)?.words;
    const ok = s !== null && typeof s === 'object' && Array.isArray(w) && w.length === 4 &&
      w.every((x) => Number.isInteger(x) && x >= 0 && x <= 4294967295) && w.some((x) => x !== 0) &&
      (s.spare === null || (typeof s.spare === 'number' && Number.isFinite(s.spare))) &&
      typeof s.seed === 'number' && Number.isFinite(s.seed);
    if (!ok) {
      throw new TideError('BAD_ARGUMENT', `Rng.fromState: expected a snapshot from rng.state() ({ seed, words: four uint32 not all 0, spare: number | null }), got ${fmtGot(s)}.`);
    }
    const r = new Rng(s.seed);
    r.s0 = w[0] | 0; r.s1 = w[1] | 0; r.s2 = w[2] | 0; r.s3 = w[3] | 0;
    r.hasSpare = s.spare !== null; r.spare = s.spare ?? 0;
    return r;
  }

  /** A generator split off this one: independent stream, deterministic given this one's state. */
  split(): Rng {
    return new Rng(this.nextUint32() * 4294967296 + this.nextUint32());
  }
}

function checkOut(where: string, out: unknown): void {
  if (!(out instanceof Float64Array) && !(out instanceof Float32Array)) {
    throw new TideError('DTYPE', `${where}: out must be a Float64Array or Float32Array to fill in place, got ${fmtGot(out)}.${Array.isArray(out) ? ' Allocate with new Float64Array(n).' : ''}`);
  }
}

function checkRange(where: string, lo: unknown, hi: unknown): void {
  if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
    throw new TideError('BAD_ARGUMENT', `${where}: the bounds must be finite numbers with lo ≤ hi, got lo ${fmtGot(lo)} and hi ${fmtGot(hi)}.`);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
