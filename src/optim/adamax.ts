/**
 * Adamax: the infinity-norm variant of Adam, Kingma & Ba, "Adam: A Method for Stochastic Optimization"
 * (ICLR 2015), §7.1, Algorithm 2, in PyTorch's `torch.optim.Adamax` form (ε inside the max, so u > 0).
 * Per parameter, at update t = 1, 2, … with learning rate η, β1, β2, ε, weight decay λ:
 *
 *     g ← g + λ θ                                   (L2 weight decay, as in PyTorch)
 *     m_t = β1 m_{t−1} + (1 − β1) g                 (m_0 = 0)
 *     u_t = max(β2 u_{t−1}, |g| + ε)                (exponentially weighted infinity norm, u_0 = 0)
 *     θ ← θ − η/(1 − β1^t) · m_t / u_t
 *
 * u needs no bias correction; the step is bounded by η/(1 − β1^t) · |m_t|/u_t ≤ η in magnitude for t ≥ 1.
 */
import type { CommonOptions, Optimizer } from './optimizer.ts';
import { OptimizerBase, parseCommon } from './base.ts';
import { isFiniteNonNegative, isFinitePositive, isUnitOpen, numberOption } from './check.ts';

/** Options of {@link adamax}. */
export interface AdamaxOptions extends CommonOptions {
  /** Learning rate η (number > 0 or Schedule). Default 2e-3. */
  lr?: CommonOptions['lr'];
  /** Decay β1 of the first moment, in [0, 1). Default 0.9. */
  beta1?: number;
  /** Decay β2 of the infinity norm, in [0, 1). Default 0.999. */
  beta2?: number;
  /** ε > 0 added to |g| inside the max. Default 1e-8. */
  eps?: number;
  /** L2 weight decay λ ≥ 0 added to the gradient as λθ. Default 0. */
  weightDecay?: number;
}

const ADAMAX_KEYS = ['lr', 'clipNorm', 'beta1', 'beta2', 'eps', 'weightDecay'] as const;

/**
 * Adamax (Kingma & Ba 2015, §7.1): Adam with the L2 second moment replaced by a decaying infinity norm
 * (see the file header). Less sensitive than Adam to rare large gradient spikes.
 * @throws TideError('BAD_OPTION') for an unknown option key or a value out of range.
 */
export function adamax(options?: AdamaxOptions): Optimizer {
  return new AdamaxOptimizer(options);
}

class AdamaxOptimizer extends OptimizerBase {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;

  constructor(options: AdamaxOptions | undefined) {
    const where = 'adamax';
    const common = parseCommon(where, options, ADAMAX_KEYS, 2e-3);
    const o = options ?? {};
    const beta1 = numberOption(where, 'beta1', o.beta1, 0.9, isUnitOpen, 'a number in [0, 1)', 'The default is 0.9.');
    const beta2 = numberOption(where, 'beta2', o.beta2, 0.999, isUnitOpen, 'a number in [0, 1)', 'The default is 0.999.');
    const eps = numberOption(where, 'eps', o.eps, 1e-8, isFinitePositive, 'a finite number > 0',
      'It keeps u above 0 where g is 0; the default is 1e-8.');
    const weightDecay = numberOption(where, 'weightDecay', o.weightDecay, 0, isFiniteNonNegative, 'a finite number ≥ 0');
    super(where, common, ['m', 'u']);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  protected update(params: Float64Array, grads: Readonly<Float64Array>, lr: number, t: number): void {
    const n = params.length;
    const m = this.buf[0];
    const u = this.buf[1];
    const b1 = this.beta1, b2 = this.beta2, eps = this.eps, wd = this.weightDecay;
    const stepSize = lr / (1 - Math.pow(b1, t));
    for (let i = 0; i < n; i++) {
      let g = grads[i];
      if (wd !== 0) g += wd * params[i];
      const mi = b1 * m[i] + (1 - b1) * g;
      const decayed = b2 * u[i];
      const fresh = Math.abs(g) + eps;
      const ui = decayed > fresh ? decayed : fresh;
      m[i] = mi;
      u[i] = ui;
      params[i] -= stepSize * mi / ui;
    }
  }
}
