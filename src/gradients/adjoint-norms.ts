/**
 * Error norms for the backward (adjoint) solves (adjoints.md §4; Kidger, Chen & Lyons 2021 "Hey, that's not an ODE",
 * the seminorm draft in seeds/004). The augmented state is laid out in blocks [y?, a_y, a_θ]; the choices are
 *   'rms'            RMS over every component (the forward default applied to the augmented state; default);
 *   'seminorm'       RMS over every component except a_θ, which gets zero weight (diffrax's adjoint_rms_seminorm):
 *                    a_θ never feeds back into the dynamics, so its local error need not restrict the step;
 *   'mixed'          max over the blocks of each block's RMS (torchdiffeq's default for its adjoint);
 *   'mixed-seminorm' the same without the a_θ block (torchdiffeq's adjoint_options={"norm": "seminorm"}).
 */
import { rmsNorm, rmsNormRange } from '../control/norms.ts';
import type { Norm } from '../control/norms.ts';
import { unknownName } from '../core/errors.ts';

export type AdjointNorm = 'rms' | 'seminorm' | 'mixed' | 'mixed-seminorm';
export const ADJOINT_NORMS: readonly AdjointNorm[] = ['rms', 'seminorm', 'mixed', 'mixed-seminorm'];

/**
 * The norm for an augmented state whose blocks start at `bounds` (e.g. [0, d, 2d, 2d + p] for [y, a_y, a_θ]); the
 * last block is the parameter adjoint that the seminorms ignore.
 */
export function adjointNorm(kind: string, bounds: readonly number[]): Norm {
  if (!(ADJOINT_NORMS as readonly string[]).includes(kind)) throw unknownName('gradient', 'adjointNorm', kind, ADJOINT_NORMS);
  if (kind === 'rms') return rmsNorm;
  const b = Int32Array.from(bounds);
  const stateEnd = b[b.length - 2];
  if (kind === 'seminorm') return (err, yPrev, yNew, rtol, atol) => rmsNormRange(err, yPrev, yNew, rtol, atol, 0, stateEnd);
  const blocks = kind === 'mixed-seminorm' ? b.length - 2 : b.length - 1;
  return (err, yPrev, yNew, rtol, atol) => {
    let e = 0;
    for (let i = 0; i < blocks; i++) {
      const v = rmsNormRange(err, yPrev, yNew, rtol, atol, b[i], b[i + 1]);
      if (v > e || v !== v) e = v;
    }
    return e;
  };
}
