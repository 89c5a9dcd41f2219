/**
 * The test catalogue: every solver and every gradient method the suites run, one line each. A new solver
 * or gradient method added here goes through every suite that iterates these lists (test/gradients/catalogue.test.ts
 * crosses them with stepping modes, save placements, tstops and backward-in-time solves).
 *
 * The capability flags are what the suites use to decide which crossings apply; the catalogue test checks them
 * against the solver objects themselves, so a flag cannot silently disagree with the code.
 */
import { defineTableau, coupledSolver, direct, checkpoint, backsolve, interpolated, quadrature, reversible, tableaus } from '../src/index.ts';
import type { GradientMethod, Solver, Tableau, VectorField } from '../src/index.ts';
import { forcedOscillator, neuralSpiral } from './gradients/problems.ts';

/**
 * Kutta's third-order method (Kutta 1901; Hairer, Nørsett & Wanner I, Table II.1.1) with midpoint embedded
 * (e = b − (0, 1, 0)): a tableau that is not built in, so every suite also runs a user's defineTableau method.
 */
export const kutta3 = defineTableau({
  name: 'kutta3', order: 3,
  c: [0, 1 / 2, 1], a: [[], [1 / 2], [-1, 2]], b: [1 / 6, 2 / 3, 1 / 6],
  bErr: [1 / 6, -1 / 3, 1 / 6], errorOrder: 2,
  reference: 'W. Kutta, Beitrag zur näherungsweisen Integration totaler Differentialgleichungen, Z. Math. Phys. 46 (1901) 435–453',
});

/** One solver of the catalogue and what it can do. */
export interface SolverEntry {
  /** Label for test names (the method string where there is one). */
  readonly name: string;
  /** What to pass as `method`. */
  readonly method: string | Tableau | Solver;
  /** Order of the propagated solution. */
  readonly order: number;
  /** Has an error estimate, so it can step adaptively. */
  readonly adaptive: boolean;
  /** Algebraically reversible (the 'reversible' gradient uses it as it is). */
  readonly reversible: boolean;
  /** Steps ODE terms only (VectorFields, odeTerm). */
  readonly odeOnly: boolean;
  /** Has a discrete pullback: direct applies. */
  readonly pullback: boolean;
  /** Can be restarted from a stored state: checkpoint and revolve apply (with a pullback). */
  readonly checkpointable: boolean;
  /** The discrete pullback can differentiate saves read off its interpolant (false: put save times in tstops). */
  readonly discreteSavesInside: boolean;
  /** Global error ≈ this × rtol on the catalogue's problems (1 for most pairs; fehlberg2's estimate is of its order-1 formula). */
  readonly errorPerRtol: number;
  /** Order of its dense output (1: linear between grid states). */
  readonly denseOrder: number;
  /** Saves between grid points come from an interpolant (false: steps land on save times). */
  readonly interpolatesSaves: boolean;
  /** The explicit RK tableau it is or λ-wraps (what the reversible gradient method wraps), or null (VCAB3, reversible Heun, MALI). */
  readonly rkBase: Tableau | null;
}

const rk = (t: Tableau, method: string | Tableau = t.name, errorPerRtol = 1): SolverEntry => ({
  name: t.name, method, order: t.order, adaptive: t.bErr !== null, reversible: false, odeOnly: false, pullback: true, checkpointable: true,
  discreteSavesInside: true, errorPerRtol, denseOrder: t.dense.order, interpolatesSaves: true, rkBase: t,
});
const coupled = (t: Tableau): SolverEntry => ({
  name: `reversible-${t.name}`, method: `reversible-${t.name}`, order: t.order, adaptive: t.bErr !== null, reversible: true,
  odeOnly: false, pullback: true, checkpointable: true, discreteSavesInside: true, errorPerRtol: 1, denseOrder: 1, interpolatesSaves: false, rkBase: t,
});

/** Every solver: the built-in method strings, two λ-coupled wrappers and a custom tableau. */
export const allSolvers: readonly SolverEntry[] = [
  rk(tableaus.euler), rk(tableaus.midpoint), rk(tableaus.heun), rk(tableaus.ralston), rk(tableaus.rk4),
  rk(tableaus.bs3), rk(tableaus.dopri5), rk(tableaus.tsit5), rk(tableaus.heun3), rk(tableaus.fehlberg2, 'fehlberg2', 300), rk(tableaus.dopri8),
  { name: 'vcab3', method: 'vcab3', order: 3, adaptive: true, reversible: false, odeOnly: true, pullback: true, checkpointable: false, discreteSavesInside: true, errorPerRtol: 1, denseOrder: 3, interpolatesSaves: true, rkBase: null },
  { name: 'reversible-heun', method: 'reversible-heun', order: 2, adaptive: false, reversible: true, odeOnly: true, pullback: true, checkpointable: true, discreteSavesInside: true, errorPerRtol: 1, denseOrder: 1, interpolatesSaves: false, rkBase: null },
  { name: 'mali', method: 'mali', order: 2, adaptive: false, reversible: true, odeOnly: true, pullback: true, checkpointable: true, discreteSavesInside: true, errorPerRtol: 1, denseOrder: 1, interpolatesSaves: false, rkBase: null },
  coupled(tableaus.midpoint), coupled(tableaus.bs3),
  rk(kutta3, kutta3),
];

/** How a gradient method's result is checked. */
export type GradientKind =
  /** Backprop through the forward's own discrete scheme (exact for it): direct, checkpoint, revolve. */
  | 'discrete'
  /** The reversible method: exact for the (possibly λ-wrapped) reversible scheme it runs the forward with. */
  | 'reversible'
  /** Solves the continuous adjoint ODE: accurate to the tolerances / step of the forward and adjoint solves. */
  | 'continuous';

/** One gradient method (with one set of options) of the catalogue. */
export interface GradientEntry {
  readonly name: string;
  readonly kind: GradientKind;
  /** A fresh method object. */
  make(): GradientMethod;
  /** The forward solver this method runs for a given catalogue solver (reversible: the λ-wrapper), for oracles. */
  forwardSolver(s: SolverEntry): string | Tableau | Solver;
  /** Whether the method applies to the solver (on an ODE term). */
  applies(s: SolverEntry): boolean;
  /** Interpolates y(t) with a Chebyshev polynomial over [t0, t1]: needs a smooth solution (no jumps in f). */
  readonly needsSmooth?: boolean;
}

const discrete = (name: string, make: () => GradientMethod, checkpointing = true): GradientEntry => ({
  name, kind: 'discrete', make, forwardSolver: (s) => s.method, applies: (s) => s.pullback && (!checkpointing || s.checkpointable),
});
const continuous = (name: string, make: () => GradientMethod, needsSmooth = false): GradientEntry => ({
  name, kind: 'continuous', make, forwardSolver: (s) => s.method, applies: () => true, needsSmooth,
});
/**
 * The reversible method with options: wraps an RK solver (or re-wraps a λ-coupled one) in coupledSolver(base, options);
 * without options a reversible solver (reversible-heun, MALI, a wrapper) runs as it is.
 */
const rev = (name: string, options: { lambda?: number; saves?: 'land' | 'linear' }): GradientEntry => {
  const plain = options.lambda === undefined && options.saves === undefined;
  return {
    name, kind: 'reversible', make: () => reversible(options),
    forwardSolver: (s) => (s.reversible && plain ? s.method : coupledSolver(s.rkBase as Tableau, options)),
    applies: (s) => s.rkBase !== null || (s.reversible && plain),
  };
};

/** Every gradient method, with small option variants. */
export const allGradientMethods: readonly GradientEntry[] = [
  discrete('direct', () => direct(), false),
  discrete('checkpoint(slots 1)', () => checkpoint({ slots: 1 })),
  discrete('checkpoint(slots 3)', () => checkpoint({ slots: 3 })),
  discrete('checkpoint', () => checkpoint()),
  discrete('revolve(slots 1)', () => checkpoint({ slots: 1, schedule: 'revolve' })),
  discrete('revolve(slots 3)', () => checkpoint({ slots: 3, schedule: 'revolve' })),
  discrete('revolve', () => checkpoint({ schedule: 'revolve' })),
  continuous('backsolve(rms)', () => backsolve({ norm: 'rms' })),
  continuous('backsolve(seminorm)', () => backsolve({ norm: 'seminorm' })),
  continuous('interpolated(33 nodes)', () => interpolated({ nodes: 33 }), true),
  continuous('interpolated(dense)', () => interpolated({ nodes: 'dense' })),
  continuous('quadrature', () => quadrature()),
  rev('reversible', {}),
  rev('reversible(λ 0.999)', { lambda: 0.999 }),
  rev('reversible(λ 0.9)', { lambda: 0.9 }),
  rev('reversible(λ 0.999, linear saves)', { lambda: 0.999, saves: 'linear' }),
];

/** A small gradient test problem. */
export interface GradientProblem {
  readonly name: string;
  readonly field: VectorField;
  readonly params: Float64Array;
  readonly y0: Float64Array;
  /** Where f jumps in t (a tstop must be placed there), if anywhere. */
  readonly jumpAt?: number;
}

/**
 * forcedOscillator whose forcing jumps by +1 at tJump (right-continuous: sin t + [t ≥ tJump]), written by hand
 * with its VJP: x' = v, v' = −k x − c v + a·s(t), params (k, c, a).
 */
export function jumpOscillator(tJump = 0.6): VectorField {
  const s = (t: number): number => Math.sin(t) + (t >= tJump ? 1 : 0);
  const field: VectorField = {
    dim: 2, paramCount: 3, name: `forced oscillator with a jump at t = ${tJump}`,
    eval(out, t, y, p) { out[0] = y[1]; out[1] = -p[0] * y[0] - p[1] * y[1] + p[2] * s(t); },
    vjp(dY, dParams, v, t, y, p, fOut) {
      if (fOut !== undefined) field.eval(fOut, t, y, p);
      const v0 = v[0], v1 = v[1];
      dY[0] = -p[0] * v1; dY[1] = v0 - p[1] * v1;
      if (dParams !== null) { dParams[0] -= y[0] * v1; dParams[1] -= y[1] * v1; dParams[2] += s(t) * v1; }
      return p[2] * Math.cos(t) * v1;
    },
  };
  return field;
}

const oscParams = (): Float64Array => new Float64Array([2.0, 0.3, 0.7]);

/** The problems the gradient suites cross with every solver and method (small: 2 states, 3 or 22 parameters). */
export const gradientProblems: readonly GradientProblem[] = [
  { name: 'forced oscillator', field: forcedOscillator(), params: oscParams(), y0: new Float64Array([1, -0.5]) },
  { name: 'jump oscillator', field: jumpOscillator(0.6), params: oscParams(), y0: new Float64Array([1, -0.5]), jumpAt: 0.6 },
  (() => { const { field, params } = neuralSpiral(1, 4, 7); return { name: 'neural spiral (hidden 4, seed 7)', field, params, y0: new Float64Array([0.9, -0.4]) }; })(),
];
