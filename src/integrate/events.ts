/**
 * Terminal events: stop the solve where a user function g(t, y) crosses zero.
 *
 * After every accepted step the loop evaluates g at (t_{n+1}, y_{n+1}). A sign change against g(t_n, y_n) (rising:
 * g_n < 0 ≤ g_{n+1}; falling: g_n > 0 ≥ g_{n+1}) is located inside the step on the dense output with the Illinois
 * variant of regula falsi (Dowell & Jarratt, BIT 11 (1971) 168–174) applied to θ ↦ g(t_n + θh, y(θ)), until the
 * bracket is below 1e-12·max(|t_n|, |t_{n+1}|, |h|) in t. The solve stops at the end of the final bracket (just past
 * the crossing, so g has changed sign there) with the interpolated state. A step with several crossings stops at
 * the earliest. A g that is exactly 0 at the start of a step is not a crossing (so a solve may start on g = 0).
 * Crossings are seen only as sign changes between step ends: two zeros inside one step cancel out. If g can
 * oscillate faster than the solution (e.g. g depends on t alone), bound the step with `maxStep`.
 */
import { TideError } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import { evalDense } from '../solvers/dense/polynomial.ts';

/** A terminal event. */
export interface EventSpec {
  /**
   * g(t, y): the solve stops where it crosses zero. y is a buffer reused between calls: read it, do not keep it.
   * Must return a finite number.
   */
  readonly condition: (t: number, y: Readonly<Float64Array>) => number;
  /** Which crossings count: 'rising' (− to +), 'falling' (+ to −) or 'either' (default). */
  readonly direction?: 'rising' | 'falling' | 'either';
  /** For messages and EventInfo. */
  readonly name?: string;
}

/**
 * The event that stopped a solve.
 * @property name the event's `name`, or 'event <index>' when it has none.
 */
export interface EventInfo {
  /** Index into the `events` option (0 for a single event). */
  readonly index: number;
  readonly name: string;
  /** Located crossing time. */
  readonly t: number;
  /** State at t (a copy). */
  readonly y: Float64Array;
}

const EVENT_KEYS = ['condition', 'direction', 'name'];

/**
 * Checks the `events` option (one spec or an array).
 * @throws TideError('BAD_OPTION') for a spec without a condition function or with a bad direction.
 */
export function resolveEvents(where: string, events: EventSpec | readonly EventSpec[] | undefined): readonly EventSpec[] {
  if (events === undefined) return [];
  const list = Array.isArray(events) ? (events as readonly EventSpec[]) : [events as EventSpec];
  list.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || typeof e.condition !== 'function') {
      throw new TideError('BAD_OPTION', `${where}: events[${i}] must be { condition: (t, y) => number, direction?, name? }, got ${describe(e)}.`, { option: 'events' });
    }
    for (const key of Object.keys(e)) {
      if (!EVENT_KEYS.includes(key)) throw new TideError('BAD_OPTION', `${where}: events[${i}] has unknown key '${key}'. Valid: ${EVENT_KEYS.join(', ')}.`, { option: 'events' });
    }
    if (e.direction !== undefined && e.direction !== 'rising' && e.direction !== 'falling' && e.direction !== 'either') {
      throw new TideError('BAD_OPTION', `${where}: events[${i}].direction must be 'rising', 'falling' or 'either', got ${describe(e.direction)}.`, { option: 'events' });
    }
  });
  return list;
}

/** Tracks the event functions along a solve; all scratch allocated once. */
export class EventTracker {
  private readonly gPrev: Float64Array;
  private gNew: Float64Array;
  private readonly dirs: Int8Array;
  private readonly yScratch: Float64Array;
  /** Index of the event found by the last `locate`. */
  hit = -1;

  constructor(private readonly where: string, private readonly specs: readonly EventSpec[], dim: number) {
    this.gPrev = new Float64Array(specs.length);
    this.gNew = new Float64Array(specs.length);
    this.dirs = new Int8Array(specs.length);
    specs.forEach((s, i) => { this.dirs[i] = s.direction === 'rising' ? 1 : s.direction === 'falling' ? -1 : 0; });
    this.yScratch = new Float64Array(dim);
  }

  private g(i: number, t: number, y: Readonly<Float64Array>): number {
    const v = this.specs[i].condition(t, y);
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const name = this.specs[i].name ? ` '${this.specs[i].name}'` : '';
      throw new TideError('NONFINITE', `${this.where}: event ${i}${name} returned ${describe(v)} at t = ${t}; an event condition must return a finite number.`, { event: i, t });
    }
    return v;
  }

  /** Evaluates every g at the start of the solve. */
  start(t0: number, y0: Readonly<Float64Array>): void {
    for (let i = 0; i < this.specs.length; i++) this.gPrev[i] = this.g(i, t0, y0);
  }

  private crosses(i: number): boolean {
    const a = this.gPrev[i], b = this.gNew[i], d = this.dirs[i];
    if (a < 0 && b >= 0) return d >= 0;
    if (a > 0 && b <= 0) return d <= 0;
    return false;
  }

  /** Evaluates every g at the end of an accepted step; true if any crossed zero. */
  detect(tNew: number, yNew: Readonly<Float64Array>): boolean {
    let any = false;
    for (let i = 0; i < this.specs.length; i++) {
      this.gNew[i] = this.g(i, tNew, yNew);
      if (this.crosses(i)) any = true;
    }
    return any;
  }

  /** After a step without a crossing: the end values become the next start values. */
  advance(): void {
    this.gPrev.set(this.gNew);
  }

  /**
   * Locates the earliest crossing inside the step (t, h) whose dense coefficients are `coef` (width n-vectors).
   * Sets `hit` and returns θ* in (0, 1]; the state there is evalDense(·, θ*, coef, width), or y_{n+1} when θ* = 1.
   */
  locate(t: number, h: number, coef: Readonly<Float64Array>, width: number): number {
    const tolTheta = (1e-12 * Math.max(Math.abs(t), Math.abs(t + h), Math.abs(h))) / Math.abs(h);
    let best = Infinity;
    this.hit = -1;
    for (let i = 0; i < this.specs.length; i++) {
      if (!this.crosses(i)) continue;
      const theta = this.gNew[i] === 0 ? 1 : this.illinois(i, t, h, coef, width, tolTheta);
      if (theta < best) { best = theta; this.hit = i; }
    }
    return best;
  }

  /** Illinois regula falsi for g_i on θ ∈ [0, 1]; returns the right end of the final bracket. */
  private illinois(i: number, t: number, h: number, coef: Readonly<Float64Array>, width: number, tol: number): number {
    const y = this.yScratch;
    let a = 0, b = 1, ga = this.gPrev[i], gb = this.gNew[i];
    let side = 0;
    for (let iter = 0; iter < 200 && b - a > tol; iter++) {
      let c = (a * gb - b * ga) / (gb - ga);
      // Regula falsi can stall at an end; bisect then.
      if (!(c > a && c < b)) c = 0.5 * (a + b);
      const gc = this.g(i, t + c * h, evalDense(y, c, coef, width));
      if (gc === 0) return c;
      if ((gc > 0) === (gb > 0)) {
        b = c; gb = gc;
        // Two moves of the same end in a row: halve the other end's value (the Illinois step).
        if (side === -1) ga *= 0.5;
        side = -1;
      } else {
        a = c; ga = gc;
        if (side === 1) gb *= 0.5;
        side = 1;
      }
    }
    return b;
  }
}
