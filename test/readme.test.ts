/**
 * The README's TypeScript examples, run from the README itself (so the README stays true): the ```ts blocks are
 * joined in order into one module (their `import … from 'tidediff'` lines merged, pointing at src/index.ts) and run;
 * every console.log line must print something and nothing may throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

test('README: every ts example runs as written and prints', async () => {
  const md = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...md.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 3, 'the README has its examples');
  const names = new Set<string>();
  const body: string[] = [];
  for (const b of blocks) {
    for (const line of b.split('\n')) {
      const imp = /^import \{([^}]*)\} from 'tidediff';\s*$/.exec(line);
      if (imp) { for (const n of imp[1].split(',')) if (n.trim()) names.add(n.trim()); continue; }
      body.push(line);
    }
  }
  const src = `import { ${[...names].join(', ')} } from ${JSON.stringify(pathToFileURL(join(root, 'src/index.ts')).href)};\n`
    + `const __logs: unknown[][] = []; const __log = console.log; console.log = (...a: unknown[]) => { __logs.push(a); };\n`
    + `try {\n${body.join('\n')}\n} finally { console.log = __log; }\nexport const logs = __logs;\n`;
  const dir = mkdtempSync(join(tmpdir(), 'tide-readme-'));
  try {
    const file = join(dir, 'readme-examples.ts');
    writeFileSync(file, src);
    const mod = await import(pathToFileURL(file).href) as { logs: unknown[][] };
    const expected = body.filter((l) => l.includes('console.log(')).length;
    assert.equal(mod.logs.length, expected, 'every console.log in the README ran');
    for (const l of mod.logs) assert.ok(l.length > 0 && l.every((v) => v !== undefined), `a README example printed ${String(l)}`);
    // The training example's claim.
    assert.ok(mod.logs.some((l) => l[0] === true), 'the training example lowers the loss');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
