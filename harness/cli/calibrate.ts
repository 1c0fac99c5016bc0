/**
 * `squall calibrate <experiment> --function NAME`: run a handler function in the emulator's worker
 * environments (a few cold starts, the rest warm), fit its handler durations, print the fit and
 * optionally write it as JSON usable as `calibrated:` (or a synthetic `duration:`) in the experiment.
 */
import { writeFileSync } from 'node:fs';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { calibrate, formatCalibration } from '../emulator/lambda/calibrate.ts';
import { loadExperiment } from '../experiment/load.ts';
import { defineCommand } from './command.ts';

export default defineCommand({
  command: 'calibrate <experiment>',
  describe: 'Measure a handler function in the emulator and fit its duration distribution (for `calibrated:`)',
  builder: (y) =>
    y
      .positional('experiment', { type: 'string', demandOption: true, describe: 'experiment file that declares the function' })
      .option('function', { alias: 'f', type: 'string', demandOption: true, describe: 'function to calibrate (must have `handler:`)' })
      .option('n', { type: 'number', default: 200, describe: 'invocations to run' })
      .option('cold', { type: 'number', default: 5, describe: 'how many of them start a new environment (cold start)' })
      .option('payload', { type: 'string', describe: 'event JSON (default: an event shaped like the experiment sends: SQS batch, URL request or {})' })
      .option('out', { alias: 'o', type: 'string', describe: 'write the result as JSON to this file' })
      .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
      .example('$0 calibrate examples/experiments/throttle-dlq-trap.yaml --function slow-consumer', 'fit slow-consumer from 200 runs')
      .example('$0 calibrate exp.yaml -f api -n 500 --out api-duration.json', 'more samples, result written to a file'),
  run: async (args) => {
    const n = args.n;
    if (!Number.isInteger(n) || n < 10 || n > 100_000) {
      throw new SquallError(`-n must be a whole number from 10 to 100000, got ${String(n)}`, { exitCode: EXIT.invalidInput, hint: 'e.g. -n 200' });
    }
    const cold = args.cold;
    if (!Number.isInteger(cold) || cold < 0 || cold > n) {
      throw new SquallError(`--cold must be a whole number from 0 to -n (${n}), got ${String(cold)}`, { exitCode: EXIT.invalidInput, hint: 'e.g. --cold 5' });
    }
    if (args.payload !== undefined) {
      try {
        JSON.parse(args.payload);
      } catch {
        throw new SquallError('--payload must be JSON', { exitCode: EXIT.invalidInput, hint: `e.g. --payload '{"orderId":"1"}'` });
      }
    }
    const exp = await loadExperiment(args.experiment as string);
    const tty = process.stderr.isTTY;
    const result = await calibrate(exp, args.function, { invocations: n, coldStarts: cold, payload: args.payload ?? null }, (done) => {
      if (tty && (done % 10 === 0 || done === n)) process.stderr.write(`\r  ${done}/${n} invocations`);
    });
    if (tty) process.stderr.write('\n');
    const json = JSON.stringify({ function: result.function, handler: result.handler, invocations: result.invocations, errors: result.errors, durations: result.durations, coldInit: result.coldInit, fit: { chosen: result.fit.chosen, ks: result.fit.ks, critical: result.fit.critical }, calibrated: result.calibrated, cpu: result.cpu }, null, 2);
    if (args.out) writeFileSync(args.out, `${json}\n`);
    process.stdout.write(args.json ? `${json}\n` : formatCalibration(result));
    if (args.out && !args.json) process.stdout.write(`Written to ${args.out}\n`);
    return EXIT.ok;
  },
});
