/**
 * Recursive checkpointing (adjoints.md §2): the forward pass keeps only a few states; the backward pass recomputes
 * the rest from them and takes one "taped" step (recomputed stages + VJPs, step-adjoint.ts) per accepted step.
 *   'revolve'    offline binomial schedule (Griewank & Walther 2000) run after the forward solve, from y_0, once the
 *                number of steps N is known; minimal recomputation t(N, s) for s slots.
 *   'checkpoint' online schedule placed during the forward solve (Stumm & Walther 2010, then Wang, Moin & Iaccarino
 *                2009), the baseline of the reversible-solver paper (diffrax RecursiveCheckpointAdjoint).
 * Gradients equal the direct method's to round-off: every recomputed step repeats the forward's operations.
 */
import type { VectorField } from '../core/field.ts';
import type { Tableau } from '../solvers/tableau.ts';
import type { SolveOptions } from '../solve/options.ts';
import { erkStep, erkWorkspace } from '../solvers/erk.ts';
import { forwardSolve, gridBytes } from './forward.ts';
import type { StepGrid } from './forward.ts';
import { planSaves, NONE } from './save-plan.ts';
import type { SavePlan } from './save-plan.ts';
import { StepAdjoint } from './step-adjoint.ts';
import { SlotField } from './slot-field.ts';
import type { CheckpointOps } from './checkpoint-ops.ts';
import { revolveBackward } from './revolve.ts';
import { OnlineCheckpointer, onlineBackward } from './online-checkpoint.ts';
import type { GradientResult } from './method.ts';
import { emptyReport } from './method.ts';
import type { DiscreteRun } from './direct.ts';

/** Executes a checkpoint schedule on real states: advance = one RK step, taped step = recompute + pull back. */
class StepExecutor implements CheckpointOps {
  cur: Float64Array; next: Float64Array;
  readonly slots: Float64Array[];
  readonly adj: StepAdjoint;
  readonly dParams: Float64Array;
  nfe = 0;
  advances = 0;
  private readonly ws;
  private readonly slots_: SlotField;
  private plan: SavePlan | null = null;
  private dYs: Readonly<Float64Array> = new Float64Array(0);
  constructor(private readonly field: VectorField, private readonly tableau: Tableau, private readonly grid: StepGrid,
    private readonly params: Float64Array, slotCount: number) {
    const d = field.dim;
    this.cur = new Float64Array(d); this.next = new Float64Array(d);
    this.slots = Array.from({ length: slotCount }, () => new Float64Array(d));
    this.ws = erkWorkspace(tableau, d);
    this.adj = new StepAdjoint(field, tableau);
    this.slots_ = new SlotField(field, tableau.stages);
    this.dParams = new Float64Array(field.paramCount);
  }
  get bytes(): number { return 8 * this.field.dim * (this.slots.length + 2 + this.tableau.stages + 3) + this.adj.bytes; }
  begin(plan: SavePlan, dYs: Readonly<Float64Array>): void {
    this.plan = plan; this.dYs = dYs;
    for (const q of plan.atPoint.get(this.grid.N) ?? NONE) this.adj.addPoint(dYs, q * this.field.dim);
  }
  private stepFromCur(k: number, taped: boolean): void {
    this.ws.k1Valid = false;
    // A re-advance needs only y_{k+1}; a taped step keeps k_s for saves whose dense output uses it.
    this.ws.skipFsalEval = !taped;
    const f = taped ? this.slots_.reset() : this.field;
    this.nfe += erkStep(this.next, null, this.tableau, f, this.grid.times[k], this.grid.hs[k], this.cur, this.params, this.ws);
  }
  advance(k: number): void {
    this.stepFromCur(k, false);
    this.advances++;
    const tmp = this.cur; this.cur = this.next; this.next = tmp;
  }
  store(slot: number): void { this.slots[slot].set(this.cur); }
  restore(slot: number): void { this.cur.set(this.slots[slot]); }
  tapedStep(k: number): void {
    this.stepFromCur(k, true);
    const plan = this.plan!, d = this.field.dim;
    const mids = plan.inStep.get(k);
    // FSAL fold, as in direct.ts: step k − 1's saves reach its k_s through this step's k_1.
    const fold = this.tableau.fsal && k < this.grid.N - 1;
    const before = this.tableau.fsal && k > 0 ? plan.inStep.get(k - 1) : undefined;
    if (before) this.adj.carryFsal(before, this.dYs);
    if (mids && this.adj.addMidSaves(mids, this.dYs, fold)) this.adj.pullbackFEnd(this.grid.times[k + 1], this.next, this.params, this.dParams);
    this.adj.pullbackTaped(this.grid.hs[k], this.slots_.slotTape, this.dParams);
    for (const q of plan.atPoint.get(k) ?? NONE) this.adj.addPoint(this.dYs, q * d);
  }
}

function finish(method: string, ex: StepExecutor, nfeForward: number, grid: StepGrid, slots: number, savedBytes: number): GradientResult {
  const report = emptyReport(method);
  report.nfeForward = nfeForward;
  report.nfeBackward = ex.nfe;
  report.vjpBackward = ex.adj.vjpCount;
  report.steps = grid.N;
  report.stateBytes = ex.bytes;
  report.peakBytes = ex.bytes + gridBytes(grid) + savedBytes;
  report.effectiveCheckpoints = slots;
  return { dY0: ex.adj.dy.slice(), dParams: ex.dParams, report };
}

/** Offline Revolve with `slots` snapshot slots (including y_0's). */
export function revolveForwardRun(field: VectorField, y0: Float64Array, params: Float64Array, ts: Float64Array,
  tableau: Tableau, solveOptions: SolveOptions, slots: number): DiscreteRun {
  const { solution, grid } = forwardSolve(field, y0, ts, solveOptions);
  return {
    solution, grid,
    backward(dYs) {
      const ex = new StepExecutor(field, tableau, grid, params, slots);
      ex.slots[0].set(y0);
      ex.begin(planSaves(ts, grid.times, grid.hs, grid.N, tableau), dYs);
      if (grid.N > 0) revolveBackward(grid.N, slots, ex);
      return finish('revolve', ex, solution.stats.nfe, grid, slots, 8 * solution.ys.length);
    },
  };
}

/** Online checkpointing with c slots (including y_0's), placed while the forward solve runs. */
export function checkpointForwardRun(field: VectorField, y0: Float64Array, params: Float64Array, ts: Float64Array,
  tableau: Tableau, solveOptions: SolveOptions, c: number): DiscreteRun {
  const placement = new OnlineCheckpointer(c);  // validates c
  const slots = Array.from({ length: c }, () => new Float64Array(field.dim));
  slots[0].set(y0);
  // Offer y_n when step n starts from it (n ≥ 1): the final state is never offered (it is never needed).
  const { solution, grid } = forwardSolve(field, y0, ts, solveOptions, (rec) => {
    if (rec.n === 0) return;
    const slot = placement.offer(rec.n);
    if (slot >= 0) slots[slot].set(rec.y);
  });
  return {
    solution, grid,
    backward(dYs) {
      const ex = new StepExecutor(field, tableau, grid, params, c);
      for (let i = 0; i < c; i++) ex.slots[i].set(slots[i]);
      ex.begin(planSaves(ts, grid.times, grid.hs, grid.N, tableau), dYs);
      // The backward pass consumes its schedule object: replay the forward's offers into a fresh one (integer work
      // only), so backward() can be called again on the same forward run.
      const schedule = new OnlineCheckpointer(c);
      for (let k = 1; k < grid.N; k++) schedule.offer(k);
      if (grid.N > 0) onlineBackward(grid.N, schedule, ex);
      return finish('checkpoint', ex, solution.stats.nfe, grid, c, 8 * solution.ys.length);
    },
  };
}
