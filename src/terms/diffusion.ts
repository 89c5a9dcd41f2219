/**
 * The diffusion term g(t, y)·dW of an SDE dy = f(t, y) dt + g(t, y) dW (Kidger, Foster, Li & Lyons, "Neural SDEs as
 * Infinite-Dimensional GANs", ICML 2021, §2): a control term whose path is a Brownian motion. Which calculus the
 * solve follows is the solver's: Euler gives Euler–Maruyama (Itô), Heun's method the Stratonovich solution
 * (Kloeden & Platen 1992, §11.1 and §15.1). Add the drift with `sumTerms(odeTerm(f), diffusionTerm(g, W))`.
 */
import type { ControlPath } from './paths.ts';
import { controlTerm, type MatrixField } from './control.ts';
import type { Term } from './term.ts';
import { checkOptionKeys } from '../core/errors.ts';

/** Options of {@link diffusionTerm}; unknown keys throw TideError('BAD_OPTION'). */
export interface DiffusionTermOptions {
  /** g returns d numbers, one per component (diagonal noise, m = d). Default false: g is d × m. */
  diagonal?: boolean;
}

/** The term g(t, y)·dW for a diffusion g and a Brownian path W (e.g. brownianPath). */
export function diffusionTerm(g: MatrixField, brownian: ControlPath, options: DiffusionTermOptions = {}): Term {
  checkOptionKeys('diffusionTerm', options, ['diagonal']);
  const name = typeof g === 'object' && g !== null && typeof g.name === 'string' ? g.name : 'g·dW';
  return controlTerm(g, brownian, { diagonal: options.diagonal ?? false, name });
}
