/**
 * Reversible Heun (Kidger, Foster, Li & Lyons 2021; reversible.md §7.2), the ODE case. State (X, Y, f(t, Y)), X_0 = Y_0:
 *     Y_{n+1} = 2X_n − Y_n + h f(t_n, Y_n)
 *     X_{n+1} = X_n + (h/2)(f(t_n, Y_n) + f(t_{n+1}, Y_{n+1}))
 * One evaluation per step (f(t_n, Y_n) is carried), order 2, reported solution X. Inverse:
 *     Y_n = 2X_{n+1} − Y_{n+1} − h f(t_{n+1}, Y_{n+1}),   X_n = X_{n+1} − (h/2)(f(t_n, Y_n) + f(t_{n+1}, Y_{n+1})).
 * Not stable for any step on y' = αy with α < 0 (its step matrix has det −1, reversible.md §5.2): kept for comparison.
 */
import type { VectorField } from '../../core/field.ts';
import type { ReversibleScheme } from './scheme.ts';

export class ReversibleHeun implements ReversibleScheme<null> {
  readonly name = 'reversible-heun';
  readonly order = 2;
  readonly errorOrder = undefined;
  readonly parts = 3;
  readonly nfePerStep = 1;
  workspace(): null { return null; }
  init(state: Float64Array[], y0: Readonly<Float64Array>, field: VectorField, t0: number, params: Float64Array): number {
    state[0].set(y0); state[1].set(y0);
    field.eval(state[2], t0, state[1], params);
    return 1;
  }
  step(out: Float64Array[], _err: Float64Array | null, field: VectorField, t: number, h: number, state: readonly Float64Array[],
    params: Float64Array): number {
    const [X, Y, F] = state, [Xn, Yn, Fn] = out, d = X.length;
    for (let m = 0; m < d; m++) Yn[m] = 2 * X[m] - Y[m] + h * F[m];
    field.eval(Fn, t + h, Yn, params);
    for (let m = 0; m < d; m++) Xn[m] = X[m] + 0.5 * h * (F[m] + Fn[m]);
    return 1;
  }
  stepBack(out: Float64Array[], field: VectorField, t: number, h: number, state: readonly Float64Array[], params: Float64Array): number {
    const [Xn, Yn, Fn] = state, [X, Y, F] = out, d = Xn.length;
    for (let m = 0; m < d; m++) Y[m] = 2 * Xn[m] - Yn[m] - h * Fn[m];
    field.eval(F, t, Y, params);
    for (let m = 0; m < d; m++) X[m] = Xn[m] - 0.5 * h * (F[m] + Fn[m]);
    return 1;
  }
}
