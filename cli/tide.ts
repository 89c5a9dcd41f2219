#!/usr/bin/env node
/**
 * The `tidediff` command (the package's bin; in the repo `node --import tsx cli/tide.ts …`). See program.ts, or run
 * it with --help.
 */
import { main } from './program.ts';

// `tidediff … | head` closes stdout early: stop quietly instead of an EPIPE trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); else throw e; });
process.exitCode = await main(process.argv.slice(2));
