/**
 * Sums of terms, dy = Σ_k vf_k(t, y) dX_k (diffrax's `MultiTerm`): the control is the concatenation of the parts'
 * controls, and the increment and its pullback are the sums of the parts'. An SDE is
 * `sumTerms(odeTerm(drift), diffusionTerm(g, W))`.
 */
import { TideError } from '../core/errors.ts';
import type { Term, TermTape } from './term.ts';

/**
 * The sum of terms on one state (equal dim and paramCount: the parts share the parameter vector).
 * @throws TideError('SHAPE') when dimensions differ.
 */
export function sumTerms(...terms: Term[]): Term {
  if (terms.length === 0) throw new TideError('BAD_ARGUMENT', 'sumTerms: give at least one term.');
  for (const [i, t] of terms.entries()) {
    if (typeof t !== 'object' || t === null || typeof t.vfProd !== 'function') throw new TideError('BAD_ARGUMENT', `sumTerms: argument ${i} is not a Term (odeTerm, controlTerm, diffusionTerm).`);
  }
  const d = terms[0].dim, p = terms[0].paramCount;
  for (const [i, t] of terms.entries()) {
    if (t.dim !== d) throw new TideError('SHAPE', `sumTerms: term ${i} ('${t.name}') has dim ${t.dim}, term 0 has ${d}; all terms act on one state.`);
    if (t.paramCount !== p) throw new TideError('SHAPE', `sumTerms: term ${i} ('${t.name}') has paramCount ${t.paramCount}, term 0 has ${p}; the terms share one parameter vector (give each the whole vector and let it read its slice).`);
  }
  const offsets: number[] = [];
  let controlDim = 0;
  for (const t of terms) { offsets.push(controlDim); controlDim += t.controlDim; }
  const parts = terms.map((t, i) => ({ t, c: new Float64Array(t.controlDim), off: offsets[i] }));
  const tmp = new Float64Array(d);
  const split = (control: Readonly<Float64Array>): void => {
    for (const q of parts) for (let j = 0; j < q.c.length; j++) q.c[j] = control[q.off + j];
  };
  return {
    dim: d, paramCount: p, name: terms.map((t) => t.name).join(' + '), controlDim, ode: null,
    differentiable: terms.every((t) => t.differentiable),
    control(out, ta, tb) {
      for (const q of parts) { q.t.control(q.c, ta, tb); for (let j = 0; j < q.c.length; j++) out[q.off + j] = q.c[j]; }
    },
    vfProd(out, t, y, params, control) {
      split(control);
      parts[0].t.vfProd(out, t, y, params, parts[0].c);
      for (let k = 1; k < parts.length; k++) {
        parts[k].t.vfProd(tmp, t, y, params, parts[k].c);
        for (let m = 0; m < d; m++) out[m] += tmp[m];
      }
    },
    vfProdVjp(dY, dParams, v, t, y, params, control) {
      split(control);
      let dt = parts[0].t.vfProdVjp(dY, dParams, v, t, y, params, parts[0].c);
      for (let k = 1; k < parts.length; k++) {
        dt += parts[k].t.vfProdVjp(tmp, dParams, v, t, y, params, parts[k].c);
        for (let m = 0; m < d; m++) dY[m] += tmp[m];
      }
      return dt;
    },
    tape(slots: number): TermTape {
      const tapes = terms.map((t) => t.tape(slots));
      const dTmp = new Float64Array(d);
      return {
        slots,
        vfProd(slot, out, t, y, params, control) {
          split(control);
          tapes[0].vfProd(slot, out, t, y, params, parts[0].c);
          for (let k = 1; k < tapes.length; k++) {
            tapes[k].vfProd(slot, tmp, t, y, params, parts[k].c);
            for (let m = 0; m < d; m++) out[m] += tmp[m];
          }
        },
        vjp(slot, dY, dParams, v) {
          let dt = tapes[0].vjp(slot, dY, dParams, v);
          for (let k = 1; k < tapes.length; k++) {
            dt += tapes[k].vjp(slot, dTmp, dParams, v);
            for (let m = 0; m < d; m++) dY[m] += dTmp[m];
          }
          return dt;
        },
      };
    },
  };
}
