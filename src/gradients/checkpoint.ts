/**
 * Recursive (binomial) checkpointing (Griewank & Walther 2000): the forward pass keeps only a few solver states; the backward pass
 * recomputes the rest from them and takes one "taped" step (recomputed stages + the solver's pullback) per accepted step.
 *   schedule 'online'  (default) placed while the forward solve runs (Stumm & Walther 2010, then Wang, Moin & Iaccarino
 *                      2009): the baseline of the reversible-solver paper (diffrax's RecursiveCheckpointAdjoint);
 *   schedule 'revolve' the offline binomial schedule (Griewank & Walther 2000, Algorithm 799) run from y_0 once the
 *                      number of steps N is known: minimal recomputation t(N, s) for s slots.
 * Gradients equal the direct method's to round-off: every recomputed step repeats the forward's operations.
 */
import { TideError, checkOptionKeys } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import { DEFAULT_MAX_STEPS } from '../integrate/options.ts';
import type { SaveSchedule, StepPullback } from '../solvers/solver.ts';
import type { CheckpointOps } from './checkpoint-ops.ts';
import { revolveBackward } from './revolve.ts';
import { OnlineCheckpointer, onlineBackward, defaultCheckpoints } from './online-checkpoint.ts';
import { addPointSaves, checkBackwardStep, gridBytes, newReport, type ForwardGrid, type GradientMethod, type GradientRun } from './method.ts';

/** Options of {@link checkpoint}; unknown keys throw TideError('BAD_OPTION'). */
export interface CheckpointOptions {
  /** Snapshot slots, y_0's included (default: the diffrax rule ⌊−1.5 + √(2·maxSteps + 0.25)⌋ + 1 with maxSteps 1000 unless given: 44). */
  slots?: number;
  /** 'online' (default, diffrax's baseline) or 'revolve' (offline binomial, needs one extra sweep from y_0). */
  schedule?: 'online' | 'revolve';
}

/** Executes a checkpoint schedule on real solver states. */
class StateExecutor implements CheckpointOps {
  cur: Float64Array;
  readonly slots: Float64Array[];
  advances = 0;
  grid: ForwardGrid | null = null;
  schedule: SaveSchedule | null = null;
  dYs: Readonly<Float64Array> = new Float64Array(0);
  params: Readonly<Float64Array> = new Float64Array(0);
  dParams: Float64Array = new Float64Array(0);
  constructor(private readonly pb: StepPullback, size: number, slotCount: number, private readonly where: string, private readonly method: string) {
    this.cur = new Float64Array(size);
    this.slots = Array.from({ length: slotCount }, () => new Float64Array(size));
  }
  advance(k: number): void {
    const g = this.grid as ForwardGrid;
    this.pb.advance(g.times[k], g.hs[k], this.cur, this.params, g.restart[k] === 1);
    this.advances++;
  }
  store(slot: number): void { this.slots[slot].set(this.cur); }
  restore(slot: number): void { this.cur.set(this.slots[slot]); }
  tapedStep(k: number): void {
    const g = this.grid as ForwardGrid, sch = this.schedule as SaveSchedule;
    this.pb.recompute(g.times[k], g.hs[k], this.cur, this.params, null, g.restart[k] === 1);
    this.pb.pullbackStep(k, g.times[k], g.hs[k], this.params, this.dParams, sch, this.dYs);
    addPointSaves(this.pb.cot[0], sch, k, this.dYs);
    checkBackwardStep(this.where, this.method, g.N - k, g.N, g.times[k], g.hs[k], this.pb.cot, this.dParams);
  }
}

/** Recursive checkpointing: `gradient: checkpoint({ slots: 8 })` (or 'checkpoint' / 'revolve'). */
export function checkpoint(options: CheckpointOptions = {}): GradientMethod {
  checkOptionKeys('checkpoint', options, ['slots', 'schedule']);
  const sched = options.schedule ?? 'online';
  if (sched !== 'online' && sched !== 'revolve') throw new TideError('BAD_OPTION', `checkpoint: schedule must be 'online' or 'revolve', got ${describe(options.schedule)}.`, { option: 'schedule' });
  const c = options.slots;
  if (c !== undefined && (!Number.isInteger(c) || c < 1)) {
    throw new TideError('BAD_OPTION', `checkpoint: slots must be an integer ≥ 1 (slots including y0's), got ${describe(c)}. With 1 every step is recomputed from y0; 2 to 50 are typical.`, { option: 'slots' });
  }
  const name = sched === 'revolve' ? 'revolve' : 'checkpoint';
  return {
    name,
    prepare({ where, cfg, ws }): GradientRun {
      const solver = cfg.solver;
      if (solver.pullback === undefined) {
        throw new TideError('BAD_OPTION', `${where}: ${solver.name} has no discrete adjoint, so checkpointing cannot differentiate it. Use gradient 'backsolve' or 'interpolated', or an RK method.`, { option: 'gradient' });
      }
      if (!solver.checkpointable) {
        throw new TideError('BAD_OPTION', `${where}: ${solver.name} cannot be restarted from a stored state (its history is part of the state), so checkpointing cannot differentiate it. Use gradient 'direct', 'backsolve' or 'interpolated' with ${solver.name}.`, { option: 'gradient' });
      }
      const slots = c ?? defaultCheckpoints(cfg.maxSteps !== DEFAULT_MAX_STEPS ? cfg.maxSteps : 1000);
      const pb = solver.pullback(ws);
      const size = solver.stateParts * cfg.dim;
      const ex = new StateExecutor(pb, size, slots, where, name);
      const placement = sched === 'online' ? new OnlineCheckpointer(slots) : null;
      const replay = sched === 'online' ? new OnlineCheckpointer(slots) : null;
      return {
        beginForward() { if (placement) placement.reset(); },
        onAccept(rec) {
          // y_0 (slot 0) and, online, y_n when step n starts from it (n ≥ 1); the final state is never needed.
          if (rec.n === 0) { solver.saveState(ex.slots[0], rec.y, rec.ws); return; }
          if (placement === null) return;
          const slot = placement.offer(rec.n);
          if (slot >= 0) solver.saveState(ex.slots[slot], rec.y, rec.ws);
        },
        endForward() {},
        backward(fwd, dYs, dY0, dParams) {
          const { grid, schedule, params } = fwd, N = grid.N;
          pb.reset(); dParams.fill(0);
          ex.grid = grid; ex.schedule = schedule; ex.dYs = dYs; ex.params = params; ex.dParams = dParams; ex.advances = 0;
          addPointSaves(pb.cot[0], schedule, N, dYs);
          // Slot 0 always holds the initial state; the online schedule is replayed (integer work only) so that
          // backward() can be called again on the same forward run.
          const state0 = Float64Array.from(ex.slots[0]);
          if (N > 0) {
            if (replay !== null) { replay.reset(); for (let k = 1; k < N; k++) replay.offer(k); onlineBackward(N, replay, ex); }
            else revolveBackward(N, slots, ex);
            // The schedule may have overwritten slots: the online placement keeps slot 0 = y_0, revolve too.
          } else {
            addPointSaves(pb.cot[0], schedule, 0, dYs);
            state0.set(fwd.y0);
          }
          pb.finish(dY0, state0, grid.times[0], params, dParams);
          const report = newReport(name);
          report.nfeForward = fwd.solution.stats.nfe;
          report.nfeBackward = pb.nfe;
          report.vjpBackward = pb.vjps;
          report.steps = N;
          report.stateBytes = 8 * size * (slots + 1) + pb.bytes;
          report.peakBytes = report.stateBytes + gridBytes(grid) + 8 * fwd.solution.ys.length;
          report.effectiveCheckpoints = slots;
          return report;
        },
      };
    },
  };
}
