/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay, with PyTorch's
 * `torch.optim.SGD` semantics. Per parameter, at update t = 1, 2, … with learning rate η, momentum μ,
 * dampening τ, weight decay λ:
 *
 *     g ← g + λ θ                                   (L2 penalty ½λ‖θ‖² folded into the gradient)
 *     b_1 = g;   b_t = μ b_{t−1} + (1 − τ) g        (momentum buffer; the first update copies g, undamped)
 *     d = g + μ b_t  (nesterov)   or   d = b_t      (μ = 0: d = g, no buffer)
 *     θ ← θ − η d
 *
 * Heavy-ball momentum is Polyak (1964); the Nesterov form is Sutskever, Martens, Dahl & Hinton, "On the
 * importance of initialization and momentum in deep learning" (ICML 2013), as rewritten in PyTorch.
 */
import type { CommonOptions, Optimizer } from './optimizer.ts';
import { OptimizerBase, parseCommon, type CommonParsed } from './base.ts';
import { badOption, booleanOption, isFiniteNonNegative, isUnitClosed, isUnitOpen, numberOption } from './check.ts';

/** Options of {@link sgd}. */
export interface SgdOptions extends CommonOptions {
  /** Learning rate η (number > 0 or Schedule). Default 1e-3 (PyTorch ≥ 2.0); 1e-2 to 1e-1 is typical for SGD. */
  lr?: CommonOptions['lr'];
  /** Momentum μ in [0, 1). Default 0 (plain gradient descent). 0.9 is the usual choice. */
  momentum?: number;
  /** Dampening τ in [0, 1]: the buffer takes (1 − τ) g. Default 0. Must be 0 with nesterov. */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean;
  /** L2 weight decay λ ≥ 0 added to the gradient as λθ. Default 0. */
  weightDecay?: number;
}

const SGD_KEYS = ['lr', 'clipNorm', 'momentum', 'dampening', 'nesterov', 'weightDecay'] as const;

/**
 * Stochastic gradient descent (see the file header for the update). With default options it is θ ← θ − η g.
 * @throws TideError('BAD_OPTION') for an unknown option key, a value out of range, or nesterov without
 *   momentum > 0 and dampening = 0.
 */
export function sgd(options?: SgdOptions): Optimizer {
  return new SgdOptimizer(options);
}

class SgdOptimizer extends OptimizerBase {
  private readonly momentum: number;
  private readonly dampening: number;
  private readonly nesterov: boolean;
  private readonly weightDecay: number;

  constructor(options: SgdOptions | undefined) {
    const where = 'sgd';
    const common: CommonParsed = parseCommon(where, options, SGD_KEYS, 1e-3);
    const o = options ?? {};
    const momentum = numberOption(where, 'momentum', o.momentum, 0, isUnitOpen, 'a number in [0, 1)', '0.9 is the usual choice.');
    const dampening = numberOption(where, 'dampening', o.dampening, 0, isUnitClosed, 'a number in [0, 1]');
    const nesterov = booleanOption(where, 'nesterov', o.nesterov, false);
    const weightDecay = numberOption(where, 'weightDecay', o.weightDecay, 0, isFiniteNonNegative, 'a finite number ≥ 0');
    if (nesterov && (momentum === 0 || dampening !== 0)) {
      throw badOption(where, 'nesterov', nesterov, 'used with momentum > 0 and dampening = 0',
        `Got momentum ${momentum} and dampening ${dampening}; set momentum: 0.9 and leave dampening out, or drop nesterov.`);
    }
    super(where, common, momentum !== 0 ? ['b'] : []);
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
  }

  protected update(params: Float64Array, grads: Readonly<Float64Array>, lr: number, t: number): void {
    const n = params.length;
    const wd = this.weightDecay;
    const mu = this.momentum;
    if (mu === 0) {
      for (let i = 0; i < n; i++) {
        let g = grads[i];
        if (wd !== 0) g += wd * params[i];
        params[i] -= lr * g;
      }
      return;
    }
    const b = this.buf[0];
    const keep = 1 - this.dampening;
    const first = t === 1; // PyTorch starts the buffer at g itself, without dampening
    const nesterov = this.nesterov;
    for (let i = 0; i < n; i++) {
      let g = grads[i];
      if (wd !== 0) g += wd * params[i];
      const bi = first ? g : mu * b[i] + keep * g;
      b[i] = bi;
      params[i] -= lr * (nesterov ? g + mu * bi : bi);
    }
  }
}
