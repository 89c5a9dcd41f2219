/**
 * Gradient methods: one way each to run the forward solve and pull cotangents back (STYLE.md §2). Every method
 * returns ∂L/∂y0 and ∂L/∂params for a loss of the saved outputs, and reports its own costs: f evaluations forward,
 * f evaluations and VJPs backward (counted separately, adjoints.md §0), and the bytes it held at its peak by its own
 * accounting (stored states, stages, checkpoints, step sizes).
 *
 * Step sizes and accept/reject decisions of adaptive solves are constants for differentiation in every discrete
 * method, as in torchdiffeq and diffrax (adjoints.md §0).
 */
export type GradientMethodName = 'direct' | 'revolve' | 'checkpoint' | 'backsolve' | 'interpolated' | 'interpolated-dense'
  | 'reversible' | 'reversible-direct';
export const GRADIENT_METHODS: readonly GradientMethodName[] = ['direct', 'revolve', 'checkpoint', 'backsolve', 'interpolated',
  'interpolated-dense', 'reversible', 'reversible-direct'];

export interface GradientReport {
  readonly method: string;
  /** f evaluations of the forward solve. */
  nfeForward: number;
  /** f evaluations made by the backward pass (re-advances, recomputed stages, augmented-state f terms). */
  nfeBackward: number;
  /** Vector–Jacobian products of f made by the backward pass (each re-evaluates f internally). */
  vjpBackward: number;
  /** Accepted forward steps. */
  steps: number;
  /** Accepted and rejected steps of the backward solve (continuous adjoints), 0 for discrete methods. */
  backwardSteps: number;
  /** Peak bytes held by the method's own stores (states, stages, checkpoints, step sizes, interpolation nodes). */
  peakBytes: number;
  /**
   * The part of peakBytes that holds states: stored or checkpointed states, stages, interpolation nodes and working
   * vectors; without the saved outputs (K·d) and the accepted-step grid (times and step sizes), which every method
   * keeps alike. This is what grows with N for direct and stays O(1) for reversible.
   */
  stateBytes: number;
  /** States held at once at the peak (checkpoint slots; N + 1 for direct; nodes for interpolated). */
  effectiveCheckpoints: number;
}

export interface GradientResult {
  /** ∂L/∂y0 (length dim). */
  readonly dY0: Float64Array;
  /** ∂L/∂params (length paramCount). */
  readonly dParams: Float64Array;
  readonly report: GradientReport;
  /** With `timeGradients: true`: ∂L/∂ts[q] for every save time, and ∂L/∂t0 (t1 is the last save time's entry). */
  readonly dTs?: Float64Array;
  readonly dT0?: number;
}

export function emptyReport(method: string): GradientReport {
  return { method, nfeForward: 0, nfeBackward: 0, vjpBackward: 0, steps: 0, backwardSteps: 0, peakBytes: 0, stateBytes: 0, effectiveCheckpoints: 0 };
}

/** Bytes of n float64 numbers. */
export const f64Bytes = (n: number): number => 8 * n;
