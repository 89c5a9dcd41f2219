/**
 * The control term dy = f(t, y) dX(t) of a controlled differential equation (Kidger et al., NeurIPS 2020, eq. (4)):
 * f(t, y) is a d × m matrix (row-major, f[i·m + j]) and X an m-dimensional path; the increment over a step is the
 * matrix–vector product f(t, y)·ΔX. With `diagonal: true` f returns d numbers and the product is element-wise
 * (m = d), the usual diagonal-noise SDE.
 *
 * Pullback: with V = v ⊗ ΔX (V_ij = v_i ΔX_j; diagonal: V_i = v_i ΔX_i), (∂(fΔX)/∂·)ᵀ v = (∂f/∂·)ᵀ V, so the matrix
 * field's own VJP with cotangent V gives every derivative.
 */
import { TideError, checkOptionKeys } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { ControlPath } from './paths.ts';
import type { Term, TermTape } from './term.ts';

/**
 * A matrix-valued field f(t, y, params) ∈ R^{d×m} (or R^d with diagonal: true), with an optional VJP.
 * @property paramCount length of the flat parameter vector.
 * @property name description for messages.
 */
export interface MatrixField {
  /** State length d. */
  readonly dim: number;
  /** Control length m (= dim for a diagonal field). */
  readonly controlDim: number;
  readonly paramCount: number;
  readonly name?: string;
  /** out (length d·m, or d if diagonal) = f(t, y, params). */
  eval(out: Float64Array, t: number, y: Readonly<Float64Array>, params: Readonly<Float64Array>): void;
  /** dY = (∂f/∂y)ᵀ V (overwrite), dParams += (∂f/∂params)ᵀ V (unless null), returns (∂f/∂t)ᵀ V; V has f's layout. */
  vjp?(dY: Float64Array, dParams: Float64Array | null, V: Readonly<Float64Array>, t: number, y: Readonly<Float64Array>,
    params: Readonly<Float64Array>): number;
}

/** Options of {@link controlTerm}; unknown keys throw TideError('BAD_OPTION'). */
export interface ControlTermOptions {
  /** f returns d numbers and multiplies ΔX element-wise (m = d). Default false. */
  diagonal?: boolean;
  /** Name for messages. */
  name?: string;
}

/**
 * The term f(t, y)·dX for a matrix field and a control path (CDE), or for a diffusion and a Brownian path.
 * @throws TideError('SHAPE') when the path's dimension is not f's control dimension.
 */
export function controlTerm(f: MatrixField, path: ControlPath, options: ControlTermOptions = {}): Term {
  if (typeof f !== 'object' || f === null || typeof f.eval !== 'function' || !Number.isInteger(f.dim) || !Number.isInteger(f.controlDim)) {
    throw new TideError('BAD_ARGUMENT', `controlTerm: f must be a MatrixField { dim, controlDim, paramCount, eval(out, t, y, params), vjp? }, got ${describe(f)}.`);
  }
  if (typeof path !== 'object' || path === null || typeof path.increment !== 'function') {
    throw new TideError('BAD_ARGUMENT', `controlTerm: path must be a ControlPath (linearPath, brownianPath), got ${describe(path)}.`);
  }
  checkOptionKeys('controlTerm', options, ['diagonal', 'name']);
  const diagonal = options.diagonal ?? false;
  if (typeof diagonal !== 'boolean') throw new TideError('BAD_OPTION', `controlTerm: diagonal must be true or false, got ${describe(diagonal)}.`, { option: 'diagonal' });
  const d = f.dim, m = f.controlDim;
  if (diagonal && m !== d) throw new TideError('SHAPE', `controlTerm: a diagonal field needs controlDim = dim (${d}), got ${m}.`);
  if (path.dim !== m) throw new TideError('SHAPE', `controlTerm: the path has dimension ${path.dim} but f's control dimension is ${m}; they must match.`);
  const width = diagonal ? d : d * m;
  const G = new Float64Array(width), V = new Float64Array(width);
  const name = options.name ?? f.name ?? 'f·dX';
  const prod = (out: Float64Array, g: Readonly<Float64Array>, c: Readonly<Float64Array>): void => {
    if (diagonal) { for (let i = 0; i < d; i++) out[i] = g[i] * c[i]; return; }
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += g[i * m + j] * c[j];
      out[i] = s;
    }
  };
  const outer = (v: Readonly<Float64Array>, c: Readonly<Float64Array>): Float64Array => {
    if (diagonal) { for (let i = 0; i < d; i++) V[i] = v[i] * c[i]; return V; }
    for (let i = 0; i < d; i++) for (let j = 0; j < m; j++) V[i * m + j] = v[i] * c[j];
    return V;
  };
  const needVjp = (): void => {
    if (typeof f.vjp !== 'function') throw new TideError('BAD_ARGUMENT', `gradient: the field '${name}' of a control term has no vjp, so gradients cannot be computed. Give it a vjp method.`);
  };
  return {
    dim: d, paramCount: f.paramCount, name, controlDim: m, ode: null, differentiable: typeof f.vjp === 'function',
    control(out, ta, tb) { path.increment(out, ta, tb); },
    vfProd(out, t, y, params, control) { f.eval(G, t, y, params); prod(out, G, control); },
    vfProdVjp(dY, dParams, v, t, y, params, control) { needVjp(); return f.vjp!(dY, dParams, outer(v, control), t, y, params); },
    tape(slots: number): TermTape {
      // No activations to keep for a generic matrix field: store the point and re-evaluate inside its vjp.
      const ys = Array.from({ length: slots }, () => new Float64Array(d));
      const cs = Array.from({ length: slots }, () => new Float64Array(m));
      const ts = new Float64Array(slots);
      let ps: Readonly<Float64Array> = new Float64Array(0);
      return {
        slots,
        vfProd(slot, out, t, y, params, control) {
          ys[slot].set(y); cs[slot].set(control); ts[slot] = t; ps = params;
          f.eval(G, t, y, params); prod(out, G, control);
        },
        vjp(slot, dY, dParams, v) { needVjp(); return f.vjp!(dY, dParams, outer(v, cs[slot]), ts[slot], ys[slot], ps); },
      };
    },
  };
}
