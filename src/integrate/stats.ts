/**
 * Cost counters of one solve (nfe, naccept, nreject). NFE counts every f evaluation: f(t0, y0), the initial-step
 * probe, all stages of accepted and rejected attempts, and the f(t_{n+1}, y_{n+1}) a non-FSAL method spends for
 * dense output or the steady-state test. Event functions are not counted.
 */

/** Statistics of a solve. */
export interface SolveStats {
  /** Number of vector-field evaluations. */
  readonly nfe: number;
  /** Accepted steps. */
  readonly nAccepted: number;
  /** Rejected attempts (adaptive solves only). */
  readonly nRejected: number;
  /** Attempted steps = nAccepted + nRejected (what maxSteps limits). */
  readonly nSteps: number;
}

/** The loop's writable counters. */
export interface MutableStats {
  nfe: number;
  nAccepted: number;
  nRejected: number;
  nSteps: number;
}

/** Fresh zeroed counters. */
export function newStats(): MutableStats {
  return { nfe: 0, nAccepted: 0, nRejected: 0, nSteps: 0 };
}

/** A frozen copy for the solution. */
export function freezeStats(s: MutableStats): SolveStats {
  return Object.freeze({ nfe: s.nfe, nAccepted: s.nAccepted, nRejected: s.nRejected, nSteps: s.nSteps });
}
