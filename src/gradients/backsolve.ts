/**
 * The backsolve adjoint ("optimise-then-discretise"; Chen, Rubanova, Bettencourt & Duvenaud 2018, §2 and Appendix B):
 * the backward pass re-solves y together with the adjoint state, re-anchoring y to the forward value at every save time
 * (adjoint-solve.ts). Memory O(d + p) plus the saved outputs; accurate to the tolerances of both solves, and unstable
 * when re-solving y backward is (strongly dissipative dynamics).
 */
import type { GradientMethod, GradientRun } from './method.ts';
import { AdjointSolver, checkAdjointOptions, type AdjointSolveOptions } from './adjoint-solve.ts';

/** Options of {@link backsolve}: those of its backward (adjoint) solve. */
export type BacksolveOptions = AdjointSolveOptions;

/** `gradient: backsolve({ rtol, atol, norm: 'seminorm' })` (or 'backsolve'). */
export function backsolve(options: BacksolveOptions = {}): GradientMethod {
  checkAdjointOptions('backsolve', options);
  return {
    name: 'backsolve',
    prepare({ where, cfg }): GradientRun {
      const adj = new AdjointSolver(where, 'backsolve', cfg, options, { kind: 'resolve' });
      return {
        beginForward() {},
        endForward() {},
        backward: (fwd, dYs, dY0, dParams, onStep) => adj.run(fwd, dYs, dY0, dParams, onStep),
      };
    },
  };
}
