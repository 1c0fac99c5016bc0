/**
 * `squall cost`: AWS Lambda monthly cost from the reference's prices and formula (requests,
 * tiered duration, free tier, ephemeral storage, provisioned concurrency), printed or as JSON.
 * The arithmetic is the simulator's one pricing model (`lambdaCost`), so a simulated run's cost
 * and this command always agree.
 */
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { LAMBDA } from '../contracts/aws-facts.ts';
import { formatCost } from '../simulator/format.ts';
import { lambdaCost, MONTH_SECONDS, type Architecture, type LambdaCostInput } from '../simulator/pricing.ts';
import { defineCommand } from './command.ts';

function bad(flag: string, value: unknown, hint: string): never {
  throw new SquallError(`--${flag}: "${String(value)}" is not valid`, { exitCode: EXIT.invalidInput, hint });
}

/** `3000000`, `3M`, `2.5k`, `1e6`, `1_000_000`. */
export function parseCount(flag: string, v: unknown): number {
  const m = /^\s*(\d+(?:[.,_]\d+)*(?:\.\d+)?(?:e\d+)?)\s*([kmb])?\s*$/i.exec(String(v));
  if (!m) bad(flag, v, 'a count like 3000000, 3M or 2.5k');
  const n = Number(m[1]!.replace(/[,_]/g, '')) * ({ k: 1e3, m: 1e6, b: 1e9 }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'b'] ?? 1);
  if (!Number.isFinite(n) || n < 0) bad(flag, v, 'a count ≥ 0');
  return n;
}

/** Milliseconds: a bare number is ms (like k6); `120ms`, `1.5s`, `2m`. */
export function parseDurationMs(flag: string, v: unknown): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(String(v));
  if (!m) bad(flag, v, 'a duration like 120 (ms), 120ms, 1.5s or 2m');
  const unit = (m[2] ?? 'ms').toLowerCase();
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'] ?? 1);
}

export default defineCommand({
  command: 'cost',
  describe: 'AWS Lambda monthly cost (us-east-1 list prices): requests, duration tiers, free tier, provisioned concurrency',
  builder: (y) =>
    y
      .option('requests', { type: 'string', demandOption: true, describe: 'requests per month (3000000, 3M, 2.5k)' })
      .option('memory', { type: 'number', demandOption: true, describe: `memory in MB (${LAMBDA.memoryMinMB}–${LAMBDA.memoryMaxMB})` })
      .option('duration', { type: 'string', demandOption: true, describe: 'average billed duration per request (ms, or 120ms / 1.5s)' })
      .option('arch', { choices: ['x86_64', 'arm64'] as const, default: 'x86_64' as const, describe: 'architecture' })
      .option('free-tier', { type: 'boolean', default: false, describe: 'subtract the monthly free tier (1 M requests, 400,000 GB-s)' })
      .option('ephemeral', { type: 'number', default: 512, describe: 'ephemeral storage in MB (above 512 MB is billed)' })
      .option('provisioned', { type: 'number', default: 0, describe: 'provisioned concurrency (environments)' })
      .option('provisioned-hours', { type: 'number', describe: 'hours provisioned concurrency is enabled (default: the whole 30-day month, 720)' })
      .option('provisioned-requests', { type: 'string', describe: 'requests served by provisioned environments (default: all; the rest are billed on demand)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the breakdown as JSON' })
      .example('$0 cost --requests 3M --memory 512 --duration 1s --free-tier', "AWS's pricing-page example: $18.73")
      .example('$0 cost --requests 30M --memory 128 --duration 200ms --arch arm64', 'arm64, no free tier')
      .example('$0 cost --requests 10M --memory 1024 --duration 80 --provisioned 50 --provisioned-hours 300', 'provisioned concurrency 10 h a day for 30 days'),
  run: (args) => {
    const requests = parseCount('requests', args.requests);
    const memoryMB = args.memory as number;
    if (!Number.isInteger(memoryMB) || memoryMB < LAMBDA.memoryMinMB || memoryMB > LAMBDA.memoryMaxMB)
      bad('memory', memoryMB, `an integer from ${LAMBDA.memoryMinMB} to ${LAMBDA.memoryMaxMB} (MB)`);
    const durationMs = parseDurationMs('duration', args.duration);
    const ephemeral = args.ephemeral as number;
    if (!(ephemeral >= LAMBDA.ephemeralStorageMinMB && ephemeral <= LAMBDA.ephemeralStorageMaxMB))
      bad('ephemeral', ephemeral, `${LAMBDA.ephemeralStorageMinMB}–${LAMBDA.ephemeralStorageMaxMB} MB`);
    const pc = args.provisioned as number;
    if (!Number.isInteger(pc) || pc < 0) bad('provisioned', pc, 'an integer ≥ 0');
    const hours = (args['provisioned-hours'] as number | undefined) ?? MONTH_SECONDS / 3600;
    if (!(hours >= 0)) bad('provisioned-hours', hours, 'hours ≥ 0');
    const pcRequests = pc > 0 ? Math.min(requests, args['provisioned-requests'] !== undefined ? parseCount('provisioned-requests', args['provisioned-requests']) : requests) : 0;
    const architecture = args.arch as Architecture;
    const input: LambdaCostInput = {
      architecture,
      memoryMB,
      requests: requests - pcRequests,
      durationMs,
      ephemeralStorageMB: ephemeral,
      freeTier: args['free-tier'] as boolean,
      provisioned: pc > 0 ? { concurrency: pc, secondsEnabled: hours * 3600, requests: pcRequests, durationMs } : null,
    };
    const c = lambdaCost(input);
    if (args.json) process.stdout.write(`${JSON.stringify({ input, cost: c }, null, 2)}\n`);
    else process.stdout.write(`${formatCost(c, { architecture, memoryMB, freeTier: input.freeTier })}\n`);
    return EXIT.ok;
  },
});
