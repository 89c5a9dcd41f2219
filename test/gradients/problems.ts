/** Problems shared by the gradient tests. */
import { fieldFromTrace, ops, mlp, fieldFromModel, Rng, fieldFromTrace as ft } from '../../src/index.ts';
import type { VectorField } from '../../src/index.ts';

/** Spiral y' = Aᵀ y³ (torchdiffeq convention), params A = (A11, A12, A21, A22), batch rows of 2. */
export function spiralField(batch = 1): VectorField {
  return fieldFromTrace((_t, y, p) => ops.matmul(ops.cube(y), ops.reshape(p, [2, 2])), { shape: [batch, 2], paramCount: 4, name: 'spiral' });
}
export const A_TRUE = new Float64Array([-0.1, 2.0, -2.0, -0.1]);

/** Neural spiral f(y) = W2·tanh(W1·y³ + b1) + b2 with hidden width `hidden`. */
export function neuralSpiral(batch: number, hidden = 50, seed = 0): { field: VectorField; params: Float64Array } {
  const net = mlp([2, hidden, 2]);
  const field = ft((_t, y, p) => ops.model(net, p, ops.cube(y)), { shape: [batch, 2], paramCount: net.paramCount, name: 'neural spiral' });
  const params = new Float64Array(net.paramCount);
  net.init(params, new Rng(seed));
  return { field, params };
}

/** Time-dependent damped oscillator with learnable (k, c, forcing): tests ∂/∂t paths and non-autonomous stages. */
export function forcedOscillator(): VectorField {
  return fieldFromTrace((t, y, p) => {
    const x = ops.cols(y, 0), v = ops.cols(y, 1);
    const acc = ops.add(ops.sub(ops.mul(ops.neg(ops.at(p, 0)), x), ops.mul(ops.at(p, 1), v)), ops.mul(ops.at(p, 2), ops.sin(t)));
    return ops.concat([v, acc]);
  }, { shape: [1, 2], paramCount: 3, name: 'forced oscillator' });
}

export { fieldFromModel };
