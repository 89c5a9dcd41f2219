/**
 * Plain right-hand sides and the checked first evaluation of user fields.
 *
 * A plain function is taken in one of two forms:
 *   (out, t, y, params) => void   writes f into out (no allocation; the form every tide field uses), or
 *   (t, y) => ArrayLike<number>   SciPy's form, recognised by its two declared parameters: convenient, at the price of
 *                                 one copy (and the caller's allocation) per evaluation.
 * The first evaluation of every user field (once per field object) is checked: it must write every entry of out,
 * leave y unchanged, and not return an array while leaving out unwritten (a (t, y) => array function with a third
 * parameter) — each with a message that says how to fix it, instead of a solve that silently returns y0.
 */
import { TideError } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import { fieldFromFunction, type FieldFunction, type VectorField } from '../core/field.ts';

/** A SciPy-style right-hand side: returns f(t, y). */
export type ReturningFunction = (t: number, y: Readonly<Float64Array>) => ArrayLike<number>;

const checked = new WeakSet<object>();

/** Marks a field tide built itself (augmented adjoint fields): no first-evaluation check. */
export function trustField<T extends object>(field: T): T { checked.add(field); return field; }

/** A VectorField from a plain function in either form (see the file header). */
export function fieldFromPlain(fn: FieldFunction | ReturningFunction, dim: number, paramCount: number): VectorField {
  const name = fn.name || 'f';
  if (fn.length !== 2) return fieldFromFunction(fn as FieldFunction, dim, paramCount, name);
  const g = fn as ReturningFunction;
  return {
    dim, paramCount, name,
    eval(out, t, y) {
      const r = g(t, y);
      if (r === null || typeof r !== 'object' || typeof (r as ArrayLike<number>).length !== 'number' || r.length !== dim) {
        throw new TideError('SHAPE', `solve: f declared as (t, y) must return an array of ${dim} numbers (the state's length), got ${describe(r)}.`, { expected: dim });
      }
      for (let i = 0; i < dim; i++) out[i] = r[i];
    },
  };
}

const SENTINEL_A = 1.2345678901234567e300, SENTINEL_B = -9.876543210987654e299;

/**
 * Evaluates a user field once at (t0, y0) and checks how it treats out and y (once per field object).
 * @throws TideError('BAD_ARGUMENT') naming what the field did wrong and the fix.
 */
export function checkFirstEvaluation(where: string, field: VectorField, t0: number, y0: Readonly<Float64Array>, params: Readonly<Float64Array>): void {
  if (checked.has(field)) return;
  const n = field.dim, name = field.name ?? 'f';
  const y = Float64Array.from(y0 as Float64Array), out = new Float64Array(n).fill(SENTINEL_A);
  const ret: unknown = field.eval(out, t0, y, params as Float64Array);
  for (let i = 0; i < n; i++) {
    if (!Object.is(y[i], y0[i])) {
      throw new TideError('BAD_ARGUMENT', `${where}: the field '${name}' changed its input y (y[${i}] was ${y0[i]}, became ${y[i]}) in its first evaluation at t = ${t0}. Treat y as read-only: write f into out and copy y first if you need scratch space.`, { index: i });
    }
  }
  const unwritten: number[] = [];
  for (let i = 0; i < n; i++) if (out[i] === SENTINEL_A) unwritten.push(i);
  if (unwritten.length > 0 && ret !== undefined && ret !== out && typeof ret === 'object' && ret !== null && typeof (ret as ArrayLike<number>).length === 'number') {
    throw new TideError('BAD_ARGUMENT', `${where}: the field '${name}' returned an array and left out unwritten. tide calls a plain function as (out, t, y, params) => void, writing f into out (out[i] = …); a function declared with exactly two parameters, (t, y) => array, is taken as returning f (one copy per call).`, { unwritten: unwritten.length });
  }
  if (unwritten.length > 0) {
    // A second evaluation with another fill tells unwritten entries from a value that happened to equal the first fill.
    out.fill(SENTINEL_B);
    field.eval(out, t0, y, params as Float64Array);
    const still = unwritten.filter((i) => out[i] === SENTINEL_B);
    if (still.length > 0) {
      const list = still.slice(0, 5).map((i) => `out[${i}]`).join(', ') + (still.length > 5 ? `, … (${still.length} of ${n})` : '');
      throw new TideError('BAD_ARGUMENT', `${where}: the field '${name}' left ${list} unwritten in its first evaluation at t = ${t0}; it must write every one of the ${n} entries of out (f has the state's shape). ${still.length === n ? 'Did it return its result instead of writing it? Write into out, or declare it as (t, y) => array.' : 'Check the loop bounds of f.'}`, { unwritten: still.length });
    }
  }
  checked.add(field);
}
