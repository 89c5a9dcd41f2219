/**
 * The one error type of tide. Every user-facing failure is a `TideError` with a machine-readable `code`,
 * structured `details` for programs, and a message for people that says what was wrong, what was
 * expected, and how to fix it (STYLE.md §5).
 */
export type TideErrorCode =
  | 'SHAPE'
  | 'DTYPE'
  | 'NONFINITE'
  | 'BAD_OPTION'
  | 'BAD_ARGUMENT'
  | 'MAX_STEPS'
  | 'STEP_UNDERFLOW'
  | 'UNKNOWN_NAME'
  | 'PARSE'
  | 'RECONSTRUCTION'
  | 'INTERNAL';

export class TideError extends Error {
  readonly code: TideErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: TideErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'TideError';
    this.code = code;
    this.details = details;
  }
}

/** Formats a shape as `[16, 2]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A broken invariant inside tide, never the user's fault. */
export function internalError(where: string, what: string): TideError {
  return new TideError('INTERNAL', `internal error in tide (${where}: ${what}); please report the call that led here`, { where });
}

/** Levenshtein distance, used for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    const tmp = prev; prev = cur; cur = tmp;
  }
  return prev[n];
}

/** The closest of `valid` to `name`, if it is close enough to be a plausible typo. */
export function didYouMean(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const v of valid) {
    const d = editDistance(name.toLowerCase(), v.toLowerCase());
    if (d < bestD) { bestD = d; best = v; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Error for a name that is not one of `valid` (method, activation, option, ...). */
export function unknownName(where: string, kind: string, name: string, valid: readonly string[]): TideError {
  const hint = didYouMean(name, valid);
  return new TideError(
    'UNKNOWN_NAME',
    `${where}: unknown ${kind} '${name}'. Valid: ${valid.join(', ')}.${hint ? ` Did you mean '${hint}'?` : ''}`,
    { name, valid: [...valid] },
  );
}

/**
 * Rejects option keys that are not in `valid`, so a typo (`rtoll`) is an error rather than silently ignored.
 */
export function checkOptionKeys(where: string, options: object | undefined, valid: readonly string[]): void {
  if (options === undefined || options === null) return;
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) {
      const hint = didYouMean(key, valid);
      throw new TideError(
        'BAD_OPTION',
        `${where}: unknown option '${key}'. Valid: ${valid.join(', ')}.${hint ? ` Did you mean '${hint}'?` : ''}`,
        { option: key, valid: [...valid] },
      );
    }
  }
}

/** Index of the first non-finite entry of `a`, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v - v !== 0) return i; // NaN - NaN and Inf - Inf are NaN; finite - finite is 0
  }
  return -1;
}

/** Throws a NONFINITE error naming `what` and the first bad index if `a` has NaN or Inf. */
export function checkFinite(where: string, what: string, a: ArrayLike<number>, hint = ''): void {
  const i = firstNonFinite(a);
  if (i >= 0) {
    throw new TideError(
      'NONFINITE',
      `${where}: ${what}[${i}] is ${a[i]}; ${what} must be finite.${hint ? ' ' + hint : ''}`,
      { what, index: i, value: a[i] },
    );
  }
}
