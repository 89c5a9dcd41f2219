/**
 * Runs the CLI as a child process (`node --import tsx cli/tide.ts ARGS`, from the repo root) and returns its exit
 * code and output; a fresh temporary folder per caller for --out.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function runScript(script: string, args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

export const runCli = (args: readonly string[], timeoutMs?: number): Promise<CliResult> => runScript('cli/tide.ts', args, timeoutMs);

export const tempDir = (name: string): string => mkdtempSync(join(tmpdir(), `tide-cli-${name}-`));

/**
 * The same program in this process (main() of cli/program.ts), its help and error text captured: for the many
 * bad-input cases, which need no child process each. Not for runs (their results print to stdout).
 */
export async function runInProcess(args: readonly string[]): Promise<CliResult> {
  const { main } = await import('../../cli/program.ts');
  let stdout = '', stderr = '';
  const code = await main([...args], { out: (t) => { stdout += t; }, err: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}
