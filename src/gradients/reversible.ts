/**
 * The reversible gradient method (McCallum & Foster, arXiv 2410.11648, 2024): the forward pass keeps only the final
 * solver state and the accepted grid; the backward pass rebuilds each earlier state with the solver's exact inverse and
 * pulls the cotangent through that step (Solver.reverse: reconstruction fused with the pullback). Gradients equal
 * backpropagation through the same discrete scheme up to round-off, at memory independent of the number of steps
 * (apart from the N + 1 grid times, which the report counts).
 *
 * `reversible({ lambda })` wraps the forward's RK method in the λ-coupled scheme (reversible/coupled.ts); with a
 * solver that is reversible already (reversible-heun, mali, or a wrapped one) it uses that solver as it is. Saves land
 * on steps by default (`saves: 'linear'` interpolates between grid states, second order only). After each backward
 * pass the reconstructed initial state is compared with the true one: `report.reconstructionError`.
 */
import { TideError, checkOptionKeys } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { ReverseStepper, Solver } from '../solvers/solver.ts';
import { coupledSolver } from '../solvers/reversible/coupled.ts';
import { addPointSaves, newReport, type GradientMethod, type GradientRun } from './method.ts';

export interface ReversibleOptions {
  /** Coupling λ ∈ (0, 1] of the wrapper (default 0.999). Not for solvers that are reversible already. */
  lambda?: number;
  /** 'land' (default): steps land on save times; 'linear': saves interpolate linearly between grid states. */
  saves?: 'land' | 'linear';
}

/** `gradient: reversible({ lambda: 0.99 })` (or 'reversible'). */
export function reversible(options: ReversibleOptions = {}): GradientMethod {
  checkOptionKeys('reversible', options, ['lambda', 'saves']);
  if (options.saves !== undefined && options.saves !== 'land' && options.saves !== 'linear') {
    throw new TideError('BAD_OPTION', `reversible: saves must be 'land' or 'linear', got ${describe(options.saves)}.`, { option: 'saves' });
  }
  return {
    name: 'reversible',
    solverFor(solver: Solver, where: string): Solver {
      if (solver.reversible) {
        if (options.lambda !== undefined && !('lambda' in solver)) throw new TideError('BAD_OPTION', `${where}: lambda is the coupling of the λ-wrapper; ${solver.name} is reversible by itself and takes none.`, { option: 'lambda' });
        if (options.lambda !== undefined || options.saves !== undefined) {
          const base = (solver as { base?: unknown }).base;
          if (base !== undefined) return coupledSolver(base as never, { lambda: options.lambda ?? (solver as { lambda?: number }).lambda, saves: options.saves }) as unknown as Solver;
        }
        return solver;
      }
      if (solver.tableau === null) {
        throw new TideError('BAD_OPTION', `${where}: the reversible method needs an explicit Runge–Kutta base solver to wrap, or a reversible solver ('reversible-heun', 'mali'); ${solver.name} is neither. Use midpoint, rk4, bs3, dopri5, tsit5, ….`, { option: 'method' });
      }
      return coupledSolver(solver.tableau, { lambda: options.lambda, saves: options.saves }) as unknown as Solver;
    },
    prepare({ where, cfg, ws }): GradientRun {
      const solver = cfg.solver;
      if (!solver.reversible || solver.reverse === undefined) throw new TideError('BAD_OPTION', `${where}: ${solver.name} is not reversible.`, { option: 'method' });
      const rs: ReverseStepper = solver.reverse(ws);
      const size = solver.stateParts * cfg.dim;
      const state = new Float64Array(size), state0 = new Float64Array(size);
      // The state at the last grid point: y_N of the last accepted step (an event may end the output inside it).
      const yLast = new Float64Array(cfg.dim);
      let haveState0 = false;
      return {
        beginForward(y0) { haveState0 = false; yLast.set(y0); },
        onAccept(rec) {
          if (rec.n === 0) { solver.saveState(state0, rec.y, rec.ws); haveState0 = true; }
          yLast.set(rec.yNew);
        },
        endForward() { solver.saveState(state, yLast, ws); },
        backward(fwd, dYs, dY0, dParams, onStep) {
          const { grid, schedule, params } = fwd, N = grid.N;
          rs.reset(); dParams.fill(0);
          // Work on a copy: backward() may be called again on the same forward run.
          const cur = Float64Array.from(state);
          addPointSaves(rs.cot[0], schedule, N, dYs);
          for (let n = N - 1; n >= 0; n--) {
            rs.reverseStep(cur, n, grid.times[n], grid.hs[n], params, dParams, schedule, dYs);
            addPointSaves(rs.cot[0], schedule, n, dYs);
            if (onStep) onStep(N - n, N);
          }
          rs.finish(dY0, cur, grid.times[0], params, dParams);
          const report = newReport('reversible');
          report.nfeForward = fwd.solution.stats.nfe;
          report.nfeBackward = rs.nfe;
          report.vjpBackward = rs.vjps;
          report.steps = N;
          report.stateBytes = 8 * size * 2 + rs.bytes;
          report.peakBytes = report.stateBytes + 16 * N + 8 + 8 * fwd.solution.ys.length;
          report.effectiveCheckpoints = solver.stateParts;
          if (haveState0 || N === 0) {
            let err = 0, scale = 1;
            for (let m = 0; m < size; m++) { err = Math.max(err, Math.abs(cur[m] - (N === 0 ? cur[m] : state0[m]))); scale = Math.max(scale, Math.abs(state0[m])); }
            report.reconstructionError = err / scale;
          }
          return report;
        },
      };
    },
  };
}
