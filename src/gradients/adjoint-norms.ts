/**
 * Error norms for the backward (adjoint) solves (adjoints.md §4; Kidger, Chen & Lyons 2021 "Hey, that's not an ODE",
 * the seminorm draft in seeds/004). The augmented state is laid out in blocks [y?, a_y, a_θ]; the choices are
 *   'rms'           the default: the largest of each block's RMS (torchdiffeq's adjoint norm, the baseline the
 *                   seminorm papers measure against);
 *   'seminorm'      the same with zero weight on a_θ: max(RMS(y), RMS(a_y)) (adjoints.md §4; torchdiffeq's
 *                   adjoint_options={"norm": "seminorm"}). a_θ never feeds back into the dynamics, so its local
 *                   error need not restrict the step; Kidger et al. report ~40 % fewer backward evaluations;
 *   'rms-flat'      one RMS over every component of the augmented state (diffrax's default);
 *   'seminorm-flat' one RMS over every component except a_θ (diffrax's adjoint_rms_seminorm).
 * With many parameters 'rms-flat' is the most lenient of all: the p entries of a_θ, whose scaled errors are small,
 * dilute the average. That is why the block-wise norm is the default.
 */
import { rmsNorm, rmsNormRange } from '../control/norms.ts';
import type { Norm } from '../control/norms.ts';
import { unknownName } from '../core/errors.ts';

export type AdjointNorm = 'rms' | 'seminorm' | 'rms-flat' | 'seminorm-flat';
export const ADJOINT_NORMS: readonly AdjointNorm[] = ['rms', 'seminorm', 'rms-flat', 'seminorm-flat'];

/**
 * The norm for an augmented state whose blocks start at `bounds` (e.g. [0, d, 2d, 2d + p] for [y, a_y, a_θ]); the
 * last block is the parameter adjoint that the seminorms ignore.
 */
export function adjointNorm(kind: string, bounds: readonly number[]): Norm {
  if (!(ADJOINT_NORMS as readonly string[]).includes(kind)) throw unknownName('gradient', 'adjointNorm', kind, ADJOINT_NORMS);
  if (kind === 'rms-flat') return rmsNorm;
  const b = Int32Array.from(bounds);
  const stateEnd = b[b.length - 2];
  if (kind === 'seminorm-flat') return (err, yPrev, yNew, rtol, atol) => rmsNormRange(err, yPrev, yNew, rtol, atol, 0, stateEnd);
  const blocks = kind === 'seminorm' ? b.length - 2 : b.length - 1;
  return (err, yPrev, yNew, rtol, atol) => {
    let e = 0;
    for (let i = 0; i < blocks; i++) {
      const v = rmsNormRange(err, yPrev, yNew, rtol, atol, b[i], b[i + 1]);
      if (v > e || v !== v) e = v;
    }
    return e;
  };
}
