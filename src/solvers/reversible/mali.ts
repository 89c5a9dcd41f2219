/**
 * The asynchronous leapfrog integrator (ALF) of MALI (Zhuang et al., ICLR 2021; reversible.md §7.1). State (X, V),
 * V_0 = f(t_0, X_0); with damping η (default 1):
 *     X_½ = X_n + (h/2) V_n,  F = f(t_n + h/2, X_½),  V_{n+1} = V_n + 2η(F − V_n),  X_{n+1} = X_½ + (h/2) V_{n+1}
 * Inverse: X_½ = X_{n+1} − (h/2)V_{n+1}, F = f(t_{n+1} − h/2, X_½), V_n = (2ηF − V_{n+1})/(2η − 1), X_n = X_½ − (h/2)V_n
 * (needs η ≠ ½). One evaluation per step, order 2. Like reversible Heun it is nowhere linearly stable (det −1,
 * reversible.md §5.2): kept for comparison.
 */
import type { VectorField } from '../../core/field.ts';
import { TideError } from '../../core/errors.ts';
import type { ReversibleScheme } from './scheme.ts';

export class Mali implements ReversibleScheme<null> {
  readonly name = 'mali';
  readonly order = 2;
  readonly errorOrder = undefined;
  readonly parts = 2;
  readonly nfePerStep = 1;
  readonly eta: number;
  constructor(eta = 1) {
    if (!(eta > 0) || eta === 0.5 || !Number.isFinite(eta)) {
      throw new TideError('BAD_OPTION', `mali: the damping η must be positive and not ½ (the inverse divides by 2η − 1), got ${eta}. MALI uses η = 1.`, { option: 'eta' });
    }
    this.eta = eta;
  }
  workspace(dim: number): null { void dim; return null; }
  init(state: Float64Array[], y0: Readonly<Float64Array>, field: VectorField, t0: number, params: Float64Array): number {
    state[0].set(y0);
    field.eval(state[1], t0, state[0], params);
    return 1;
  }
  step(out: Float64Array[], _err: Float64Array | null, field: VectorField, t: number, h: number, state: readonly Float64Array[],
    params: Float64Array): number {
    const [X, V] = state, [Xn, Vn] = out, d = X.length, e2 = 2 * this.eta;
    // Xn holds X_½ until the end; Vn holds F until overwritten.
    for (let m = 0; m < d; m++) Xn[m] = X[m] + 0.5 * h * V[m];
    field.eval(Vn, t + 0.5 * h, Xn, params);
    for (let m = 0; m < d; m++) { const v = V[m] + e2 * (Vn[m] - V[m]); Vn[m] = v; Xn[m] += 0.5 * h * v; }
    return 1;
  }
  stepBack(out: Float64Array[], field: VectorField, t: number, h: number, state: readonly Float64Array[], params: Float64Array): number {
    const [Xn, Vn] = state, [X, V] = out, d = Xn.length, e2 = 2 * this.eta;
    for (let m = 0; m < d; m++) X[m] = Xn[m] - 0.5 * h * Vn[m];
    field.eval(V, t + 0.5 * h, X, params);
    for (let m = 0; m < d; m++) { const v = (e2 * V[m] - Vn[m]) / (e2 - 1); V[m] = v; X[m] -= 0.5 * h * v; }
    return 1;
  }
}
