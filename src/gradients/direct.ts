/**
 * Direct backpropagation through the solver ("discretise-then-optimise", adjoints.md §1): the forward pass stores
 * every accepted state y_n and its stage derivatives k_i; the backward pass recomputes the stage inputs Y_i from them
 * (bitwise as the forward did) and pulls the cotangent through each step with the field's VJP. Exact for the discrete
 * scheme; memory O(N·(s + 1)·d). Adaptive step sizes are constants (not differentiated), as in torchdiffeq and diffrax.
 */
import type { VectorField } from '../core/field.ts';
import type { Tableau } from '../solvers/tableau.ts';
import type { SolveOptions } from '../solve/options.ts';
import { forwardSolve, gridBytes } from './forward.ts';
import type { StepGrid } from './forward.ts';
import { planSaves, NONE } from './save-plan.ts';
import { StepAdjoint } from './step-adjoint.ts';
import { GrowableBuffer } from '../solve/solution.ts';
import type { GradientResult } from './method.ts';
import { emptyReport } from './method.ts';
import type { Solution } from '../solve/solution.ts';

export interface DiscreteRun {
  readonly solution: Solution;
  readonly grid: StepGrid;
  backward(dYs: Readonly<Float64Array>): GradientResult;
}

/** dst ← src[offset … offset + dst.length). Returns dst. */
export function copyRow(dst: Float64Array, src: Readonly<Float64Array>, offset: number): Float64Array {
  for (let m = 0; m < dst.length; m++) dst[m] = src[offset + m];
  return dst;
}

export function directForward(field: VectorField, y0: Float64Array, params: Float64Array, ts: Float64Array,
  tableau: Tableau, solveOptions: SolveOptions): DiscreteRun {
  const d = field.dim, s = tableau.stages;
  const ys = new GrowableBuffer(64 * d), ks = new GrowableBuffer(64 * d * s);
  const { solution, grid } = forwardSolve(field, y0, ts, solveOptions, (rec) => {
    ys.pushAll(rec.y as Float64Array);
    for (let i = 0; i < s; i++) ks.pushAll(rec.k[i] as Float64Array);
  });
  ys.pushAll(solution.yFinal);
  return {
    solution, grid,
    backward(dYs) {
      const N = grid.N, Y = ys.view(), K = ks.view();
      const adj = new StepAdjoint(field, tableau);
      const dParams = new Float64Array(field.paramCount);
      const plan = planSaves(ts, grid.times, grid.hs, N, tableau);
      // Fixed buffers the stored step is copied into (copying beats making views in the loop: no allocation).
      const yn = new Float64Array(d), yNext = new Float64Array(d);
      const kn = Array.from({ length: s }, () => new Float64Array(d));
      for (const q of plan.atPoint.get(N) ?? NONE) adj.addPoint(dYs, q * d);
      for (let n = N - 1; n >= 0; n--) {
        copyRow(yn, Y, n * d);
        for (let i = 0; i < s; i++) copyRow(kn[i], K, (n * s + i) * d);
        const mids = plan.inStep.get(n);
        // With FSAL, step n's saves reach k_s through k_1 of step n + 1 (already pulled back): one VJP fewer.
        const fold = tableau.fsal && n < N - 1;
        const before = tableau.fsal ? plan.inStep.get(n - 1) : undefined;
        if (before && n > 0) adj.carryFsal(before, dYs);
        if (mids && adj.addMidSaves(mids, dYs, fold)) adj.pullbackFEnd(grid.times[n + 1], copyRow(yNext, Y, (n + 1) * d), params, dParams);
        adj.pullback(grid.times[n], grid.hs[n], yn, kn, params, dParams);
        for (const q of plan.atPoint.get(n) ?? NONE) adj.addPoint(dYs, q * d);
      }
      const report = emptyReport('direct');
      report.nfeForward = solution.stats.nfe;
      report.vjpBackward = adj.vjpCount;
      report.steps = N;
      report.stateBytes = ys.bytes + ks.bytes + adj.bytes;
      report.peakBytes = report.stateBytes + gridBytes(grid) + 8 * solution.ys.length; // + grid and saved outputs
      report.effectiveCheckpoints = N + 1;
      return { dY0: adj.dy.slice(), dParams, report };
    },
  };
}
