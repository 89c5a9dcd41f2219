/**
 * The one error type of tide. Every user-facing failure is a `TideError` with a machine-readable `code`,
 * structured `details` for programs, and a message for people that says what was wrong, what was
 * expected, and how to fix it.
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
  | 'UNSTABLE'
  | 'USER_FUNCTION'
  | 'INTERNAL';

/** Marks TideErrors across copies of the package (its ESM build and CommonJS bundle each define the class). */
const TIDE_ERROR = Symbol.for('tidediff.TideError');

/**
 * The error every tide failure throws: `code` for programs to branch on, `details` with the values involved, and a
 * message that says what was wrong, what was expected and how to fix it. `cause` holds a wrapped error (for
 * USER_FUNCTION: the exception the user's function threw).
 * @property code what kind of failure it is (see {@link TideErrorCode}).
 * @property details structured context: the option or argument name, expected and actual values, the step or time.
 */
export class TideError extends Error {
  /** `x instanceof TideError` holds for a TideError of any copy of the package loaded in the same realm. */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[TIDE_ERROR] === true;
  }
  readonly code: TideErrorCode;
  readonly details: Readonly<Record<string, unknown>>;
  /** `options.cause`: the error this one wraps (a user's exception, or a lower-level failure). */
  constructor(code: TideErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message);
    Object.defineProperty(this, TIDE_ERROR, { value: true });
    if (options !== undefined && 'cause' in options) Object.defineProperty(this, 'cause', { value: options.cause, writable: true, configurable: true });
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
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new TideError('BAD_OPTION', `${where}: options must be an object (with keys among ${valid.join(', ') || 'none'}), got ${fmtGot(options)}.`, { got: fmtGot(options) });
  }
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

/** A short description of a value for messages: `null`, `undefined`, `42`, `'x'`, `a plain array of length 2`, `a function`. */
export function fmtGot(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'undefined';
  if (typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') return String(x);
  if (typeof x === 'string') return `'${x.length > 40 ? x.slice(0, 40) + '…' : x}'`;
  if (typeof x === 'function') return 'a function';
  if (Array.isArray(x)) return `a plain array of length ${x.length}`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} of length ${(x as unknown as ArrayLike<number>).length}`;
  const ctor = (x as object).constructor?.name;
  return ctor && ctor !== 'Object' ? `an object (${ctor})` : 'an object';
}

/**
 * Rejects anything but undefined or a plain object as an options argument, then unknown keys (with "did you mean").
 * `example` is a valid call's options, shown in the message, e.g. `{ shape: [16, 2] }`.
 */
export function checkOptions(where: string, options: unknown, valid: readonly string[], example: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new TideError('BAD_OPTION', `${where}: options must be an object such as ${example}, got ${fmtGot(options)}.`, { got: fmtGot(options) });
  }
  checkOptionKeys(where, options, valid);
}

/** Throws BAD_ARGUMENT unless `x` is a function; `signature` shows the expected form, e.g. `(t, y, p) => Var`. */
export function checkFunction(where: string, what: string, x: unknown, signature: string): void {
  if (typeof x !== 'function') {
    throw new TideError('BAD_ARGUMENT', `${where}: ${what} must be a function ${signature}, got ${fmtGot(x)}.`, { argument: what });
  }
}

/** Throws `code` (default SHAPE) unless `x` is an integer ≥ `min`; returns x. */
export function checkInteger(where: string, what: string, x: unknown, min: number, hint = '', code: TideErrorCode = 'SHAPE'): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min) {
    throw new TideError(code, `${where}: ${what} must be an integer ≥ ${min}, got ${fmtGot(x)}.${hint ? ' ' + hint : ''}`, { argument: what, got: fmtGot(x) });
  }
  return x;
}

/** Throws `code` (default BAD_ARGUMENT) unless `x` is a finite number; returns x. */
export function checkNumber(where: string, what: string, x: unknown, hint = '', code: TideErrorCode = 'BAD_ARGUMENT'): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new TideError(typeof x === 'number' ? 'NONFINITE' : code,
      `${where}: ${what} must be a finite number, got ${fmtGot(x)}.${hint ? ' ' + hint : ''}`, { argument: what, got: fmtGot(x) });
  }
  return x;
}

/**
 * The error for an exception thrown by user code that tide called (a traced function, a model's forward or vjp, a
 * loss): code USER_FUNCTION, the message names where, whose code and the phase (trace, forward, vjp, init, loss, …),
 * and `cause` is the original exception, so its stack points at the user's line.
 */
export function userFunctionError(where: string, what: string, phase: string, cause: unknown, details: Record<string, unknown> = {}): TideError {
  const inner = cause instanceof Error ? `${cause.name}: ${cause.message}` : `the value ${fmtGot(cause)}`;
  const e = new TideError('USER_FUNCTION',
    `${where}: ${what} threw during ${phase}: ${inner}. The exception came from that code, not from tide; error.cause holds the original with its stack.`,
    { ...details, phase, function: what });
  Object.defineProperty(e, 'cause', { value: cause, writable: true, configurable: true });
  return e;
}

/** Re-throws a TideError unchanged (it already says what was wrong), anything else as {@link userFunctionError}. */
export function rethrowUser(where: string, what: string, phase: string, e: unknown, details?: Record<string, unknown>): never {
  if (e instanceof TideError) throw e;
  throw userFunctionError(where, what, phase, e, details);
}
