/**
 * `tidediff train` as a child process: a short run writes the log (JSON and CSV, one row per step, the same numbers),
 * params.json (as many finite values as the model has parameters), run.json, trajectory.csv and the SVG plots (with
 * their Vega-Lite specs, whose data are the run's numbers); a JSON config run, with data of its own or a built-in
 * problem, and the command line overriding the config.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { problems, solve, fitLogToJSON } from '../../src/index.ts';
import { runCli, tempDir } from './run-cli.ts';

const readJSON = (f: string): any => JSON.parse(readFileSync(f, 'utf8'));

function checkSvg(file: string): string {
  const svg = readFileSync(file, 'utf8');
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `${file} is not an SVG`);
  assert.match(svg, /<\/svg>\s*$/);
  return svg;
}

describe('train', { concurrency: 2 }, () => {
  test('a short built-in run writes the log, params, run.json, trajectory and plots', async () => {
    const out = tempDir('train');
    const r = await runCli(['train', '--problem', 'lotka-volterra', '--steps', '6', '--seed', '3', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /loss \S+ → \S+/);
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
    const log = readJSON(join(out, 'log.json'));
    assert.equal(log.length, 6);
    assert.deepEqual(Object.keys(log[0]), ['step', 'loss', 'sec', 'nfe_fwd', 'nfe_bwd']);
    assert.deepEqual(log.map((x: { step: number }) => x.step), [0, 1, 2, 3, 4, 5]);
    const csv = readFileSync(join(out, 'log.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'step,loss,sec,nfe_fwd,nfe_bwd');
    assert.equal(csv.length, 7);
    csv.slice(1).forEach((line, i) => assert.equal(Number(line.split(',')[1]), log[i].loss));
    assert.equal(fitLogToJSON(log), readFileSync(join(out, 'log.json'), 'utf8').trim());

    // The first step's loss is the loss of the initial model, computed here independently.
    const pb = problems.lotkaVolterraProblem();
    const p0 = pb.init(3);
    assert.ok(Math.abs(log[0].loss - pb.loss(solve(pb.field, pb.y0, { ...pb.solveOptions, params: p0 }).ys)) <= 1e-12 * log[0].loss);

    const params = readJSON(join(out, 'params.json'));
    assert.equal(params.problem, 'lotka-volterra');
    assert.equal(params.params.length, pb.field.paramCount);
    assert.ok(params.params.every(Number.isFinite));
    assert.ok(params.params.some((v: number, i: number) => v !== p0[i]), 'the parameters were trained');
    const run = readJSON(join(out, 'run.json'));
    assert.equal(run.settings.steps, 6);
    assert.equal(run.settings.seed, 3);
    assert.equal(run.settings.gradient, 'direct');
    assert.equal(run.summary.finalLoss, log[5].loss);
    const traj = readFileSync(join(out, 'trajectory.csv'), 'utf8').trim().split('\n');
    assert.equal(traj[0], 't,data_0,model_0,data_1,model_1');
    assert.equal(traj.length, 1 + 1 + pb.data.ts.length);

    for (const name of ['loss', 'trajectories', 'phase']) {
      const svg = checkSvg(join(out, `${name}.svg`));
      assert.match(svg, /<path /, `${name}.svg draws nothing`);
      assert.ok(existsSync(join(out, `${name}.vl.json`)));
    }
    // The loss plot's data are the logged losses.
    const spec = readJSON(join(out, 'loss.vl.json'));
    assert.deepEqual(spec.data.values.map((v: { loss: number }) => v.loss), log.map((x: { loss: number }) => x.loss));
    assert.match(checkSvg(join(out, 'loss.svg')), /training loss/);
  });

  test('the hybrid problem learns its damping, with the reversible gradient', async () => {
    const out = tempDir('hybrid');
    const r = await runCli(['train', '-p', 'hybrid', '-n', '150', '-g', 'reversible', '--lambda', '0.99', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const run = readJSON(join(out, 'run.json'));
    assert.equal(run.settings.gradient, 'reversible');
    assert.equal(run.settings.lambda, 0.99);
    assert.ok(run.summary.finalLoss < 0.2 * run.summary.firstLoss, `loss ${run.summary.firstLoss} → ${run.summary.finalLoss}`);
    const k = run.summary.learned[0];
    assert.equal(k.name, 'damping k');
    assert.ok(k.learned > 0.1 && k.learned < 0.5, `k = ${k.learned}`);
    assert.match(r.stdout, /learned damping k = /);
  });

  test('a JSON config with its own data trains a neural ODE on it', async () => {
    const dir = tempDir('config');
    // Data: a damped rotation y' = [[-0.1, 1], [-1, -0.1]] y from (1, 0), exact solution sampled at 21 times.
    const ts = Array.from({ length: 21 }, (_, i) => i * 0.25);
    const ys = ts.map((t) => [Math.exp(-0.1 * t) * Math.cos(t), -Math.exp(-0.1 * t) * Math.sin(t)]);
    writeFileSync(join(dir, 'train.json'), JSON.stringify({ data: { ts, ys }, hidden: [16], activation: 'tanh', steps: 40, lr: 0.02, method: 'dopri5', rtol: 1e-5, atol: 1e-7 }));
    const out = join(dir, 'out');
    const r = await runCli(['train', '--config', join(dir, 'train.json'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const log = readJSON(join(out, 'log.json'));
    assert.equal(log.length, 40);
    assert.ok(log[39].loss < log[0].loss, `loss ${log[0].loss} → ${log[39].loss}`);
    const run = readJSON(join(out, 'run.json'));
    assert.equal(run.settings.problem, 'custom');
    assert.equal(run.settings.lr, 0.02);
    assert.deepEqual(run.settings.hidden, [16]);
    assert.equal(readJSON(join(out, 'params.json')).params.length, 2 * 16 + 16 + 16 * 2 + 2);
    for (const name of ['loss', 'trajectories', 'phase']) checkSvg(join(out, `${name}.svg`));
    // The trajectory plot shows the config's data.
    const spec = readJSON(join(out, 'trajectories.vl.json'));
    const data = spec.layer[1].data.values.filter((v: { component: string }) => v.component === 'y1');
    assert.deepEqual(data.map((v: { t: number }) => v.t), ts);
    assert.deepEqual(data.map((v: { value: number }) => v.value), ys.map((y) => y[0]));
  });

  test('a config naming a built-in problem; a flag on the command line wins over the config', async () => {
    const dir = tempDir('config2');
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ problem: 'spiral', steps: 50, gradient: 'checkpoint', seed: 1 }));
    const out = join(dir, 'out');
    const r = await runCli(['train', '-c', join(dir, 'c.json'), '--steps', '3', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const run = readJSON(join(out, 'run.json'));
    assert.equal(run.settings.problem, 'spiral');
    assert.equal(run.settings.steps, 3);
    assert.equal(run.settings.gradient, 'checkpoint');
    assert.equal(run.settings.seed, 1);
    assert.equal(readJSON(join(out, 'log.json')).length, 3);
  });
});
