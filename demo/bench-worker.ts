/**
 * The Chromium side of bench/browser.ts: a Web Worker (where the demo trains) that runs demo/measure.ts's cases and
 * posts the results back. Message in: { id, quick } (id one of CASE_IDS); out: { ok: true, cases, userAgent } or
 * { ok: false, error }.
 */
import { runCase } from './measure.ts';

interface Scope {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: { id: string; quick?: boolean } }) => void) | null;
  navigator?: { userAgent?: string };
}
const scope = globalThis as unknown as Scope;

scope.onmessage = (event) => {
  const quick = event.data?.quick === true;
  try {
    const cases = runCase(event.data.id, quick);
    scope.postMessage({ ok: true, cases, userAgent: scope.navigator?.userAgent ?? '' });
  } catch (e) {
    scope.postMessage({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
};
