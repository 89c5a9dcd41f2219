/**
 * `tidediff solve` and `tidediff bench` as child processes: solve writes the solution of the true system (equal to
 * the library's solve of the same field, options and save times) with its plots; solve --params re-solves a
 * trained model from a train run; bench writes rows with a name and unit-carrying figures, every exact gradient
 * method agreeing with backprop to rounding.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { problems, solve } from '../../src/index.ts';
import { runCli, tempDir } from './run-cli.ts';

const readJSON = (f: string): any => JSON.parse(readFileSync(f, 'utf8'));

describe('solve and bench', { concurrency: 2 }, () => {
  test('solve: the true Lotka–Volterra system, as the library solves it', async () => {
    const out = tempDir('solve');
    const r = await runCli(['solve', '--problem', 'lotka-volterra', '--method', 'tsit5', '--rtol', '1e-9', '--atol', '1e-11', '--t1', '5', '--points', '11', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const sol = readJSON(join(out, 'solution.json'));
    const ts = problems.linspace(0, 5, 11);
    const ref = solve(problems.lotkaVolterraField(), Float64Array.from(problems.LOTKA_VOLTERRA_Y0), {
      t1: 5, params: Float64Array.from(problems.LOTKA_VOLTERRA_PARAMS), method: 'tsit5', rtol: 1e-9, atol: 1e-11, maxSteps: 1_000_000, saveAt: { ts },
    });
    assert.equal(sol.status, 'success');
    assert.deepEqual(sol.ts, Array.from(ts));
    assert.deepEqual(sol.ys.flat(), Array.from(ref.ys));
    const run = readJSON(join(out, 'run.json'));
    assert.equal(run.summary.stats.nfe, ref.stats.nfe);
    assert.equal(readFileSync(join(out, 'solution.csv'), 'utf8').trim().split('\n').length, 12);
    for (const f of ['trajectories.svg', 'phase.svg']) assert.match(readFileSync(join(out, f), 'utf8'), /^<svg /);
  });

  test('solve --params: the model a train run left', async () => {
    const dir = tempDir('solve-params');
    const t = await runCli(['train', '-p', 'hybrid', '-n', '3', '-o', join(dir, 'train')]);
    assert.equal(t.code, 0, t.stderr);
    const r = await runCli(['solve', '-p', 'hybrid', '--params', join(dir, 'train', 'params.json'), '--points', '61', '-o', join(dir, 'solve')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /trained model, rk4/);
    const pb = problems.hybridPendulumProblem();
    const params = Float64Array.from(readJSON(join(dir, 'train', 'params.json')).params);
    const ts = problems.linspace(0, 6, 61);
    const ref = solve(pb.field, pb.y0, { t1: 6, params, method: 'rk4', stepSize: pb.solveOptions.stepSize, adaptive: false, maxSteps: 1_000_000, saveAt: { ts } });
    const ys = readJSON(join(dir, 'solve', 'solution.json')).ys.flat();
    ys.forEach((v: number, i: number) => assert.ok(Math.abs(v - ref.ys[i]) <= 1e-12 * (1 + Math.abs(ref.ys[i])), `y[${i}]`));
    const wrong = await runCli(['solve', '-p', 'spiral', '--params', join(dir, 'train', 'params.json')]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /was trained on problem 'hybrid', not 'spiral'\. Add --problem hybrid/);
  });

  test('bench: rows with units; exact methods agree with backprop', async () => {
    const out = tempDir('bench');
    const r = await runCli(['bench', '--problem', 'lotka-volterra', '--gradients', 'direct,checkpoint,reversible,backsolve', '--repeats', '1', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const rows = readJSON(join(out, 'bench.json'));
    assert.deepEqual(rows.map((x: { name: string }) => x.name), ['solve', 'direct', 'checkpoint', 'reversible', 'backsolve'].map((g) => `lotka-volterra/${g}`));
    for (const row of rows) {
      assert.ok(row.sec_median > 0 && row.sec_min > 0 && row.sec_min <= row.sec_median);
      assert.ok(Number.isInteger(row.nfe_fwd) && row.nfe_fwd > 0);
      for (const k of Object.keys(row)) assert.match(k, /^(name|route|[a-z0-9]+(_[a-z0-9]+)*)$/);
    }
    const by = Object.fromEntries(rows.map((x: { route: string }) => [x.route, x]));
    assert.equal(by.direct.max_rel_diff_vs_direct, 0);
    assert.ok(by.checkpoint.max_rel_diff_vs_direct < 1e-12);
    assert.ok(by.reversible.max_rel_diff_vs_direct < 1e-8, `reversible: ${by.reversible.max_rel_diff_vs_direct}`);
    assert.ok(by.backsolve.max_rel_diff_vs_direct < 1e-3);
    assert.ok(by.reversible.state_bytes < by.direct.state_bytes);
    assert.equal(readFileSync(join(out, 'bench.csv'), 'utf8').trim().split('\n').length, 6);
    assert.match(readFileSync(join(out, 'bench.svg'), 'utf8'), /^<svg /);
  });
});
