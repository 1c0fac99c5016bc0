/** `squall restore <run folder | journal>`: put back every fault a crashed run left applied. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Journal, readJournal } from '../chaos/journal.ts';
import { restoreFromJournal } from '../chaos/timeline.ts';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { createClients, EMULATOR_CREDENTIALS } from '../target/clients.ts';
import { defineCommand } from './command.ts';

export default defineCommand({
  command: 'restore <run>',
  describe: "Restore every fault a run left applied (after a crash or kill -9), from its chaos journal",
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'a run folder or its chaos-journal.ndjson' })
      .option('endpoint', { type: 'string', describe: 'override the endpoint recorded in the journal' })
      .option('region', { type: 'string', describe: 'override the region recorded in the journal' })
      .example('$0 restore reports/quickstart/20261127-101500-ab12', 'restore what that run changed')
      .example('$0 restore run/chaos-journal.ndjson --region eu-west-1', 'restore against another region'),
  run: async (args) => {
    let file = path.resolve(args.run as string);
    if ((existsSync(file) && statSync(file).isDirectory()) || (!existsSync(file) && !file.endsWith('.ndjson'))) file = path.join(file, 'chaos-journal.ndjson');
    if (!existsSync(file)) throw new SquallError(`no chaos journal at ${file}`, { exitCode: EXIT.invalidInput, hint: 'name a run folder (reports/<experiment>/<run id>) or its chaos-journal.ndjson' });
    const head = readJournal(file).find((e) => e.event === 'run');
    if (!head || head.event !== 'run') throw new SquallError(`${file} has no run header line`, { exitCode: EXIT.invalidInput });
    const endpoint = (args.endpoint as string | undefined) ?? head.target.endpoint;
    const clients = createClients({
      endpoint,
      region: (args.region as string | undefined) ?? head.target.region,
      profile: head.target.profile ?? null,
      ...(head.target.kind === 'emulated' ? { credentials: EMULATOR_CREDENTIALS } : {}),
    });
    const journal = new Journal(file);
    try {
      const r = await restoreFromJournal(file, clients, journal);
      process.stdout.write(`run ${head.runId}: ${r.pending} fault(s) to restore, ${r.restored} restored, ${r.failed.length} failed\n`);
      for (const f of r.failed) process.stderr.write(`  fault ${f.faultId}: ${f.error}\n`);
      return r.failed.length ? EXIT.restoreFailed : EXIT.ok;
    } finally {
      journal.close();
      clients.destroy();
    }
  },
});
