/**
 * Adam: Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), Algorithm 1, in PyTorch's
 * `torch.optim.Adam` form (ε added after the square root of the bias-corrected second moment), with optional
 * AMSGrad (Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018) and L2 weight decay.
 * Per parameter, at update t = 1, 2, … with learning rate η, β1, β2, ε, weight decay λ:
 *
 *     g ← g + λ θ                                   (L2: coupled to the adaptive scaling; see adamw.ts)
 *     m_t = β1 m_{t−1} + (1 − β1) g                 (first moment, m_0 = 0)
 *     v_t = β2 v_{t−1} + (1 − β2) g²                (second moment, v_0 = 0)
 *     v̂max_t = max(v̂max_{t−1}, v_t)                 (amsgrad only; then v_t below reads v̂max_t)
 *     θ ← θ − η/(1 − β1^t) · m_t / (√v_t / √(1 − β2^t) + ε)
 *
 * which is θ ← θ − η m̂/(√v̂ + ε) with m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t). The first update moves each
 * parameter by η g/(|g| + ε) ≈ η sign(g), whatever the scale of g.
 */
import type { CommonOptions, Optimizer } from './optimizer.ts';
import { OptimizerBase, parseCommon } from './base.ts';
import { booleanOption, isFiniteNonNegative, isFinitePositive, isUnitOpen, numberOption } from './check.ts';

/** Options of {@link adam}. */
export interface AdamOptions extends CommonOptions {
  /** Learning rate η (number > 0 or Schedule). Default 1e-3. */
  lr?: CommonOptions['lr'];
  /** Decay β1 of the first moment, in [0, 1). Default 0.9. */
  beta1?: number;
  /** Decay β2 of the second moment, in [0, 1). Default 0.999. */
  beta2?: number;
  /** ε > 0 added to √v̂ in the denominator. Default 1e-8. */
  eps?: number;
  /** L2 weight decay λ ≥ 0 added to the gradient as λθ. Default 0 (for decoupled decay use adamw). */
  weightDecay?: number;
  /** Use the running maximum of v (AMSGrad). Default false. */
  amsgrad?: boolean;
}

/** Option keys of adam and adamw. */
export const ADAM_KEYS = ['lr', 'clipNorm', 'beta1', 'beta2', 'eps', 'weightDecay', 'amsgrad'] as const;

/**
 * Adam (Kingma & Ba 2015) with bias correction, PyTorch's ε placement and optional AMSGrad; the robust default
 * for training neural differential equations (see the file header for the update).
 * @throws TideError('BAD_OPTION') for an unknown option key (`betas1`, `lr0`) or a value out of range.
 */
export function adam(options?: AdamOptions): Optimizer {
  return new AdamOptimizer('adam', options, 0, false);
}

/**
 * Adam and AdamW share this class (internal; exported for adamw.ts). `decoupled` selects AdamW's decay
 * θ ← θ(1 − η λ) before the Adam step instead of the L2 term λθ in the gradient.
 */
export class AdamOptimizer extends OptimizerBase {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly amsgrad: boolean;
  private readonly decoupled: boolean;

  constructor(name: string, options: AdamOptions | undefined, defaultWeightDecay: number, decoupled: boolean) {
    const common = parseCommon(name, options, ADAM_KEYS, 1e-3);
    const o = options ?? {};
    const beta1 = numberOption(name, 'beta1', o.beta1, 0.9, isUnitOpen, 'a number in [0, 1)', 'The default is 0.9.');
    const beta2 = numberOption(name, 'beta2', o.beta2, 0.999, isUnitOpen, 'a number in [0, 1)', 'The default is 0.999.');
    const eps = numberOption(name, 'eps', o.eps, 1e-8, isFinitePositive, 'a finite number > 0',
      'It keeps m/(√v + eps) finite where v is 0; the default is 1e-8.');
    const weightDecay = numberOption(name, 'weightDecay', o.weightDecay, defaultWeightDecay, isFiniteNonNegative,
      'a finite number ≥ 0');
    const amsgrad = booleanOption(name, 'amsgrad', o.amsgrad, false);
    super(name, common, amsgrad ? ['m', 'v', 'vMax'] : ['m', 'v']);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.amsgrad = amsgrad;
    this.decoupled = decoupled;
  }

  protected update(params: Float64Array, grads: Readonly<Float64Array>, lr: number, t: number): void {
    const n = params.length;
    const m = this.buf[0];
    const v = this.buf[1];
    const vMax = this.amsgrad ? this.buf[2] : v; // without amsgrad the "max" is v itself
    const b1 = this.beta1, b2 = this.beta2, eps = this.eps;
    const stepSize = lr / (1 - Math.pow(b1, t));
    const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, t));
    // Coupled (Adam) decay enters g; decoupled (AdamW) shrinks θ before the step, by η λ.
    const l2 = this.decoupled ? 0 : this.weightDecay;
    const shrink = this.decoupled ? 1 - lr * this.weightDecay : 1;
    for (let i = 0; i < n; i++) {
      let g = grads[i];
      if (l2 !== 0) g += l2 * params[i];
      const mi = b1 * m[i] + (1 - b1) * g;
      const vi = b2 * v[i] + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      if (vi > vMax[i]) vMax[i] = vi;
      let p = params[i];
      if (shrink !== 1) p *= shrink;
      params[i] = p - stepSize * mi / (Math.sqrt(vMax[i]) / bc2Sqrt + eps);
    }
  }
}
