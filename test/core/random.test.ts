/** Rng.shuffle and Rng.choice: permutations, distinctness, determinism per seed, uniformity, and their errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/core/random.ts';
import { TideError } from '../../src/core/errors.ts';

function throwsTide(fn: () => unknown, code: string, phrase: string): void {
  assert.throws(fn, (e: unknown) => e instanceof TideError && e.code === code && e.message.includes(phrase));
}

test('Rng.shuffle: in place, returns the same array, a permutation, deterministic per seed', () => {
  const a = Array.from({ length: 20 }, (_, i) => i);
  const r = new Rng(7).shuffle(a);
  assert.equal(r, a);
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
  assert.notDeepEqual(a, Array.from({ length: 20 }, (_, i) => i));
  const b = new Rng(7).shuffle(Float64Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(Array.from(b), a);
  const c = new Rng(8).shuffle(Array.from({ length: 20 }, (_, i) => i));
  assert.notDeepEqual(c, a);
  assert.deepEqual(new Rng(1).shuffle([]), []);
  assert.deepEqual(new Rng(1).shuffle(['x']), ['x']);
});

test('Rng.shuffle: all 6 permutations of 3 items about equally likely (seed 3)', () => {
  const rng = new Rng(3);
  const counts = new Map<string, number>();
  const N = 6000;
  for (let i = 0; i < N; i++) {
    const k = rng.shuffle([0, 1, 2]).join('');
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  assert.equal(counts.size, 6);
  for (const [k, c] of counts) assert.ok(Math.abs(c - N / 6) < 150, `${k}: ${c}`);
});

test('Rng.choice: without replacement gives k distinct indices in [0, n), deterministic per seed', () => {
  const a = new Rng(11).choice(50, 10);
  assert.ok(a instanceof Int32Array);
  assert.equal(a.length, 10);
  assert.equal(new Set(a).size, 10);
  for (const i of a) assert.ok(i >= 0 && i < 50);
  assert.deepEqual(Array.from(new Rng(11).choice(50, 10)), Array.from(a));
  const all = new Rng(2).choice(8, 8);
  assert.deepEqual([...all].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(new Rng(2).choice(5, 0).length, 0);
});

test('Rng.choice: each index equally likely to be drawn, with and without replacement (seed 5)', () => {
  const rng = new Rng(5);
  for (const replace of [false, true]) {
    const counts = new Float64Array(10);
    const N = 4000;
    for (let r = 0; r < N; r++) for (const i of rng.choice(10, 3, { replace })) counts[i]++;
    for (const c of counts) assert.ok(Math.abs(c - N * 0.3) < 120, `replace ${replace}: ${c}`);
  }
  const w = new Rng(9).choice(3, 30, { replace: true });
  assert.equal(w.length, 30);
  assert.ok(new Set(w).size <= 3);
});

test('Rng.shuffle / Rng.choice reject bad arguments with TideErrors', () => {
  const rng = new Rng(0);
  throwsTide(() => rng.shuffle(5 as unknown as number[]), 'BAD_ARGUMENT', 'Rng.shuffle: expected an array');
  throwsTide(() => rng.shuffle('abc' as unknown as string[]), 'BAD_ARGUMENT', 'Rng.shuffle');
  throwsTide(() => rng.choice(0, 1), 'BAD_ARGUMENT', 'n must be an integer');
  throwsTide(() => rng.choice(2.5, 1), 'BAD_ARGUMENT', 'n must be an integer');
  throwsTide(() => rng.choice(5, -1), 'BAD_ARGUMENT', 'k must be an integer ≥ 0');
  throwsTide(() => rng.choice(5, 1.5), 'BAD_ARGUMENT', 'k must be an integer ≥ 0');
  throwsTide(() => rng.choice(3, 4), 'BAD_ARGUMENT', 'without replacement');
  throwsTide(() => rng.choice(3, 2, { replce: true } as never), 'BAD_OPTION', "Did you mean 'replace'");
  throwsTide(() => rng.choice(3, 2, { replace: 1 } as never), 'BAD_OPTION', 'replace must be true or false');
});

test('Rng.state / Rng.fromState: a JSON round trip continues the same stream (with a spare normal kept)', () => {
  const a = new Rng(21);
  a.uniform(); a.normal(); // leaves a spare
  const b = Rng.fromState(JSON.parse(JSON.stringify(a.state())));
  for (let i = 0; i < 5; i++) assert.equal(b.normal(), a.normal());
  assert.deepEqual(Array.from(b.choice(30, 5)), Array.from(a.choice(30, 5)));
  assert.equal(b.seed, 21);
  throwsTide(() => Rng.fromState({ seed: 1, words: [0, 0, 0, 0], spare: null }), 'BAD_ARGUMENT', 'Rng.fromState');
  throwsTide(() => Rng.fromState(null as never), 'BAD_ARGUMENT', 'Rng.fromState');
});
