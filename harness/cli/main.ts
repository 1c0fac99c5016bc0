/**
 * The command line: only this folder wires parts together. Each command is one file exporting a
 * yargs CommandModule; they are registered here in one explicit list (no side-effect registry).
 * Every usage error (unknown command or flag, a bad value, a flag given twice) is thrown before any
 * command handler runs, so nothing is created or changed; errors are reported for a person, the
 * environment's own failures (exit 7) apart from squall's bugs (exit 1).
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { EXIT, isSquallError, SquallError } from '../contracts/exit-codes.ts';
import { commands } from './commands.ts';
import { classifyEnvironmentError } from './errors.ts';

/** Flags that may be given more than once (k6's repeatable `--stage`, `-e`, `--out`, `--tag`). */
const REPEATABLE = new Set(['stage', 's', 'env', 'e', 'out', 'o', 'tag']);
/** Keys yargs fills itself, and positionals that take several values. */
const NOT_FLAGS = new Set(['_', '$0', 'files']);

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function flag(key: string): string {
  return key.length === 1 ? `-${key}` : `--${key}`;
}

/**
 * Value checks every command shares. Each numeric flag squall has is a count, a size, a port, a
 * seed or a duration, so NaN, ±Infinity and negatives are refused here once for all.
 */
function commonChecks(argv: Record<string, unknown>): true {
  for (const [key, value] of Object.entries(argv)) {
    if (NOT_FLAGS.has(key) || /[A-Z]/.test(key)) continue; // yargs' camelCase copies repeat the dashed keys
    if (Array.isArray(value) && !REPEATABLE.has(key)) {
      throw usage(`${flag(key)} was given more than once (${value.map((v) => JSON.stringify(v)).join(', ')})`, `give ${flag(key)} once`);
    }
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v !== 'number') continue;
      if (Number.isNaN(v)) throw usage(`${flag(key)}: expected a number`, `e.g. ${flag(key)} 10`);
      if (!Number.isFinite(v) || v < 0) throw usage(`${flag(key)}: ${v} is out of range (a finite number ≥ 0)`, `e.g. ${flag(key)} 10`);
    }
  }
  return true;
}

/** yargs lists an unknown `--http-debug` twice (also as `httpDebug`); name each flag once. */
function unknownArguments(msg: string): string | undefined {
  const m = /^Unknown arguments?: (.*)$/s.exec(msg);
  if (!m) return undefined;
  const names = m[1]!.split(', ');
  const kebab = (n: string) => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const unique = names.filter((n) => !(/[A-Z]/.test(n) && names.includes(kebab(n))));
  return `unknown argument${unique.length === 1 ? '' : 's'}: ${unique.join(', ')}`;
}

function usage(message: string, hint = "run 'squall --help' or 'squall <command> --help' for usage"): SquallError {
  return new SquallError(message, { exitCode: EXIT.invalidInput, hint });
}

export async function main(argv: string[]): Promise<number> {
  let parser: Argv = yargs(argv)
    .scriptName('squall')
    .usage('$0 <command> [options]\n\nChaos and load testing for AWS Lambda + SQS, shaped as a k6 toolkit.')
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(version())
    .alias('v', 'version')
    .wrap(process.stdout.isTTY ? Math.min(120, process.stdout.columns || 100) : null)
    .check(commonChecks, true)
    // Throwing (not just recording an exit code) is what keeps yargs from calling the handler.
    .fail((msg, err) => {
      if (err) throw err;
      throw usage(unknownArguments(msg) ?? msg);
    });
  for (const c of commands as CommandModule<object, any>[]) parser = parser.command(c);
  if (argv.length === 0) {
    // `squall` alone: the command list, on stdout, as `--help` prints it.
    process.stdout.write(`${await parser.getHelp()}\n`);
    return EXIT.ok;
  }
  try {
    const names = (commands as CommandModule<object, any>[]).map((c) => String(c.command).split(' ')[0]!);
    const first = argv[0]!;
    if (!first.startsWith('-') && !names.includes(first)) {
      const near = names.find((n) => n.startsWith(first.slice(0, 3)));
      throw usage(`unknown command "${first}"`, `${near ? `did you mean \`squall ${near}\`? ` : ''}commands: ${names.join(', ')}`);
    }
    const result = (await parser.parseAsync()) as { exitCode?: number };
    return typeof result.exitCode === 'number' ? result.exitCode : EXIT.ok;
  } catch (e) {
    return reportError(e);
  }
}

/** Print an error for a person: message and hint, never a stack trace unless SQUALL_DEBUG is set. */
export function reportError(e: unknown): number {
  const known = isSquallError(e) ? e : classifyEnvironmentError(e);
  if (known) {
    process.stderr.write(`error: ${known.message}\n`);
    if (known.hint) process.stderr.write(`hint: ${known.hint}\n`);
    if (process.env.SQUALL_DEBUG && known.stack) process.stderr.write(`${known.stack}\n`);
    return known.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`internal error: ${err.message}\n`);
  process.stderr.write(
    process.env.SQUALL_DEBUG && err.stack ? `${err.stack}\n` : 'This is a bug in squall; rerun with SQUALL_DEBUG=1 for the stack trace.\n',
  );
  return EXIT.internalError;
}
