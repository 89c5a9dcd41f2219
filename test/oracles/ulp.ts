/** Floating-point spacing helpers for accuracy tests and the activation bench. */

/** Spacing of doubles at |v| (the ulp of v); the smallest subnormal below the normal range. */
export function ulpOf(v: number): number {
  const a = Math.abs(v);
  if (a < 2.2250738585072014e-308) return 5e-324;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 52);
}
