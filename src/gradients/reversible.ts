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
import type { ReverseStepper, Solver, StepPullback } from '../solvers/solver.ts';
import { GrowableBuffer } from '../integrate/solution.ts';
import { coupledSolver } from '../solvers/reversible/coupled.ts';
import { addPointSaves, checkBackwardStep, newReport, type GradientMethod, type GradientRun } from './method.ts';

/** Options of {@link reversible}; unknown keys throw TideError('BAD_OPTION'). */
export interface ReversibleOptions {
  /**
   * Re-anchoring: the forward pass stores the solver state every K steps, and the backward pass continues from the
   * stored state exactly at each anchor after measuring how far the inverse drifted there; a segment whose drift
   * exceeds `tolerance` is redone by backpropagation through its stored states (so the gradient equals stored-state
   * backprop). 'auto' (default): K from λ (λ^−K ≤ 1e3), quartered for the next runs after a segment had to be redone;
   * a number: that K; 0: off (then a drift beyond the tolerance is a TideError('RECONSTRUCTION')).
   */
  anchorEvery?: number | 'auto';
  /** Largest relative reconstruction drift accepted at an anchor (default 1e-9). */
  tolerance?: number;
  /** Coupling λ ∈ (0, 1] of the wrapper (default 0.999). Not for solvers that are reversible already. */
  lambda?: number;
  /** 'land' (default): steps land on save times; 'linear': saves interpolate linearly between grid states. */
  saves?: 'land' | 'linear';
}

/** The error of a reversal that drifted (with re-anchoring off): λ, N, the error and the fix. */
function reconstructionError(where: string, drift: number, tolerance: number, lam: number, N: number, done: number): TideError {
  const what = Number.isFinite(drift) ? `rebuilt the state with relative error ${drift.toExponential(2)} (tolerance ${tolerance})` : 'overflowed while rebuilding the states (the reconstructed state is no longer finite)';
  return new TideError('RECONSTRUCTION', `${where}: the reversible backward pass ${what} after ${done} of N = ${N} steps with λ = ${lam}: round-off grows like ε·λ^−N (and with the dynamics' backward growth), so the gradient would not be exact. Turn re-anchoring on (reversible({ anchorEvery: 'auto' }), the default), take fewer steps, raise λ towards 1, or use gradient 'checkpoint'.`, { lambda: lam, steps: N, error: drift });
}

/** `gradient: reversible({ lambda: 0.99 })` (or 'reversible'). */
export function reversible(options: ReversibleOptions = {}): GradientMethod {
  checkOptionKeys('reversible', options, ['lambda', 'saves', 'anchorEvery', 'tolerance']);
  const anchorOpt = options.anchorEvery ?? 'auto';
  if (anchorOpt !== 'auto' && !(Number.isInteger(anchorOpt) && anchorOpt >= 0)) {
    throw new TideError('BAD_OPTION', `reversible: anchorEvery must be 'auto', 0 (off) or a positive integer number of steps, got ${describe(anchorOpt)}.`, { option: 'anchorEvery' });
  }
  const tolerance = options.tolerance ?? 1e-9;
  if (!(typeof tolerance === 'number' && tolerance > 0)) throw new TideError('BAD_OPTION', `reversible: tolerance must be a number > 0, got ${describe(options.tolerance)}.`, { option: 'tolerance' });
  if (options.saves !== undefined && options.saves !== 'land' && options.saves !== 'linear') {
    throw new TideError('BAD_OPTION', `reversible: saves must be 'land' or 'linear', got ${describe(options.saves)}.`, { option: 'saves' });
  }
  return {
    name: 'reversible',
    solverFor(solver: Solver, where: string): Solver {
      if (solver.reversible) {
        if (options.lambda !== undefined && solver.coupling === undefined) throw new TideError('BAD_OPTION', `${where}: lambda is the coupling of the λ-wrapper; ${solver.name} is reversible by itself and takes none.`, { option: 'lambda' });
        if (options.lambda !== undefined || options.saves !== undefined) {
          const c = solver.coupling;
          if (c !== undefined) return coupledSolver(c.base, { lambda: options.lambda ?? c.lambda, saves: options.saves }) as unknown as Solver;
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
      const pb: StepPullback | null = solver.pullback !== undefined ? solver.pullback(ws) : null;
      const d = cfg.dim, size = solver.stateParts * d, p = cfg.term.paramCount;
      const state = new Float64Array(size), state0 = new Float64Array(size), cur = new Float64Array(size);
      // The state at the last grid point: y_N of the last accepted step (an event may end the output inside it).
      const yLast = new Float64Array(d);
      const lam = solver.coupling?.lambda ?? 1;
      // Steps between anchors: the parasitic mode grows like λ^{−k} backward, so keep λ^{−K} ≤ 1e3 (−ln λ·K ≤ ln 1e3);
      // halved after a run whose reversal drifted (the next runs of a prepared solve adapt).
      const autoK = anchorOpt === 'auto';
      let K = autoK ? (lam < 1 ? Math.max(4, Math.floor(Math.log(1e3) / -Math.log(lam))) : 1 << 30) : anchorOpt === 0 ? 1 << 30 : anchorOpt;
      const anchors = new GrowableBuffer(4 * size);
      let nAnchors = 0, haveState0 = false;
      // Scratch of the backward pass: the segment's cotangent/gradient snapshots and, for a re-done segment, its states.
      const cotSnap = new Float64Array(rs.cot.length * d), dpSnap = new Float64Array(p);
      const segStates = new GrowableBuffer(4 * size);
      return {
        beginForward(y0) { haveState0 = false; yLast.set(y0); anchors.length = 0; nAnchors = 0; },
        onAccept(rec) {
          if (rec.n === 0) { solver.saveState(state0, rec.y, rec.ws); haveState0 = true; }
          if (rec.n % K === 0) {
            anchors.reserve(size);
            solver.saveState(anchors.data.subarray(anchors.length, anchors.length + size), rec.y, rec.ws);
            anchors.length += size; nAnchors++;
          }
          yLast.set(rec.yNew);
        },
        endForward() { solver.saveState(state, yLast, ws); },
        backward(fwd, dYs, dY0, dParams, onStep) {
          const { grid, schedule, params } = fwd, N = grid.N, Kused = K;
          rs.reset(); dParams.fill(0);
          if (pb !== null) pb.reset();
          // Work on a copy: backward() may be called again on the same forward run.
          cur.set(state);
          addPointSaves(rs.cot[0], schedule, N, dYs);
          let maxDrift = 0, redone = 0, top = N, finalDrift = 0;
          for (let j = Math.ceil(N / Kused) - 1; j >= 0; j--) {
            const lo = j * Kused;
            if (lo >= top) continue;
            const anchor = anchors.data.subarray(j * size, (j + 1) * size);
            for (let c = 0; c < rs.cot.length; c++) cotSnap.set(rs.cot[c], c * d);
            dpSnap.set(dParams);
            for (let n = top - 1; n >= lo; n--) {
              rs.reverseStep(cur, n, grid.times[n], grid.hs[n], params, dParams, schedule, dYs);
              addPointSaves(rs.cot[0], schedule, n, dYs);
              // A non-finite drift is handled by the anchor check (the segment is redone); a non-finite cotangent is not.
              if (anchorOpt === 0 || pb === null) {
                let probe = 0;
                for (let m = 0; m < size; m++) probe += cur[m] * 0;
                if (probe !== 0) throw reconstructionError(where, Infinity, tolerance, lam, N, N - n);
                checkBackwardStep(where, 'reversible', N - n, N, grid.times[n], grid.hs[n], rs.cot, dParams);
              }
              if (onStep) onStep(N - n, N);
            }
            // How far the exact inverse drifted from the anchor (λ^{−k} growth of round-off, or the dynamics).
            let err = 0, scale = 1;
            for (let m = 0; m < size; m++) { const e = Math.abs(cur[m] - anchor[m]); if (!(e <= err)) err = e; scale = Math.max(scale, Math.abs(anchor[m])); }
            const drift = err / scale;
            if (lo === 0) finalDrift = drift;
            if (!(drift <= maxDrift)) maxDrift = drift;
            if (!(drift <= tolerance)) {
              if (anchorOpt === 0 || pb === null) {
                throw reconstructionError(where, drift, tolerance, lam, N, N - lo);
              }
              // Redo the segment by backpropagation through its stored states, from the exact anchor.
              redone++;
              for (let c = 0; c < rs.cot.length; c++) for (let m = 0; m < d; m++) (pb.cot[c] as Float64Array)[m] = cotSnap[c * d + m];
              dParams.set(dpSnap);
              const len = top - lo;
              segStates.length = 0; segStates.reserve((len + 1) * size);
              const S = segStates.data;
              S.set(anchor, 0);
              for (let k = 0; k < len - 1; k++) {
                S.copyWithin((k + 1) * size, k * size, (k + 1) * size);
                pb.advance(grid.times[lo + k], grid.hs[lo + k], S.subarray((k + 1) * size, (k + 2) * size), params, grid.restart[lo + k] === 1);
              }
              for (let n = top - 1; n >= lo; n--) {
                pb.recompute(grid.times[n], grid.hs[n], S.subarray((n - lo) * size, (n - lo + 1) * size), params, null, grid.restart[n] === 1);
                pb.pullbackStep(n, grid.times[n], grid.hs[n], params, dParams, schedule, dYs);
                addPointSaves(pb.cot[0], schedule, n, dYs);
                checkBackwardStep(where, 'reversible', N - n, N, grid.times[n], grid.hs[n], pb.cot, dParams);
              }
              for (let c = 0; c < rs.cot.length; c++) (rs.cot[c] as Float64Array).set(pb.cot[c]);
            }
            cur.set(anchor); // re-anchor: continue from the stored state exactly
            // The states are right now; a non-finite cotangent can only come from the field's VJP in this segment.
            checkBackwardStep(where, 'reversible', N - lo, N, grid.times[lo], grid.times[top] - grid.times[lo], rs.cot, dParams);
            top = lo;
          }
          if (redone > 0 && autoK && K > 4) K = Math.max(4, Math.floor(K / 4));
          rs.finish(dY0, cur, grid.times[0], params, dParams);
          const report = newReport('reversible');
          report.nfeForward = fwd.solution.stats.nfe;
          report.nfeBackward = rs.nfe + (pb !== null ? pb.nfe : 0);
          report.vjpBackward = rs.vjps + (pb !== null ? pb.vjps : 0);
          report.steps = N;
          const anchorBytes = 8 * anchors.length;
          report.stateBytes = 8 * size * 2 + rs.bytes + anchorBytes + (redone > 0 ? 8 * segStates.data.length : 0);
          report.peakBytes = report.stateBytes + 16 * N + 8 + 8 * fwd.solution.ys.length;
          report.effectiveCheckpoints = solver.stateParts * (1 + nAnchors);
          report.reconstructionError = haveState0 || N === 0 ? finalDrift : 0;
          report.maxAnchorDrift = maxDrift;
          report.anchors = nAnchors;
          report.anchorEvery = Kused;
          report.segmentsRedone = redone;
          return report;
        },
      };
    },
  };
}
