/**
 * examples/: every example runs with --quick as a child process (`node --import tsx examples/NAME.ts --quick`),
 * exits 0 within its time limit, and its last line reports a finite result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each example and what its last line must say (a finite number after the given words). */
const EXAMPLES: Record<string, RegExp> = {
  'ode-demo.ts': /^final test loss (\S+)/,
  'hybrid-physics.ts': /^learned damping k = (\S+)/,
  'white-dwarf-reversible.ts': /^final loss (\S+)/,
  'gradient-methods.ts': /^every method within (\S+)/,
  'sde-cde.ts': /^final loss SDE (\S+)/,
  'deq.ts': /^final loss DEQ (\S+)/,
};

function run(file: string): Promise<{ code: number | null; stdout: string; stderr: string; sec: number }> {
  const start = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join('examples', file), '--quick'], { cwd: root, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      resolve({ code, stdout, stderr, sec: (performance.now() - start) / 1000 });
    });
  });
}

test('examples/: every .ts file is listed here', () => {
  const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts')).sort();
  assert.deepEqual(files, Object.keys(EXAMPLES).sort());
});

for (const [file, last] of Object.entries(EXAMPLES)) {
  test(`examples/${file} --quick exits 0 and reports a finite result`, async () => {
    const r = await run(file);
    assert.equal(r.code, 0, `exit code ${r.code}; stderr:\n${r.stderr}`);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(lines.length >= 2, `prints a result:\n${r.stdout}`);
    const m = last.exec(lines[lines.length - 1]);
    assert.ok(m !== null, `last line "${lines[lines.length - 1]}" matches ${last}`);
    const value = Number.parseFloat(m[1]);
    assert.ok(Number.isFinite(value), `a finite result, got ${m[1]}`);
    assert.ok(r.sec < 15, `--quick ran in ${r.sec.toFixed(1)} s`);
  });
}
