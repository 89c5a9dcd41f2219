/**
 * What every CLI run leaves behind, in its --out folder: JSON and CSV data, run.json (the resolved settings, the
 * summary, the tide version and the command line), and plots (plots.ts). Progress bars go to stderr (cli-progress,
 * drawn only on a terminal), results to stdout.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';

/** The package's version: the nearest package.json named tidediff above this file (cli/ in the repo, dist/cli/ installed). */
export function tideVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 4; k++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tidediff') return pkg.version ?? 'unknown';
    } catch { /* not here */ }
    dir = dirname(dir);
  }
  return 'unknown';
}

/** The output folder: --out, or runs/COMMAND-NAME-YYYYMMDD-HHMMSS under the working directory. Created. */
export function outDir(out: string | undefined, command: string, name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const dir = resolve(out ?? join('runs', `${command}-${name}-${stamp}`));
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function writeJSON(dir: string, name: string, value: unknown): string {
  writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  return name;
}

/** CSV of rows of plain values (header from the first row's keys; strings quoted when they need it). */
export function toCSV(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const keys = Object.keys(rows[0]);
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${keys.join(',')}\n${rows.map((r) => keys.map((k) => cell(r[k])).join(',')).join('\n')}\n`;
}

export function writeText(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

/** Prints where the files went, relative to the working directory. */
export function listFiles(dir: string, files: readonly string[]): void {
  const rel = relative(process.cwd(), dir) || '.';
  console.log(`wrote ${files.length} files to ${rel}/: ${files.join(', ')}`);
}

/** A progress bar on stderr, or nothing with quiet (cli-progress also draws nothing when stderr is not a terminal). */
export interface Progress {
  update(value: number, payload?: Record<string, string>): void;
  stop(): void;
}

export function progress(quiet: boolean, total: number, label: string, extra = ''): Progress {
  if (quiet || total <= 0) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({
    format: `${label} {bar} {value}/{total} {percentage}% | {duration_formatted} elapsed, eta {eta_formatted}${extra}`,
    stream: process.stderr, hideCursor: true, clearOnComplete: false, etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  // Payload fields named in `extra` ({loss}) read '…' until the first update.
  bar.start(total, 0, Object.fromEntries([...extra.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], '…'])));
  return { update: (v, payload) => bar.update(v, payload ?? {}), stop: () => bar.stop() };
}
