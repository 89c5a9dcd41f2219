/** Constants captured at trace time. */
import type { Shape } from '../array.ts';
import { NDArray, shapeSize } from '../array.ts';
import { TideError, fmtShape } from '../errors.ts';
import { ConstNode, activeTracer } from './node.ts';
import type { Node } from './node.ts';

/**
 * A constant Var holding a copy of `data` (a number, an NDArray, or a typed/plain array with `shape`).
 * Its value is fixed when traced: to feed data that changes between calls, make it an input instead.
 */
export function constant(data: number | NDArray | ArrayLike<number>, shape?: Shape): Node {
  const tracer = activeTracer('constant');
  if (typeof data === 'number') return new ConstNode(tracer, shape ?? [], new Array(shapeSize(shape ?? [])).fill(data));
  if (data instanceof NDArray) return new ConstNode(tracer, shape ?? data.shape, data.data);
  const s = shape ?? [data.length];
  if (shapeSize(s) !== data.length) throw new TideError('SHAPE', `constant: ${data.length} values do not fit shape ${fmtShape(s)}.`);
  return new ConstNode(tracer, s, data);
}
