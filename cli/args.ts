/**
 * Value parsers for the CLI's flags (commander calls them with the raw string). Each rejects a bad value with
 * commander's InvalidArgumentError, whose message commander prints after the flag's name; the message says what was
 * expected and gives an example, so `--steps 0` reads
 *   error: option '--steps <n>' argument '0' is invalid. Expected an integer ≥ 1 (training steps), e.g. --steps 200.
 */
import { InvalidArgumentError } from 'commander';

/** Closest of `valid` to `name` by edit distance, if it is close enough to be a typo. */
export function closest(name: string, valid: readonly string[]): string | undefined {
  let best: string | undefined, bestD = Infinity;
  for (const v of valid) {
    const a = name.toLowerCase(), b = v.toLowerCase();
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diag = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const up = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
        diag = up;
      }
    }
    if (row[b.length] < bestD) { bestD = row[b.length]; best = v; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** "Valid: a, b, c. Did you mean 'b'?" */
export function validList(name: string, valid: readonly string[]): string {
  const hint = closest(name, valid);
  return `Valid: ${valid.join(', ')}.${hint !== undefined ? ` Did you mean '${hint}'?` : ''}`;
}

/** An integer ≥ min. `what` says what the number counts, `example` is a good value. */
export function integer(flag: string, min: number, what: string, example: number): (raw: string) => number {
  return (raw) => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(v) || v < min) {
      throw new InvalidArgumentError(`Expected an integer ≥ ${min} (${what}), e.g. ${flag} ${example}.`);
    }
    return v;
  };
}

/** A finite number in (lo, hi] or [lo, hi] (`open` = exclude lo). */
export function number(flag: string, what: string, example: number, range: { lo?: number; hi?: number; open?: boolean } = {}): (raw: string) => number {
  const { lo = -Infinity, hi = Infinity, open = false } = range;
  const bounds = [
    Number.isFinite(lo) ? `${open ? '>' : '≥'} ${lo}` : '',
    Number.isFinite(hi) ? `≤ ${hi}` : '',
  ].filter(Boolean).join(' and ');
  return (raw) => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || (open ? v <= lo : v < lo) || v > hi) {
      throw new InvalidArgumentError(`Expected a finite number${bounds ? ` ${bounds}` : ''} (${what}), e.g. ${flag} ${example}.`);
    }
    return v;
  };
}

/** One of `valid`. */
export function oneOf(flag: string, valid: readonly string[], what: string): (raw: string) => string {
  return (raw) => {
    if (!valid.includes(raw)) throw new InvalidArgumentError(`Unknown ${what} '${raw}'. ${validList(raw, valid)}${closest(raw, valid) === undefined ? ` E.g. ${flag} ${valid[0]}.` : ''}`);
    return raw;
  };
}

/** A comma-separated list, each item one of `valid` (or any non-empty item when valid is null), no repeats. */
export function listOf(flag: string, valid: readonly string[] | null, what: string, example: string): (raw: string) => string[] {
  return (raw) => {
    const items = raw.split(',').map((s) => s.trim());
    if (items.some((s) => s === '')) throw new InvalidArgumentError(`Expected a comma-separated list of ${what} with no empty items, e.g. ${flag} ${example}.`);
    for (const s of items) {
      if (valid !== null && !valid.includes(s)) throw new InvalidArgumentError(`Unknown ${what.replace(/s$/, '')} '${s}'. ${validList(s, valid)} E.g. ${flag} ${example}.`);
    }
    if (new Set(items).size !== items.length) throw new InvalidArgumentError(`'${raw}' repeats an item; list each ${what.replace(/s$/, '')} once, e.g. ${flag} ${example}.`);
    return items;
  };
}

/** A comma-separated list of finite numbers, each checked by `one`. */
export function numberList(flag: string, one: (raw: string) => number, example: string): (raw: string) => number[] {
  return (raw) => {
    const items = raw.split(',');
    try { return items.map((s) => one(s.trim())); } catch (e) {
      throw new InvalidArgumentError(`${(e as Error).message.replace(/ e\.g\. .*$/, '')} Give one or more, comma-separated, e.g. ${flag} ${example}.`);
    }
  };
}

/** "min,max" with min < max. */
export function range(flag: string, what: string, example: string): (raw: string) => [number, number] {
  return (raw) => {
    const parts = raw.split(',').map((s) => Number(s.trim()));
    if (parts.length !== 2 || raw.split(',').some((s) => s.trim() === '') || !parts.every(Number.isFinite) || !(parts[0] < parts[1])) {
      throw new InvalidArgumentError(`Expected min,max with min < max (${what}), e.g. ${flag} ${example}.`);
    }
    return [parts[0], parts[1]];
  };
}

/** "NxM": two integers ≥ 2 with N·M ≤ maxPoints. */
export function gridSize(flag: string, example: string, maxPoints: number): (raw: string) => [number, number] {
  return (raw) => {
    const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/.exec(raw);
    const n = m ? [Number(m[1]), Number(m[2])] : [];
    if (!m || n[0] < 2 || n[1] < 2) throw new InvalidArgumentError(`Expected NxM, two integers ≥ 2 (points along Re z and Im z), e.g. ${flag} ${example}.`);
    if (n[0] * n[1] > maxPoints) throw new InvalidArgumentError(`${n[0]} × ${n[1]} = ${n[0] * n[1]} points is more than ${maxPoints}; use a coarser grid, e.g. ${flag} ${example}.`);
    return [n[0], n[1]];
  };
}
