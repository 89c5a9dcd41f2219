/**
 * The machinery every optimizer shares (internal, not re-exported): the lr schedule, binding to a parameter
 * count on the first step (moment buffers allocated there, once), the finiteness check and clipNorm before the
 * update, and plain-JSON state. A concrete optimizer supplies only its buffer names and `update`, the loop of its
 * paper's equations. Order inside step(): array types and shapes → gradient norm (finite check) → params finite →
 * clip → lr → update → stepCount, so a throw leaves params, moments and stepCount untouched.
 */
import { TideError, firstNonFinite, checkOptionKeys, fmtGot } from '../core/errors.ts';
import type { CommonOptions, Optimizer, OptimizerState } from './optimizer.ts';
import { toSchedule, type Schedule } from './schedules.ts';
import { gradNorm, scaleToNorm } from './clip.ts';
import { checkOptionsObject, fmtValue, isFinitePositive, numberOption } from './check.ts';

/** Parsed common options. clipNorm = Infinity means no clipping. */
export interface CommonParsed { schedule: Schedule; clipNorm: number }

/**
 * Checks the options object and its keys, then parses `lr` and `clipNorm` (internal).
 * @throws TideError('BAD_OPTION') for a non-object, an unknown key, or a bad lr / clipNorm.
 */
export function parseCommon(where: string, options: unknown, keys: readonly string[], defaultLr: number): CommonParsed {
  checkOptionsObject(where, options, `{ lr: ${defaultLr} }`);
  checkOptionKeys(where, options as object | undefined, keys);
  const o = (options ?? {}) as CommonOptions;
  const schedule = toSchedule(where, o.lr, defaultLr);
  const clipNorm = numberOption(where, 'clipNorm', o.clipNorm, Infinity, isFinitePositive, 'a finite number > 0',
    'Leave it out for no clipping; 1 is a common choice.');
  return { schedule, clipNorm };
}

/** Base class of the optimizers (internal; the public type is {@link Optimizer}). */
export abstract class OptimizerBase implements Optimizer {
  readonly name: string;
  private readonly schedule: Schedule;
  private readonly clipNorm: number;
  private readonly bufferNames: readonly string[];
  private t = 0;        // completed updates
  private n = -1;       // bound parameter count; -1 before the first step
  /** Moment buffers in the order of bufferNames, each of length n; empty until bound. */
  protected buf: Float64Array[] = [];

  protected constructor(name: string, common: CommonParsed, bufferNames: readonly string[]) {
    this.name = name;
    this.schedule = common.schedule;
    this.clipNorm = common.clipNorm;
    this.bufferNames = bufferNames;
  }

  /**
   * One update of params from grads at update index t = stepCount + 1 (for bias corrections) with learning
   * rate lr ≥ 0. grads are finite and already clipped. Must allocate nothing.
   */
  protected abstract update(params: Float64Array, grads: Readonly<Float64Array>, lr: number, t: number): void;

  get stepCount(): number { return this.t; }

  learningRate(): number { return this.schedule(this.t); }

  step(params: Float64Array | Float32Array, grads: Float64Array | Float32Array): number {
    if (params instanceof Float32Array && grads instanceof Float32Array) return this.step32(params, grads);
    if (!(params instanceof Float64Array) || !(grads instanceof Float64Array)) throw this.notArrays(params, grads);
    return this.step64(params, grads);
  }

  /** Float64 staging copies of float32 params and grads (allocated on the first float32 step). */
  private p64 = new Float64Array(0);
  private g64 = new Float64Array(0);

  /**
   * A step on float32 params (a float32 model trained directly): the update runs in float64 on staging copies,
   * with float64 moment buffers, and the result is rounded into params once. The update code stays monomorphic
   * (it only ever sees Float64Arrays), and the moments keep their digits; only the parameters are float32.
   * clipNorm scales the staging copy, not the caller's grads.
   */
  private step32(params: Float32Array, grads: Float32Array): number {
    const n = params.length;
    if (grads.length !== n) throw this.lengthMismatch(n, grads.length);
    if (this.p64.length !== n) { this.p64 = new Float64Array(n); this.g64 = new Float64Array(n); }
    this.p64.set(params); this.g64.set(grads);
    const lr = this.step64(this.p64, this.g64);
    params.set(this.p64);
    return lr;
  }

  private step64(params: Float64Array, grads: Float64Array): number {
    const n = params.length;
    if (grads.length !== n) throw this.lengthMismatch(n, grads.length);
    if (n !== this.n && this.n >= 0) throw this.countMismatch(n);
    const lr = this.schedule(this.t);
    if (!(lr >= 0 && lr <= Number.MAX_VALUE)) throw this.badLr(lr);
    // One pass gives the norm for clipNorm and the finiteness check: the sum of squares is NaN/Infinity
    // exactly when an entry is (or, for huge finite entries, when gradNorm says so and firstNonFinite clears it).
    const norm = gradNorm(grads);
    if (!(norm <= Number.MAX_VALUE)) {
      const i = firstNonFinite(grads);
      if (i >= 0) throw this.nonFinite(params, grads, i);
    }
    const p = firstNonFinite(params);
    if (p >= 0) throw this.nonFiniteParams(params, p);
    if (norm > this.clipNorm) scaleToNorm(grads, norm, this.clipNorm);
    if (this.n < 0) this.bind(n); // first step: allocate the moments once
    this.update(params, grads, lr, this.t + 1);
    this.t += 1;
    return lr;
  }

  reset(): void {
    this.t = 0;
    this.n = -1;
    this.buf = [];
  }

  state(): OptimizerState {
    const buffers: Record<string, number[]> = {};
    if (this.n >= 0) this.bufferNames.forEach((b, j) => { buffers[b] = Array.from(this.buf[j]); });
    return { name: this.name, stepCount: this.t, paramCount: this.n >= 0 ? this.n : null, buffers };
  }

  loadState(s: OptimizerState): void {
    const where = `${this.name}.loadState`;
    if (typeof s !== 'object' || s === null) throw badState(where, `expected an object from state(), got ${s === null ? 'null' : typeof s}`);
    if (s.name !== this.name) {
      throw badState(where, `the state was saved by '${String(s.name)}'; load it into optimizer('${String(s.name)}'), or call reset() on this one to start fresh`);
    }
    if (!(Number.isInteger(s.stepCount) && s.stepCount >= 0)) {
      throw badState(where, `stepCount must be an integer ≥ 0, got ${String(s.stepCount)}`);
    }
    const count = s.paramCount;
    if (!(count === null || (Number.isInteger(count) && count >= 0))) {
      throw badState(where, `paramCount must be null or an integer ≥ 0, got ${String(count)}`);
    }
    const buffers = s.buffers ?? {};
    const expected = count === null ? [] : this.bufferNames;
    const got = Object.keys(buffers);
    if (got.length !== expected.length || !expected.every((b) => got.includes(b))) {
      throw badState(where,
        `the state has buffers [${got.join(', ')}] but this ${this.name} expects [${expected.join(', ')}]` +
        (count === null ? ' before its first step' : '') + '; was it saved with other options (momentum, amsgrad)?');
    }
    const loaded: Float64Array[] = [];
    for (const b of expected) {
      const a = buffers[b];
      if (count === null || !Array.isArray(a) || a.length !== count) {
        throw badState(where, `buffer '${b}' must be an array of ${count} numbers, got ${Array.isArray(a) ? `length ${a.length}` : typeof a}`);
      }
      const f = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v: unknown = a[i];
        // JSON writes NaN and Infinity as null; Float64Array.from would turn null into 0 silently.
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw badState(where, `buffer '${b}'[${i}] is ${fmtValue(v)}; buffers must hold finite numbers (a state saved after a NaN cannot be resumed)`);
        }
        f[i] = v;
      }
      loaded.push(f);
    }
    this.t = s.stepCount;
    this.n = count === null ? -1 : count;
    this.buf = loaded;
  }

  /** First step (or first after reset/loadState of an empty state) binds n and allocates the buffers, once. */
  private bind(n: number): void {
    this.n = n;
    this.buf = this.bufferNames.map(() => new Float64Array(n));
  }

  private countMismatch(n: number): TideError {
    return new TideError(
      'SHAPE',
      `${this.name}: this optimizer was set up for ${this.n} parameters on its first step, got params of length ${n}. ` +
        'Create a new optimizer for the new model, or call reset() first (which forgets the moments).',
      { expected: this.n, got: n },
    );
  }

  private lengthMismatch(n: number, m: number): TideError {
    return new TideError(
      'SHAPE',
      `${this.name}: grads has length ${m} for params of length ${n}; they must match (one gradient entry per parameter).`,
      { params: n, grads: m },
    );
  }

  private nonFinite(params: Readonly<Float64Array>, grads: Readonly<Float64Array>, i: number): TideError {
    const p = firstNonFinite(params);
    const cause = p >= 0
      ? `params[${p}] is already ${params[p]}, so an earlier update diverged: restart from a checkpoint with a smaller lr or with clipNorm.`
      : 'params are finite, so the gradient computation produced it: pass clipNorm (e.g. clipNorm: 1) or use a smaller lr if the loss was growing.';
    return new TideError(
      'NONFINITE',
      `${this.name}: grads[${i}] is ${grads[i]} in update ${this.t + 1} (stepCount = ${this.t}); params were left unchanged. ${cause}`,
      { what: 'grads', index: i, value: grads[i], stepCount: this.t },
    );
  }

  private notArrays(params: unknown, grads: unknown): TideError {
    if ((params instanceof Float32Array && grads instanceof Float64Array) || (params instanceof Float64Array && grads instanceof Float32Array)) {
      return new TideError('DTYPE', `${this.name}.step: params is a ${params.constructor.name} but grads a ${grads.constructor.name}; both must be Float64Arrays, or both Float32Arrays (a float32 model's params and the dParams of its vjp).`, { what: 'grads' });
    }
    const [name, x] = params instanceof Float64Array || params instanceof Float32Array ? ['grads', grads] : ['params', params];
    return new TideError(
      'DTYPE',
      `${this.name}.step: ${name} must be a Float64Array (${name === 'grads' ? 'one entry per parameter' : 'updated in place'}), got ${fmtGot(x)}.` +
        (Array.isArray(x) ? ' Convert once with Float64Array.from(...) and keep training on that array.' : ''),
      { what: name },
    );
  }

  private nonFiniteParams(params: Readonly<Float64Array>, i: number): TideError {
    return new TideError(
      'NONFINITE',
      `${this.name}: params[${i}] is ${params[i]} before update ${this.t + 1} (stepCount = ${this.t}); params were left unchanged. ` +
        (this.t > 0 ? 'An earlier update or the code between updates diverged: restart from a checkpoint with a smaller lr or with clipNorm.'
          : 'Check the initialisation (model.init) or the loaded parameters.'),
      { what: 'params', index: i, value: params[i], stepCount: this.t },
    );
  }

  private badLr(lr: number): TideError {
    return new TideError(
      'BAD_OPTION',
      `${this.name}: the lr schedule returned ${lr} at step ${this.t}; a schedule must return a finite learning rate ≥ 0.`,
      { option: 'lr', value: lr, step: this.t },
    );
  }
}

function badState(where: string, what: string): TideError {
  return new TideError('BAD_ARGUMENT', `${where}: ${what}.`, {});
}
