/**
 * The demo's Web Worker: owns the Trainer (demo/trainer.ts) and trains in chunks of about 40 ms, posting progress
 * after each chunk and yielding to its event loop between chunks, so that pause, reset and new settings from the page
 * take effect at once and the page's own thread only draws.
 *
 * In:  { type: 'configure', config, maxSteps? } (a fresh run), { type: 'start' }, { type: 'pause' }.
 * Out: { type: 'ready', info, prediction, backend }, { type: 'progress', ... } after each chunk,
 *      { type: 'done' } at maxSteps, { type: 'error', message, code } for any failure (shown in the page).
 */
import { kernels } from '../src/index.ts';
import { Trainer, type StepReport, type TrainConfig } from './trainer.ts';

export type ToWorker =
  | { type: 'configure'; config: TrainConfig; maxSteps?: number }
  | { type: 'start' }
  | { type: 'pause' };

export interface Progress {
  type: 'progress';
  /** Step number (1-based) of the first loss in `losses`. */
  firstStep: number;
  losses: number[];
  report: StepReport;
  /** Mean wall time per step over this chunk. */
  msPerStep: number;
  /** Present when the trajectory was recomputed: the model's states at info.ts and their loss against the data. */
  prediction?: Float64Array;
  predictionLoss?: number;
}

export type FromWorker =
  | { type: 'ready'; info: Trainer['info']; prediction: Float64Array; predictionLoss: number; backend: string }
  | Progress
  | { type: 'done'; steps: number }
  | { type: 'error'; message: string; code: string };

interface Scope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: { data: ToWorker }) => void) | null;
  setTimeout(fn: () => void, ms: number): unknown;
}
const scope = globalThis as unknown as Scope;

const CHUNK_MS = 40, PREDICT_EVERY_MS = 150;
let trainer: Trainer | null = null;
let running = false, maxSteps = Infinity, lastPredict = 0, generation = 0;

function fail(e: unknown): void {
  running = false;
  const code = (e as { code?: unknown })?.code;
  scope.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e), code: typeof code === 'string' ? code : 'ERROR' });
}

function chunk(gen: number): void {
  if (!running || trainer === null || gen !== generation) return;
  const t = trainer;
  try {
    const losses: number[] = [];
    const firstStep = t.stepsDone + 1;
    const start = performance.now();
    let report: StepReport | null = null;
    do {
      const r = t.step();
      losses.push(r.loss);
      report = r.report;
    } while (performance.now() - start < CHUNK_MS && t.stepsDone < maxSteps);
    const now = performance.now();
    const msg: Progress = { type: 'progress', firstStep, losses, report, msPerStep: (now - start) / losses.length };
    if (now - lastPredict >= PREDICT_EVERY_MS || t.stepsDone >= maxSteps) {
      const p = t.prediction();
      msg.prediction = Float64Array.from(p.ys);
      msg.predictionLoss = p.loss;
      lastPredict = performance.now();
    }
    scope.postMessage(msg);
    if (t.stepsDone >= maxSteps) { running = false; scope.postMessage({ type: 'done', steps: t.stepsDone }); return; }
  } catch (e) { fail(e); return; }
  scope.setTimeout(() => chunk(gen), 0);
}

scope.onmessage = (event) => {
  const m = event.data;
  if (m.type === 'configure') {
    running = false;
    generation++;
    trainer = null;
    try {
      trainer = new Trainer(m.config);
      maxSteps = m.maxSteps ?? Infinity;
      const p = trainer.prediction();
      scope.postMessage({ type: 'ready', info: trainer.info, prediction: Float64Array.from(p.ys), predictionLoss: p.loss, backend: kernels.getBackend() });
    } catch (e) { fail(e); }
  } else if (m.type === 'start') {
    if (trainer === null || running) return;
    if (trainer.stepsDone >= maxSteps) maxSteps = Infinity; // start again after the URL's step limit: train on
    running = true;
    lastPredict = 0;
    chunk(generation);
  } else if (m.type === 'pause') {
    running = false;
  }
};
