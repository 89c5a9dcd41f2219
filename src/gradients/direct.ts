/**
 * Direct backpropagation through the solver ("discretise-then-optimise"; Hager 2000's adjoint Runge–Kutta form):
 * the forward pass records what each step's pullback needs (for RK methods: y_n and the stages k_i), the backward pass
 * pulls the cotangent through every step with the solver's own discrete adjoint. Exact for the discrete scheme; memory
 * O(N·(s + 1)·d). Adaptive step sizes are constants (not differentiated), as in torchdiffeq and diffrax.
 */
import { TideError, checkOptionKeys } from '../core/errors.ts';
import { GrowableBuffer } from '../integrate/solution.ts';
import type { StepPullback } from '../solvers/solver.ts';
import { addPointSaves, checkBackwardStep, gridBytes, newReport, type GradientMethod, type GradientRun } from './method.ts';

/** Options of {@link direct}: none yet (any key throws TideError('BAD_OPTION')). */
export interface DirectOptions {}

/** Backprop through the solver: `gradient: direct()` (or 'direct'). */
export function direct(options: DirectOptions = {}): GradientMethod {
  checkOptionKeys('direct', options, []);
  return {
    name: 'direct',
    prepare({ where, cfg, ws }): GradientRun {
      const solver = cfg.solver;
      if (solver.pullback === undefined) {
        throw new TideError('BAD_OPTION', `${where}: ${solver.name} has no discrete adjoint, so gradient 'direct' cannot differentiate it. Use gradient 'backsolve' or 'interpolated' with ${solver.name}, or an RK method (tsit5, dopri5, bs3, rk4, …).`, { option: 'gradient' });
      }
      const pb: StepPullback = solver.pullback(ws);
      const L = pb.recordLength, d = cfg.dim, parts = solver.stateParts;
      const records = new GrowableBuffer(64 * L);
      const state0 = new Float64Array(parts * d);
      return {
        beginForward() { records.length = 0; },
        onAccept(rec) {
          records.reserve(L);
          pb.record(records.data, records.length, rec.y, rec.yNew);
          records.length += L;
        },
        endForward() {},
        backward(fwd, dYs, dY0, dParams, onStep) {
          const { grid, schedule, params } = fwd, N = grid.N, R = records.data;
          pb.reset();
          dParams.fill(0);
          const cot = pb.cot[0];
          addPointSaves(cot, schedule, N, dYs);
          for (let n = N - 1; n >= 0; n--) {
            pb.restore(R, n * L);
            pb.pullbackStep(n, grid.times[n], grid.hs[n], params, dParams, schedule, dYs);
            addPointSaves(cot, schedule, n, dYs);
            checkBackwardStep(where, 'direct', N - n, N, grid.times[n], grid.hs[n], pb.cot, dParams);
            if (onStep) onStep(N - n, N);
          }
          if (N > 0) { for (let m = 0; m < parts * d; m++) state0[m] = R[m]; } else state0.set(fwd.y0);
          pb.finish(dY0, state0, grid.times[0], params, dParams);
          const report = newReport('direct');
          report.nfeForward = fwd.solution.stats.nfe;
          report.nfeBackward = pb.nfe;
          report.vjpBackward = pb.vjps;
          report.steps = N;
          report.stateBytes = 8 * N * L + pb.bytes;
          report.peakBytes = report.stateBytes + gridBytes(grid) + 8 * fwd.solution.ys.length;
          report.effectiveCheckpoints = N + 1;
          return report;
        },
      };
    },
  };
}
