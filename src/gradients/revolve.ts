/**
 * Offline binomial checkpointing (Revolve): reverse N steps, N known in advance, with s snapshot slots.
 *
 * Griewank & Walther 2000, "Algorithm 799: Revolve", ACM TOMS 26(1) 19–45.
 * Letters: m steps to reverse, s slots **including the one holding the interval's first state**,
 * r = repetition number (how often the most-advanced step is advanced), j = the first split.
 *   β(s, r) = C(s + r, s)                          most steps reversible with s slots and repetition ≤ r
 *   r(m, s) = the r with β(s, r − 1) < m ≤ β(s, r)
 *   t(m, s) = r·m − β(s + 1, r − 1)                minimal advances, counting the initial sweep y_0 → y_{m−1}
 * "advance" = one forward step without recording; "taped step" = a forward step that keeps its stages, then its VJP.
 *
 * Cost accounting (Griewank & Walther 2000: t(m, s) counts every advance). Reversing [0, N) from y_0 costs exactly t(N, s) advances and N taped
 * steps. The first N − 1 of those advances (the first descent y_0 → y_{N−1}, placing the first snapshots) can be fused
 * with the forward call: run {@link revolveForward} as the forward pass, then `revolveBackward(N, s, ops,
 * { afterForward: true })` makes exactly t(N, s) − (N − 1) advances, the "re-advances" beyond the forward pass. Run alone,
 * `revolveBackward` makes t(N, s) advances (it repeats that descent).
 *
 * Use for fixed step grids (N known before the forward pass). For adaptive solves, where N is only known at the end,
 * use the online schedule of `online-checkpoint.ts`, or store the accepted grid and run this one (one extra sweep).
 */
import { TideError, internalError } from '../core/errors.ts';
import type { CheckpointOps } from './checkpoint-ops.ts';

/** Throws BAD_ARGUMENT unless `value` is an integer ≥ `min`. */
export function checkInteger(where: string, name: string, value: number, min: number, hint = ''): void {
  if (!Number.isInteger(value) || value < min) {
    throw new TideError(
      'BAD_ARGUMENT',
      `${where}: ${name} = ${value}; ${name} must be an integer ≥ ${min}.${hint ? ' ' + hint : ''}`,
      { argument: name, value, min },
    );
  }
}

/** C(s + r, s) without argument checks; β(·, −1) = 0. Exact while the result is below 2^53. */
function binom(s: number, r: number): number {
  if (r < 0) return 0;
  const k = Math.min(s, r);
  const n = s + r;
  let c = 1;
  // Each intermediate is C(n − k + i, i), an integer, so the division is exact.
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** r(m, s) without argument checks. */
function repetition(m: number, s: number): number {
  if (s === 1) return m - 1; // β(1, r) = r + 1
  let r = 0;
  while (binom(s, r) < m) r++;
  return r;
}

/** t(m, s) without argument checks. */
function cost(m: number, s: number): number {
  const r = repetition(m, s);
  return r * m - binom(s + 1, r - 1);
}

/** Smallest optimal first split without argument checks (m ≥ 2, s ≥ 2). */
function split(m: number, s: number): number {
  const r = repetition(m, s);
  // Optimal iff max(β(s, r−2), m − β(s−1, r)) ≤ j ≤ min(β(s, r−1), m − β(s−1, r−1)) [Griewank & Walther 2000];
  // the lower end can fall below 1 when s ≥ m (any j is then optimal at r = 1), so clamp to a real split.
  const lo = Math.max(binom(s, r - 2), m - binom(s - 1, r));
  return Math.max(1, lo);
}

/**
 * β(s, r) = C(s + r, s): the most steps that s snapshot slots can reverse when no step is advanced more than r times
 * (Griewank & Walther 2000). β(s, −1) = 0.
 *
 * @param s slots, integer ≥ 0.
 * @param r repetition number, integer ≥ −1.
 * @returns C(s + r, s), exact while below 2^53.
 * @throws TideError BAD_ARGUMENT for non-integers or values below the minimum.
 */
export function beta(s: number, r: number): number {
  checkInteger('beta', 's', s, 0);
  checkInteger('beta', 'r', r, -1);
  return binom(s, r);
}

/**
 * r(m, s): the repetition number of an optimal reversal of m steps with s slots, the unique r with
 * β(s, r − 1) < m ≤ β(s, r) (Griewank & Walther 2000). r(1, s) = 0; r(m, 1) = m − 1.
 *
 * @param m steps to reverse, integer ≥ 1.  @param s slots including the one holding the first state, integer ≥ 1.
 * @throws TideError BAD_ARGUMENT for non-integers, m < 1 or s < 1.
 */
export function revolveRepetition(m: number, s: number): number {
  checkInteger('revolveRepetition', 'm', m, 1);
  checkInteger('revolveRepetition', 's', s, 1);
  return repetition(m, s);
}

/**
 * t(m, s) = r·m − β(s + 1, r − 1) with r = r(m, s): the minimal number of advances (forward steps without recording)
 * needed to reverse m steps with s slots, starting from y_0 held in a slot, **counting the initial sweep y_0 → y_{m−1}**
 * (Griewank & Walther 2000). Equals the dynamic programme T(m, 1) = m(m − 1)/2, T(1, s) = 0,
 * T(m, s) = min_j [j + T(m − j, s − 1) + T(j, s)]. The re-advances beyond a forward pass that already swept y_0 → y_{m−1}
 * are t(m, s) − (m − 1). Examples: t(1000, 4) = 7998, t(10, 3) = 15.
 *
 * @param m steps, integer ≥ 1.  @param s slots, integer ≥ 1.
 * @returns advances, exact while below 2^53.
 * @throws TideError BAD_ARGUMENT for non-integers, m < 1 or s < 1.
 */
export function revolveCost(m: number, s: number): number {
  checkInteger('revolveCost', 'm', m, 1);
  checkInteger('revolveCost', 's', s, 1);
  return cost(m, s);
}

/**
 * The smallest optimal first split j: reversing [a, a + m) with s ≥ 2 slots, advance j steps to y_{a+j}, snapshot it,
 * reverse the right part [a + j, a + m) with s − 1 slots, then the left part [a, a + j) with s slots. j is optimal iff
 * max(β(s, r−2), m − β(s−1, r)) ≤ j ≤ min(β(s, r−1), m − β(s−1, r−1)), r = r(m, s) (Griewank & Walther
 * 2000); this returns the lower end (at least 1). Examples: (10, 3) → 4, (30, 3) → 15, (100, 5) → 30.
 *
 * @param m steps, integer ≥ 2.  @param s slots, integer ≥ 2 (with one slot there is no split).
 * @throws TideError BAD_ARGUMENT for non-integers, m < 2 or s < 2.
 */
export function optimalSplit(m: number, s: number): number {
  checkInteger('optimalSplit', 'm', m, 2, 'A single step is reversed by one taped step, without a split.');
  checkInteger('optimalSplit', 's', s, 2, 'With one slot there is no split: every step is advanced afresh from the start.');
  return split(m, s);
}

/** Options of {@link revolveBackward}. */
export interface RevolveBackwardOptions {
  /**
   * true: {@link revolveForward} with the same N and s already ran (its snapshots are in the slots) and `cur` still
   * holds y_{N−1}; the schedule resumes at the first taped step. false (default): start from y_0 in slot 0.
   */
  readonly afterForward?: boolean;
}

/**
 * The first descent of the Revolve schedule, to be used as the forward pass: from y_0 (held in slot 0 and in `cur`),
 * advance to y_{N−1} (exactly N − 1 advances), storing the snapshots that the binomial schedule places on the way.
 * Afterwards `cur` = y_{N−1}; the executor computes y_N from it (e.g. as part of taped step N − 1) without losing it,
 * then calls `revolveBackward(N, s, ops, { afterForward: true })`. Griewank & Walther 2000.
 *
 * @param N steps of the forward pass, integer ≥ 1.  @param s slots including slot 0, integer ≥ 1.
 * @param ops the executor; only `advance` and `store` are called.
 * @throws TideError BAD_ARGUMENT for non-integers, N < 1 or s < 1.
 */
export function revolveForward(N: number, s: number, ops: CheckpointOps): void {
  checkInteger('revolveForward', 'N', N, 1);
  checkInteger('revolveForward', 's', s, 1);
  new RevolveMachine(N, s, ops).descend(true);
}

/**
 * Reverses steps [0, N) with s snapshot slots by the binomial (Revolve) schedule of Griewank & Walther 2000: calls
 * `ops.tapedStep(k)` for k = N − 1, N − 2, …, 0, each exactly once and each with `cur` = y_k, using at most s slots
 * (indices 0 … s − 1; slot 0 holds y_0 throughout and is never overwritten) and the minimal number of advances t(N, s)
 * ({@link revolveCost}); with `afterForward`, t(N, s) − (N − 1). Schedule (Griewank & Walther 2000): m = 1: taped step;
 * s = 1: restore the interval's first state and advance afresh before every taped step; otherwise advance
 * j = {@link optimalSplit}(m, s) steps, store, reverse the right part with s − 1 slots, free that slot, restore, reverse
 * the left part with s slots. Iterative (an explicit stack of at most s frames), so any N is safe.
 *
 * Before the call (without `afterForward`): slot 0 holds y_0; `cur` may hold anything (the schedule restores slot 0).
 * After a taped step `cur` may hold anything. Stores go only into slots 1 … s − 1.
 *
 * @param N steps to reverse, integer ≥ 1.  @param s slots including slot 0, integer ≥ 1.
 * @throws TideError BAD_ARGUMENT for non-integers, N < 1 or s < 1.
 */
export function revolveBackward(N: number, s: number, ops: CheckpointOps, options: RevolveBackwardOptions = {}): void {
  checkInteger('revolveBackward', 'N', N, 1);
  checkInteger('revolveBackward', 's', s, 1, 'Slot 0 holds y_0, so at least one slot is needed.');
  const machine = new RevolveMachine(N, s, ops);
  if (options.afterForward) {
    machine.descend(false); // replay the forward call's descent to rebuild the stack and slot table; cur = y_{N−1}
  } else {
    ops.restore(0);
    machine.descend(true);
  }
  machine.reverse();
}

/**
 * The Revolve recursion unrolled. The recursion reverse(a, m, s, slot) is tail-recursive in its left part, so one
 * pending frame per split that is still waiting for its left part suffices: at most s − 1 frames.
 */
class RevolveMachine {
  // The segment being reversed: taped steps k = top, top − 1, …, a remain, with y_a in slot `slotA` and 1 slot.
  private a = 0;
  private top = 0;
  private slotA = 0;
  // The interval currently being descended into: [a, a + m) with `sl` slots.
  private m: number;
  private sl: number;
  // Pending left parts: reverse [a, a + j) with sl slots, y_a in slot, after freeing slot `held`.
  private readonly stackA: Float64Array;
  private readonly stackJ: Float64Array;
  private readonly stackS: Int32Array;
  private readonly stackSlot: Int32Array;
  private readonly stackHeld: Int32Array;
  private depth = 0;
  // Free slot indices (slot 0 is never free: it holds y_0 throughout).
  private readonly free: Int32Array;
  private freeCount: number;

  constructor(N: number, s: number, private readonly ops: CheckpointOps) {
    this.m = N;
    // More slots than steps never help; capping keeps the tables small (s may be huge).
    this.sl = Math.min(s, N);
    const frames = this.sl + 1;
    this.stackA = new Float64Array(frames);
    this.stackJ = new Float64Array(frames);
    this.stackS = new Int32Array(frames);
    this.stackSlot = new Int32Array(frames);
    this.stackHeld = new Int32Array(frames);
    this.free = new Int32Array(Math.max(this.sl - 1, 0));
    this.freeCount = this.sl - 1;
    // Pop order: slot 1 first, so a small schedule reads naturally (slots 1, 2, … as the descent deepens).
    for (let i = 0; i < this.freeCount; i++) this.free[i] = this.freeCount - i;
  }

  /**
   * From cur = y_a, interval [a, a + m) with sl slots: split down the rightmost path until a segment with one step or
   * one slot remains, and advance to its last state. `execute` false replays the decisions without calling ops.
   */
  descend(execute: boolean): void {
    const ops = this.ops;
    let { a, m, sl, slotA } = this;
    while (m > 1 && sl > 1) {
      const j = split(m, sl);
      if (execute) for (let k = a; k < a + j; k++) ops.advance(k);
      if (this.freeCount === 0) throw internalError('revolve.ts', 'no free slot at a split');
      const held = this.free[--this.freeCount];
      if (execute) ops.store(held);
      // The left part [a, a + j) waits until the right part is reversed.
      const d = this.depth++;
      this.stackA[d] = a; this.stackJ[d] = j; this.stackS[d] = sl; this.stackSlot[d] = slotA; this.stackHeld[d] = held;
      a += j; m -= j; sl -= 1; slotA = held;
    }
    // One step, or one slot: advance to the segment's last state for its first taped step.
    if (execute) for (let k = a; k < a + m - 1; k++) ops.advance(k);
    this.a = a; this.top = a + m - 1; this.slotA = slotA; this.m = m; this.sl = sl;
  }

  /** With cur = y_top after a descent: run every remaining taped step. */
  reverse(): void {
    const ops = this.ops;
    for (;;) {
      // The segment [a, top] with one slot: cur = y_top now; later steps restart from y_a (s = 1 rule).
      const a = this.a, slotA = this.slotA;
      ops.tapedStep(this.top);
      for (let k = this.top - 1; k >= a; k--) {
        ops.restore(slotA);
        for (let i = a; i < k; i++) ops.advance(i);
        ops.tapedStep(k);
      }
      if (this.depth === 0) return;
      // The right part is done: free its snapshot, restore the left part's first state and descend into it.
      const d = --this.depth;
      this.free[this.freeCount++] = this.stackHeld[d];
      this.a = this.stackA[d]; this.m = this.stackJ[d]; this.sl = this.stackS[d]; this.slotA = this.stackSlot[d];
      ops.restore(this.slotA);
      this.descend(true);
    }
  }
}
