/**
 * Step-size controllers: the interface every controller meets, and the PI controller tide uses by default.
 *
 * PI ("Lund stabilisation"; Gustafsson, Lundh & Söderlind 1988; Hairer & Wanner II §IV.2; Hairer's DOPRI5, OrdinaryDiffEq.jl
 * `PIController`; Pal's 2023 MIT SM thesis §2.3 writes dt_new = η q_{n−1}^α q_n^β dt with η = γ, q_n = E,
 * α = β2, β = −β1). After an attempted step with error norm E:
 *
 *     accepted (E ≤ 1):  factor = clamp(γ E^{−β1} E_old^{β2}, qmin, qmax),  then E_old = max(E, 1e-4)
 *     rejected:          factor = max(qmin, γ E^{−β1})                        (E_old unchanged)
 *     E = 0:             factor = qmax, E_old = 1e-4;   E not finite: rejected, factor = qmin
 *
 * with γ = 0.9, qmin = 0.2, qmax = 10, E_old initialised to 1e-4 and gains β1 = 7/(10p), β2 = 2/(5p) (OrdinaryDiffEq.jl
 * defaults: Tsit5 0.14/0.08, BS3 and VCAB3 7/30, 2/15) except DP5's 0.17/0.04 (Hairer's DOPRI5 beta = 0.04).
 * The factor and the accept/reject decision are never differentiated (as in torchdiffeq and diffrax,
 * which stop their gradient).
 */
import { TideError, checkOptionKeys } from '../core/errors.ts';
import type { PiGains } from '../solvers/tableau.ts';

/**
 * What the integration loop asks of a step-size controller. Controllers are stateful (E_old, last decision): the
 * loop calls `reset` at the start of every solve, so one object may serve consecutive solves, but not two solves
 * running nested inside each other's callbacks.
 * @property name the controller's name ('pi', 'i', 'scipy', or a custom one's), for messages.
 */
export interface StepSizeController {
  readonly name: string;
  /** Starts a solve with a solver of order p whose default PI gains are `gains`. */
  reset(order: number, gains: PiGains): void;
  /** Whether an attempted step with error norm E is accepted. Must be false for NaN and Infinity. */
  accept(E: number): boolean;
  /**
   * h_next / h after the decision on E (`accepted` is what `accept(E)` returned). Updates the controller state.
   * A non-finite E must give the smallest factor. Never differentiated.
   */
  factor(E: number, accepted: boolean): number;
}

/** Options of {@link PIController}. Unset gains come from the solver (OrdinaryDiffEq.jl's rule
 * β1 = 7/(10p), β2 = 2/(5p); DP5: Hairer's 0.17/0.04). */
export interface PIControllerOptions {
  /** Integral gain β1 (exponent on E_n). Default: the solver's (7/(10p), DP5 0.17). */
  beta1?: number;
  /** Proportional gain β2 (exponent on E_{n−1}). Default: the solver's (2/(5p), DP5 0.04). */
  beta2?: number;
  /** Safety factor γ. Default 0.9. */
  safety?: number;
  /** Smallest factor qmin. Default 0.2. */
  factorMin?: number;
  /** Largest factor qmax. Default 10. */
  factorMax?: number;
  /** Hairer's DOPRI5 rule: the first accepted step after a rejection may not grow (factor ≤ 1). Default false. */
  noGrowAfterReject?: boolean;
}

const PI_KEYS = ['beta1', 'beta2', 'safety', 'factorMin', 'factorMax', 'noGrowAfterReject'];

/** Checks a controller option; returns it or the default. */
export function controllerNumber(where: string, name: string, value: unknown, fallback: number,
  ok: (x: number) => boolean, expected: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !ok(value)) {
    throw new TideError('BAD_OPTION', `${where}: ${name} must be ${expected}, got ${String(value)}.`, { option: name });
  }
  return value;
}

/** Rejects unknown option keys of a controller constructor. */
export function checkControllerKeys(where: string, options: object | undefined, valid: readonly string[]): void {
  checkOptionKeys(where, options, valid);
}

/** The PI controller above (Hairer's DOPRI5 "Lund stabilisation"; tide's default, `controller: 'pi'`). */
export class PIController implements StepSizeController {
  readonly name = 'pi';
  private readonly fixedBeta1: number | undefined;
  private readonly fixedBeta2: number | undefined;
  private readonly safety: number;
  private readonly qmin: number;
  private readonly qmax: number;
  private readonly noGrowAfterReject: boolean;
  private beta1 = 0;
  private beta2 = 0;
  private eOld = 1e-4;
  private lastRejected = false;

  /** @throws TideError('BAD_OPTION') for an unknown key or a value out of range. */
  constructor(options?: PIControllerOptions) {
    const where = 'PIController';
    checkControllerKeys(where, options, PI_KEYS);
    const o = options ?? {};
    const nonNeg = (x: number): boolean => Number.isFinite(x) && x >= 0;
    this.fixedBeta1 = o.beta1 === undefined ? undefined : controllerNumber(where, 'beta1', o.beta1, 0, (x) => Number.isFinite(x) && x > 0, 'a finite number > 0');
    this.fixedBeta2 = o.beta2 === undefined ? undefined : controllerNumber(where, 'beta2', o.beta2, 0, nonNeg, 'a finite number ≥ 0');
    this.safety = controllerNumber(where, 'safety', o.safety, 0.9, (x) => x > 0 && x <= 1, 'in (0, 1]');
    this.qmin = controllerNumber(where, 'factorMin', o.factorMin, 0.2, (x) => x > 0 && x < 1, 'in (0, 1)');
    this.qmax = controllerNumber(where, 'factorMax', o.factorMax, 10, (x) => x > 1 && Number.isFinite(x), 'a finite number > 1');
    this.noGrowAfterReject = o.noGrowAfterReject === true;
  }

  reset(_order: number, gains: PiGains): void {
    this.beta1 = this.fixedBeta1 ?? gains.beta1;
    this.beta2 = this.fixedBeta2 ?? gains.beta2;
    this.eOld = 1e-4;
    this.lastRejected = false;
  }

  accept(E: number): boolean {
    return E <= 1;
  }

  factor(E: number, accepted: boolean): number {
    // NaN/Infinity: never let it into E_old; shrink as hard as allowed (tide's rule: a non-finite
    // error is a rejection with the minimum factor).
    if (!(E < Infinity)) {
      this.lastRejected = true;
      return this.qmin;
    }
    if (!accepted) {
      this.lastRejected = true;
      return Math.max(this.qmin, this.safety * Math.pow(E, -this.beta1));
    }
    let f: number;
    if (E === 0) {
      f = this.qmax;
      this.eOld = 1e-4;
    } else {
      f = this.safety * Math.pow(E, -this.beta1) * Math.pow(this.eOld, this.beta2);
      f = f < this.qmin ? this.qmin : f > this.qmax ? this.qmax : f;
      this.eOld = E > 1e-4 ? E : 1e-4;
    }
    if (this.noGrowAfterReject && this.lastRejected && f > 1) f = 1;
    this.lastRejected = false;
    return f;
  }
}
