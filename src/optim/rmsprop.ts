/**
 * RMSprop: Tieleman & Hinton, "Lecture 6.5 (6e) — rmsprop: divide the gradient by a running average of its recent
 * magnitude" (COURSERA: Neural Networks for Machine Learning, 2012), with the centered variant of Graves,
 * "Generating Sequences With Recurrent Neural Networks" (2013, eq. 38–41), in PyTorch's `torch.optim.RMSprop` form
 * (ε added after the square root; momentum buffer on the scaled gradient). Per parameter, at every update with
 * learning rate η, smoothing α, ε, momentum μ, weight decay λ:
 *
 *     g ← g + λ θ                                   (L2 weight decay, as in PyTorch)
 *     v ← α v + (1 − α) g²                          (running mean square, v_0 = 0; no bias correction)
 *     ḡ ← α ḡ + (1 − α) g,  d = √(v − ḡ²) + ε       (centered: the running variance)   or   d = √v + ε
 *     b ← μ b + g / d,  θ ← θ − η b                 (μ > 0)   or   θ ← θ − η g / d
 *
 * torchdiffeq's ode_demo.py trains with `optim.RMSprop(func.parameters(), lr=1e-3)`, i.e. rmsprop({ lr: 1e-3 }).
 */
import type { CommonOptions, Optimizer } from './optimizer.ts';
import { OptimizerBase, parseCommon } from './base.ts';
import { booleanOption, isFiniteNonNegative, isFinitePositive, isUnitOpen, numberOption } from './check.ts';

/** Options of {@link rmsprop}. */
export interface RmspropOptions extends CommonOptions {
  /** Learning rate η (number > 0 or Schedule). Default 1e-2 (PyTorch's default). */
  lr?: CommonOptions['lr'];
  /** Smoothing constant α of the running mean square, in [0, 1). Default 0.99. */
  alpha?: number;
  /** ε > 0 added to the root mean square in the denominator. Default 1e-8. */
  eps?: number;
  /** Momentum μ in [0, 1) on the scaled gradient. Default 0. */
  momentum?: number;
  /** Divide by the running standard deviation (mean square minus squared mean) instead. Default false. */
  centered?: boolean;
  /** L2 weight decay λ ≥ 0 added to the gradient as λθ. Default 0. */
  weightDecay?: number;
}

const RMSPROP_KEYS = ['lr', 'clipNorm', 'alpha', 'eps', 'momentum', 'centered', 'weightDecay'] as const;

/**
 * RMSprop (Hinton's lecture 6e; PyTorch semantics, see the file header): each parameter's step is η g divided by
 * the root of a running mean of g². No bias correction, so early steps are larger than Adam's for α near 1;
 * prefer adam as a default, rmsprop to reproduce torchdiffeq's examples.
 * @throws TideError('BAD_OPTION') for an unknown option key or a value out of range.
 */
export function rmsprop(options?: RmspropOptions): Optimizer {
  return new RmspropOptimizer(options);
}

class RmspropOptimizer extends OptimizerBase {
  private readonly alpha: number;
  private readonly eps: number;
  private readonly momentum: number;
  private readonly centered: boolean;
  private readonly weightDecay: number;

  constructor(options: RmspropOptions | undefined) {
    const where = 'rmsprop';
    const common = parseCommon(where, options, RMSPROP_KEYS, 1e-2);
    const o = options ?? {};
    const alpha = numberOption(where, 'alpha', o.alpha, 0.99, isUnitOpen, 'a number in [0, 1)', 'The default is 0.99.');
    const eps = numberOption(where, 'eps', o.eps, 1e-8, isFinitePositive, 'a finite number > 0',
      'It keeps g/(√v + eps) finite where v is 0; the default is 1e-8.');
    const momentum = numberOption(where, 'momentum', o.momentum, 0, isUnitOpen, 'a number in [0, 1)');
    const centered = booleanOption(where, 'centered', o.centered, false);
    const weightDecay = numberOption(where, 'weightDecay', o.weightDecay, 0, isFiniteNonNegative, 'a finite number ≥ 0');
    const names = ['v'];
    if (momentum !== 0) names.push('b');
    if (centered) names.push('gAvg');
    super(where, common, names);
    this.alpha = alpha;
    this.eps = eps;
    this.momentum = momentum;
    this.centered = centered;
    this.weightDecay = weightDecay;
  }

  protected update(params: Float64Array, grads: Readonly<Float64Array>, lr: number): void {
    const n = params.length;
    const v = this.buf[0];
    const mu = this.momentum;
    const b = mu !== 0 ? this.buf[1] : v; // unused without momentum
    const gAvg = this.centered ? this.buf[mu !== 0 ? 2 : 1] : v; // unused unless centered
    const a = this.alpha, eps = this.eps, wd = this.weightDecay, centered = this.centered;
    for (let i = 0; i < n; i++) {
      let g = grads[i];
      if (wd !== 0) g += wd * params[i];
      const vi = a * v[i] + (1 - a) * g * g;
      v[i] = vi;
      let ms = vi;
      if (centered) {
        const gi = a * gAvg[i] + (1 - a) * g;
        gAvg[i] = gi;
        ms = vi - gi * gi;
      }
      const s = g / (Math.sqrt(ms) + eps);
      if (mu !== 0) {
        const bi = mu * b[i] + s;
        b[i] = bi;
        params[i] -= lr * bi;
      } else {
        params[i] -= lr * s;
      }
    }
  }
}
