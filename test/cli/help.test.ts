/**
 * `tidediff --help` and each subcommand's --help exit 0 and list every flag the command defines (read from the
 * commander program itself, so a new flag without help text fails here); npm start -- --help prints its flags
 * instead of starting a run.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { program } from '../../cli/program.ts';
import { runCli, runScript } from './run-cli.ts';

describe('--help', { concurrency: true }, () => {
test('tidediff --help lists the four commands', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const c of ['train', 'solve', 'stability', 'bench']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'), `${c} missing from\n${r.stdout}`);
});

for (const sub of program().commands) {
  test(`tidediff ${sub.name()} --help exits 0 and lists its flags`, async () => {
    const r = await runCli([sub.name(), '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: tidediff ${sub.name()} `));
    assert.ok(sub.options.length >= 4, `${sub.name()} has ${sub.options.length} options`);
    for (const o of sub.options) {
      assert.ok(o.long !== undefined && r.stdout.includes(o.long), `${sub.name()} --help does not list ${o.long}:\n${r.stdout}`);
      assert.ok(o.description.length > 5, `${sub.name()} ${o.long} has no description`);
    }
    assert.match(r.stdout, /Examples?:\n  tidediff /, 'no example in the help');
    assert.equal(r.stderr, '');
  });
}

test('tidediff --version prints the package version', async () => {
  const { version } = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), version);
});

test('npm start -- --help prints the main job\'s flags and exits 0 without training', async () => {
  const r = await runScript('cli/main.ts', ['--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const f of ['--steps', '--seed', '--gradient', '--lambda']) assert.ok(r.stdout.includes(f), `${f} missing`);
  assert.doesNotMatch(r.stdout, /training a neural ODE/);
});
});
