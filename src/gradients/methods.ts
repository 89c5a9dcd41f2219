/**
 * The gradient methods by name: the strings are shorthand for the method objects with default options.
 *   'direct' → direct()   'checkpoint' → checkpoint()   'revolve' → checkpoint({ schedule: 'revolve' })
 *   'backsolve' → backsolve()   'interpolated' → interpolated()   'interpolated-dense' → interpolated({ nodes: 'dense' })
 *   'reversible' → reversible()   'quadrature' → quadrature()
 */
import { TideError, unknownName } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { GradientMethod } from './method.ts';
import { direct } from './direct.ts';
import { checkpoint } from './checkpoint.ts';
import { backsolve } from './backsolve.ts';
import { interpolated } from './interpolated.ts';
import { reversible } from './reversible.ts';
import { quadrature } from './quadrature.ts';

const SHORTHANDS: Record<string, () => GradientMethod> = {
  direct: () => direct(),
  checkpoint: () => checkpoint(),
  revolve: () => checkpoint({ schedule: 'revolve' }),
  backsolve: () => backsolve(),
  interpolated: () => interpolated(),
  'interpolated-dense': () => interpolated({ nodes: 'dense' }),
  reversible: () => reversible(),
  quadrature: () => quadrature(),
};

/** Every gradient method name. */
export const GRADIENT_METHOD_NAMES: readonly string[] = Object.keys(SHORTHANDS);

/** A GradientMethod from a name or an object. @throws TideError('UNKNOWN_NAME' | 'BAD_OPTION'). */
export function resolveGradientMethod(where: string, g: unknown): GradientMethod {
  if (typeof g === 'string') {
    const make = SHORTHANDS[g];
    if (make === undefined) throw unknownName(where, 'gradient method', g, GRADIENT_METHOD_NAMES);
    return make();
  }
  if (typeof g === 'object' && g !== null && typeof (g as GradientMethod).prepare === 'function' && typeof (g as GradientMethod).name === 'string') return g as GradientMethod;
  throw new TideError('BAD_OPTION', `${where}: gradient must be a method name (${GRADIENT_METHOD_NAMES.join(', ')}) or a method object such as checkpoint({ slots: 8 }), got ${describe(g)}.`, { option: 'gradient' });
}
