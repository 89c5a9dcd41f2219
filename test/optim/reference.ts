/**
 * Scalar reference recursions for the Adam family, written from the papers' equations (m̂/v̂ notation, one
 * parameter at a time), deliberately not from the implementation's folded step size.
 *   Adam (Kingma & Ba 2015, Alg. 1):  m̂ = m/(1−β1^t), v̂ = v/(1−β2^t), θ ← θ − α m̂/(√v̂ + ε);  L2: g ← g + λθ
 *   AMSGrad (PyTorch): v̂ = max_{s≤t} v_s / (1−β2^t)
 *   AdamW (Loshchilov & Hutter 2019, Alg. 2, PyTorch scaling): θ ← θ − αλθ, then the Adam step
 *   Adamax (Kingma & Ba 2015, Alg. 2): u = max(β2 u, |g| + ε), θ ← θ − α/(1−β1^t) · m/u
 */
import type { Optimizer } from '../../src/optim/optimizer.ts';
import { assertClose } from './util.ts';

export const P0 = [1.0, -2.0, 0.5, 0.0];
/** A constant gradient (the last entry tiny, so ε matters). */
export const G = [0.3, -0.1, 2.0, 1e-9];
/** One gradient per update; column 1 collapses from 2 to 0 so AMSGrad's max differs from v. */
export const GS = [[0.3, 2.0, -1.0, 0.0], [0.5, 0.01, 0.2, 1e-3], [-0.4, 0.0, 3.0, -2.0]];
export const col = (i: number): number[] => GS.map((g) => g[i]);

/** Runs `steps` updates from P0 with fresh copies of gradAt(t); returns params after each. */
export function run(opt: Optimizer, gradAt: (t: number) => number[], steps = 3): number[][] {
  const p = Float64Array.from(P0);
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    opt.step(p, Float64Array.from(gradAt(t)));
    out.push(Array.from(p));
  }
  return out;
}

export interface Hyper { lr: number; b1: number; b2: number; eps: number; wd: number }
export const DEFAULTS: Hyper = { lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0 };

/** Kingma & Ba Algorithm 1 for one scalar (with PyTorch's L2 / decoupled decay and AMSGrad switches). */
export function adamScalar(p0: number, gs: number[], h: Hyper, kind: 'adam' | 'amsgrad' | 'adamw'): number[] {
  let p = p0, m = 0, v = 0, vMax = 0;
  const out: number[] = [];
  gs.forEach((g0, k) => {
    const t = k + 1;
    const g = kind === 'adamw' ? g0 : g0 + h.wd * p;
    if (kind === 'adamw') p = p - h.lr * h.wd * p;
    m = h.b1 * m + (1 - h.b1) * g;
    v = h.b2 * v + (1 - h.b2) * g * g;
    vMax = Math.max(vMax, v);
    const mHat = m / (1 - h.b1 ** t);
    const vHat = (kind === 'amsgrad' ? vMax : v) / (1 - h.b2 ** t);
    p = p - h.lr * mHat / (Math.sqrt(vHat) + h.eps);
    out.push(p);
  });
  return out;
}

/** Kingma & Ba Algorithm 2 (Adamax) for one scalar, PyTorch's ε inside the max and L2 decay. */
export function adamaxScalar(p0: number, gs: number[], h: Hyper): number[] {
  let p = p0, m = 0, u = 0;
  const out: number[] = [];
  gs.forEach((g0, k) => {
    const t = k + 1;
    const g = g0 + h.wd * p;
    m = h.b1 * m + (1 - h.b1) * g;
    u = Math.max(h.b2 * u, Math.abs(g) + h.eps);
    p = p - (h.lr / (1 - h.b1 ** t)) * m / u;
    out.push(p);
  });
  return out;
}

/** Compares the first three updates of every parameter with the scalar reference ref(i). */
export function checkAgainst(out: number[][], ref: (i: number) => number[], label: string): void {
  for (let i = 0; i < P0.length; i++) {
    const r = ref(i);
    for (let t = 0; t < 3; t++) assertClose(out[t][i], r[t], 1e-12, 1e-15, `${label} t=${t + 1} i=${i}`);
  }
}
