/** Growable float64 stores used by forward records (amortised doubling; no per-step allocation once grown). */
export class F64Store {
  data: Float64Array;
  length = 0;
  constructor(capacity = 64) { this.data = new Float64Array(Math.max(1, capacity)); }
  private grow(need: number): void {
    let cap = this.data.length;
    while (cap < need) cap *= 2;
    const next = new Float64Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  push(v: number): void {
    if (this.length + 1 > this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  pushArray(a: Readonly<Float64Array>): void {
    if (this.length + a.length > this.data.length) this.grow(this.length + a.length);
    this.data.set(a, this.length);
    this.length += a.length;
  }
  /** The filled part (a view). */
  view(): Float64Array { return this.data.subarray(0, this.length); }
  /** Bytes reserved. */
  get bytes(): number { return 8 * this.data.length; }
}
