/** Shared benchmark helpers (Node-only): timing by medians, tables, JSON results. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
