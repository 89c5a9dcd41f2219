/**
 * A VectorField view of a FieldTape that sends the i-th evaluation after `reset()` to slot i. Handing it to erkStep
 * (with k1Valid = false) puts stage i of the step into slot i, so the step's pullback can use tape.vjp(i, …) and
 * skip re-evaluating f at every stage (StepAdjoint.pullbackTaped).
 */
import type { VectorField, FieldTape } from '../core/field.ts';
import { fieldTape } from '../core/field.ts';

export class SlotField implements VectorField {
  readonly dim: number;
  readonly paramCount: number;
  readonly name: string;
  readonly slotTape: FieldTape;
  private next = 0;
  constructor(field: VectorField, slots: number) {
    this.dim = field.dim; this.paramCount = field.paramCount; this.name = field.name ?? 'f';
    this.slotTape = fieldTape(field, slots);
  }
  reset(): this { this.next = 0; return this; }
  eval(out: Float64Array, t: number, y: Float64Array, params: Float64Array): void {
    this.slotTape.eval(this.next++, out, t, y, params);
  }
}
