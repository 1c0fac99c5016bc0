/** `squall index [reports dir]`: (re)write <reports>/index.html listing every run with its trend. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { writeIndex } from '../report/index-page.ts';
import { defineCommand } from './command.ts';

export default defineCommand({
  command: 'index [reports]',
  describe: 'Write <reports>/index.html: every run newest first, verdicts, key figures, trends per experiment',
  builder: (y) =>
    y
      .positional('reports', { type: 'string', default: 'reports', describe: 'the reports folder (<reports>/<experiment>/<run id>/)' })
      .example('$0 index', 'write reports/index.html')
      .example('$0 index nightly-reports', 'write nightly-reports/index.html'),
  run: (args) => {
    const dir = path.resolve(args.reports as string);
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new SquallError(`reports: ${args.reports as string} is not a folder`, { exitCode: EXIT.invalidInput, hint: 'name the folder `squall run --reports` wrote to (default: reports)' });
    const r = writeIndex(dir);
    process.stdout.write(`${r.runs} run(s) listed: ${pathToFileURL(r.file).href}\n`);
    return EXIT.ok;
  },
});
