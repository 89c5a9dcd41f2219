/**
 * Frozen step-size decisions, for central differences of adaptive solves: gradient methods treat the step sizes and
 * accept/reject decisions as constants, so their oracle is the derivative of the solve with those decisions fixed.
 * `RecordingController` is the default PI controller, recording what it decides; `replay()` returns a controller that
 * repeats those decisions, so a perturbed solve takes exactly the same steps. Give the first step (stepSize) too:
 * otherwise the initial-step heuristic, which reads f(t0, y0), still moves with the perturbation.
 */
import { PIController } from '../../src/index.ts';
import type { PiGains, StepSizeController } from '../../src/index.ts';

export class RecordingController implements StepSizeController {
  readonly name = 'recording PI';
  private readonly inner = new PIController();
  private readonly decisions: boolean[] = [];
  private readonly factors: number[] = [];
  reset(order: number, gains: PiGains): void { this.inner.reset(order, gains); this.decisions.length = 0; this.factors.length = 0; }
  accept(E: number): boolean { const a = this.inner.accept(E); this.decisions.push(a); return a; }
  factor(E: number, accepted: boolean): number { const f = this.inner.factor(E, accepted); this.factors.push(f); return f; }
  /** A controller that repeats the recorded decisions (one solve's worth; reset rewinds it). */
  replay(): StepSizeController {
    const { decisions, factors } = this;
    let i = 0, j = 0;
    return {
      name: 'replay',
      reset() { i = 0; j = 0; },
      accept: () => decisions[i++],
      factor: () => factors[j++],
    };
  }
}
