/**
 * Online checkpointing: reverse N steps with c snapshot slots when N is unknown during the forward solve (adaptive
 * steps). This is diffrax's `RecursiveCheckpointAdjoint(checkpoints = c)` (equinox `checkpointed_while_loop`), the
 * baseline of the reversible-solvers paper (McCallum & Foster, arXiv 2410.11648).
 *
 * Forward placement (`OnlineCheckpointer.offer`), for the state y_k produced by the forward pass:
 *  - phase 1, k ≤ β(c, 2) − 2 = (c + 1)(c + 2)/2 − 2: Stumm & Walther 2010, "New algorithms for optimal online
 *    checkpointing", SIAM J. Sci. Comput. 32(2), Algorithm 1 — optimal online for repetition number ≤ 2: slot 0 keeps y_0,
 *    y_1 … y_{c−1} fill the other slots, then stores and overwrites keep the optimal r ≤ 2 distribution;
 *  - phase 2, beyond: Wang, Moin & Iaccarino 2009, "Minimal repetition dynamic checkpointing algorithm for unsteady
 *    adjoint calculation", SIAM J. Sci. Comput. 31(4) — every checkpoint has a level, y_0 is never evicted; a new state
 *    overwrites the dispensable checkpoint with the largest step (and gets level 0), or, if none is dispensable, the most
 *    recent checkpoint (and gets its level + 1, making every lower-level checkpoint dispensable).
 * Backward (`onlineBackward`): treeverse with bisection over the sorted checkpoints (equinox's backward pass).
 *
 * Cost: for c < N ≤ β(c, 2) − 1 the backward pass needs t(N, c) − N + 2 re-advances (revolve.ts `revolveCost`), one
 * more than offline Revolve; beyond, more (about N²/6 for c = 2). For fixed grids prefer `revolve.ts`.
 *
 * Note on an earlier work table (an unpublished independent simulation of this algorithm): this file reproduces
 * equinox's controller and backward pass exactly (checked against a literal transliteration of checkpointed.py), and
 * with it the table's rows for c = 2 and for N inside phase 1 (N = 1000, c = 44: 1956; N = 499, c = 31: 967). The rows
 * with a non-trivial Wang–Moin phase (c = 4, 8, 16, 32 at N = 1000; c = 4, 8, 16 at N = 499) come out as 17701, 4835,
 * 3764, 3330 and 5101, 2505, 1914 here, not that table's 21963, 5664, 5144, 4374 and 6280, 2501, 2221; no variant of
 * that simulation's description that was tried reproduces those.
 */
import { TideError, internalError } from '../core/errors.ts';
import type { CheckpointOps } from './checkpoint-ops.ts';
import { checkInteger } from './revolve.ts';

/**
 * The default number of checkpoints for a solve of at most `maxSteps` steps: ⌊−1.5 + √(2·maxSteps + 0.25)⌋ + 1, the
 * smallest c with (c + 1)(c + 2)/2 > maxSteps, so that any N ≤ maxSteps stays in the optimal phase 1 of
 * {@link OnlineCheckpointer} (Stumm & Walther 2010, eq. (2.2); diffrax/equinox default, equinox `checkpointed.py`).
 * Examples: 1000 → 44, 499 → 31, 1 → 1.
 *
 * @param maxSteps the most steps the solve may take, integer ≥ 1.
 * @throws TideError BAD_ARGUMENT for non-integers or maxSteps < 1.
 */
export function defaultCheckpoints(maxSteps: number): number {
  checkInteger('defaultCheckpoints', 'maxSteps', maxSteps, 1);
  let c = Math.floor(-1.5 + Math.sqrt(2 * maxSteps + 0.25)) + 1;
  // Guard the floating-point square root at perfect squares: enforce the defining inequality exactly.
  while ((c + 1) * (c + 2) <= 2 * maxSteps) c++;
  while (c > 1 && c * (c + 1) > 2 * maxSteps) c--;
  return c;
}

/**
 * Decides, during a forward pass of unknown length, which states to keep in c slots (equinox `checkpointed.py`; Stumm & Walther
 * 2010 Algorithm 1 for steps k ≤ β(c, 2) − 2, then Wang, Moin & Iaccarino 2009 dynamic checkpointing).
 *
 * Use: put y_0 in slot 0, construct, then for k = 1, 2, … call `offer(k)` once per state y_k from which the forward pass
 * takes another step (k = 1 … N − 1), and copy y_k into the returned slot unless it is −1. Offering the final state y_N
 * too is allowed but wastes a slot (it is never needed: the backward pass starts with the cotangent of y_N) and may evict
 * a useful checkpoint, so the costs quoted in this file assume it is not offered. Then call {@link onlineBackward}.
 * Allocation: the tables are made once here; `offer` allocates nothing. `reset()` reuses the object for another pass.
 */
export class OnlineCheckpointer {
  /** c, the number of slots, slot 0 (y_0) included. */
  readonly checkpoints: number;
  /** First step index handled by phase 2: β(c, 2) − 1 = (c + 1)(c + 2)/2 − 1. */
  readonly phase2Start: number;
  /** Step index held by each slot; −1 = empty. */
  private readonly slotStep: Float64Array;
  // Stumm–Walther Algorithm 1 state (index into the slots, o, next period end p, saving flag), as in equinox.
  private swI = 0;
  private swO = 0;
  private swP = 0;
  private swS = true;
  // Wang–Moin levels (slot 0 gets +∞: never evicted, never dispensable) and dispensable flags.
  private readonly level: Float64Array;
  private readonly dispensable: Uint8Array;
  private last = 0;

  /**
   * @param c slots including slot 0, which must already hold y_0; integer ≥ 1.
   * @throws TideError BAD_ARGUMENT for non-integers or c < 1.
   */
  constructor(c: number) {
    checkInteger('OnlineCheckpointer', 'c', c, 1, 'Slot 0 holds y_0, so at least one checkpoint is needed.');
    this.checkpoints = c;
    this.phase2Start = ((c + 1) * (c + 2)) / 2 - 1;
    this.slotStep = new Float64Array(c);
    this.level = new Float64Array(c);
    this.dispensable = new Uint8Array(c);
    this.reset();
  }

  /** Back to the state right after construction (slot 0 = y_0, nothing else stored), for another forward pass. */
  reset(): void {
    this.slotStep.fill(-1);
    this.level.fill(0);
    this.level[0] = Infinity;
    this.dispensable.fill(0);
    this.swI = 0; this.swO = this.checkpoints; this.swP = this.checkpoints; this.swS = true;
    this.last = 0;
    // Step 0 of Algorithm 1 stores y_0 in slot 0 (the caller has done the copy).
    const slot = this.stummWalther(0);
    if (slot !== 0) throw internalError('online-checkpoint.ts', 'y_0 not placed in slot 0');
    this.slotStep[0] = 0;
  }

  /** The last step index offered (0 before any offer). */
  get lastOffered(): number { return this.last; }

  /**
   * Called once for the state y_k just produced by the forward pass (k = 1, 2, … in order). Returns the slot into which
   * the caller must copy y_k now (overwriting what it held), or −1 to not store it.
   *
   * @param k the step index of the state, integer, exactly one more than the previous offer.
   * @throws TideError BAD_ARGUMENT if k is not the next step index.
   */
  offer(k: number): number {
    if (k !== this.last + 1) {
      throw new TideError(
        'BAD_ARGUMENT',
        `OnlineCheckpointer.offer: got step ${k} after step ${this.last}; offer every state once, in order ` +
          `(k = ${this.last + 1} next). Call reset() to start another forward pass.`,
        { k, expected: this.last + 1 },
      );
    }
    this.last = k;
    const slot = k < this.phase2Start ? this.stummWalther(k) : this.wangMoin();
    if (slot >= 0) this.slotStep[slot] = k;
    return slot;
  }

  /** The step indices currently held, sorted ascending (y_0 first). Allocates; for tests and reports. */
  storedSteps(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.checkpoints; i++) if (this.slotStep[i] >= 0) out.push(this.slotStep[i]);
    return out.sort((x, y) => x - y);
  }

  /** The slot holding y_step, or −1 if it is not held. */
  slotOf(step: number): number {
    for (let i = 0; i < this.checkpoints; i++) if (this.slotStep[i] === step) return i;
    return -1;
  }

  /** Step index held by `slot`, or −1 if empty. */
  stepIn(slot: number): number {
    return this.slotStep[slot];
  }

  /**
   * Stumm & Walther 2010 Algorithm 1 for the state of step k, written as equinox's state machine: slots are filled in
   * rounds; round o (= c, c − 1, …) ends at step p and overwrites slots cyclically among 1 … o, which leaves gaps
   * c + 1, c, c − 1, … between the kept states (repetition ≤ 2).
   */
  private stummWalther(k: number): number {
    const slot = this.swS ? this.swI : -1;
    if (this.swS) {
      this.swI++;
      if (this.swI > this.swO) this.swI = 1;
    }
    if (k + 1 === this.swP) this.swS = false;
    if (k === this.swP) {
      this.swP += this.swO;
      this.swO--;
      this.swI = this.swO;
      this.swS = this.swO > 0;
      if (this.swO < 0) throw internalError('online-checkpoint.ts', `Stumm–Walther phase ran past step ${k}`);
    }
    return slot;
  }

  /** Wang, Moin & Iaccarino 2009 dynamic checkpointing: every new state is stored (when c ≥ 2). */
  private wangMoin(): number {
    const c = this.checkpoints;
    if (c === 1) return -1; // the one slot holds y_0
    let slot = -1;
    let anyDispensable = false;
    for (let i = 1; i < c; i++) {
      if (this.dispensable[i] && (slot < 0 || this.slotStep[i] > this.slotStep[slot])) slot = i;
      if (this.dispensable[i]) anyDispensable = true;
    }
    if (anyDispensable) {
      this.dispensable[slot] = 0;
      this.level[slot] = 0;
      return slot;
    }
    // None dispensable: overwrite the most recent checkpoint one level up; lower levels become dispensable.
    slot = 0;
    for (let i = 1; i < c; i++) if (this.slotStep[i] > this.slotStep[slot]) slot = i;
    const old = this.level[slot];
    for (let i = 0; i < c; i++) if (this.level[i] < old) this.dispensable[i] = 1;
    this.level[slot] = old + 1;
    return slot;
  }
}

/**
 * The backward pass of online checkpointing: treeverse with bisection (equinox `checkpointed_while_loop`,
 * `checkpointed.py`). Calls `ops.tapedStep(k)` for k = N − 1, …, 0, each once, with `cur` = y_k, never using more than
 * c slots. The checkpoints left by the forward pass, sorted by step, form a stack; cotangent position g = N, primal
 * position p = the latest checkpoint. Until g = 0: if p + 1 = g, taped step p → g, g ← g − 1, reload the latest
 * checkpoint with step < g (dropping it from the stack if its step is g − 1); else advance p ← p + 1 and, if p is the
 * planned target, store it in a free slot. The target after each store or reload: none if no slot is free or
 * g − p ≤ 2; p + 1 if g − p − 2 ≤ free slots (fill linearly); else p + ⌊(g − p)/2⌋ (bisect).
 *
 * Before the call: the forward pass ran N steps, offering y_1 … y_{N−1} (y_N optionally) to `checkpointer` and storing
 * as told; `cur` may hold anything. The slots' contents are overwritten; call `checkpointer.reset()` before reusing it.
 *
 * @param N steps of the forward pass, integer ≥ 1.
 * @throws TideError BAD_ARGUMENT for non-integer or N < 1, or if the checkpointer was offered states up to a step
 *   other than N − 1 or N.
 */
export function onlineBackward(N: number, checkpointer: OnlineCheckpointer, ops: CheckpointOps): void {
  checkInteger('onlineBackward', 'N', N, 1);
  const last = checkpointer.lastOffered;
  if (last !== N - 1 && last !== N) {
    throw new TideError(
      'BAD_ARGUMENT',
      `onlineBackward: N = ${N} but the checkpointer was offered states up to y_${last}; offer y_1 … y_${N - 1} ` +
        `(every state the forward pass stepped from) and pass the forward pass's step count as N.`,
      { N, lastOffered: last },
    );
  }
  const c = checkpointer.checkpoints;
  // The stack: checkpoints with step < N sorted by step (a stored y_N is useless: drop it).
  const stackStep = new Float64Array(c);
  const stackSlot = new Int32Array(c);
  const free = new Int32Array(c);
  let depth = 0, freeCount = 0;
  for (let slot = 0; slot < c; slot++) {
    const step = checkpointer.stepIn(slot);
    if (step < 0 || step >= N) { free[freeCount++] = slot; continue; }
    let i = depth++;
    while (i > 0 && stackStep[i - 1] > step) { stackStep[i] = stackStep[i - 1]; stackSlot[i] = stackSlot[i - 1]; i--; }
    stackStep[i] = step; stackSlot[i] = slot;
  }
  if (depth === 0 || stackStep[0] !== 0) throw internalError('online-checkpoint.ts', 'y_0 is not among the checkpoints');

  let g = N;
  let p = 0;
  let target = -1;
  // Reload the latest checkpoint (its step is < g by construction) and plan the next store.
  const reload = (): void => {
    const top = depth - 1;
    p = stackStep[top];
    ops.restore(stackSlot[top]);
    // It will not be needed again if the next taped step starts from it.
    if (p + 1 === g) { depth--; free[freeCount++] = stackSlot[top]; }
    target = plan();
  };
  const plan = (): number => {
    if (freeCount === 0 || g - p <= 2) return -1;
    return g - p - 2 <= freeCount ? p + 1 : p + Math.floor((g - p) / 2);
  };

  reload();
  while (g > 0) {
    if (p + 1 === g) {
      ops.tapedStep(p);
      g--;
      if (g > 0) reload();
    } else {
      ops.advance(p);
      p++;
      if (p === target) {
        // plan() only targets p when a slot is free, and every stored step is ≤ g − 2, so the stack stays sorted.
        const slot = free[--freeCount];
        ops.store(slot);
        stackStep[depth] = p; stackSlot[depth] = slot; depth++;
        target = plan();
      }
    }
  }
}
