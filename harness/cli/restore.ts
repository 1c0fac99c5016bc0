/**
 * `squall restore <run folder | journal>`: put back every fault a run left applied (after a crash
 * or kill -9), from its chaos journal. Each resource goes back to its value before the run's first
 * change to it, read back; the whole restore has a deadline, and whatever it cannot confirm is
 * listed (exit 5, journal kept, so the command can simply be run again).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Journal, openResources, readJournal } from '../chaos/journal.ts';
import { RESTORE_DEADLINE_MS, restoreFromJournal } from '../chaos/timeline.ts';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { parseDuration } from '../experiment/duration.ts';
import { createClients, EMULATOR_CREDENTIALS } from '../target/clients.ts';
import { defineCommand } from './command.ts';

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export default defineCommand({
  command: 'restore <run>',
  describe: 'Restore every fault a run left applied (after a crash or kill -9), from its chaos journal',
  builder: (y) =>
    y
      .positional('run', { type: 'string', demandOption: true, describe: 'a run folder or its chaos-journal.ndjson' })
      .option('endpoint', { type: 'string', describe: 'override the endpoint recorded in the journal' })
      .option('region', { type: 'string', describe: 'override the region recorded in the journal' })
      .option('profile', { type: 'string', describe: 'override the AWS profile recorded in the journal' })
      .option('deadline', { type: 'string', default: `${RESTORE_DEADLINE_MS / 1000}s`, describe: 'give up (exit 5, listing what is left) after this long' })
      .example('$0 restore reports/quickstart/20261127-101500-ab12', 'restore what that run changed')
      .example('$0 restore run/chaos-journal.ndjson --region eu-west-1', 'restore against another region'),
  run: async (args) => {
    const deadline = parseDuration(args.deadline);
    if ('error' in deadline) throw new SquallError(`--deadline: ${deadline.error}`, { exitCode: EXIT.invalidInput });
    let file = path.resolve(args.run as string);
    if ((existsSync(file) && statSync(file).isDirectory()) || (!existsSync(file) && !file.endsWith('.ndjson'))) file = path.join(file, 'chaos-journal.ndjson');
    if (!existsSync(file)) throw new SquallError(`no chaos journal at ${file}`, { exitCode: EXIT.invalidInput, hint: 'name a run folder (reports/<experiment>/<run id>) or its chaos-journal.ndjson' });
    const entries = readJournal(file);
    const head = entries.find((e) => e.event === 'run');
    if (!head || head.event !== 'run') throw new SquallError(`${file} has no run header line`, { exitCode: EXIT.invalidInput });
    // Output errors (a closed pipe) must not stop a restore.
    process.stdout.on('error', () => {});
    process.stderr.on('error', () => {});
    const open = openResources(entries);
    if (open.length === 0) {
      process.stdout.write(`run ${head.runId}: nothing to restore (every fault is confirmed restored)\n`);
      return EXIT.ok;
    }
    if (head.target.kind === 'emulated' && args.endpoint === undefined && !alive(head.pid)) {
      // The embedded emulator lived only as long as its run: its state, faults included, is gone.
      process.stdout.write(`run ${head.runId}: its emulator ended with the run, and its faults with it; nothing to restore\n`);
      return EXIT.ok;
    }
    const endpoint = (args.endpoint as string | undefined) ?? head.target.endpoint;
    const profile = (args.profile as string | undefined) ?? head.target.profile ?? null;
    const clients = createClients({
      endpoint,
      region: (args.region as string | undefined) ?? head.target.region,
      ...(head.target.kind === 'emulated' ? { credentials: EMULATOR_CREDENTIALS } : { profile }),
    });
    const journal = new Journal(file);
    try {
      const r = await restoreFromJournal(file, clients, journal, { deadlineMs: deadline.ms });
      process.stdout.write(`run ${head.runId}: ${r.pending} fault(s) to restore, ${r.restored} restored, ${r.failed.length} failed\n`);
      if (r.failed.length) {
        process.stderr.write(`error: not confirmed restored within ${deadline.ms / 1000} s:\n`);
        for (const f of r.failed) process.stderr.write(`  fault ${f.faultId} (${f.resource ?? 'unknown resource'}): should be ${f.wanted ?? 'its original'} — ${f.error}\n`);
        process.stderr.write(`hint: ${endpoint ? `is ${endpoint} reachable? ` : ''}fix the cause, then run again: squall restore ${path.dirname(file)}\n`);
      }
      return r.failed.length ? EXIT.restoreFailed : EXIT.ok;
    } finally {
      journal.close();
      clients.destroy();
    }
  },
});
