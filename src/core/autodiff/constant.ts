/** Constants captured at trace time. */
import type { Shape } from '../array.ts';
import { NDArray, shapeSize } from '../array.ts';
import { TideError, fmtShape, fmtGot, firstNonFinite } from '../errors.ts';
import { ConstNode, activeTracer } from './node.ts';
import type { Node } from './node.ts';

/**
 * A constant Var holding a copy of `data` (a number, an NDArray, or a typed/plain array with `shape`).
 * Its value is fixed when traced: to feed data that changes between calls, make it an input instead.
 */
export function constant(data: number | NDArray | ArrayLike<number>, shape?: Shape): Node {
  const tracer = activeTracer('constant');
  if (typeof data === 'number') {
    if (data - data !== 0) throw new TideError('NONFINITE', `constant: the value is ${data}; constants must be finite.`);
    return new ConstNode(tracer, shape ?? [], new Array(shapeSize(shape ?? [], 'constant')).fill(data));
  }
  if (data instanceof NDArray) {
    if (shape !== undefined && shapeSize(shape, 'constant') !== data.size) throw new TideError('SHAPE', `constant: ${data.size} values do not fit shape ${fmtShape(shape)}.`);
    checkValues(data.data);
    return new ConstNode(tracer, shape ?? data.shape, data.data);
  }
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new TideError('BAD_ARGUMENT', `constant: data must be a number, an NDArray or an array of numbers (with an optional shape), got ${fmtGot(data)}.`);
  }
  checkValues(data);
  const s = shape ?? [data.length];
  if (shapeSize(s, 'constant') !== data.length) throw new TideError('SHAPE', `constant: ${data.length} values do not fit shape ${fmtShape(s)}.`);
  return new ConstNode(tracer, s, data);
}

function checkValues(data: ArrayLike<number>): void {
  const i = firstNonFinite(data);
  if (i >= 0) {
    const v = data[i];
    throw new TideError(typeof v === 'number' ? 'NONFINITE' : 'BAD_ARGUMENT', `constant: value ${i} is ${fmtGot(v)}; constants must be finite numbers.`, { index: i });
  }
}
