/**
 * bench/browser: the same code timed in Node and in headless Chromium, side by side in one process.
 *
 * Rows (demo/measure.ts's cases; Node runs them here, Chromium in a Web Worker of the built demo, served locally and
 * driven by playwright-core with Debian's chromium):
 *  - `train step …`: one optimiser step of the browser demo's default run (white dwarf, 1000 reversible midpoint
 *    steps at λ = 0.999: forward, MSE, reversible backward pass, Adam), the loop the demo's worker runs;
 *  - `mlp fwd|fwd+vjp B×H js|wasm`: bench/scaling.ts's H→H→H tanh MLP at 16×50, 256×256, 1024×512, float64, JS kernels
 *    and the WebAssembly SIMD kernels (`kernels.setBackend`).
 * Each row has node_us, chromium_us (median per call), their gflops where defined, and ratio_chromium_over_node
 * (> 1: Chromium slower). Each case runs in Node and in Chromium back to back; full runs do that twice (the order
 * flipped) and keep each side's best median; `--quick` (about a minute) once, with fewer batches.
 * Chromium: $CHROMIUM or `chromium` on PATH (apt-get install chromium); the demo is rebuilt into demo/dist/ first.
 */
import { kernels } from '../src/index.ts';
import { CASE_IDS, runCase, type CaseResult } from '../demo/measure.ts';
import { buildDemo, launchChromium, serveDir } from '../scripts/build-demo.mjs';
import { printTable, writeResults } from './lib.ts';
import type { Row } from './lib.ts';

interface PageResult { ok: boolean; cases?: CaseResult[]; userAgent?: string; error?: string }

type Context = Awaited<ReturnType<typeof launchChromium>>['context'];

/** A page of the served demo holding one demo/bench-worker.js; run(id) times case `id` there. */
async function chromiumRunner(context: Context, url: string, quick: boolean) {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}bench.html`);
  // This runs in the page; the file compiles without DOM types, hence the local Worker type.
  await page.evaluate(() => {
    const g = globalThis as unknown as { Worker: new (url: string, options: { type: 'module' }) => unknown; benchWorker: unknown };
    g.benchWorker = new g.Worker('bench-worker.js', { type: 'module' });
  });
  let userAgent = '';
  return {
    get userAgent() { return userAgent; },
    async run(id: string): Promise<CaseResult[]> {
      const r = await page.evaluate((msg) => new Promise<PageResult>((resolve) => {
        const w = (globalThis as unknown as { benchWorker: { onmessage: (e: { data: PageResult }) => void; onerror: (e: { message: string }) => void; postMessage(m: unknown): void } }).benchWorker;
        w.onmessage = (e) => resolve(e.data);
        w.onerror = (e) => resolve({ ok: false, error: e.message });
        w.postMessage(msg);
      }), { id, quick });
      if (!r.ok || r.cases === undefined) throw new Error(`bench/browser: the Chromium worker failed on '${id}': ${r.error ?? 'no result'}${errors.length ? ` (${errors.join('; ')})` : ''}`);
      userAgent = r.userAgent ?? '';
      return r.cases;
    },
    close: () => page.close(),
  };
}

function keepBest(best: Map<string, CaseResult>, cases: CaseResult[]): void {
  for (const c of cases) {
    const b = best.get(c.name);
    if (b === undefined || c.sec < b.sec) best.set(c.name, c);
  }
}

export async function main(args: string[] = []): Promise<void> {
  const quick = args.includes('--quick');
  const rounds = quick ? 1 : 2;
  kernels.setBackend('wasm'); // throws if Node has no WebAssembly SIMD: the comparison needs it on both sides
  kernels.setBackend('auto');
  const dist = await buildDemo({ quiet: true });
  const server = await serveDir(dist);
  const browser = await launchChromium();
  const version = browser.context.browser()?.version() ?? '?';
  const node = new Map<string, CaseResult>(), chromium = new Map<string, CaseResult>();
  let userAgent = '';
  try {
    const page = await chromiumRunner(browser.context, server.url, quick);
    // Case by case, Node and Chromium back to back (the order flipped in the second round), so that a change in the
    // machine's load hits both sides of a ratio alike.
    for (let round = 0; round < rounds; round++) {
      for (const id of CASE_IDS) {
        const t0 = performance.now();
        let tn = 0, tc = 0;
        const onNode = () => { const s = performance.now(); keepBest(node, runCase(id, quick)); tn = performance.now() - s; };
        const onChromium = async () => { const s = performance.now(); keepBest(chromium, await page.run(id)); tc = performance.now() - s; };
        if (round % 2 === 0) { onNode(); await onChromium(); } else { await onChromium(); onNode(); }
        console.log(`  round ${round + 1}/${rounds} ${id}: Node ${(tn / 1000).toFixed(1)} s, Chromium ${(tc / 1000).toFixed(1)} s (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
    }
    userAgent = page.userAgent;
    await page.close();
  } finally {
    await browser.close();
    await server.close();
  }

  const rows: Row[] = [];
  for (const [name, n] of node) {
    const c = chromium.get(name);
    if (c === undefined) throw new Error(`bench/browser: Chromium returned no '${name}' case.`);
    const label = name === 'train step' ? `train step ${n.problem} ${n.solver} ${n.gradient} λ=${n.lambda}` : name;
    const row: Row = { name: label, node_us: n.sec * 1e6, chromium_us: c.sec * 1e6, ratio_chromium_over_node: c.sec / n.sec };
    if (n.gflops !== undefined && c.gflops !== undefined) { row.node_gflops = n.gflops; row.chromium_gflops = c.gflops; }
    if (name === 'train step') row.node_ms_per_step = n.sec * 1e3, row.chromium_ms_per_step = c.sec * 1e3;
    row.node_spread = n.spread; row.chromium_spread = c.spread;
    rows.push(row);
  }
  printTable(`The same code in Node ${process.version} and headless Chromium ${version} (a Web Worker): median per call, float64, one thread`, rows);
  const wasm = rows.filter((r) => r.name.startsWith('mlp') && r.name.endsWith('wasm'));
  const worst = Math.max(...wasm.map((r) => r.ratio_chromium_over_node as number));
  console.log(`\nWebAssembly SIMD kernel rows: Chromium / Node between ${Math.min(...wasm.map((r) => r.ratio_chromium_over_node as number)).toFixed(2)} and ${worst.toFixed(2)} (target ≤ 1.3)`);
  rows.push({ name: 'environment', node: process.version, chromium: version, user_agent: userAgent, quick, rounds, worst_wasm_ratio_chromium_over_node: worst });
  writeResults('browser', rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
