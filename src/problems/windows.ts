/**
 * Minibatches of trajectory windows, as torchdiffeq's `examples/ode_demo.py` draws them (`get_batch`): for start
 * indices s_b into a saved trajectory, the window's initial states y(t_{s_b}) and its targets y(t_{s_b + first + k}),
 * k = 0 … points − 1, laid out as a batched solve saves them (row k holds every window's k-th target).
 */
import { TideError, checkInteger, fmtGot } from '../core/errors.ts';

/**
 * Fills y0Out [B, dim] with ys's rows starts[b] and targetOut [points, B, dim] with rows starts[b] + first + k
 * (first = 0 when the solve also saves its initial time, 1 when it does not). ys is [rows, dim] row-major.
 * Allocates nothing: call it per step with the same output arrays.
 * @throws TideError('SHAPE') when an output has the wrong length or a window runs past the last row of ys.
 */
export function fillWindows(ys: Readonly<Float64Array>, dim: number, starts: ArrayLike<number>, points: number,
  y0Out: Float64Array, targetOut: Float64Array, first = 0): void {
  checkInteger('fillWindows', 'dim', dim, 1, 'It is the length of one state (a row of ys).');
  checkInteger('fillWindows', 'points', points, 1, 'It is the number of target points per window.');
  checkInteger('fillWindows', 'first', first, 0, 'It is the offset of the first target from the window start (0 or 1).');
  const B = starts.length, rows = Math.floor(ys.length / dim);
  if (y0Out.length !== B * dim || targetOut.length !== points * B * dim) {
    throw new TideError('SHAPE', `fillWindows: y0Out has length ${y0Out.length} and targetOut ${targetOut.length}; for ${B} windows of ${points} points of dim ${dim} they must be ${B * dim} and ${points * B * dim}.`, { windows: B, points, dim });
  }
  for (let b = 0; b < B; b++) {
    const s = starts[b];
    if (!Number.isInteger(s) || s < 0 || s + first + points - 1 >= rows) {
      throw new TideError('SHAPE', `fillWindows: window ${b} starts at row ${fmtGot(s)}, but ys has ${rows} rows and the window needs rows up to start + ${first + points - 1}; draw starts from [0, ${rows - first - points + 1}).`, { window: b, start: s, rows });
    }
    for (let j = 0; j < dim; j++) y0Out[b * dim + j] = ys[s * dim + j];
    for (let k = 0; k < points; k++) {
      const src = (s + first + k) * dim, dst = (k * B + b) * dim;
      for (let j = 0; j < dim; j++) targetOut[dst + j] = ys[src + j];
    }
  }
}
