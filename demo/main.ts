/**
 * The demo page's thread: controls, charts (uPlot) and the stability explorer. Training runs in demo/worker.ts; this
 * thread only sends settings and draws what the worker posts, at most once per animation frame.
 *
 * URL parameters (for links and the browser test): problem, solver, gradient, lambda, lr, seed, maxSteps (stop after
 * that many steps), autostart=1. `window.tideDemo` exposes the run's state to the test.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { stability, euler, midpoint, rk4, problems } from '../src/index.ts';
import type { Tableau } from '../src/index.ts';
import { DEFAULT_CONFIG, GRADIENTS, PROBLEMS, type GradientId, type ProblemId, type StepReport, type TaskInfo, type TrainConfig } from './trainer.ts';
import type { FromWorker, ToWorker } from './worker.ts';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`demo: no element #${id} in index.html`);
  return el as T;
};

// ---------------------------------------------------------------------------------------------------------------
// State shared with the browser test

interface DemoState {
  ready: boolean; running: boolean; done: boolean; step: number;
  losses: number[]; predictionLosses: number[]; errors: string[];
  report: StepReport | null; msPerStep: number; backend: string; config: TrainConfig | null;
}
const state: DemoState = { ready: false, running: false, done: false, step: 0, losses: [], predictionLosses: [], errors: [], report: null, msPerStep: NaN, backend: '', config: null };
(window as unknown as { tideDemo: { state: DemoState } }).tideDemo = { state };

// ---------------------------------------------------------------------------------------------------------------
// Controls

const url = new URLSearchParams(location.search);
const problemSel = $<HTMLSelectElement>('problem'), solverSel = $<HTMLSelectElement>('solver'), gradientSel = $<HTMLSelectElement>('gradient');
const lambdaIn = $<HTMLInputElement>('lambda'), lrIn = $<HTMLInputElement>('lr');
const startBtn = $<HTMLButtonElement>('start'), resetBtn = $<HTMLButtonElement>('reset');
const errorBox = $<HTMLDivElement>('error');

const GRADIENT_LABELS: Record<GradientId, string> = {
  reversible: 'reversible (λ-coupled, O(1) memory)', direct: 'direct (backprop through the solver)',
  checkpoint: 'checkpoint (8 slots, online)', backsolve: 'backsolve adjoint', interpolated: 'interpolated adjoint (IRDM)',
};

function option(sel: HTMLSelectElement, value: string, label: string): void {
  const o = document.createElement('option');
  o.value = value; o.textContent = label;
  sel.append(o);
}
for (const [id, p] of Object.entries(PROBLEMS)) option(problemSel, id, p.label);
for (const g of GRADIENTS) option(gradientSel, g, GRADIENT_LABELS[g]);

function fillSolvers(problem: ProblemId, wanted?: string): void {
  const info = PROBLEMS[problem];
  solverSel.replaceChildren();
  for (const s of info.solvers) option(solverSel, s, `${s}${info.adaptive ? ' (adaptive)' : ' (fixed steps)'}`);
  solverSel.value = wanted !== undefined && info.solvers.includes(wanted) ? wanted : info.solvers[0];
  lrIn.value = String(info.lr);
}

const initialProblem = (url.get('problem') ?? DEFAULT_CONFIG.problem) as ProblemId;
problemSel.value = initialProblem in PROBLEMS ? initialProblem : DEFAULT_CONFIG.problem;
fillSolvers(problemSel.value as ProblemId, url.get('solver') ?? DEFAULT_CONFIG.solver);
gradientSel.value = url.get('gradient') ?? DEFAULT_CONFIG.gradient;
if (gradientSel.value === '') gradientSel.value = DEFAULT_CONFIG.gradient;
lambdaIn.value = url.get('lambda') ?? String(DEFAULT_CONFIG.lambda);
if (url.get('lr') !== null) lrIn.value = url.get('lr')!;

function currentConfig(): TrainConfig {
  return {
    problem: problemSel.value as ProblemId, solver: solverSel.value, gradient: gradientSel.value as GradientId,
    lambda: Number(lambdaIn.value), lr: Number(lrIn.value), seed: Number(url.get('seed') ?? 0),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Charts

const COLORS = ['#2c6bc4', '#d9622b', '#2e9e5b', '#8a4fc2'];
let trajPlot: uPlot | null = null, lossPlot: uPlot | null = null;
let task: TaskInfo | null = null;
let trajData: uPlot.AlignedData = [[]];
let lossX: number[] = [], lossY: number[] = [], lossPred: (number | null)[] = [];

function chartWidth(id: string): number {
  return Math.max(320, $(id).clientWidth || 420);
}

function buildTrajPlot(info: TaskInfo, prediction: Float64Array): void {
  const p = PROBLEMS[problemSel.value as ProblemId];
  const n = info.ts.length, d = info.dim;
  const series: uPlot.Series[] = [{ label: p.timeName }];
  const data: (Float64Array | number[])[] = [Array.from(info.ts)];
  for (let c = 0; c < d; c++) {
    series.push({ label: `${p.components[c] ?? `y${c}`} data`, stroke: COLORS[c % 4], dash: [5, 4], width: 1.5 });
    data.push(Array.from({ length: n }, (_, i) => info.ys[i * d + c]));
  }
  for (let c = 0; c < d; c++) {
    series.push({ label: `${p.components[c] ?? `y${c}`} model`, stroke: COLORS[c % 4], width: 2 });
    data.push(Array.from({ length: n }, (_, i) => prediction[i * d + c]));
  }
  trajData = data as uPlot.AlignedData;
  trajPlot?.destroy();
  trajPlot = new uPlot({ width: chartWidth('traj'), height: 260, series, legend: { live: false }, cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false } } }, trajData, $('traj'));
}

function updatePrediction(prediction: Float64Array): void {
  if (task === null || trajPlot === null) return;
  const n = task.ts.length, d = task.dim;
  for (let c = 0; c < d; c++) {
    const col = trajData[1 + d + c] as number[];
    for (let i = 0; i < n; i++) col[i] = prediction[i * d + c];
  }
}

function buildLossPlot(): void {
  lossX = []; lossY = []; lossPred = [];
  lossPlot?.destroy();
  lossPlot = new uPlot({ width: chartWidth('loss'), height: 260, legend: { live: false }, cursor: { drag: { x: false, y: false } },
    series: [{ label: 'step' }, { label: 'training loss', stroke: '#2c6bc4', width: 1.5 }, { label: 'trajectory loss', stroke: '#d9622b', width: 2, spanGaps: true, points: { show: false } }],
    scales: { x: { time: false }, y: { distr: 3 } } }, [[], [], []], $('loss'));
}

let drawPending = false;
function scheduleDraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    trajPlot?.setData(trajData);
    lossPlot?.setData([lossX, lossY, lossPred] as uPlot.AlignedData);
    drawStats();
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Stats and the table of methods tried

const fmtBytes = (b: number): string => b < 1024 ? `${b} B` : b < 1048576 ? `${(b / 1024).toFixed(1)} KiB` : `${(b / 1048576).toFixed(2)} MiB`;
const fmtLoss = (x: number | undefined): string => x === undefined || !Number.isFinite(x) ? '–' : x.toExponential(3);
const tried = new Map<string, { steps: number; loss: number; ms: number; report: StepReport }>();

function drawStats(): void {
  const r = state.report;
  $('stat-step').textContent = String(state.step);
  $('stat-loss').textContent = fmtLoss(state.losses[state.losses.length - 1]);
  $('stat-pred').textContent = fmtLoss(state.predictionLosses[state.predictionLosses.length - 1]);
  $('stat-ms').textContent = Number.isFinite(state.msPerStep) ? `${state.msPerStep.toFixed(2)} ms` : '–';
  $('stat-nfe-f').textContent = r ? String(r.nfeForward) : '–';
  $('stat-nfe-b').textContent = r ? String(r.nfeBackward) : '–';
  $('stat-vjp').textContent = r ? String(r.vjpBackward) : '–';
  $('stat-state').textContent = r ? fmtBytes(r.stateBytes) : '–';
  $('stat-peak').textContent = r ? fmtBytes(r.peakBytes) : '–';
  $('stat-recon').textContent = r?.reconstructionError !== undefined ? r.reconstructionError.toExponential(1) : '–';
  $('stat-params').textContent = task ? `${task.paramCount} · ${state.backend}` : '–';
  const body = $('methods').querySelector('tbody')!;
  body.replaceChildren(...[...tried].map(([name, t]) => {
    const tr = document.createElement('tr');
    for (const v of [name, String(t.steps), fmtLoss(t.loss), t.ms.toFixed(2), String(t.report.nfeForward), String(t.report.nfeBackward), fmtBytes(t.report.stateBytes), fmtBytes(t.report.peakBytes)]) {
      const td = document.createElement('td'); td.textContent = v; tr.append(td);
    }
    return tr;
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// The worker

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (m: ToWorker): void => worker.postMessage(m);
let triedKey = '', triedProblem = '';

function showError(message: string): void {
  state.errors.push(message);
  errorBox.textContent = message;
  errorBox.style.display = 'block';
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  if (m.type === 'ready') {
    task = m.info;
    state.ready = true; state.backend = m.backend;
    buildTrajPlot(m.info, m.prediction);
    buildLossPlot();
    state.predictionLosses.push(m.predictionLoss);
    $('loss-name').textContent = `training loss: ${m.info.lossName}; trajectory loss: the model's whole trajectory against the data.`;
    scheduleDraw();
    if (autostart) { autostart = false; start(); }
  } else if (m.type === 'progress') {
    for (let i = 0; i < m.losses.length; i++) {
      lossX.push(m.firstStep + i); lossY.push(m.losses[i]); lossPred.push(null);
      state.losses.push(m.losses[i]);
    }
    state.step = m.firstStep + m.losses.length - 1;
    state.report = m.report; state.msPerStep = m.msPerStep;
    if (m.prediction !== undefined) {
      updatePrediction(m.prediction);
      lossPred[lossPred.length - 1] = m.predictionLoss ?? null;
      state.predictionLosses.push(m.predictionLoss ?? NaN);
    }
    tried.set(triedKey, { steps: state.step, loss: m.losses[m.losses.length - 1], ms: m.msPerStep, report: m.report });
    scheduleDraw();
  } else if (m.type === 'done') {
    state.running = false; state.done = true;
    startBtn.textContent = 'Start';
  } else {
    state.running = false;
    startBtn.textContent = 'Start';
    showError(`${m.code}: ${m.message}`);
  }
};
worker.onerror = (e) => showError(`worker: ${e.message}`);

let autostart = url.get('autostart') === '1';
const maxSteps = url.get('maxSteps') !== null ? Number(url.get('maxSteps')) : undefined;

function configure(): void {
  state.ready = false; state.running = false; state.done = false; state.step = 0;
  state.losses = []; state.predictionLosses = []; state.report = null; state.msPerStep = NaN;
  errorBox.style.display = 'none';
  startBtn.textContent = 'Start';
  const config = currentConfig();
  state.config = config;
  const key = `${config.problem}/${config.solver}`;
  if (key !== triedProblem) { tried.clear(); triedProblem = key; }
  triedKey = config.gradient === 'reversible' ? `reversible λ = ${config.lambda}` : config.gradient;
  $('lambda-box').style.opacity = config.gradient === 'reversible' ? '1' : '0.45';
  $('lambda-value').textContent = config.lambda.toFixed(3);
  send({ type: 'configure', config, maxSteps });
}

function start(): void {
  if (!state.ready) return;
  state.running = true;
  startBtn.textContent = 'Pause';
  send({ type: 'start' });
}

startBtn.onclick = () => {
  if (state.running) { state.running = false; startBtn.textContent = 'Start'; send({ type: 'pause' }); } else start();
};
resetBtn.onclick = () => configure();
problemSel.onchange = () => { fillSolvers(problemSel.value as ProblemId); configure(); };
solverSel.onchange = () => { configure(); syncStabilityBase(); };
gradientSel.onchange = () => configure();
lrIn.onchange = () => configure();
lambdaIn.oninput = () => { $('lambda-value').textContent = Number(lambdaIn.value).toFixed(3); };
lambdaIn.onchange = () => { stabLambda.value = lambdaIn.value; drawStability(); configure(); };

// ---------------------------------------------------------------------------------------------------------------
// Stability explorer

const STAB_BASES: Record<string, Tableau | 'reversible-heun' | 'mali'> = {
  euler, midpoint, ralston3: problems.ralston3, rk4, 'reversible-heun': 'reversible-heun', mali: 'mali',
};
const stabBase = $<HTMLSelectElement>('stab-base'), stabLambda = $<HTMLInputElement>('stab-lambda'), stabZoom = $<HTMLSelectElement>('stab-zoom');
const canvas = $<HTMLCanvasElement>('stab-canvas');
for (const name of Object.keys(STAB_BASES)) {
  option(stabBase, name, name === 'reversible-heun' || name === 'mali' ? `${name === 'mali' ? 'MALI (ALF)' : 'reversible Heun'} (older scheme, no λ)` : `λ-coupled ${name}`);
}
stabLambda.value = lambdaIn.value;

function syncStabilityBase(): void {
  if (solverSel.value in STAB_BASES) { stabBase.value = solverSel.value; drawStability(); }
}

interface Window2 { reMin: number; reMax: number; imMin: number; imMax: number }
function stabWindow(): Window2 {
  const s = Number(stabZoom.value);
  return { reMin: -3.5 / s, reMax: 0.5 / s, imMin: -3 / s, imMax: 3 / s };
}

/** An interval end to 4 digits; ends within the bisection tolerance of 0 print as 0. */
const fmtEnd = (x: number): string => Math.abs(x) < 1e-8 ? '0' : x.toPrecision(4);

function drawStability(): void {
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width, Hh = canvas.height, w = stabWindow();
  const lam = Number(stabLambda.value);
  $('stab-lambda-value').textContent = lam.toFixed(3);
  const base = STAB_BASES[stabBase.value];
  const img = ctx.createImageData(W, Hh);
  const px = (i: number, r: number, g: number, b: number): void => { img.data[4 * i] = r; img.data[4 * i + 1] = g; img.data[4 * i + 2] = b; img.data[4 * i + 3] = 255; };
  const older = base === 'reversible-heun' || base === 'mali';
  stabLambda.disabled = older;
  // Row 0 of the canvas is the top (largest Im z); the region's rows run from imMin up.
  const region = older ? null : stability.stabilityRegion(base, lam, { reMin: w.reMin, reMax: w.reMax, imMin: w.imMin, imMax: w.imMax, nRe: W, nIm: Hh });
  const coeffs = older ? null : stability.stabilityPolynomial(base);
  const R = new Float64Array(2);
  for (let row = 0; row < Hh; row++) {
    const im = w.imMax - (row / (Hh - 1)) * (w.imMax - w.imMin);
    for (let col = 0; col < W; col++) {
      const re = w.reMin + (col / (W - 1)) * (w.reMax - w.reMin);
      const i = row * W + col;
      let rho: number, stable: boolean;
      if (region !== null) { const k = (Hh - 1 - row) * W + col; rho = region.spectralRadius[k]; stable = region.stable[k] === 1; }
      else { rho = stability.olderSchemeSpectralRadius(base as 'reversible-heun' | 'mali', [re, im]); stable = rho < 1; }
      if (stable) {
        // det M = λ, so ρ(M) ≥ √λ: shade from ρ = 1 (pale) to that floor (deep).
        const depth = Math.max(0, Math.min(1, (1 - rho) / (1 - Math.sqrt(lam))));
        px(i, 44 + (1 - depth) * 150, 107 + (1 - depth) * 110, 196 + (1 - depth) * 50);
      } else if (coeffs !== null && Math.hypot(...stability.evalR(coeffs, re, im, R)) < 1) {
        px(i, 243, 201, 139);
      } else px(i, 246, 247, 249);
    }
  }
  ctx.putImageData(img, 0, 0);
  // axes
  const x0 = ((0 - w.reMin) / (w.reMax - w.reMin)) * (W - 1), y0 = ((w.imMax - 0) / (w.imMax - w.imMin)) * (Hh - 1);
  ctx.strokeStyle = '#555'; ctx.lineWidth = 1;
  ctx.beginPath(); ctx.moveTo(x0, 0); ctx.lineTo(x0, Hh); ctx.moveTo(0, y0); ctx.lineTo(W, y0); ctx.stroke();
  ctx.fillStyle = '#333'; ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(`Re z: ${w.reMin.toPrecision(3)} … ${w.reMax.toPrecision(3)}`, 6, Hh - 6);
  ctx.fillText(`Im z: ±${w.imMax.toPrecision(3)}`, 6, 14);
  const intervals = older ? [] : stability.realStabilityIntervals(base, lam, { min: Math.min(w.reMin, -4), max: 0 });
  $('stab-intervals').textContent = older
    ? `${stabBase.value}: ρ(M) ≥ 1 for every z (det M = −1), so no step size is asymptotically stable on a damped mode.`
    : `Stable on the negative real axis for z = hα in ${intervals.length === 0 ? 'no interval' : intervals.map(([a, b]) => `(${fmtEnd(a)}, ${fmtEnd(b)})`).join(' ∪ ')}. ` +
      `Near 0 a damped mode needs roughly h·|Re α| < 1 − λ = ${(1 - lam).toPrecision(3)}.`;
}

canvas.onmousemove = (e: MouseEvent) => {
  const w = stabWindow(), rect = canvas.getBoundingClientRect();
  const re = w.reMin + ((e.clientX - rect.left) / rect.width) * (w.reMax - w.reMin);
  const im = w.imMax - ((e.clientY - rect.top) / rect.height) * (w.imMax - w.imMin);
  const base = STAB_BASES[stabBase.value];
  const lam = Number(stabLambda.value);
  const rho = base === 'reversible-heun' || base === 'mali' ? stability.olderSchemeSpectralRadius(base, [re, im]) : stability.couplingSpectralRadius(base, lam, [re, im]);
  $('stab-hover').textContent = `z = ${re.toPrecision(4)} ${im < 0 ? '−' : '+'} ${Math.abs(im).toPrecision(4)}i: spectral radius ρ(M) = ${rho.toPrecision(6)} (${rho < 1 ? 'stable' : 'unstable'})`;
};
stabBase.onchange = drawStability;
stabLambda.oninput = drawStability;
stabZoom.onchange = drawStability;

window.addEventListener('resize', () => {
  trajPlot?.setSize({ width: chartWidth('traj'), height: 260 });
  lossPlot?.setSize({ width: chartWidth('loss'), height: 260 });
});

syncStabilityBase();
drawStability();
configure();
