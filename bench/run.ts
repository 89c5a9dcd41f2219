/**
 * Benchmark dispatcher: `npm run bench -- NAME [args]` runs bench/NAME.ts's main(args), which prints a table and
 * writes bench/results/NAME.json. `npm run bench -- list` lists the benchmarks.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here).filter((f) => f.endsWith('.ts') && !['run.ts', 'lib.ts'].includes(f)).map((f) => f.slice(0, -3)).sort();
const [name, ...args] = process.argv.slice(2);
if (!name || name === 'list') {
  console.log(`usage: npm run bench -- NAME [args]\nbenchmarks: ${names.join(', ')}`);
  process.exit(name ? 0 : 1);
}
if (!names.includes(name)) {
  console.error(`bench: unknown benchmark '${name}'. Available: ${names.join(', ')}.`);
  process.exit(2);
}
const mod = await import(pathToFileURL(join(here, `${name}.ts`)).href) as { main(args: string[]): Promise<void> | void };
await mod.main(args);
