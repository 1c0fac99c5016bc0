/**
 * The command line: only this folder wires parts together. Each command is one file exporting a
 * yargs CommandModule; they are registered here in one explicit list (no side-effect registry).
 */
import yargs, { type Argv, type CommandModule } from 'yargs';
import { EXIT, isSquallError } from '../contracts/exit-codes.ts';
import { commands } from './commands.ts';

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  let parser: Argv = yargs(argv)
    .scriptName('squall')
    .usage('$0 <command> [options]\n\nChaos and load testing for AWS Lambda + SQS, shaped as a k6 toolkit.')
    .strict()
    .demandCommand(1, 'Name a command; see the list above.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(process.stdout.isTTY ? Math.min(120, process.stdout.columns || 100) : null)
    .fail((msg, err, y) => {
      if (err) throw err;
      process.stderr.write(`${y.help() ? '' : ''}error: ${msg}\nRun 'squall --help' or 'squall <command> --help' for usage.\n`);
      exitCode = EXIT.invalidInput;
    });
  for (const c of commands as CommandModule<object, any>[]) parser = parser.command(c);
  try {
    const result = (await parser.parseAsync()) as { exitCode?: number };
    if (exitCode === EXIT.ok && typeof result.exitCode === 'number') exitCode = result.exitCode;
  } catch (e) {
    exitCode = reportError(e);
  }
  return exitCode;
}

/** Print an error for a person: message and hint, never a stack trace unless SQUALL_DEBUG is set. */
export function reportError(e: unknown): number {
  if (isSquallError(e)) {
    process.stderr.write(`error: ${e.message}\n`);
    if (e.hint) process.stderr.write(`hint: ${e.hint}\n`);
    if (process.env.SQUALL_DEBUG && e.stack) process.stderr.write(`${e.stack}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`internal error: ${err.message}\n`);
  process.stderr.write(
    process.env.SQUALL_DEBUG && err.stack ? `${err.stack}\n` : 'This is a bug in squall; rerun with SQUALL_DEBUG=1 for the stack trace.\n',
  );
  return EXIT.internalError;
}
