/**
 * A neural ODE vector field from a float32 model (mlp(…, { dtype: 'float32' })), in mixed precision: the solver's
 * state, time, step sizes, error norms and controller, the accumulated parameter cotangents and the parameters the
 * optimizer updates stay float64; each evaluation rounds y and params to float32, runs the model's float32 kernels
 * (f32x4 WebAssembly for large layers), and widens f (or the VJP's dY and dParams) back to float64. This is the
 * usual mixed-precision split (Micikevicius et al., "Mixed Precision Training", ICLR 2018: float32 master weights
 * with float16 arithmetic; here float64 masters with float32 arithmetic): the arithmetic that dominates the cost
 * runs at float32 speed, while the accumulations that lose digits over many steps (y_{n+1} = y_n + h Σ b_i k_i,
 * Σ_n dParams_n) keep float64.
 *
 * Accuracy: f is the float32 network's, with relative rounding errors of order √(width)·2⁻²⁴ per layer, so a solve
 * reproduces the float64 model's solution to about 1e-7–1e-6 relative (measured on mlp([2, 50, 2]) and
 * mlp([16, 256, 16]) fields in test/integrate/float32-solve.test.ts, which asserts 1e-4 at rtol 1e-4 and 1e-5 at
 * rtol 1e-6) and tolerances below 1e-6 cannot be met against it (solve rejects rtol < FLOAT32_MIN_RTOL for a float32
 * field). Solves hold the parameters (VectorField.hold), so they are rounded once per solve rather than once per
 * evaluation. Every gradient method works (the field has vjp and a tape); gradients match the float64 model's to ~1e-6.
 */
import { TideError, fmtGot, rethrowUser } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { FieldTape } from '../core/field.ts';
import type { Model, ModelWorkspace } from './model.ts';
import type { ModelField } from './field.ts';

/**
 * Float32 copies of a float64 parameter vector, refreshed when the source array changes or on every forward eval,
 * except while `held` is the source (VectorField.hold: its values are promised unchanged).
 */
interface Params32 { src: Float64Array | null; p: Float32Array; held: Float64Array | null }

export function fieldFromModel32(model: Model, batch: number): ModelField {
  const where = `fieldFromModel (${model.name})`, what = `model ${model.name}`;
  const workspace = (): ModelWorkspace => {
    try { return model.workspace(batch); } catch (e) { return rethrowUser(where, what, 'workspace', e); }
  };
  const ws: ModelWorkspace = workspace();
  const dim = batch * model.inDim, paramCount = model.paramCount;
  const scratch = new Float64Array(dim);
  const y32 = new Float32Array(dim), out32 = new Float32Array(dim), v32 = new Float32Array(dim), dY32 = new Float32Array(dim);
  const dP32 = new Float32Array(paramCount);
  const P: Params32 = { src: null, p: new Float32Array(paramCount), held: null };
  const bad = (name: string, a: unknown, n: number, hint: string): TideError => (a instanceof Float64Array
    ? new TideError('SHAPE', `${model.name} field: ${name} has length ${a.length}; expected ${hint}.`, { name, expected: n, got: a.length })
    : new TideError('DTYPE', `${model.name} field: ${name} must be a Float64Array of length ${n}, got ${describe(a)}. A float32 model's field keeps the solver's state and parameters in float64 (mixed precision); pass Float64Arrays.`, { name }));
  const check = (y: unknown, params: unknown, out: unknown): void => {
    if (!(y instanceof Float64Array) || y.length !== dim) throw bad('y', y, dim, `batch ${batch} × ${model.inDim} = ${dim}`);
    if (!(params instanceof Float64Array) || params.length !== paramCount) throw bad('params', params, paramCount, `${paramCount} (the model's paramCount)`);
    if (out !== undefined && out !== null && (!(out instanceof Float64Array) || out.length !== dim)) throw bad('out', out, dim, `batch ${batch} × ${model.outDim} = ${dim}`);
  };
  const checkCot = (dY: unknown, dParams: unknown, v: unknown): void => {
    if (!(dY instanceof Float64Array) || dY.length !== dim) throw bad('dY', dY, dim, `${dim} (the state's length)`);
    if (!(v instanceof Float64Array) || v.length !== dim) throw bad('v', v, dim, `${dim} (the state's length)`);
    if (dParams !== null && (!(dParams instanceof Float64Array) || dParams.length !== paramCount)) throw bad('dParams', dParams, paramCount, `${paramCount} (the model's paramCount), or null`);
  };
  /** The float32 parameters for params: converted on every forward (params may change in place between solves). */
  const params32 = (params: Float64Array, refresh: boolean): Float32Array => {
    if (params === P.held) return P.p;
    if (refresh || P.src !== params) { P.p.set(params); P.src = params; P.held = null; }
    return P.p;
  };
  const apply = (out: Float32Array, p: Float32Array, y: Float32Array, w: ModelWorkspace, t: number): void => {
    try { model.apply(out, p, y, w, t); } catch (e) { rethrowUser(where, what, 'forward (apply)', e, { t }); }
  };
  /** Pulls v back through the last apply on w; widens dY, adds dParams in float64. */
  const pull = (dParams: Float64Array | null, dY: Float64Array, v: Float64Array, p: Float32Array, y: Float32Array,
    w: ModelWorkspace, t: number): number => {
    v32.set(v);
    if (dParams !== null) dP32.fill(0);
    let dt: number;
    try { dt = model.vjp(dParams !== null ? dP32 : null, dY32, v32, p, y, w, t); } catch (e) { return rethrowUser(where, what, 'vjp', e, { t }); }
    dY.set(dY32);
    if (dParams !== null) for (let i = 0; i < paramCount; i++) dParams[i] += dP32[i];
    return dt;
  };
  return {
    dim, paramCount, name: model.name, model, batch, dtype: 'float32',
    hold(params: Float64Array | null): void {
      if (params === null) { P.held = null; return; }
      if (!(params instanceof Float64Array) || params.length !== paramCount) throw bad('params', params, paramCount, `${paramCount} (the model's paramCount)`);
      P.p.set(params); P.src = params; P.held = params;
    },
    eval(out: Float64Array, t: number, y: Float64Array, params: Float64Array): void {
      check(y, params, out);
      y32.set(y);
      apply(out32, params32(params, true), y32, ws, t);
      out.set(out32);
    },
    vjp(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array,
      params: Float64Array, fOut?: Float64Array): number {
      check(y, params, fOut);
      checkCot(dY, dParams, v);
      y32.set(y);
      const p = params32(params, true);
      apply(out32, p, y32, ws, t);
      (fOut ?? scratch).set(out32);
      return pull(dParams, dY, v, p, y32, ws, t);
    },
    tape(slots: number): FieldTape {
      if (!Number.isInteger(slots) || slots < 1) throw new TideError('BAD_ARGUMENT', `${model.name} field.tape: slots must be an integer ≥ 1, got ${fmtGot(slots)}.`);
      // Per slot: a model workspace, the float32 input and output (the model may keep a reference to its output).
      const wss = Array.from({ length: slots }, workspace);
      const ys = Array.from({ length: slots }, () => new Float32Array(dim));
      const outs = Array.from({ length: slots }, () => new Float32Array(dim));
      const ts = new Float64Array(slots);
      const ps: Float64Array[] = new Array<Float64Array>(slots).fill(scratch);
      const checkSlot = (slot: number): void => {
        if (!(slot >= 0 && slot < slots) || (slot | 0) !== slot) throw new TideError('BAD_ARGUMENT', `${model.name} field: tape slot ${fmtGot(slot)} does not exist; slots are 0 … ${slots - 1}.`);
      };
      return {
        slots,
        eval(slot, out, t, y, params) {
          checkSlot(slot);
          check(y, params, out);
          ys[slot].set(y); ts[slot] = t; ps[slot] = params;
          apply(outs[slot], params32(params, true), ys[slot], wss[slot], t);
          out.set(outs[slot]);
        },
        vjp(slot, dY, dParams, v) {
          checkSlot(slot);
          checkCot(dY, dParams, v);
          // params are unchanged between eval and vjp (FieldTape's contract): reconvert only if another array.
          return pull(dParams, dY, v, params32(ps[slot], false), ys[slot], wss[slot], ts[slot]);
        },
      };
    },
  };
}
