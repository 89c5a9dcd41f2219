/**
 * One-ulp nudges of a time, for stepping across a tstop where f may jump (define f piecewise; which piece a time
 * belongs to depends on the side it is approached from): a step that lands on a stop evaluates f only strictly before
 * it, and the restarted step after it evaluates its first stage strictly after it, in the direction of travel.
 */

/** A time strictly before x in the direction dir (±1): one ulp of x away (diffrax's prevbefore). */
export function justBefore(x: number, dir: number): number {
  return x - dir * Math.max(Math.abs(x) * Number.EPSILON, Number.MIN_VALUE);
}

/** A time strictly after x in the direction dir (±1): one ulp of x away (diffrax's nextafter). */
export function justAfter(x: number, dir: number): number {
  return x + dir * Math.max(Math.abs(x) * Number.EPSILON, Number.MIN_VALUE);
}
