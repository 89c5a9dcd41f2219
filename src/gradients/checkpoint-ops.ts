/**
 * The interface between a checkpointing schedule and the code that executes it on real ODE states.
 *
 * The schedules (`revolve.ts`: offline binomial checkpointing, Griewank & Walther 2000; `online-checkpoint.ts`:
 * online checkpointing, Stumm & Walther 2010 and Wang, Moin & Iaccarino 2009) are pure algorithms on step indices:
 * they say "advance", "store", "restore", "taped step" and never touch a state. The executor (a gradient method)
 * owns one working state `cur` and a fixed number of state buffers `slots`, and does the numerical work.
 *
 * Notation (as in Griewank & Walther 2000): `y_k` is the state after k accepted steps; step k maps `y_k` to `y_{k+1}`; N steps in all.
 *
 * `CountingOps` is an executor that counts instead of computing; with `steps` given it also simulates the state as the
 * integer step index, so tests can check that a schedule is correct (every taped step k sees `cur = y_k`, taped steps
 * come in the order N − 1, N − 2, …, 0, each exactly once) and measure its cost.
 */
import { TideError, internalError } from '../core/errors.ts';

/** What a checkpointing schedule asks its executor to do. The executor owns a working state `cur` and `slots` state buffers. */
export interface CheckpointOps {
  /** cur ← Φ(cur): one forward step from step index k to k + 1 (no recording). */
  advance(k: number): void;
  /** slots[slot] ← cur. */
  store(slot: number): void;
  /** cur ← slots[slot]. */
  restore(slot: number): void;
  /**
   * With cur = y_k: recompute step k with its stages and pull the cotangent of y_{k+1} back to y_k (the executor keeps
   * the cotangent). Afterwards `cur` is unspecified: the schedules always restore before they advance again.
   */
  tapedStep(k: number): void;
}

/** Options of {@link CountingOps}. */
export interface CountingOpsOptions {
  /**
   * N, the number of steps being reversed. When given, the state is simulated as its step index: `cur` starts as
   * y_0 (index 0), slot 0 starts holding y_0, and every call is checked (advance(k) needs cur = y_k, restore needs a
   * filled slot, taped steps must come as N − 1, N − 2, …, 0 with cur = y_k). A violation throws at once.
   */
  readonly steps?: number;
  /** Number of slots the executor owns; a slot index outside [0, slotCount) throws. Default: unlimited. */
  readonly slotCount?: number;
  /** Record every call as a short string ('a3', 's1', 'r0', 't2') in `trace`. Default false. */
  readonly trace?: boolean;
}

/**
 * A {@link CheckpointOps} executor that counts the calls (and optionally simulates and checks them) instead of computing.
 * Used by the tests and by cost estimates (`revolveCost`-style tables) without running an ODE.
 *
 * Counters: `advances`, `stores`, `restores`, `tapedSteps`, and `slotsUsed` = the number of distinct slot indices
 * written or read, counting slot 0 (which the caller fills with y_0 before any schedule runs): the number of state
 * buffers an executor must own to run the same schedule, i.e. the peak number of snapshots held at once.
 * @property advances forward steps re-run without a tape.
 * @property stores snapshots written into a slot.
 * @property restores snapshots read back from a slot.
 * @property tapedSteps steps run with a tape and pulled back (one per step of the reversed range).
 */
export class CountingOps implements CheckpointOps {
  advances = 0;
  stores = 0;
  restores = 0;
  tapedSteps = 0;
  /** Distinct slot indices touched so far, slot 0 included (see the class doc). */
  get slotsUsed(): number { return this.touched.size; }
  /** The simulated current state's step index (NaN after a taped step, until the next restore); only with `steps`. */
  cur: number;
  /** Step index held by each slot (simulation only); -1 = never written. */
  readonly slotSteps: number[] = [];
  /** The calls made, when `trace` was set. */
  readonly trace: string[] | null;
  /** The taped step expected next (simulation only): N − 1 down to 0, then -1. */
  nextTaped: number;

  private readonly steps: number | undefined;
  private readonly slotCount: number;
  private readonly touched = new Set<number>();

  constructor(options: CountingOpsOptions = {}) {
    this.steps = options.steps;
    this.slotCount = options.slotCount ?? Infinity;
    this.trace = options.trace ? [] : null;
    this.touched.add(0);
    this.cur = this.steps === undefined ? NaN : 0;
    this.nextTaped = this.steps === undefined ? NaN : this.steps - 1;
    if (this.steps !== undefined) this.slotSteps[0] = 0;
  }

  /** Zeroes the counters (not the simulated state, not the touched slots): e.g. after simulating the forward pass. */
  resetCounts(): void {
    this.advances = 0; this.stores = 0; this.restores = 0; this.tapedSteps = 0;
  }

  advance(k: number): void {
    this.advances++;
    if (this.trace) this.trace.push(`a${k}`);
    if (this.steps === undefined) return;
    if (this.cur !== k) throw this.fail(`advance(${k}) called with cur = y_${this.cur}`);
    if (k >= this.steps) throw this.fail(`advance(${k}) past the last step ${this.steps - 1}`);
    this.cur = k + 1;
  }

  store(slot: number): void {
    this.stores++;
    if (this.trace) this.trace.push(`s${slot}`);
    this.checkSlot(slot);
    if (this.steps === undefined) return;
    if (Number.isNaN(this.cur)) throw this.fail(`store(${slot}) called with cur unspecified (after a taped step)`);
    this.slotSteps[slot] = this.cur;
  }

  restore(slot: number): void {
    this.restores++;
    if (this.trace) this.trace.push(`r${slot}`);
    this.checkSlot(slot);
    if (this.steps === undefined) return;
    const held = this.slotSteps[slot];
    if (held === undefined || held < 0) throw this.fail(`restore(${slot}) from a slot never written`);
    this.cur = held;
  }

  tapedStep(k: number): void {
    this.tapedSteps++;
    if (this.trace) this.trace.push(`t${k}`);
    if (this.steps === undefined) return;
    if (k !== this.nextTaped) throw this.fail(`tapedStep(${k}) out of order; expected tapedStep(${this.nextTaped})`);
    if (this.cur !== k) throw this.fail(`tapedStep(${k}) called with cur = y_${this.cur}`);
    this.nextTaped = k - 1;
    this.cur = NaN; // the executor may have overwritten cur; a correct schedule restores before advancing
  }

  private checkSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slotCount) {
      throw this.fail(`slot ${slot} outside [0, ${this.slotCount})`);
    }
    this.touched.add(slot);
    while (this.slotSteps.length <= slot) this.slotSteps.push(-1);
  }

  private fail(what: string): TideError {
    return internalError('checkpoint-ops.ts (CountingOps)', `schedule error: ${what}`);
  }
}
