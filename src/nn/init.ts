/**
 * Seeded initialisation schemes for weight matrices W [out, in] and biases b [out].
 * - 'pytorch' (default): W, b ~ U(−1/√in, 1/√in), as torch.nn.Linear's reset_parameters (Kaiming-uniform with a = √5).
 * - 'glorot': W ~ U(−√(6/(in+out)), √(6/(in+out))) (Glorot & Bengio 2010), b = 0.
 * - 'he': W ~ N(0, 2/in) (He et al. 2015, for ReLU), b = 0.
 * - 'zeros': W = b = 0 (e.g. the last layer of a residual/ODE field, so training starts from f = 0).
 */
import type { FloatArray } from '../core/array.ts';
import type { Rng } from '../core/random.ts';
import { TideError, fmtGot, unknownName } from '../core/errors.ts';
import { describe } from '../core/array.ts';

/** Initialisation schemes of dense weights and biases (see the module header for each one's distribution). */
export type InitScheme = 'pytorch' | 'glorot' | 'he' | 'zeros';
/** Every {@link InitScheme}, in a stable order. */
export const INIT_SCHEMES: readonly InitScheme[] = ['pytorch', 'glorot', 'he', 'zeros'];

export function checkInit(where: string, scheme: string): InitScheme {
  if (!(INIT_SCHEMES as readonly string[]).includes(scheme)) throw unknownName(where, 'init scheme', scheme, INIT_SCHEMES);
  return scheme as InitScheme;
}

/** Fills weight (out·in entries) and bias (out entries, may be null) by the scheme. */
export function initDense(weight: FloatArray, bias: FloatArray | null, inDim: number, outDim: number, scheme: InitScheme, rng: Rng): void {
  const where = 'initDense';
  for (const [label, v] of [['inDim', inDim], ['outDim', outDim]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new TideError('SHAPE', `${where}: ${label} must be a positive integer, got ${fmtGot(v)}.`);
  }
  const isArr = (x: unknown): boolean => x instanceof Float64Array || x instanceof Float32Array;
  if (!isArr(weight) || weight.length !== inDim * outDim) {
    throw new TideError(isArr(weight) ? 'SHAPE' : 'DTYPE', `${where}: weight must be a Float64Array (or Float32Array) of outDim × inDim = ${outDim * inDim} entries, got ${describe(weight)}.`);
  }
  if (bias !== null && (!isArr(bias) || bias.length !== outDim)) {
    throw new TideError(isArr(bias) ? 'SHAPE' : 'DTYPE', `${where}: bias must be null or a Float64Array (or Float32Array) of outDim = ${outDim} entries, got ${describe(bias)}.`);
  }
  checkInit(where, scheme);
  if (rng === null || typeof rng !== 'object' || typeof rng.fillUniform !== 'function') {
    throw new TideError('BAD_ARGUMENT', `${where}: rng must be an Rng (new Rng(seed)), got ${fmtGot(rng)}.`);
  }
  switch (scheme) {
    case 'pytorch': {
      const bound = 1 / Math.sqrt(inDim);
      rng.fillUniform(weight, -bound, bound);
      if (bias) rng.fillUniform(bias, -bound, bound);
      return;
    }
    case 'glorot': {
      const bound = Math.sqrt(6 / (inDim + outDim));
      rng.fillUniform(weight, -bound, bound);
      if (bias) bias.fill(0);
      return;
    }
    case 'he':
      rng.fillNormal(weight, 0, Math.sqrt(2 / inDim));
      if (bias) bias.fill(0);
      return;
    case 'zeros':
      weight.fill(0);
      if (bias) bias.fill(0);
      return;
  }
}
