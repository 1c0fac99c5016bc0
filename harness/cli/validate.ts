/** `squall validate <file...>`: every error and warning of each experiment file; exit 0 or 2. */
import { EXIT } from '../contracts/exit-codes.ts';
import { checkExperimentFile } from '../experiment/load.ts';
import { formatDiagnostic } from '../experiment/validate.ts';
import { defineCommand } from './command.ts';

export default defineCommand({
  command: 'validate <files..>',
  describe: 'Check experiment files (YAML, JSON or TypeScript): every error at once, with file:line:column and a hint',
  builder: (y) =>
    y
      .positional('files', { type: 'string', array: true, demandOption: true, describe: 'experiment files' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print errors only (no warnings, no "ok" lines)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the diagnostics as JSON' })
      .example('$0 validate examples/experiments/*.yaml', 'check every example')
      .example('$0 validate my-experiment.ts --json', 'machine-readable diagnostics'),
  run: async (args) => {
    let failed = false;
    const all: unknown[] = [];
    for (const file of args.files as string[]) {
      const r = await checkExperimentFile(file);
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      if (errors.length) failed = true;
      if (args.json) {
        all.push({ file, valid: errors.length === 0, diagnostics: r.diagnostics });
        continue;
      }
      if (r.unreadable) {
        for (const d of errors) process.stderr.write(`error: ${d.message}\n`);
        continue;
      }
      for (const d of r.diagnostics) {
        if (d.severity === 'warning' && args.quiet) continue;
        (d.severity === 'error' ? process.stderr : process.stdout).write(`${formatDiagnostic(d)}\n`);
      }
      if (!errors.length && !args.quiet) {
        const warnings = r.diagnostics.length;
        process.stdout.write(`${file}: ok${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`);
      }
    }
    if (args.json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    return failed ? EXIT.invalidInput : EXIT.ok;
  },
});
