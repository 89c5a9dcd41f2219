#!/usr/bin/env node
/**
 * The browser test of the demo (`npm run test:browser`; CI runs it after the unit tests): builds demo/ with esbuild,
 * serves demo/dist/ from a local node:http server, and drives headless Chromium (Debian's `chromium`, through
 * playwright-core with executablePath; no browser download) through the page:
 *
 *  1. the default run (white dwarf, reversible midpoint, λ = 0.999) loads with no console error, trains in the
 *     worker and lowers the loss; its first losses equal those of the same Trainer in Node (same float64 code);
 *     the page's thread stays responsive while the worker trains, and Pause/Start work;
 *  2. each gradient method, and the other problems, train a few steps without error and lower the loss;
 *  3. the stability explorer draws a region and prints the real stability intervals tide computes in Node;
 *  4. a screenshot of the trained page (demo/dist/demo.png; `--screenshot docs/demo.png` writes the committed one);
 *  5. a bad setting shows its TideError in the page.
 *
 * Chromium: $CHROMIUM, else `chromium` on PATH. It ends with 'N passed, N failed'; the exit code is 1 on any failure.
 * Run with tsx (node --import tsx), which lets it import demo/trainer.ts and src/ for the Node side of the checks.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildDemo, serveDir, launchChromium, chromiumPath, root } from './build-demo.mjs';
import { Trainer, DEFAULT_CONFIG, GRADIENTS } from '../demo/trainer.ts';
import { stability, midpoint } from '../src/index.ts';

const args = process.argv.slice(2);
const shotArg = args.indexOf('--screenshot');
const shotOut = shotArg >= 0 ? resolve(args[shotArg + 1]) : null;

let passed = 0, failed = 0;
function check(ok, what, detail = '') {
  if (ok) { passed++; console.log(`  ok   ${what}`); } else { failed++; console.log(`  FAIL ${what}${detail ? `: ${detail}` : ''}`); }
  return ok;
}

/** Opens `query` on the demo, collecting console errors, page errors and failed requests (page and worker). */
async function open(context, base, query) {
  const page = await context.newPage();
  const problems = [];
  const watch = (where) => (msg) => { if (msg.type() === 'error') problems.push(`${where} console.error: ${msg.text()}`); };
  page.on('console', watch('page'));
  page.on('worker', (w) => w.on('console', watch('worker')));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
  await page.goto(`${base}${query}`);
  return { page, problems };
}

const demoState = (page) => page.evaluate(() => structuredClone(window.tideDemo.state));
const waitDone = (page, timeout = 120_000) => page.waitForFunction(() => window.tideDemo.state.done || window.tideDemo.state.errors.length > 0, null, { timeout, polling: 100 });
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  const t0 = performance.now();
  const dist = await buildDemo({ quiet: true });
  const server = await serveDir(dist);
  const browser = await launchChromium();
  console.log(`browser-test: ${chromiumPath()} (${browser.context.browser()?.version() ?? 'version ?'}), demo on ${server.url}`);
  try {
    // 1. The default run.
    console.log('default run: white dwarf, reversible midpoint, λ = 0.999');
    const steps = 600; // long enough (seconds) that the checks below run while it trains
    const { page, problems } = await open(browser.context, server.url, `?autostart=1&maxSteps=${steps}`);
    await page.waitForFunction(() => window.tideDemo.state.running || window.tideDemo.state.errors.length > 0, null, { timeout: 60_000 });
    // Responsiveness: the page's own timers keep firing while the worker trains (largest gap between 10 ms timeouts).
    const maxGapMs = await page.evaluate(() => new Promise((res) => {
      let last = performance.now(), max = 0, n = 0;
      const tick = () => { const now = performance.now(); max = Math.max(max, now - last); last = now; if (++n < 50) setTimeout(tick, 10); else res(max); };
      setTimeout(tick, 10);
    }));
    const during = await demoState(page);
    check(during.running && during.step > 0, 'training runs in the worker while the page measures its timers', `step ${during.step}`);
    check(maxGapMs < 500, `the page stays responsive during training (largest timer gap ${maxGapMs.toFixed(0)} ms < 500 ms)`);
    // Pause and Start.
    await page.click('#start');
    await page.waitForTimeout(300);
    const paused1 = (await demoState(page)).step;
    await page.waitForTimeout(400);
    const paused2 = (await demoState(page)).step;
    check(paused1 === paused2 && paused1 < steps, `Pause stops training (step ${paused1} → ${paused2})`);
    await page.click('#start');
    await waitDone(page);
    const s = await demoState(page);
    check(s.errors.length === 0, 'no error shown in the page', s.errors.join(' | '));
    check(s.losses.length === steps, `trained ${steps} steps`, `got ${s.losses.length}`);
    const first = s.losses[0], last = mean(s.losses.slice(-10));
    check(last < 0.2 * first, `training lowers the loss (${first.toExponential(3)} → ${last.toExponential(3)}, mean of the last 10)`);
    const p0 = s.predictionLosses[0], pN = s.predictionLosses[s.predictionLosses.length - 1];
    check(pN < 0.2 * p0, `the trajectory loss falls too (${p0.toExponential(3)} → ${pN.toExponential(3)})`);
    check(s.report?.nfeBackward > 0 && s.report?.reconstructionError < 1e-10, `the reversible backward pass ran and rebuilt y0 (error ${s.report?.reconstructionError?.toExponential(1)})`);
    check(s.backend === 'wasm', `the worker uses the WebAssembly kernels (${s.backend})`);
    // The same code in Node gives the same losses.
    const node = new Trainer(DEFAULT_CONFIG);
    let worst = 0;
    for (let i = 0; i < 5; i++) worst = Math.max(worst, Math.abs(node.step().loss - s.losses[i]) / Math.abs(s.losses[i]));
    check(worst <= 1e-12, `the page's first 5 losses equal Node's (largest relative difference ${worst.toExponential(1)})`);
    // The controls: switch to direct and train on; the methods table lists both.
    await page.selectOption('#gradient', 'direct');
    await page.waitForFunction(() => window.tideDemo.state.ready, null, { timeout: 60_000 });
    await page.click('#start');
    await page.waitForFunction(() => window.tideDemo.state.step >= 20, null, { timeout: 60_000 });
    await page.click('#start');
    const rows = await page.locator('#methods tbody tr').count();
    const sd = await demoState(page);
    check(rows === 2 && sd.report?.nfeBackward === 0 && sd.report.stateBytes > s.report.stateBytes,
      `switching the method in the page trains with direct, which holds more state bytes (${sd.report?.stateBytes} vs ${s.report.stateBytes} reversible)`);
    // 3. The stability explorer (λ-coupled midpoint at the default λ): its intervals are tide's.
    const text = await page.textContent('#stab-intervals');
    const fmt = (x) => Math.abs(x) < 1e-8 ? '0' : x.toPrecision(4);
    const want = stability.realStabilityIntervals(midpoint, 0.999, { min: -4, max: 0 }).map(([a, b]) => `(${fmt(a)}, ${fmt(b)})`).join(' ∪ ');
    check(text.includes(want), `the stability explorer prints the λ-coupled midpoint intervals ${want}`, text);
    await page.selectOption('#stab-base', 'rk4');
    await page.fill('#stab-lambda', '0.8');
    await page.dispatchEvent('#stab-lambda', 'input');
    const blue = await page.evaluate(() => {
      const c = document.getElementById('stab-canvas'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 180 && d[i] < 200 && d[i + 2] - d[i] > 40) n++;
      return n;
    });
    const rk4Text = await page.textContent('#stab-intervals');
    check(blue > 100 && rk4Text.includes('(-2.831, -2.638)'), `λ = 0.8 rk4: a stable region is drawn (${blue} px) with the interval (−2.831, −2.638)`, rk4Text);
    check(problems.length === 0, 'no console errors, page errors or failed requests', problems.join(' | '));
    // 4. The screenshot: 15 steps of each other method (for the table of bytes held), then the default run trained
    // on to 400 steps, with the explorer at the λ of the slides' figure (0.8).
    const { page: shot, problems: shotProblems } = await open(browser.context, server.url, '?gradient=direct&autostart=1&maxSteps=15');
    await waitDone(shot);
    for (const g of ['checkpoint', 'backsolve', 'interpolated', 'reversible']) {
      await shot.selectOption('#gradient', g);
      await shot.waitForFunction(() => window.tideDemo.state.ready, null, { timeout: 60_000 });
      await shot.click('#start');
      await waitDone(shot);
    }
    await shot.click('#start'); // past the URL's step limit: trains on
    await shot.waitForFunction(() => window.tideDemo.state.step >= 400 || window.tideDemo.state.errors.length > 0, null, { timeout: 120_000, polling: 50 });
    await shot.click('#start');
    await shot.waitForTimeout(300);
    await shot.selectOption('#stab-base', 'midpoint');
    await shot.fill('#stab-lambda', '0.8');
    await shot.dispatchEvent('#stab-lambda', 'input');
    await shot.hover('#stab-canvas', { position: { x: 330, y: 150 } });
    await shot.waitForTimeout(200);
    const out = join(root, 'demo/dist/demo.png');
    await shot.screenshot({ path: out, fullPage: true });
    check(shotProblems.length === 0 && (await demoState(shot)).errors.length === 0, `screenshot of the trained page: ${out}`, shotProblems.join(' | '));
    if (shotOut) { mkdirSync(dirname(shotOut), { recursive: true }); copyFileSync(out, shotOut); console.log(`  wrote ${shotOut}`); }
    await shot.close();
    await page.close();

    // 2. Every gradient method on the default problem, and the other problems.
    console.log('every gradient method (white dwarf, midpoint), and the other problems');
    const runs = [
      ...GRADIENTS.map((g) => ({ query: `?gradient=${g}`, what: `white dwarf, ${g}`, steps: 20 })),
      { query: '?problem=coupled-oscillator&solver=rk4&gradient=reversible&lambda=0.99', what: 'coupled oscillator, rk4, reversible λ = 0.99', steps: 40 },
      { query: '?problem=spiral&gradient=reversible', what: 'spiral, dopri5, reversible', steps: 100 },
      { query: '?problem=spiral&solver=tsit5&gradient=backsolve', what: 'spiral, tsit5, backsolve', steps: 100 },
    ];
    for (const r of runs) {
      const { page: p, problems: pr } = await open(browser.context, server.url, `${r.query}&autostart=1&maxSteps=${r.steps}`);
      await waitDone(p);
      const st = await demoState(p);
      const a = st.losses.slice(0, 3), b = st.losses.slice(-3);
      const spiral = r.query.includes('spiral');
      // The spiral's minibatch loss is noisy: judge it by the whole trajectory's loss.
      const [from, to] = spiral ? [st.predictionLosses[0], st.predictionLosses[st.predictionLosses.length - 1]] : [mean(a), mean(b)];
      check(st.errors.length === 0 && pr.length === 0 && st.losses.length === r.steps && to < (r.query.includes('oscillator') ? 0.9 : 0.7) * from,
        `${r.what}: ${r.steps} steps, ${spiral ? 'trajectory ' : ''}loss ${from.toExponential(2)} → ${to.toExponential(2)}, NFE ${st.report?.nfeForward} + ${st.report?.nfeBackward}, ${st.report?.stateBytes} state bytes`,
        [...st.errors, ...pr].join(' | '));
      await p.close();
    }
    // Bad input is a clear error in the page, not a silent stop or a console error.
    const { page: bad, problems: badProblems } = await open(browser.context, server.url, '?lr=2&autostart=1');
    await bad.waitForFunction(() => window.tideDemo.state.errors.length > 0, null, { timeout: 30_000 });
    const shown = await bad.textContent('#error');
    check(shown.startsWith('BAD_OPTION') && shown.includes('learning rate') && (await bad.isVisible('#error')) && badProblems.length === 0,
      `a bad setting (lr = 2) shows its TideError in the page: "${shown}"`, badProblems.join(' | '));
    await bad.close();
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`browser-test: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

try {
  await main();
} catch (e) {
  failed++;
  console.log(`  FAIL browser test stopped: ${e instanceof Error ? e.stack : e}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
