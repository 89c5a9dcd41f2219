/** Small DEQs of the oracles (Bai et al. 2019 form f(z, x) = σ(Wz + Ux + b)). */
import { dense } from '../../src/nn/dense.ts';
import { mapFromModel } from '../../src/deq/map.ts';
import type { DeqMap } from '../../src/deq/map.ts';

/** O1: f(z) = tanh(Wz + x), d = 3, as dense(6 → 3, tanh) with weight [W | I] and zero bias. */
export const W1 = [[0.3, -0.2, 0.1], [0.1, 0.4, -0.3], [-0.2, 0.1, 0.2]];
export const X1 = new Float64Array([0.5, -1.0, 0.25]);
export const Z1 = [0.709945552042119, -0.856479778285469, 0.027944543014865];

export function o1(): { map: DeqMap; params: Float64Array; model: ReturnType<typeof dense> } {
  const model = dense(6, 3, { activation: 'tanh' });
  const params = new Float64Array(model.paramCount);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) { params[i * 6 + j] = W1[i][j]; params[i * 6 + 3 + i] = 1; }
  return { map: mapFromModel(model, 3), params, model };
}

/** A linear DEQ f(z) = Az + b as dense(2d → d, identity) with weight [A | I] and x = b. */
export function linear(A: number[][]): { map: DeqMap; params: Float64Array } {
  const d = A.length, model = dense(2 * d, d);
  const params = new Float64Array(model.paramCount);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) { params[i * 2 * d + j] = A[i][j]; params[i * 2 * d + d + i] = 1; }
  return { map: mapFromModel(model, d), params };
}
