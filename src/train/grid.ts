/**
 * A minibatch's time grid (t0, t1, saveAt) compared by value, so that a training loop reuses its prepared solve while
 * the grid stays the same and prepares it again when the grid changes (fit's batch hook, a shard's batch hook).
 * Core code.
 */
import type { SaveAtOptions } from '../integrate/save-at.ts';

/** The parts of a batch that fix the solve's time grid; absent fields mean the solve options' own. */
export interface TimeGrid {
  readonly t0?: number;
  readonly t1?: number;
  readonly saveAt?: SaveAtOptions;
}

/** A copy of saveAt with its arrays copied, so that a ts edited in place by the batch hook reads as a change. */
export function copyGrid(sa: SaveAtOptions): SaveAtOptions {
  const c: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sa)) c[k] = v instanceof Float64Array ? v.slice() : Array.isArray(v) ? v.slice() : v;
  return c as SaveAtOptions;
}

/** Same time grid: t0, t1 and saveAt equal by value (saveAt compared by its ts and flags). */
export function sameGrid(a: TimeGrid | undefined, b: TimeGrid | undefined): boolean {
  if (a === b) return true;
  if (a?.t0 !== b?.t0 || a?.t1 !== b?.t1) return false;
  const sa = a?.saveAt, sb = b?.saveAt;
  if (sa === sb) return true;
  if (sa === undefined || sb === undefined) return false;
  const ka = Object.keys(sa), kb = Object.keys(sb);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    const x = (sa as Record<string, unknown>)[k], y = (sb as Record<string, unknown>)[k];
    if (x === y) continue;
    if ((x instanceof Float64Array || Array.isArray(x)) && (y instanceof Float64Array || Array.isArray(y)) && x.length === y.length) {
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      continue;
    }
    return false;
  }
  return true;
}
