/**
 * Option checks shared by the optimizers and schedules (internal, not re-exported). Each check is one
 * comparison on the happy path; the message, built only on failure, says what was expected and what came.
 */
import { TideError } from '../core/errors.ts';

/** Formats an offending option value for a message without dumping functions or large objects. */
export function fmtValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (v === undefined || v === null || typeof v === 'boolean') return String(v);
  return `a ${typeof v}`;
}

/** The BAD_OPTION error: `where: name must be expected, got value.` plus an optional hint. */
export function badOption(where: string, name: string, value: unknown, expected: string, hint = ''): TideError {
  return new TideError(
    'BAD_OPTION',
    `${where}: ${name} must be ${expected}, got ${fmtValue(value)}.${hint ? ' ' + hint : ''}`,
    { option: name, value: typeof value === 'number' || typeof value === 'boolean' ? value : fmtValue(value), expected },
  );
}

/**
 * Returns `value` if it is a number with `ok(value)` true, `fallback` if it is undefined, and throws BAD_OPTION
 * otherwise. `expected` reads after "must be", e.g. `'a finite number in [0, 1)'`.
 */
export function numberOption(
  where: string, name: string, value: unknown, fallback: number,
  ok: (v: number) => boolean, expected: string, hint = '',
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !ok(value)) throw badOption(where, name, value, expected, hint);
  return value;
}

/** Like numberOption for a required number: undefined is an error too. */
export function requiredNumber(
  where: string, name: string, value: unknown, ok: (v: number) => boolean, expected: string, hint = '',
): number {
  if (typeof value !== 'number' || !ok(value)) throw badOption(where, name, value, expected, hint);
  return value;
}

/** Returns `value` if boolean, `fallback` if undefined; throws BAD_OPTION otherwise. */
export function booleanOption(where: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw badOption(where, name, value, 'true or false');
  return value;
}

/** Throws BAD_OPTION unless `options` is undefined or a plain object (not an array, number or function). */
export function checkOptionsObject(where: string, options: unknown, example: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TideError(
      'BAD_OPTION',
      `${where}: options must be an object such as ${example}, got ${Array.isArray(options) ? 'an array' : fmtValue(options)}.`,
      { value: fmtValue(options) },
    );
  }
}

/** v is finite and > 0 (lr, eps, clipNorm, decaySteps). */
export const isFinitePositive = (v: number): boolean => v > 0 && v <= Number.MAX_VALUE;
/** v is finite and ≥ 0 (weightDecay, minLr). */
export const isFiniteNonNegative = (v: number): boolean => v >= 0 && v <= Number.MAX_VALUE;
/** v in [0, 1) (betas, momentum). */
export const isUnitOpen = (v: number): boolean => v >= 0 && v < 1;
/** v in [0, 1] (dampening). */
export const isUnitClosed = (v: number): boolean => v >= 0 && v <= 1;
/** v is an integer ≥ 1 (steps). */
export const isCount = (v: number): boolean => Number.isInteger(v) && v >= 1;
/** v is an integer ≥ 0 (warmupSteps). */
export const isCountOrZero = (v: number): boolean => Number.isInteger(v) && v >= 0;
