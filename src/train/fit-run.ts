/**
 * The bookkeeping a training loop shares with every other: the callbacks (onStep, every), early stopping, the log,
 * the Rng handed to the batch hook, resuming from a FitState and the result. `fit` (one thread) and `fitParallel`
 * (gradients from workers) differ only in how a step's loss and gradient are computed; both run their steps through
 * a {@link FitRun}, so the same options mean the same thing and a state written by one loop resumes in the same way.
 * Core code (no Node APIs).
 */
import { TideError, checkOptions, checkFunction, fmtGot, rethrowUser } from '../core/errors.ts';
import type { GradientReport } from '../gradients/method.ts';
import { Rng } from '../core/random.ts';
import type { FitLogRow, FitOptions, FitResult, FitState, FitStep } from './fit.ts';

/** The loop options fit and fitParallel share (documented on FitOptions). */
export type FitRunOptions = Pick<FitOptions, 'params' | 'optimizer' | 'steps' | 'onStep' | 'seed' | 'rng' | 'every' | 'earlyStopping' | 'log' | 'resume'>;

export function checkPlain(where: string, key: string, x: unknown, example: string): void {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) {
    throw new TideError('BAD_OPTION', `${where}: ${key} must be an object such as ${example}, got ${fmtGot(x)}.`, { option: key });
  }
}

/** Checks onStep, seed / rng, every, earlyStopping, log and resume (params must already be a Float64Array). */
export function checkRunOptions(where: string, o: FitRunOptions): void {
  if (o.onStep !== undefined) checkFunction(where, 'onStep', o.onStep, '({ step, loss, report, sec }) => void');
  if (o.seed !== undefined && o.rng !== undefined) throw new TideError('BAD_OPTION', `${where}: pass seed or rng, not both.`, { option: 'rng' });
  if (o.seed !== undefined && (typeof o.seed !== 'number' || !Number.isFinite(o.seed))) {
    throw new TideError('BAD_OPTION', `${where}: seed must be a finite number such as 42, got ${fmtGot(o.seed)}.`, { option: 'seed' });
  }
  if (o.rng !== undefined && !(o.rng instanceof Rng)) throw new TideError('BAD_OPTION', `${where}: rng must be an Rng (new Rng(42)), got ${fmtGot(o.rng)}.`, { option: 'rng' });
  if (o.every !== undefined) {
    checkPlain(where, 'every', o.every, '{ n: 10, fn: (info) => console.log(info.loss) }');
    checkOptions(`${where}: every`, o.every, ['n', 'fn'], '{ n: 10, fn }');
    if (!Number.isInteger(o.every.n) || o.every.n < 1) throw new TideError('BAD_OPTION', `${where}: every.n must be an integer ≥ 1, got ${fmtGot(o.every.n)}.`, { option: 'every.n' });
    checkFunction(where, 'every.fn', o.every.fn, '({ step, loss, report, sec }) => void');
  }
  if (o.earlyStopping !== undefined) {
    const e = o.earlyStopping;
    checkPlain(where, 'earlyStopping', e, '{ patience: 20, minDelta: 1e-4 }');
    checkOptions(`${where}: earlyStopping`, e, ['patience', 'minDelta'], '{ patience: 20, minDelta: 1e-4 }');
    if (!Number.isInteger(e.patience) || e.patience < 1) throw new TideError('BAD_OPTION', `${where}: earlyStopping.patience must be an integer ≥ 1 (steps without improvement), got ${fmtGot(e.patience)}.`, { option: 'earlyStopping.patience' });
    if (e.minDelta !== undefined && (typeof e.minDelta !== 'number' || !(e.minDelta >= 0 && e.minDelta <= Number.MAX_VALUE))) {
      throw new TideError('BAD_OPTION', `${where}: earlyStopping.minDelta must be a finite number ≥ 0, got ${fmtGot(e.minDelta)}.`, { option: 'earlyStopping.minDelta' });
    }
  }
  if (o.log !== undefined && typeof o.log !== 'boolean') throw new TideError('BAD_OPTION', `${where}: log must be true or false, got ${fmtGot(o.log)}.`, { option: 'log' });
  if (o.resume !== undefined) checkState(where, o.resume, o.params.length);
}

const STATE_KEYS = ['params', 'optimizerState', 'step', 'rng', 'best', 'wait'];

function checkState(where: string, s: FitState, n: number): void {
  checkPlain(where, 'resume', s, `result.state of an earlier ${where}`);
  checkOptions(`${where}: resume`, s, STATE_KEYS, 'result.state');
  const p = s.params as unknown;
  if (!(Array.isArray(p) || p instanceof Float64Array) || p.length !== n) {
    throw new TideError('SHAPE', `${where}: resume.params must hold ${n} numbers (params' length), got ${Array.isArray(p) || p instanceof Float64Array ? `length ${p.length}` : fmtGot(p)}.`, { option: 'resume.params' });
  }
  for (let i = 0; i < n; i++) {
    const v: unknown = (p as ArrayLike<unknown>)[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TideError('BAD_OPTION', `${where}: resume.params[${i}] is ${fmtGot(v)}; a state must hold finite parameters.`, { option: 'resume.params', index: i });
  }
  if (!Number.isInteger(s.step) || s.step < 0) throw new TideError('BAD_OPTION', `${where}: resume.step must be an integer ≥ 0, got ${fmtGot(s.step)}.`, { option: 'resume.step' });
  if (!(s.best === null || s.best === undefined || typeof s.best === 'number') || !(s.wait === undefined || (Number.isInteger(s.wait) && s.wait >= 0))) {
    throw new TideError('BAD_OPTION', `${where}: resume.best must be a number or null and resume.wait an integer ≥ 0, got ${fmtGot(s.best)} and ${fmtGot(s.wait)}.`, { option: 'resume' });
  }
  if (s.optimizerState === null || typeof s.optimizerState !== 'object') {
    throw new TideError('BAD_OPTION', `${where}: resume.optimizerState must be an optimizer state (optimizer.state()), got ${fmtGot(s.optimizerState)}.`, { option: 'resume.optimizerState' });
  }
}

// performance.now exists in browsers and Node, but is not in the ES library types the core is compiled with.
const perf = (globalThis as { performance?: { now(): number } }).performance;
/** Milliseconds from the platform clock (performance.now, else Date.now). */
export const now = (): number => (perf !== undefined ? perf.now() : Date.now());

/**
 * One training run's state between steps: construction applies `resume` (params, optimizer state, Rng, counters),
 * `record` books a finished step (history, log, callbacks, early stopping) and `result` builds the FitResult.
 */
export class FitRun {
  /** The Rng handed to the batch hook (from resume, else rng, else seed). */
  readonly rng: Rng;
  /** Step index of this call's first step (resume.step, else 0). */
  readonly first: number;
  private readonly losses: Float64Array;
  private readonly stepSec: Float64Array;
  private readonly rows: FitLogRow[] = [];
  private best: number;
  private wait: number;
  private readonly patience: number;
  private readonly minDelta: number;
  private peakBytes = 0;
  private minLoss = Infinity;
  private last: GradientReport | null = null;
  private run = 0;
  private stopped: 'steps' | 'earlyStopping' = 'steps';

  constructor(private readonly where: string, private readonly o: FitRunOptions) {
    this.losses = new Float64Array(o.steps);
    this.stepSec = new Float64Array(o.steps);
    const rs = o.resume;
    if (rs !== undefined) {
      for (let i = 0; i < o.params.length; i++) o.params[i] = rs.params[i];
      o.optimizer.loadState(rs.optimizerState);
    }
    this.rng = rs !== undefined ? Rng.fromState(rs.rng) : o.rng ?? new Rng(o.seed ?? 0);
    this.first = rs?.step ?? 0;
    this.best = rs?.best ?? Infinity;
    this.wait = rs?.wait ?? 0;
    this.patience = o.earlyStopping?.patience ?? 0;
    this.minDelta = o.earlyStopping?.minDelta ?? 0;
  }

  /** Books step `first + k` (k = 0, 1, … in order) after its update; returns true when early stopping ends the run. */
  record(k: number, L: number, report: GradientReport, sec: number): boolean {
    const o = this.o, where = this.where, step = this.first + k;
    this.losses[k] = L; this.stepSec[k] = sec;
    this.run = k + 1;
    if (L < this.minLoss) this.minLoss = L;
    if (report.peakBytes > this.peakBytes) this.peakBytes = report.peakBytes;
    this.last = report;
    if (o.log) this.rows.push({ step, loss: L, sec, nfe_fwd: report.nfeForward, nfe_bwd: report.nfeBackward });
    if (o.onStep) {
      try { o.onStep({ step, loss: L, report, sec }); } catch (e) { rethrowUser(where, 'onStep', `step ${step}`, e, { step }); }
    }
    if (o.every && (step + 1) % o.every.n === 0) {
      try { o.every.fn({ step, loss: L, report, sec }); } catch (e) { rethrowUser(where, 'every.fn', `step ${step}`, e, { step }); }
    }
    if (L < this.best - this.minDelta) { this.best = L; this.wait = 0; } else this.wait += 1;
    if (this.patience > 0 && this.wait >= this.patience) { this.stopped = 'earlyStopping'; return true; }
    return false;
  }

  /** The result after the last step recorded, with the state to resume from. */
  result(): FitResult {
    const o = this.o, run = this.run;
    const state: FitState = {
      params: Array.from(o.params), optimizerState: o.optimizer.state(), step: this.first + run, rng: this.rng.state(),
      best: this.best === Infinity ? null : this.best, wait: this.wait,
    };
    const ls = run === o.steps ? this.losses : this.losses.slice(0, run), ss = run === o.steps ? this.stepSec : this.stepSec.slice(0, run);
    return {
      losses: ls, minLoss: this.minLoss, finalLoss: run > 0 ? ls[run - 1] : NaN, peakBytes: this.peakBytes, stepSec: ss,
      lastReport: this.last, stepsRun: run, stopped: this.stopped, log: this.rows, state,
    };
  }
}
