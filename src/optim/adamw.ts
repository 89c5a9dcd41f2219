/**
 * AdamW: Adam with decoupled weight decay, Loshchilov & Hutter, "Decoupled Weight Decay Regularization"
 * (ICLR 2019), Algorithm 2, in PyTorch's `torch.optim.AdamW` form, where the decay is scaled by the current
 * learning rate (the paper's schedule multiplier η_t times α folded into one lr). Per parameter, at update t:
 *
 *     θ ← θ (1 − η λ)                               (decoupled decay: not seen by the moments)
 *     m_t = β1 m_{t−1} + (1 − β1) g,   v_t = β2 v_{t−1} + (1 − β2) g²
 *     θ ← θ − η/(1 − β1^t) · m_t / (√v_t / √(1 − β2^t) + ε)      (v_t → running max with amsgrad)
 *
 * Unlike L2 decay in Adam (λθ added to g, then divided by √v̂), every weight decays at the same relative rate
 * η λ per update. optax's `adamw` gives the same update.
 */
import type { Optimizer } from './optimizer.ts';
import { AdamOptimizer, type AdamOptions } from './adam.ts';

/** Options of {@link adamw}: those of Adam, with weightDecay the decoupled λ (default 0.01, as in PyTorch). */
export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay λ ≥ 0: θ ← θ(1 − η λ) each update. Default 0.01. */
  weightDecay?: number;
}

/**
 * AdamW (Loshchilov & Hutter 2019): Adam whose weight decay shrinks θ directly instead of entering the gradient
 * (see the file header). Use it over `adam` with weightDecay whenever you want regularization by decay.
 * @throws TideError('BAD_OPTION') for an unknown option key or a value out of range.
 */
export function adamw(options?: AdamWOptions): Optimizer {
  return new AdamOptimizer('adamw', options, 0.01, true);
}
