/** `squall report <run folder>`: render report.html and junit.xml from a run folder's files. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { isRunFolder, writeRunReport } from '../report/write.ts';
import { defineCommand } from './command.ts';

/** A run folder named on the command line, or a clear error naming the flag and the fix. */
export function runFolderArg(flag: string, value: string): string {
  const dir = path.resolve(value);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new SquallError(`${flag}: ${value} is not a folder`, { exitCode: EXIT.invalidInput, hint: 'name a run folder: reports/<experiment>/<run id>' });
  if (!isRunFolder(dir))
    throw new SquallError(`${flag}: ${value} is not a run folder (it has no experiment.json)`, { exitCode: EXIT.invalidInput, hint: 'name a run folder written by `squall run`: reports/<experiment>/<run id>' });
  return dir;
}

export default defineCommand({
  command: 'report <run>',
  describe: 'Render report.html and junit.xml of a run folder (again), optionally against a baseline run',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'a run folder: reports/<experiment>/<run id>' })
      .option('baseline', { type: 'string', describe: 'a run folder to compare with (default: the previous passing run of the same experiment beside it; --no-baseline: none)' })
      .example('$0 report reports/quickstart/20261207-020347-auy5', 'render the report of that run')
      .example('$0 report reports/quickstart/B --baseline reports/quickstart/A', 'deltas against run A'),
  run: async (args) => {
    const dir = runFolderArg('run', args.run as string);
    // yargs turns --no-baseline into baseline: false.
    const b = args.baseline as string | boolean | undefined;
    const baseline = b === false ? null : typeof b === 'string' ? runFolderArg('--baseline', b) : undefined;
    if (baseline && path.resolve(baseline) === dir) throw new SquallError('--baseline: a run cannot be its own baseline', { exitCode: EXIT.invalidInput, hint: 'name an earlier run folder of the same experiment' });
    const r = await writeRunReport(dir, { baseline });
    process.stdout.write(`verdict: ${r.verdict}${r.failures.length ? ` (${r.failures.length} failure(s))` : ''}\n`);
    for (const f of r.failures.slice(0, 10)) process.stdout.write(`  ${f}\n`);
    if (r.missing.length) process.stdout.write(`partial report: missing ${r.missing.join(', ')}\n`);
    if (r.baseline) process.stdout.write(`baseline: ${r.baseline}\n`);
    process.stdout.write(`junit: ${r.junit}\nreport: ${pathToFileURL(r.html).href}\n`);
    return EXIT.ok;
  },
});
