/**
 * The tide command line as a commander program: train, solve, stability, bench. Arguments by commander
 * (subcommands, generated --help, unknown flags and commands rejected with a suggestion), progress bars by
 * cli-progress, plots by Vega-Lite rendered to SVG by Vega in Node. `main` returns the exit code: 0, 2 for bad input
 * (the message says what to change), 1 for a failure while running.
 */
import { Command, CommanderError } from 'commander';
import { TideError } from '../src/index.ts';
import { trainCommand } from './commands/train.ts';
import { solveCommand } from './commands/solve.ts';
import { stabilityCommand } from './commands/stability.ts';
import { benchCommand } from './commands/bench.ts';
import { tideVersion } from './output.ts';

const USAGE_CODES = new Set(['BAD_OPTION', 'BAD_ARGUMENT', 'UNKNOWN_NAME']);

/** Where commander's help and error text and main's error messages go (default: stdout, stderr). */
export interface CliOutput { out(text: string): void; err(text: string): void }
const STD: CliOutput = { out: (t) => { process.stdout.write(t); }, err: (t) => { process.stderr.write(t); } };

export function program(io: CliOutput = STD): Command {
  const output = { writeOut: io.out, writeErr: io.err };
  const root = new Command('tidediff')
    .configureOutput(output)
    .description('tide: neural differential equations. Train built-in problems or your data, solve, plot stability regions, benchmark gradient methods.')
    .version(tideVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for the flags and examples)')
    .exitOverride()
    .addHelpText('after', '\nEvery command writes JSON/CSV data, run.json (settings and summary) and SVG plots into --out.\nRun `tidediff COMMAND --help` for its flags.');
  for (const sub of [trainCommand(), solveCommand(), stabilityCommand(), benchCommand()]) {
    root.addCommand(sub.configureOutput(output).showHelpAfterError(`(run \`tidediff ${sub.name()} --help\` for the flags and examples)`).exitOverride().allowExcessArguments(false));
  }
  return root;
}

export async function main(argv: string[], io: CliOutput = STD): Promise<number> {
  try {
    await program(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2; // commander has printed the message (or the help)
    if (e instanceof TideError) {
      io.err(`tidediff: ${e.message}\n`);
      return USAGE_CODES.has(e.code) ? 2 : 1;
    }
    io.err(`tidediff: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}
