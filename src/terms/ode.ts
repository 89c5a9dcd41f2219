/**
 * The ODE term dy = f(t, y) dt: the control is time, so its increment over [t_a, t_b] is h = t_b − t_a and
 * vfProd = f(t, y)·h. Solvers see `term.ode` and keep RK stages as derivatives k_i = f(t + c_i h, Y_i)
 * (Hairer, Nørsett & Wanner, *Solving ODEs I*, (II.1.8)); the increment form below serves sums of terms.
 */
import { fieldTape, requireVjp, type VectorField } from '../core/field.ts';
import { TideError } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { Term, TermTape } from './term.ts';

/** A Term whose field is an ODE right-hand side. */
export interface OdeTerm extends Term {
  readonly ode: VectorField;
}

const cache = new WeakMap<VectorField, OdeTerm>();

/**
 * The term dy = f(t, y) dt of a VectorField. The same field always gives the same term object.
 * @throws TideError('BAD_ARGUMENT') if field is not a VectorField.
 */
export function odeTerm(field: VectorField): OdeTerm {
  if (typeof field !== 'object' || field === null || typeof field.eval !== 'function' || typeof field.dim !== 'number') {
    throw new TideError('BAD_ARGUMENT', `odeTerm: expected a VectorField ({ dim, paramCount, eval(out, t, y, params) }), got ${describe(field)}. Build one with fieldFromModel, fieldFromTrace or fieldFromFunction.`);
  }
  const hit = cache.get(field);
  if (hit !== undefined) return hit;
  const d = field.dim;
  const v2 = new Float64Array(d);
  const term: OdeTerm = {
    dim: d, paramCount: field.paramCount, name: field.name ?? 'f', controlDim: 1, ode: field,
    differentiable: typeof field.vjp === 'function',
    control(out, ta, tb) { out[0] = tb - ta; },
    vfProd(out, t, y, params, control) {
      field.eval(out, t, y as Float64Array, params as Float64Array);
      const h = control[0];
      for (let m = 0; m < d; m++) out[m] *= h;
    },
    vfProdVjp(dY, dParams, v, t, y, params, control) {
      requireVjp('gradient', field);
      const h = control[0];
      for (let m = 0; m < d; m++) v2[m] = h * v[m];
      return field.vjp!(dY, dParams, v2, t, y as Float64Array, params as Float64Array);
    },
    tape(slots: number): TermTape {
      // The field's tape may keep its output for the pullback, so each slot evaluates into its own buffer.
      const ft = fieldTape(field, slots);
      const hs = new Float64Array(slots);
      const fs = Array.from({ length: slots }, () => new Float64Array(d));
      return {
        slots,
        vfProd(slot, out, t, y, params, control) {
          const f = fs[slot], h = control[0];
          ft.eval(slot, f, t, y, params as Float64Array);
          hs[slot] = h;
          for (let m = 0; m < d; m++) out[m] = h * f[m];
        },
        vjp(slot, dY, dParams, v) {
          const h = hs[slot];
          for (let m = 0; m < d; m++) v2[m] = h * v[m];
          return ft.vjp(slot, dY, dParams, v2);
        },
      };
    },
  };
  cache.set(field, term);
  return term;
}
