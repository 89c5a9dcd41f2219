#!/usr/bin/env node
/**
 * Builds the published package into dist/ (`npm run build`; npm runs it as `prepare`, so `npm pack`, `npm publish`,
 * git and folder installs all get a built dist/):
 *
 *   1. wasm/build.mjs: the WebAssembly kernels → src/core/kernels/wasm-binary.generated.ts (gitignored build product);
 *   2. tsc -p tsconfig.build.json: ESM .js + .d.ts, with source maps and declaration maps pointing into src/;
 *   3. the .d.ts files: relative `./x.ts` specifiers rewritten to `./x.js` (tsc's rewriteRelativeImportExtensions
 *      rewrites the .js output but leaves declarations alone: microsoft/TypeScript#61037);
 *   4. dist/cjs/: one CommonJS bundle of dist/index.js (esbuild) for `require('tidediff')` on every Node ≥ 20, with a
 *      copy of the declarations under a `{"type": "commonjs"}` package.json, so TypeScript sees CommonJS types there;
 *   5. dist/cli/tide.js: the command line (`npx tidediff`, the package's bin), an ESM bundle of cli/ (esbuild) that
 *      imports the library from ../index.js (one copy of tide) and its runtime dependencies (commander, cli-progress,
 *      vega, vega-lite) from node_modules;
 *   6. checks: no `.ts` specifier left in dist/, the Wasm module is in dist/, the CJS bundle loads and exports what
 *      the ESM entry exports, the library (ESM output and the CJS bundle) contains none of the CLI's dependencies,
 *      and `node dist/cli/tide.js --help` runs.
 *
 * dist/ is removed first, so files of deleted sources never ship.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const cjsDir = join(dist, 'cjs');
const require = createRequire(import.meta.url);
const t0 = performance.now();

function run(what, args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${what} failed (exit ${r.status ?? r.signal}).`);
    process.exit(1);
  }
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

// The toolchain is devDependencies. `npm install <folder>` runs this in a folder whose devDependencies npm does not
// install: say so, instead of a module-not-found trace.
const tools = ['typescript/package.json', 'esbuild', 'assemblyscript/package.json'].filter((m) => {
  try { require.resolve(m); return false; } catch { return true; }
});
if (tools.length > 0) {
  console.error(`build: ${tools.map((m) => m.split('/')[0]).join(', ')} not installed in ${root}: the build needs the devDependencies. `
    + 'Run `npm install` there first (installing that folder as a dependency does not install them), or install the '
    + 'tarball that `npm pack` makes.');
  process.exit(1);
}

// 1–2: the Wasm module, then tsc.
rmSync(dist, { recursive: true, force: true });
run('wasm/build.mjs', [join(root, 'wasm', 'build.mjs')]);
run('tsc -p tsconfig.build.json', [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')]);

// 3: relative specifiers ending in .ts → .js in the declarations ('./x.ts', "../y.ts", import('./z.ts')).
const TS_SPECIFIER = /(['"])(\.{1,2}\/[^'"\n]*?)\.ts\1/g;
const esmFiles = walk(dist);
for (const f of esmFiles.filter((p) => p.endsWith('.d.ts'))) {
  const text = readFileSync(f, 'utf8');
  const fixed = text.replace(TS_SPECIFIER, (_m, q, path) => `${q}${path}.js${q}`);
  if (fixed !== text) writeFileSync(f, fixed);
}

// 4: the CommonJS bundle, from the ESM output (the same code), and CommonJS-typed copies of the declarations.
const esbuild = await import('esbuild');
const cjsBuild = await esbuild.build({
  entryPoints: [join(dist, 'index.js')],
  outfile: join(cjsDir, 'index.js'),
  bundle: true,
  format: 'cjs',
  platform: 'neutral', // core code uses no Node API: the bundle runs in any CommonJS host
  external: ['workerpool'], // the runtime dependency (parallel gradients) is required, not bundled
  // parallel/pool.ts finds its worker script by import.meta.url; in this bundle it is empty and parallelGradient says
  // to use the ESM entry or pass workerUrl, so esbuild's warning about it is expected.
  logOverride: { 'empty-import-meta': 'silent' },
  target: 'es2022',
  sourcemap: true, // chained through dist/*.js.map to src/*.ts
  logLevel: 'warning',
  metafile: true,
});
writeFileSync(join(cjsDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
for (const f of esmFiles.filter((p) => p.endsWith('.d.ts') || p.endsWith('.d.ts.map'))) {
  const to = join(cjsDir, relative(dist, f));
  mkdirSync(dirname(to), { recursive: true });
  if (f.endsWith('.map')) {
    // one directory deeper: the map's sources (../src/…) gain one '../'
    const map = JSON.parse(readFileSync(f, 'utf8'));
    map.sources = map.sources.map((s) => `../${s}`);
    writeFileSync(to, JSON.stringify(map));
  } else {
    cpSync(f, to);
  }
}

// 5: the CLI. Its imports of the library (../src/index.ts from cli/, ../../src/index.ts from cli/commands/) become
// ../index.js, so the bin shares dist/index.js with `import 'tidediff'`; the npm packages stay imports.
const cliBuild = await esbuild.build({
  entryPoints: [join(root, 'cli', 'tide.ts')],
  outfile: join(dist, 'cli', 'tide.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  metafile: true,
  plugins: [{
    name: 'tide-library-external',
    setup(b) {
      b.onResolve({ filter: /(^|\/)src\/index\.ts$/ }, () => ({ path: '../index.js', external: true }));
    },
  }],
});

// 6: checks.
const problems = [];
// The library's one runtime dependency: workerpool, imported lazily by src/parallel (and left external in the bundle).
const LIBRARY_DEPS = ['workerpool'];
const CLI_DEPS = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies ?? {}).filter((d) => !LIBRARY_DEPS.includes(d));
// The library bundles nothing from node_modules; the CLI's dependencies are the CLI's only.
const fromPackages = Object.keys(cjsBuild.metafile.inputs).filter((f) => f.includes('node_modules/'));
if (fromPackages.length > 0) problems.push(`the CommonJS bundle of the library contains ${fromPackages.slice(0, 3).join(', ')}; core code must not import packages`);
const cliInputs = Object.keys(cliBuild.metafile.inputs);
if (cliInputs.some((f) => f.startsWith('src/'))) problems.push(`dist/cli/tide.js bundles library sources (${cliInputs.filter((f) => f.startsWith('src/')).slice(0, 3).join(', ')}); cli/ must import the library through src/index.ts only`);
const depImport = new RegExp(`(?:from\\s*|import\\s*\\(\\s*|require\\s*\\(\\s*)(['"])(?:${CLI_DEPS.map((d) => d.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|')})(?:/[^'"]*)?\\1`);
for (const f of walk(dist).filter((p) => /\.(c?js)$/.test(p) && !p.startsWith(join(dist, 'cli')))) {
  if (CLI_DEPS.length > 0 && depImport.test(readFileSync(f, 'utf8'))) problems.push(`${relative(root, f)} imports a CLI dependency (${CLI_DEPS.join(', ')}); the library must not`);
}
const leaked = /(?:from\s*|import\s*\(\s*|require\s*\(\s*)(['"])\.{1,2}\/[^'"\n]*\.ts\1/;
for (const f of walk(dist).filter((p) => /\.(c?js|d\.ts)$/.test(p))) {
  if (leaked.test(readFileSync(f, 'utf8'))) problems.push(`${relative(root, f)} imports a .ts file`);
}
for (const f of ['index.js', 'index.d.ts', 'core/kernels/wasm-binary.generated.js', 'cjs/index.js', 'cjs/index.d.ts', 'cli/tide.js']) {
  if (!existsSync(join(dist, f))) problems.push(`dist/${f} is missing`);
}
const cjs = require(join(cjsDir, 'index.js'));
const esm = await import(pathToFileURL(join(dist, 'index.js')).href);
const missing = Object.keys(esm).filter((k) => !(k in cjs));
if (missing.length > 0) problems.push(`the CommonJS bundle lacks ${missing.join(', ')}`);
const help = spawnSync(process.execPath, [join(dist, 'cli', 'tide.js'), '--help'], { cwd: root, encoding: 'utf8' });
if (help.status !== 0 || !help.stdout.includes('Usage: tidediff')) problems.push(`node dist/cli/tide.js --help exited ${help.status}: ${help.stderr.trim().split('\n').slice(0, 3).join(' ')}`);
if (problems.length > 0) {
  console.error(`build: dist/ is not publishable:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
const bytes = (dir) => walk(dir).reduce((s, f) => s + statSync(f).size, 0);
console.log(`build: dist/ (${Object.keys(esm).length} exports; ESM ${(bytes(dist) - bytes(cjsDir)) >> 10} KiB, `
  + `CommonJS bundle ${statSync(join(cjsDir, 'index.js')).size >> 10} KiB, CLI ${statSync(join(dist, 'cli', 'tide.js')).size >> 10} KiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
