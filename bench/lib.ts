/** Shared benchmark helpers (Node-only): timing by medians, tables, JSON results. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

/** Median seconds per call of fn, after a warm-up (bench/timing/time-it.ts, shared with the page's bench worker). */
export { timeIt } from './timing/time-it.ts';

export type Row = { name: string } & Record<string, string | number | boolean | null>;

/** Prints rows as an aligned table (numbers in compact engineering form). */
export function printTable(title: string, rows: Row[]): void {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const fmt = (v: unknown): string => typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(3) : v.toPrecision(4)) : v === undefined ? '' : String(v);
  const cells = rows.map((r) => keys.map((k) => fmt(r[k])));
  const widths = keys.map((k, j) => Math.max(k.length, ...cells.map((c) => c[j].length)));
  console.log(`\n${title}`);
  console.log(keys.map((k, j) => k.padEnd(widths[j])).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(c.map((v, j) => v.padEnd(widths[j])).join('  '));
}

/** Writes bench/results/NAME.json (an array of rows). */
export function writeResults(name: string, rows: Row[]): string {
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${name}.json`);
  writeFileSync(file, JSON.stringify(rows, null, 2) + '\n');
  console.log(`\nwrote ${file}`);
  return file;
}

/** Heap in use now, after a GC if node runs with --expose-gc. */
export function heapUsedBytes(): number {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
  return process.memoryUsage().heapUsed;
}

/**
 * Median and minimum seconds per call of each route, the routes interleaved call by call (after three warm-up calls
 * each), so that a change in the machine's load hits every route alike. On this shared VM a core is now and then
 * taken for tens of milliseconds (two workers' call times come out bimodal: about 18 ms or about 30 ms), so the
 * minimum is reported beside the median as the least-disturbed figure.
 */
export async function interleavedTimes(routes: (() => Promise<unknown> | unknown)[], reps: number): Promise<{ med: number[]; min: number[] }> {
  for (let i = 0; i < 3; i++) for (const fn of routes) await fn();
  const t = routes.map((): number[] => []);
  for (let i = 0; i < reps; i++) {
    for (let r = 0; r < routes.length; r++) {
      const s = performance.now();
      await routes[r]();
      t[r].push((performance.now() - s) / 1000);
    }
  }
  for (const x of t) x.sort((a, b) => a - b);
  return { med: t.map((x) => x[Math.floor(x.length / 2)]), min: t.map((x) => x[0]) };
}

/**
 * Control: the same 1-vs-`count`-worker comparison on a bare worker_threads spin loop (no tide, no workerpool), timed
 * interleaved with a case's routes: `one` runs the loop `count` times on one worker, `all` once on each of `count`
 * workers. one/all is the speedup the machine allowed while that case ran; on a loaded machine (other processes in
 * other scheduler groups) it is ~1, and the gradient rows cannot do better.
 */
export class SpinControl {
  private readonly ws: Worker[];
  constructor(private readonly n: number, count = 2) {
    const code = "const { parentPort } = require('node:worker_threads'); parentPort.on('message', (n) => { let x = 0; for (let i = 0; i < n; i++) x += Math.sqrt(i); parentPort.postMessage(x); });";
    this.ws = Array.from({ length: count }, () => new Worker(code, { eval: true }));
  }
  private run(w: Worker): Promise<unknown> { return new Promise((r) => { w.once('message', r); w.postMessage(this.n); }); }
  readonly one = async (): Promise<void> => { for (let i = 0; i < this.ws.length; i++) await this.run(this.ws[0]); };
  readonly all = async (): Promise<void> => { await Promise.all(this.ws.map((w) => this.run(w))); };
  async close(): Promise<void> { for (const w of this.ws) await w.terminate(); }
}

/**
 * Control with the real work: `count` worker threads each holding the same computation (`workerUrl` answers a
 * message `reps` with reps runs and posts 'ready' once set up). `one` runs it `count` times on one worker, `all` once
 * on each worker at the same time: one/all is the speedup this machine gives that computation with no parallel
 * machinery around it (caches and memory bandwidth shared as the real workers share them).
 */
export class KernelControl {
  private constructor(private readonly ws: Worker[], private readonly reps: number) {}
  static async start(workerUrl: URL, workerData: unknown, count: number, reps = 1): Promise<KernelControl> {
    const ws = Array.from({ length: count }, () => new Worker(workerUrl, { workerData }));
    await Promise.all(ws.map((w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); })));
    return new KernelControl(ws, reps);
  }
  private run(w: Worker): Promise<unknown> { return new Promise((r) => { w.once('message', r); w.postMessage(this.reps); }); }
  readonly one = async (): Promise<void> => { for (let i = 0; i < this.ws.length; i++) await this.run(this.ws[0]); };
  readonly all = async (): Promise<void> => { await Promise.all(this.ws.map((w) => this.run(w))); };
  async close(): Promise<void> { for (const w of this.ws) await w.terminate(); }
}
