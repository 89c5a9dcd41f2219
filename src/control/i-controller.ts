/**
 * The integral-only ("I", "elementary") controller, factor = γ E^{−1/p} (Hairer, Nørsett & Wanner I, (II.4.13)),
 * in the variant torchdiffeq (`_optimal_step_size`) and diffrax (`PIDController(pcoeff=0,
 * icoeff=1)`) use: accepted steps never shrink (factor clamped to [1, 10]), rejected ones shrink by [0.2, 0.9];
 * E = 0 gives 10. p is the solver's order (5 for DP5/Tsit5, 3 for BS3).
 *
 * {@link ScipyController} is the same law with SciPy `solve_ivp`'s rules (accept E < 1, accepted steps may shrink,
 * the step after a rejection may not grow): with it, tide's `dopri5`/`bs3` reproduce `solve_ivp` RK45/RK23's step
 * sequences (a cross-check against SciPy). Use it for cross-checks, not as a default.
 */
import type { PiGains } from '../solvers/tableau.ts';
import { checkControllerKeys, controllerNumber, type StepSizeController } from './pi.ts';

/** Options of {@link IController}. */
export interface IControllerOptions {
  /** Safety factor γ. Default 0.9. */
  safety?: number;
  /** Smallest factor (on rejection). Default 0.2. */
  factorMin?: number;
  /** Largest factor. Default 10. */
  factorMax?: number;
}

const I_KEYS = ['safety', 'factorMin', 'factorMax'];

function parse(where: string, options: IControllerOptions | undefined): [number, number, number] {
  checkControllerKeys(where, options, I_KEYS);
  const o = options ?? {};
  return [
    controllerNumber(where, 'safety', o.safety, 0.9, (x) => x > 0 && x <= 1, 'in (0, 1]'),
    controllerNumber(where, 'factorMin', o.factorMin, 0.2, (x) => x > 0 && x < 1, 'in (0, 1)'),
    controllerNumber(where, 'factorMax', o.factorMax, 10, (x) => x > 1 && Number.isFinite(x), 'a finite number > 1'),
  ];
}

/** The I controller of torchdiffeq and diffrax (`controller: 'i'`). */
export class IController implements StepSizeController {
  readonly name = 'i';
  private readonly safety: number;
  private readonly qmin: number;
  private readonly qmax: number;
  private exponent = 0.2;

  /** @throws TideError('BAD_OPTION') for an unknown key or a value out of range. */
  constructor(options?: IControllerOptions) {
    [this.safety, this.qmin, this.qmax] = parse('IController', options);
  }

  reset(order: number, _gains: PiGains): void {
    this.exponent = 1 / order;
  }

  accept(E: number): boolean {
    return E <= 1;
  }

  factor(E: number, accepted: boolean): number {
    if (!(E < Infinity)) return this.qmin;
    if (E === 0) return this.qmax;
    const f = this.safety * Math.pow(E, -this.exponent);
    // Accepted steps never shrink; rejected ones shrink at least to γ.
    if (accepted) return f < 1 ? 1 : f > this.qmax ? this.qmax : f;
    return f < this.qmin ? this.qmin : f > this.safety ? this.safety : f;
  }
}

/** The I controller with SciPy `solve_ivp`'s rules (`controller: 'scipy'`), for cross-checks. */
export class ScipyController implements StepSizeController {
  readonly name = 'scipy';
  private readonly safety: number;
  private readonly qmin: number;
  private readonly qmax: number;
  private exponent = 0.2;
  private lastRejected = false;

  /** @throws TideError('BAD_OPTION') for an unknown key or a value out of range. */
  constructor(options?: IControllerOptions) {
    [this.safety, this.qmin, this.qmax] = parse('ScipyController', options);
  }

  reset(order: number, _gains: PiGains): void {
    this.exponent = 1 / order;
    this.lastRejected = false;
  }

  accept(E: number): boolean {
    return E < 1;
  }

  factor(E: number, accepted: boolean): number {
    if (!(E < Infinity)) { this.lastRejected = true; return this.qmin; }
    if (!accepted) {
      this.lastRejected = true;
      return Math.max(this.qmin, this.safety * Math.pow(E, -this.exponent));
    }
    let f = E === 0 ? this.qmax : Math.min(this.qmax, this.safety * Math.pow(E, -this.exponent));
    if (this.lastRejected && f > 1) f = 1;
    this.lastRejected = false;
    return f;
  }
}
