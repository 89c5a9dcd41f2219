/**
 * The interpolated reverse dynamic method (IRDM; Daulbaev, Katrutsa, Markeeva, Gusak, Cichocki & Oseledets, NeurIPS
 * 2020, §2–3): the backward pass does not re-solve y but reads it from an interpolant of the forward solution, so the
 * adjoint state shrinks to [a_y, a_θ] and the dissipative-dynamics instability of backsolve is gone.
 *   nodes: n     barycentric Lagrange interpolation (eq. (7), second form) at n Chebyshev–Lobatto nodes of [t0, t1],
 *                whose values the forward solve saves from its dense output (no extra evaluations); memory O(n·d).
 *                weights 'lobatto' (default: the polynomial interpolant, Berrut & Trefethen 2004) or 'irdm-paper'
 *                (the published first-kind weights, which converge only algebraically on these nodes).
 *   nodes: 'dense'  the forward's own dense output of every step (the interpolating adjoint of CVODES, Hindmarsh et
 *                al. 2005); memory O(N·d).
 */
import { TideError, checkOptionKeys } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { GradientMethod, GradientRun, ForwardRecord } from './method.ts';
import { AdjointSolver, ADJOINT_KEYS, checkAdjointOptions, type AdjointSolveOptions } from './adjoint-solve.ts';
import { barycentric, barycentricWeights, chebyshevNodes, type ChebyshevWeights } from './chebyshev.ts';

export interface InterpolatedOptions extends AdjointSolveOptions {
  /** Chebyshev nodes (integer ≥ 2, default 32) or 'dense' (every step's dense output). */
  nodes?: number | 'dense';
  /** Barycentric weights for the Chebyshev nodes: 'lobatto' (default) or 'irdm-paper'. */
  weights?: ChebyshevWeights;
}

/** `gradient: interpolated({ nodes: 32 })` (or 'interpolated'; 'interpolated-dense' = { nodes: 'dense' }). */
export function interpolated(options: InterpolatedOptions = {}): GradientMethod {
  checkOptionKeys('interpolated', options, [...ADJOINT_KEYS, 'nodes', 'weights']);
  const { nodes: nodesOpt = 32, weights = 'lobatto', ...adjoint } = options;
  checkAdjointOptions('interpolated', adjoint);
  if (nodesOpt !== 'dense' && !(Number.isInteger(nodesOpt) && nodesOpt >= 2)) {
    throw new TideError('BAD_OPTION', `interpolated: nodes must be an integer ≥ 2 (8–64 are typical) or 'dense', got ${describe(nodesOpt)}.`, { option: 'nodes' });
  }
  if (weights !== 'lobatto' && weights !== 'irdm-paper') throw new TideError('BAD_OPTION', `interpolated: weights must be 'lobatto' or 'irdm-paper', got ${describe(weights)}.`, { option: 'weights' });
  const name = nodesOpt === 'dense' ? 'interpolated-dense' : 'interpolated';
  return {
    name,
    prepare({ where, cfg }): GradientRun {
      const d = cfg.dim;
      if (nodesOpt === 'dense') {
        // y(t) from the forward's own dense output (the driver keeps it for this method: forwardNeeds.dense).
        let src: ForwardRecord | null = null;
        const adj = new AdjointSolver(where, name, cfg, adjoint, {
          kind: 'interp', fill: (o, t) => { (src as ForwardRecord).solution.evaluate(t, o); }, bytes: 0, nodes: 0,
        });
        return {
          forwardNeeds: { dense: true },
          beginForward() {},
          endForward(fwd) { src = fwd; },
          backward(fwd, dYs, dY0, dParams, onStep) {
            src = fwd;
            const r = adj.run(fwd, dYs, dY0, dParams, onStep);
            const bytes = 8 * d * cfg.solver.denseWidth * fwd.grid.N + 16 * fwd.grid.N;
            r.stateBytes += bytes; r.peakBytes += bytes; r.effectiveCheckpoints = fwd.grid.N + 1;
            return r;
          },
        };
      }
      const n = nodesOpt;
      const nodes = chebyshevNodes(n, cfg.t0, cfg.t1);
      const w = barycentricWeights(n, weights);
      let values: Float64Array = new Float64Array(n * d);
      const adj = new AdjointSolver(where, name, cfg, adjoint, {
        kind: 'interp', fill: (o, t) => { barycentric(o, t, nodes, w, values); }, bytes: 8 * n * d + 16 * n, nodes: n,
      });
      return {
        forwardNeeds: { saveTimes: nodes },
        beginForward() {},
        endForward(fwd) { values = fwd.extraRows; },
        backward: (fwd, dYs, dY0, dParams, onStep) => { values = fwd.extraRows; return adj.run(fwd, dYs, dY0, dParams, onStep); },
      };
    },
  };
}
