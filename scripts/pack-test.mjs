#!/usr/bin/env node
/**
 * Pack-and-install test (`npm run test:pack`; CI runs it after `npm ci && npm test`). Plain Node, no tsx.
 *
 *   1. `npm pack` into a temporary folder: that runs `prepare` (scripts/build.mjs), which rebuilds dist/ from nothing,
 *      so this also proves that a pack builds dist/. Checks what the tarball holds.
 *   2. A fresh project installs the tarball with `npm install --offline`: the package needs nothing from a registry.
 *   3. Consumers of the installed package:
 *      (a) ESM, plain `node`: trains a tiny neural ODE for a few Adam steps; the loss must fall;
 *      (a') parallel gradients with plain `node`: the shipped worker script and workerpool; 2 shards = 1 shard;
 *      (b) CommonJS, plain `node`: require('tidediff'), a solve, a gradient, TideError, the Wasm kernels;
 *      (c) TypeScript, `tsc --noEmit` (strict, skipLibCheck off, so the shipped .d.ts are checked too) under
 *          node16 ESM, node16 CommonJS and bundler resolution; a @ts-expect-error proves the types are not `any`;
 *      (d) a bundler: esbuild bundles the ESM consumer (honouring sideEffects: false) and the bundle runs;
 *      (e) the command line from the installed bin, as `npx tidediff` (npm exec, offline): --help, a bad flag, and a
 *          tiny `train` run that must write its log (JSON, CSV), params.json and SVG plots.
 *   4. publint and @arethetypeswrong/cli (attw) on the tarball; both run locally (attw with --no-definitely-typed,
 *      so it fetches nothing).
 *
 * Exits 1 on the first failure, with the command and its output. `--keep` leaves the temporary folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'tide-pack-'));
const t0 = performance.now();
// npm run passes npm_* variables (the root package's config, lifecycle event); the consumer's npm must not see them.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const npm = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)
  ? [process.execPath, process.env.npm_execpath] : ['npm'];

function fail(msg) {
  console.error(`pack-test: FAIL: ${msg}`);
  console.error(`pack-test: files kept in ${work}`);
  process.exit(1);
}

function sh(what, cmd, args, cwd, { quiet = false } = {}) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) fail(`${what}: \`${[cmd, ...args].join(' ')}\` exited ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}\n${out}`);
  console.log(`ok  ${what} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  if (!quiet && out.trim()) console.log(out.trim().replace(/^/gm, '    '));
  return r.stdout;
}

const write = (file, text) => { mkdirSync(dirname(file), { recursive: true }); writeFileSync(file, text); };

// 1. Pack.
const packOut = sh('npm pack (runs prepare: the build)', npm[0], [...npm.slice(1), 'pack', '--json', '--pack-destination', work], root, { quiet: true });
// stdout is the build's log (the prepare script), then npm's JSON report
const packed = JSON.parse(packOut.slice(packOut.search(/^\[/m)))[0];
console.log(packOut.slice(0, packOut.search(/^\[/m)).trim().replace(/^/gm, '    '));
const tgz = join(work, packed.filename);
const shipped = new Set(packed.files.map((f) => f.path));
const mustShip = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/index.js.map',
  'dist/index.d.ts.map', 'dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/cjs/package.json', 'dist/core/kernels/wasm-binary.generated.js',
  'src/index.ts', 'dist/cli/tide.js'];
const absent = mustShip.filter((f) => !shipped.has(f));
if (absent.length > 0) fail(`the tarball lacks ${absent.join(', ')}`);
const stray = [...shipped].filter((f) => /^(test|bench|cli|wasm|scripts|node_modules|\.ci)\//.test(f));
if (stray.length > 0) fail(`the tarball ships ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ' …' : ''}`);
console.log(`    ${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB packed, `
  + `${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked`);

// 2. A fresh project installs the tarball, offline.
const app = join(work, 'app');
write(join(app, 'package.json'), `${JSON.stringify({ name: 'tide-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
sh('npm install <tarball> --offline in a fresh project', npm[0], [...npm.slice(1), 'install', tgz, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
const installed = JSON.parse(readFileSync(join(app, 'node_modules', pkg.name, 'package.json'), 'utf8'));
if (installed.version !== pkg.version) fail(`installed ${pkg.name}@${installed.version}, expected ${pkg.version}`);

// 3a. ESM consumer: a tiny neural ODE trained for a few Adam steps.
write(join(app, 'train.mjs'), `import { solve, mlp, Rng, fieldFromModel, valueAndGradient, adam } from 'tidediff';
if (!import.meta.resolve('tidediff').endsWith('/node_modules/tidediff/dist/index.js')) throw new Error(\`import resolved to \${import.meta.resolve('tidediff')}\`);

// Data: the linear spiral y' = A y, A = [[-0.1, 2], [-2, -0.1]], from y0 = (2, 0), saved at 8 times.
const ts = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
const y0 = Float64Array.of(2, 0);
const spiral = { dim: 2, paramCount: 0, eval: (out, t, y) => { out[0] = -0.1 * y[0] + 2 * y[1]; out[1] = -2 * y[0] - 0.1 * y[1]; } };
const data = solve(spiral, y0, { t1: 2, method: 'dopri5', rtol: 1e-9, atol: 1e-9, saveAt: { ts } }).ys;

// Model: dy/dt = MLP(y), 2 → 16 → 2, trained with Adam through the solver (backprop, dopri5).
const net = mlp([2, 16, 2], { activation: 'tanh' });
const params = new Float64Array(net.paramCount);
net.init(params, new Rng(0));
const field = fieldFromModel(net, 1);
const opt = adam({ lr: 2e-2 });
const mse = (ys, dYs) => {
  let L = 0;
  for (let i = 0; i < ys.length; i++) { const r = ys[i] - data[i]; L += r * r / ys.length; dYs[i] = 2 * r / ys.length; }
  return L;
};
const losses = [];
for (let step = 0; step < 25; step++) {
  const { loss, dParams } = valueAndGradient(mse, field, y0, { t1: 2, params, method: 'dopri5', rtol: 1e-6, atol: 1e-8, saveAt: { ts }, gradient: 'direct' });
  losses.push(loss);
  opt.step(params, dParams);
}
console.log(\`loss \${losses[0].toFixed(4)} → \${losses.at(-1).toFixed(4)} in \${losses.length} Adam steps (\${net.paramCount} parameters)\`);
if (!(losses.at(-1) < 0.5 * losses[0])) throw new Error('the loss did not fall');
`);
sh('(a) ESM consumer: node train.mjs', process.execPath, ['train.mjs'], app);

// 3a'. Parallel gradients from the installed package: the shipped worker script (dist/parallel/worker.js) and
// workerpool (a runtime dependency) must work with plain node; 2 shards must equal the 1-shard batch.
write(join(app, 'shards.mjs'), `import { problems } from 'tidediff';
export function setup({ shard, shards }) {
  const m = 8 / shards, field = problems.neuralSpiralField(m, 8);
  const y0 = new Float64Array(2 * m); for (let i = 0; i < y0.length; i++) y0[i] = Math.sin(2 * m * shard + i + 1);
  const loss = (ys, dYs) => { let L = 0; for (let i = 0; i < ys.length; i++) { L += ys[i] * ys[i] / 16; dYs[i] = ys[i] / 8; } return L; };
  return { field, y0, loss, solve: { t1: 0.5, method: 'rk4', stepSize: 0.05, gradient: 'reversible' } };
}
`);
write(join(app, 'parallel.mjs'), `import { parallelGradient } from 'tidediff';
const module = new URL('./shards.mjs', import.meta.url);
const params = new Float64Array(8 * 4 + 8 + 2); for (let i = 0; i < params.length; i++) params[i] = 0.3 * Math.cos(i);
const one = await parallelGradient({ module, shards: 1 }), two = await parallelGradient({ module, shards: 2, workers: 2 });
try {
  const a = await one.valueAndGradient(params), b = await two.valueAndGradient(params);
  let err = Math.abs(a.loss - b.loss) / Math.abs(a.loss);
  for (let i = 0; i < params.length; i++) err = Math.max(err, Math.abs(a.dParams[i] - b.dParams[i]) / (Math.abs(a.dParams[i]) + 1e-300));
  if (!(err < 1e-10) || !(a.loss > 0)) throw new Error(\`2 shards differ from 1 by \${err}\`);
  console.log(\`parallelGradient: 2 workers = 1 worker to \${err.toExponential(1)} (loss \${b.loss.toFixed(6)})\`);
} finally { await one.close(); await two.close(); }
`);
sh("(a') parallel gradients: node parallel.mjs", process.execPath, ['parallel.mjs'], app);

// 3b. CommonJS consumer.
write(join(app, 'consumer.cjs'), `const tide = require('tidediff');
const assert = require('node:assert/strict');
const { solve, solveWithGradient, TideError, kernels, mlp, Rng } = tide;
assert.equal(require('tidediff/package.json').version, ${JSON.stringify(pkg.version)});
assert.match(require.resolve('tidediff'), /dist[\\\\/]cjs[\\\\/]index\\.js$/);
// y' = -y from 1 to t = 1: e^-1, and its gradient with respect to y0 (also e^-1) by the reversible method.
const decay = { dim: 1, paramCount: 0, eval: (out, t, y) => { out[0] = -y[0]; }, vjp: (dY, dP, v) => { dY[0] = -v[0]; return 0; } };
const sol = solve(decay, Float64Array.of(1), { t1: 1, method: 'dopri5', rtol: 1e-10, atol: 1e-12 });
assert.ok(Math.abs(sol.yFinal[0] - Math.exp(-1)) < 1e-8, String(sol.yFinal[0]));
const run = solveWithGradient(decay, Float64Array.of(1), { t1: 1, method: 'rk4', stepSize: 0.01, gradient: 'reversible' });
assert.ok(Math.abs(run.backward(Float64Array.of(0, 1)).dY0[0] - Math.exp(-1)) < 1e-8);
assert.throws(() => solve(decay, Float64Array.of(1), { t1: 1, method: 'dopri' }), (e) => e instanceof TideError && e.code === 'UNKNOWN_NAME');
// the Wasm kernels load from the bundle
kernels.setBackend('wasm');
const net = mlp([8, 32, 8], { activation: 'tanh' });
const p = new Float64Array(net.paramCount); net.init(p, new Rng(1));
assert.equal(kernels.getBackend(), 'wasm');
console.log(\`require('tidediff'): \${Object.keys(tide).length} exports, y(1) = \${sol.yFinal[0].toFixed(10)}, kernels: \${kernels.getBackend()}\`);
`);
sh('(b) CommonJS consumer: node consumer.cjs', process.execPath, ['consumer.cjs'], app);

// 3b'. The README's examples (its ```ts blocks, as test/readme.test.ts joins them), types stripped by esbuild, against
// the installed package.
{
  const md = readFileSync(join(root, 'README.md'), 'utf8');
  const names = new Set();
  const body = [];
  for (const [, block] of md.matchAll(/```ts\n([\s\S]*?)```/g)) {
    for (const line of block.split('\n')) {
      const imp = /^import \{([^}]*)\} from 'tidediff';\s*$/.exec(line);
      if (imp) imp[1].split(',').map((n) => n.trim()).filter(Boolean).forEach((n) => names.add(n));
      else body.push(line);
    }
  }
  const { code } = require('esbuild').transformSync(`import { ${[...names].join(', ')} } from 'tidediff';\n${body.join('\n')}`, { loader: 'ts', format: 'esm' });
  write(join(app, 'readme.mjs'), code);
  const out = sh(`(b') the README's examples (${names.size} imports): node readme.mjs`, process.execPath, ['readme.mjs'], app, { quiet: true });
  if (!/^true$/m.test(out)) fail(`the README's training example did not print true:\n${out}`);
  console.log(`    ${out.trim().split('\n').length} lines printed, the training example's \`true\` among them`);
}

// 3c. TypeScript consumers, type-checked against the shipped declarations.
const tsCode = (ext) => `import { solve, mlp, Rng, fieldFromModel, valueAndGradient, adam, TideError, kernels, type Solution, type GradientMethod } from 'tidediff';
import { reversible } from 'tidediff';

const net = mlp([2, 8, 2], { activation: 'tanh' });
const params: Float64Array = new Float64Array(net.paramCount);
net.init(params, new Rng(0));
const field = fieldFromModel(net, 1);
const sol: Solution = solve(field, Float64Array.of(1, 0), { t1: 1, params, method: 'dopri5', saveAt: { ts: [0.5, 1] } });
const status: string = sol.status;
const method: GradientMethod = reversible({ lambda: 0.99 });
const { loss, dParams } = valueAndGradient((ys, dYs) => { dYs.fill(1); return ys[0]; }, field, Float64Array.of(1, 0),
  { t1: 1, params, method: 'rk4', stepSize: 0.1, gradient: method });
const lossNumber: number = loss;
adam({ lr: 1e-2 }).step(params, dParams);
const e: unknown = null;
if (e instanceof TideError) { const code: string = e.code; void code; }
kernels.setBackend('js');
// the types are real, not any:
// @ts-expect-error: the method must be a solver name or a solver
solve(field, Float64Array.of(1, 0), { t1: 1, method: 42 });
// @ts-expect-error: solve needs y0
solve(field);
export { status, lossNumber };
// ${ext}
`;
const tsc = require.resolve('typescript/bin/tsc');
const tsVersion = JSON.parse(readFileSync(require.resolve('typescript/package.json'), 'utf8')).version;
const strict = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2022'], types: [] };
const tsProjects = [
  ['node16, ESM', 'ts-esm', 'index.ts', { ...strict, module: 'node16', moduleResolution: 'node16' }, 'module'],
  ['node16, CommonJS', 'ts-cjs', 'index.cts', { ...strict, module: 'node16', moduleResolution: 'node16' }, 'commonjs'],
  ['bundler', 'ts-bundler', 'index.ts', { ...strict, module: 'esnext', moduleResolution: 'bundler' }, 'module'],
];
for (const [label, dir, file, compilerOptions, type] of tsProjects) {
  write(join(app, dir, 'package.json'), `${JSON.stringify({ private: true, type })}\n`);
  write(join(app, dir, 'tsconfig.json'), `${JSON.stringify({ compilerOptions, files: [file] }, null, 2)}\n`);
  write(join(app, dir, file), tsCode(file));
  sh(`(c) TypeScript ${tsVersion} consumer, ${label}: tsc --noEmit`, process.execPath, [tsc, '-p', join(app, dir, 'tsconfig.json')], app);
}

// 3d. A bundler: esbuild follows the exports map and sideEffects: false; the bundle must still train.
{
  const t = performance.now();
  const r = require('esbuild').buildSync({ absWorkingDir: app, entryPoints: ['train.mjs'], bundle: true, platform: 'node', format: 'esm',
    outfile: 'bundle.mjs', logLevel: 'silent', metafile: true });
  if (r.errors.length > 0) fail(`(d) esbuild: ${r.errors.map((e) => e.text).join('; ')}`);
  const inputs = Object.keys(r.metafile.inputs).filter((f) => f.includes('node_modules/tidediff/')).length;
  console.log(`ok  (d) esbuild bundle of the ESM consumer (${((performance.now() - t) / 1000).toFixed(1)} s)\n    ${inputs} modules of tidediff kept`);
}
sh('(d) node bundle.mjs', process.execPath, ['bundle.mjs'], app);

// 3e. The CLI, from the installed package's bin (npx = npm exec; --offline: everything it needs is installed).
if (installed.bin?.tidediff !== 'dist/cli/tide.js') fail(`the installed package.json has bin ${JSON.stringify(installed.bin)}, expected { tidediff: 'dist/cli/tide.js' }`);
const npx = (args) => [...npm.slice(1), 'exec', '--offline', '--', 'tidediff', ...args];
const help = sh('(e) npx tidediff --help', npm[0], npx(['--help']), app, { quiet: true });
for (const c of ['train', 'solve', 'stability', 'bench']) if (!new RegExp(`^  ${c} `, 'm').test(help)) fail(`(e) npx tidediff --help does not list ${c}:\n${help}`);
{
  const r = spawnSync(npm[0], npx(['train', '--steps', '0']), { cwd: app, env, encoding: 'utf8' });
  if (r.status === 0 || !/e\.g\. --steps 200/.test(r.stderr)) fail(`(e) npx tidediff train --steps 0 exited ${r.status}; expected an error naming the fix, got:\n${r.stdout}${r.stderr}`);
  console.log('ok  (e) npx tidediff train --steps 0 is rejected with the fix');
}
sh('(e) npx tidediff train (5 steps, Lotka–Volterra)', npm[0], npx(['train', '--problem', 'lotka-volterra', '--steps', '5', '--out', 'run']), app);
{
  const log = JSON.parse(readFileSync(join(app, 'run', 'log.json'), 'utf8'));
  if (log.length !== 5 || !log.every((r) => Number.isFinite(r.loss))) fail(`(e) run/log.json has ${log.length} rows, expected 5 with finite losses`);
  for (const f of ['log.csv', 'params.json', 'run.json', 'loss.svg', 'trajectories.svg', 'phase.svg']) {
    const text = readFileSync(join(app, 'run', f), 'utf8');
    if (f.endsWith('.svg') && !text.startsWith('<svg ')) fail(`(e) run/${f} is not an SVG`);
  }
  console.log('ok  (e) the train run wrote log.json (5 rows), log.csv, params.json, run.json and the SVG plots');
}

// 4. publint and attw, on the tarball.
sh('publint --strict', process.execPath, [join(root, 'node_modules', 'publint', 'src', 'cli.js'), 'run', tgz, '--strict'], root);
sh('attw (local tarball, no network)', process.execPath, [join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'),
  tgz, '--no-definitely-typed', '--format', 'table-flipped', '--no-emoji', '--no-color'], root);

if (!keep) rmSync(work, { recursive: true, force: true });
console.log(`pack-test: ${pkg.name}@${pkg.version} packs, installs and works from ESM, CommonJS, TypeScript, a bundler and npx `
  + `(${((performance.now() - t0) / 1000).toFixed(1)} s)${keep ? `; files in ${work}` : ''}`);
