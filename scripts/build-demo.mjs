#!/usr/bin/env node
/**
 * Builds the browser demo (demo/) into demo/dist/ with esbuild, and serves it.
 *
 *   node scripts/build-demo.mjs                  # build demo/dist/: index.html, main.js + main.css, worker.js, bench-worker.js
 *   node scripts/build-demo.mjs --serve [--port 8080]   # build, then serve demo/dist/ on http://localhost:PORT/ (npm run demo)
 *
 * The bundles are ES modules (the page starts its worker with { type: 'module' }). The server is node:http with a
 * fixed content-type table; it sends COOP/COEP headers so the page is cross-origin isolated (finer performance.now()
 * for the in-page timings). scripts/browser-test.mjs and bench/browser.ts import buildDemo, serveDir and launchChromium
 * (headless Debian chromium driven by playwright-core) from here.
 * Needs src/core/kernels/wasm-binary.generated.ts (node wasm/build.mjs), as every build of src/ does.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const demoDir = join(root, 'demo');
export const distDir = join(demoDir, 'dist');

/** Bundles the demo into demo/dist/ (removed first); returns that folder. */
export async function buildDemo({ minify = true, quiet = false } = {}) {
  if (!existsSync(join(root, 'src/core/kernels/wasm-binary.generated.ts'))) {
    throw new Error('build-demo: src/core/kernels/wasm-binary.generated.ts is missing; run `node wasm/build.mjs` (npm run build:wasm) first.');
  }
  const t0 = performance.now();
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: 'demo/main.ts', worker: 'demo/worker.ts', 'bench-worker': 'demo/bench-worker.ts' },
    outdir: distDir, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', sourcemap: true, minify,
    logLevel: quiet ? 'warning' : 'info',
  });
  copyFileSync(join(demoDir, 'index.html'), join(distDir, 'index.html'));
  // An empty page of the same origin for bench/browser.ts, which starts bench-worker.js from it.
  writeFileSync(join(distDir, 'bench.html'), '<!doctype html><meta charset="utf-8"><title>tide bench</title><p>bench/browser.ts runs bench-worker.js here.</p>\n');
  if (!quiet) console.log(`build-demo: demo/dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return distDir;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8', '.json': 'application/json; charset=utf-8', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/**
 * Serves the files of `dir` on 127.0.0.1:port (0: any free port). Resolves to { url, close() }.
 * Only plain files under dir are served ('/' is index.html); anything else is a 404.
 */
export function serveDir(dir, port = 0) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!(file === dir || file.startsWith(dir + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: p } = server.address();
      resolve({ url: `http://127.0.0.1:${p}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

/** Debian's chromium (or $CHROMIUM), with the flags that work on a closed network as root. */
export function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  try { return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim(); } catch {
    throw new Error('browser-test: no `chromium` on PATH; install it (apt-get install -y chromium) or set CHROMIUM=/path/to/chrome.');
  }
}
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** A headless Chromium with a new empty profile; close() also removes the profile. */
export async function launchChromium() {
  const profile = mkdtempSync(join(tmpdir(), 'tide-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 1000 },
  });
  return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const args = process.argv.slice(2);
  const dir = await buildDemo();
  if (args.includes('--serve')) {
    const i = args.indexOf('--port');
    const port = i >= 0 ? Number(args[i + 1]) : Number(process.env.PORT ?? 8080);
    const { url } = await serveDir(dir, port);
    console.log(`build-demo: serving the demo on ${url} (Ctrl-C stops it)`);
  }
}
