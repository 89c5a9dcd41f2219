/**
 * Continuous adjoints ("optimise-then-discretise"): the backward pass solves an adjoint ODE instead of
 * differentiating the forward steps.
 *
 * Backsolve (Chen et al. 2018; adjoints.md §3): the augmented state S = [y, a_y, a_θ] is integrated backward from
 * the last save time with dy/dt = f, da_y/dt = −a_yᵀ ∂f/∂y, da_θ/dt = −a_yᵀ ∂f/∂θ (one f evaluation and one VJP per
 * stage), re-anchoring y to the forward value and adding the loss cotangent at every save time. Memory O(d + p) plus
 * the saved outputs; accurate to the tolerances of both solves (and unstable when re-solving y backward is, e.g. for
 * strongly dissipative dynamics).
 *
 * Interpolated (IRDM, Daulbaev et al. 2020; adjoints.md §5): y(t) is not re-solved but interpolated — from the
 * forward values at Chebyshev nodes (barycentric Lagrange, chebyshev.ts; no extra forward evaluations: the nodes come
 * from the dense output), or, for 'interpolated-dense', from every stored step's dense output. The backward state
 * shrinks to [a_y, a_θ].
 */
import type { VectorField } from '../core/field.ts';
import type { SolveOptions } from '../solve/options.ts';
import type { Solution } from '../solve/solution.ts';
import { solve } from '../solve/solve.ts';
import { resolveSolver } from '../solvers/registry.ts';
import type { Tolerance } from '../control/norms.ts';
import { adjointNorm } from './adjoint-norms.ts';
import type { AdjointNorm } from './adjoint-norms.ts';
import { barycentric, barycentricWeights, chebyshevNodes } from './chebyshev.ts';
import type { ChebyshevWeights } from './chebyshev.ts';
import type { GradientResult } from './method.ts';
import { emptyReport } from './method.ts';

export interface AdjointSolveOptions {
  method: SolveOptions['method'];
  rtol: Tolerance;
  atol: Tolerance;
  norm: AdjointNorm;
  maxSteps?: number;
  controller?: SolveOptions['controller'];
}

export interface ContinuousRun {
  /** The forward solve (for interpolated runs it also saved at the Chebyshev nodes). */
  readonly solution: Solution;
  /** Forward outputs at the user's save times, K rows of length d. */
  readonly ys: Float64Array;
  backward(dYs: Readonly<Float64Array>): GradientResult;
}

/** Where y(t) comes from during the backward solve: re-solved (backsolve) or interpolated. */
type StateSource = { kind: 'resolve' } | { kind: 'interp'; fill(out: Float64Array, t: number): void; bytes: number; nodes: number };

/** The augmented field: [y?, a_y, a_θ]. With `interp`, y is interpolated and not part of the state. */
function augmentedField(field: VectorField, params: Float64Array, source: StateSource): VectorField & { vjps: number } {
  const d = field.dim, p = field.paramCount;
  const withY = source.kind === 'resolve';
  const yb = new Float64Array(d), vb = new Float64Array(d), fb = new Float64Array(d), dyb = new Float64Array(d), dpb = new Float64Array(p);
  const aOff = withY ? d : 0, pOff = aOff + d;
  const aug = {
    dim: pOff + p, paramCount: 0, name: `adjoint of ${field.name ?? 'f'}`, vjps: 0,
    eval(out: Float64Array, t: number, S: Float64Array): void {
      if (withY) for (let m = 0; m < d; m++) yb[m] = S[m];
      else source.fill(yb, t);
      for (let m = 0; m < d; m++) vb[m] = -S[aOff + m];
      dpb.fill(0);
      // One call gives f (for the y block) and the VJPs with −a_y (for the a_y and a_θ blocks).
      field.vjp!(dyb, dpb, vb, t, yb, params, fb);
      aug.vjps++;
      if (withY) for (let m = 0; m < d; m++) out[m] = fb[m];
      for (let m = 0; m < d; m++) out[aOff + m] = dyb[m];
      for (let m = 0; m < p; m++) out[pOff + m] = dpb[m];
    },
  };
  return aug;
}

/** S[0 … d) ← src[offset … offset + d). */
function copyRowInto(S: Float64Array, src: Readonly<Float64Array>, offset: number, d: number): void {
  for (let m = 0; m < d; m++) S[m] = src[offset + m];
}

/** Strictest scalar of a tolerance (augmented states differ in length from the forward state). */
const scalarTol = (t: Tolerance): number => (typeof t === 'number' ? t : t.reduce((a, b) => Math.min(a, b), Infinity));

function runBackward(method: string, field: VectorField, y0: Float64Array, params: Float64Array, ts: Float64Array,
  t0: number, forward: Solution, ys: Float64Array, adjoint: AdjointSolveOptions, source: StateSource, dYs: Readonly<Float64Array>): GradientResult {
  const d = field.dim, p = field.paramCount, K = ts.length;
  const aug = augmentedField(field, params, source);
  const withY = source.kind === 'resolve';
  const aOff = withY ? d : 0, pOff = aOff + d;
  const S = new Float64Array(aug.dim);
  const bounds = withY ? [0, d, 2 * d, 2 * d + p] : [0, d, d + p];
  const norm = adjointNorm(adjoint.norm, bounds);
  const rtol = scalarTol(adjoint.rtol), atol = scalarTol(adjoint.atol);
  let backwardSteps = 0, nfe = 0;
  // Carry the controller's step proposal across save times, so each interval does not restart from the initial-step
  // guess (1 extra evaluation and a tiny first step per interval otherwise).
  let hCarry = NaN;
  // Walk the save times from the last to the first, then down to t0.
  let q = K - 1;
  let tCur = K > 0 ? ts[q] : t0;
  const addSavesAt = (tau: number): void => {
    while (q >= 0 && ts[q] === tau) {
      for (let m = 0; m < d; m++) S[aOff + m] += dYs[q * d + m];
      q--;
    }
  };
  if (withY) { if (K > 0) copyRowInto(S, ys, (K - 1) * d, d); else S.set(y0, 0); }
  addSavesAt(tCur);
  while (tCur > t0) {
    const tNext = q >= 0 ? ts[q] : t0;
    const sol = solve(aug, S, {
      t0: tCur, t1: tNext, method: adjoint.method, rtol, atol, norm, maxSteps: adjoint.maxSteps, controller: adjoint.controller,
      ...(Number.isFinite(hCarry) ? { stepSize: -Math.min(Math.abs(hCarry), tCur - tNext) } : {}),
    });
    S.set(sol.yFinal);
    nfe += sol.stats.nfe;
    backwardSteps += sol.stats.nAccepted + sol.stats.nRejected;
    if (Number.isFinite(sol.nextStepSize)) hCarry = sol.nextStepSize;
    tCur = tNext;
    // Re-anchor y to the forward value (the backward re-solve drifts) and add the loss cotangent here.
    if (withY) { if (q >= 0) copyRowInto(S, ys, q * d, d); else S.set(y0, 0); }
    addSavesAt(tCur);
  }
  const report = emptyReport(method);
  report.nfeForward = forward.stats.nfe;
  report.nfeBackward = nfe;
  report.vjpBackward = aug.vjps;
  report.steps = forward.stats.nAccepted;
  report.backwardSteps = backwardSteps;
  // Saved outputs, the backward solver's workspace (stages + state/error/scratch of the augmented state), the field
  // scratch, and the interpolation data.
  const stages = resolveSolver(adjoint.method ?? 'tsit5', 'gradient').tableau?.stages ?? 4;
  report.stateBytes = 8 * aug.dim * (stages + 6) + 8 * (5 * d + p) + (source.kind === 'interp' ? source.bytes : 0);
  report.peakBytes = report.stateBytes + 8 * K * d;
  report.effectiveCheckpoints = source.kind === 'interp' ? source.nodes : K;
  return { dY0: S.slice(aOff, aOff + d), dParams: S.slice(pOff, pOff + p), report };
}

export function backsolveRun(field: VectorField, y0: Float64Array, params: Float64Array, ts: Float64Array,
  solveOptions: SolveOptions, adjoint: AdjointSolveOptions): ContinuousRun {
  const t0 = solveOptions.t0 ?? 0;
  const forward = solve(field, y0, { ...solveOptions, saveAt: { ts } });
  return { solution: forward, ys: forward.ys, backward: (dYs) => runBackward('backsolve', field, y0, params, ts, t0, forward, forward.ys, adjoint, { kind: 'resolve' }, dYs) };
}

export interface InterpolationOptions {
  /** Number of Chebyshev nodes n (default 32). */
  nodes: number;
  weights: ChebyshevWeights;
  /** true: interpolate from every stored step's dense output instead of Chebyshev nodes. */
  dense: boolean;
}

export function interpolatedRun(field: VectorField, y0: Float64Array, params: Float64Array, ts: Float64Array,
  solveOptions: SolveOptions, adjoint: AdjointSolveOptions, interp: InterpolationOptions): ContinuousRun {
  const t0 = solveOptions.t0 ?? 0, t1 = solveOptions.t1 as number, d = field.dim;
  const method = interp.dense ? 'interpolated-dense' : 'interpolated';
  if (interp.dense) {
    const forward = solve(field, y0, { ...solveOptions, saveAt: { ts, dense: true } });
    const steps = forward.stats.nAccepted;
    const source: StateSource = { kind: 'interp', fill: (out, t) => { forward.evaluate(t, out); }, bytes: 8 * d * 6 * steps + 16 * steps, nodes: steps + 1 };
    return { solution: forward, ys: forward.ys, backward: (dYs) => runBackward(method, field, y0, params, ts, t0, forward, forward.ys, adjoint, source, dYs) };
  }
  // One forward solve saving at the union of the user's times and the nodes (dense output, no extra evaluations).
  const nodes = chebyshevNodes(interp.nodes, t0, t1);
  const all = Float64Array.from(new Set([...ts, ...nodes])).sort();
  const full = solve(field, y0, { ...solveOptions, saveAt: { ts: all } });
  const index = new Map<number, number>();
  all.forEach((t, i) => index.set(t, i));
  const nodeValues = new Float64Array(nodes.length * d);
  nodes.forEach((t, k) => nodeValues.set(full.y(index.get(t)!), k * d));
  const w = barycentricWeights(nodes.length, interp.weights);
  const ys = new Float64Array(ts.length * d);
  ts.forEach((t, q) => ys.set(full.y(index.get(t)!), q * d));
  const source: StateSource = { kind: 'interp', fill: (out, t) => { barycentric(out, t, nodes, w, nodeValues); }, bytes: nodeValues.byteLength + 16 * nodes.length, nodes: nodes.length };
  return { solution: full, ys, backward: (dYs) => runBackward(method, field, y0, params, ts, t0, full, ys, adjoint, source, dYs) };
}
