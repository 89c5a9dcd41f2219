/**
 * Bad input to the CLI: an unknown flag, command or name, and bad values (e.g. --steps 0, --steps abc, an unknown
 * problem, a bad config) each exit 2, write nothing to stdout and print a message that names the fix (an example
 * value, a suggestion or the valid list). npm start -- --steps 0 is an error too, not a TypeError after a start.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runInProcess, runScript, tempDir } from './run-cli.ts';

/** args → phrases the error message must contain; the first SUBPROCESS cases run as child processes, the rest in process. */
const SUBPROCESS = 6;
const CASES: [string[], (string | RegExp)[]][] = [
  [['train', '--stpes', '3'], ["unknown option '--stpes'", 'Did you mean --steps?']],
  [['train', '--steps', '0'], ["--steps <n>' argument '0' is invalid", 'integer ≥ 1', 'e.g. --steps 200']],
  [['train', '--steps', 'abc'], ["argument 'abc' is invalid", 'e.g. --steps 200']],
  [['train', '--steps', '2.5'], ["argument '2.5' is invalid", 'integer ≥ 1']],
  [['train', '--problem', 'spiarl'], ["Unknown problem 'spiarl'", "Did you mean 'spiral'?", 'Valid: white-dwarf, spiral, lotka-volterra, hybrid']],
  [['train', '--lr', '-1'], ["--lr <x>' argument '-1' is invalid", 'number > 0', 'e.g. --lr 0.01']],
  [['train', '--gradient', 'reversable'], ["Did you mean 'reversible'?"]],
  [['train', '--lambda', '0.9', '--gradient', 'direct', '--problem', 'hybrid'], ['--lambda is the reversible gradient', 'Add --gradient reversible or leave out --lambda']],
  [['train', '--config', 'no/such/file.json'], ["cannot read the config file 'no/such/file.json'", 'e.g. --config train.json']],
  [['train', 'extra'], [/too many arguments|unknown command/]],
  [['trian'], ["unknown command 'trian'", 'Did you mean train?']],
  [['solve', '--points', '1'], ['integer ≥ 2', 'e.g. --points 200']],
  [['solve', '--problem', 'spiral', '--method', 'rk4'], ['--method rk4 has no error estimate', 'Use an adaptive method (', 'e.g. --step-size 0.01']],
  [['train', '--problem', 'spiral', '--method', 'euler'], ['--method euler has no error estimate', 'dopri5']],
  [['solve', '--params', 'no/such/params.json'], ["cannot read --params 'no/such/params.json'", 'params.json that `tidediff train` wrote']],
  [['stability', '--lambda', '1.5'], ['≤ 1', 'e.g. --lambda 0.8,0.999']],
  [['stability', '--method', 'rk5'], ["Unknown method 'rk5'", "Did you mean 'rk4'?"]],
  [['stability', '--grid', '1x5'], ['NxM, two integers ≥ 2', 'e.g. --grid 201x301']],
  [['stability', '--re', '0.5,-3'], ['min < max', 'e.g. --re -3.5,0.5']],
  [['bench', '--repeats', '0'], ['integer ≥ 1', 'e.g. --repeats 5']],
  [['bench', '--gradients', 'direct,direct'], ['repeats an item']],
];

describe('bad input exits 2 with the fix', { concurrency: 2 }, () => {
  CASES.forEach(([args, phrases], k) => {
    test(`tidediff ${args.join(' ')}${k < SUBPROCESS ? ' (child process)' : ''}`, async () => {
      const r = k < SUBPROCESS ? await runCli(args) : await runInProcess(args);
      assert.equal(r.code, 2, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.equal(r.stdout, '', 'nothing on stdout (no run started)');
      for (const p of phrases) {
        if (typeof p === 'string') assert.ok(r.stderr.includes(p), `stderr lacks ${JSON.stringify(p)}:\n${r.stderr}`);
        else assert.match(r.stderr, p);
      }
      assert.doesNotMatch(r.stderr, /TypeError|at .*\.ts:\d+/, 'a message, not a stack trace');
    });
  });

  test('a config with an unknown key, a bad value or bad data names the key and the fix', async () => {
    const dir = tempDir('badcfg');
    const cases: [unknown, string[]][] = [
      [{ problem: 'spiral', stpes: 3 }, ["unknown key 'stpes'", "Did you mean 'steps'?"]],
      [{ problem: 'spiral', steps: 0 }, ["'steps' = 0", 'integer ≥ 1', 'e.g. "steps": 200']],
      [{ problem: 'lorenz' }, ["Unknown problem 'lorenz'"]],
      [{ data: { ts: [0, 1], ys: [[1, 2], [3]] } }, ["'data'", 'ys[1] = [3], not 2 finite numbers']],
      [{ data: { ts: [0, 0], ys: [[1], [2]] } }, ['ts[1] = 0 not after ts[0] = 0']],
      [{ problem: 'spiral', data: { ts: [0, 1], ys: [[1], [2]] } }, ['give a built-in problem or data, not both']],
    ];
    for (const [i, [cfg, phrases]] of cases.entries()) {
      const file = join(dir, `c${i}.json`);
      writeFileSync(file, JSON.stringify(cfg));
      const r = await runInProcess(['train', '--config', file, '--out', join(dir, `o${i}`)]);
      assert.equal(r.code, 2, `${JSON.stringify(cfg)}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      for (const p of phrases) assert.ok(r.stderr.includes(p), `${JSON.stringify(cfg)}: stderr lacks ${JSON.stringify(p)}:\n${r.stderr}`);
    }
    writeFileSync(join(dir, 'broken.json'), '{"problem": "spiral",');
    const r = await runInProcess(['train', '--config', join(dir, 'broken.json')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not valid JSON/);
  });

  test('npm start -- --steps 0 and an unknown flag are errors, not a run', async () => {
    for (const args of [['--steps', '0'], ['--stesp', '5']]) {
      const r = await runScript('cli/main.ts', args);
      assert.notEqual(r.code, 0);
      assert.doesNotMatch(r.stdout, /training a neural ODE/);
      assert.match(r.stderr, args[0] === '--steps' ? /e\.g\. --steps 200/ : /Did you mean --steps\?/);
    }
  });
});
