/**
 * `squall k6 run script.js`: run a k6 script on squall's embedded engine with k6's own flags,
 * artifacts and exit codes (k6 `internal/cmd/run.go`, shared/reference/k6-contract.md), plus
 * `--workers N` to split the test over N processes by k6's execution segments.
 */
import { K6_EXIT, SquallError } from '../contracts/exit-codes.ts';
import type { CliOverrides } from '../engine/options.ts';
import { runK6Script } from '../engine/run.ts';
import type { Argv, CommandModule } from 'yargs';
import { defineCommand } from './command.ts';

/** Repeatable flags: one value per occurrence (`--stage 10s:5 --stage 5s:0`), never eating the script path. */
function many(v: string | string[] | undefined): string[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v.map(String) : [String(v)];
}

function pairs(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    if (i <= 0) {
      throw new SquallError(`${flag} ${item}: write KEY=VALUE`, { exitCode: K6_EXIT.invalidConfig, hint: `e.g. ${flag} BASE_URL=http://127.0.0.1:8080` });
    }
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

/** `k6 run <script>`, as `k6 run`: nested so that `squall k6 run --help` shows k6 run's own flags. */
const k6Run = defineCommand({
  command: 'run <script>',
  describe: "Run a k6 script on squall's embedded engine (k6's flags, outputs and exit codes)",
  builder: (y) =>
    y
      .positional('script', { type: 'string', demandOption: true, describe: 'the k6 script (.js, .mjs or .ts)' })
      .option('vus', { alias: 'u', type: 'number', describe: 'number of virtual users (k6 --vus)' })
      .option('duration', { alias: 'd', type: 'string', describe: 'test duration, e.g. 30s, 1m30s (k6 --duration)' })
      .option('iterations', { alias: 'i', type: 'number', describe: 'total iterations shared by the VUs (k6 --iterations)' })
      .option('stage', { alias: 's', type: 'string', coerce: many, describe: 'a ramping stage DURATION:TARGET, repeatable (k6 --stage)' })
      .option('env', { alias: 'e', type: 'string', coerce: many, describe: 'KEY=VALUE for __ENV, repeatable (k6 -e)' })
      .option('out', { alias: 'o', type: 'string', coerce: many, describe: 'json=FILE[.gz]: k6 NDJSON points (k6 --out)' })
      .option('summary-export', { type: 'string', describe: "write k6's --summary-export JSON to this file" })
      .option('summary-trend-stats', { type: 'string', describe: 'trend stats in the summary, e.g. avg,p(95),p(99.9),count' })
      .option('summary-time-unit', { type: 'string', choices: ['s', 'ms', 'us'], describe: 'fixed time unit in the summary' })
      .option('summary-mode', { type: 'string', choices: ['compact', 'full', 'disabled'], describe: '"disabled": no summary, handleSummary or export' })
      .option('tag', { type: 'string', coerce: many, describe: 'KEY=VALUE tag on every sample, repeatable (k6 --tag)' })
      .option('thresholds', { type: 'boolean', default: true, describe: 'evaluate thresholds (--no-thresholds turns them off)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no banner and no progress' })
      .option('include-system-env-vars', { type: 'boolean', default: true, describe: 'put system env vars into __ENV (k6 run default)' })
      .option('setup', { type: 'boolean', default: true, describe: 'run setup() (--no-setup skips it, as k6)' })
      .option('teardown', { type: 'boolean', default: true, describe: 'run teardown() (--no-teardown skips it, as k6)' })
      .option('user-agent', { type: 'string', describe: 'User-Agent header of requests (k6 --user-agent)' })
      .option('max-redirects', { type: 'number', describe: 'redirects followed per request, default 10 (k6 --max-redirects)' })
      .option('discard-response-bodies', { type: 'boolean', describe: 'keep no response bodies (k6 --discard-response-bodies)' })
      .option('insecure-skip-tls-verify', { type: 'boolean', describe: 'accept any TLS certificate (k6 --insecure-skip-tls-verify)' })
      .option('color', { type: 'boolean', default: true, describe: '--no-color is accepted for k6 compatibility (squall prints no colors)' })
      .option('usage-report', { type: 'boolean', default: true, describe: '--no-usage-report is accepted for k6 compatibility (squall sends none)' })
      .option('workers', { type: 'number', default: 1, describe: 'split the test over N processes by k6 execution segments; metrics merged' })
      .option('execution-segment', { type: 'string', describe: "this instance's segment, e.g. 0:1/4 (k6 --execution-segment)" })
      .option('execution-segment-sequence', { type: 'string', describe: 'all segments, e.g. 0,1/4,1/2,3/4,1 (k6 --execution-segment-sequence)' })
      .example('$0 k6 run script.js', 'run the script with its own options')
      .example('$0 k6 run -u 50 -d 30s script.js', '50 looping VUs for 30 s')
      .example('$0 k6 run --out json=points.ndjson.gz --summary-export summary.json script.js', "k6's NDJSON points (gzip) and summary export")
      .example('$0 k6 run -e BASE_URL=http://127.0.0.1:8080 --tag run=nightly script.js', 'an env var and a run tag')
      .example('$0 k6 run --workers 2 script.js', 'two processes, each running half of the test'),
  run: async (a) => {
    const cli: CliOverrides = {
      vus: a.vus,
      duration: a.duration,
      iterations: a.iterations,
      stages: a.stage,
      tags: a.tag ? pairs(a.tag, '--tag') : undefined,
      summaryTrendStats: a['summary-trend-stats']?.split(',').map((s) => s.trim()).filter(Boolean),
      summaryTimeUnit: a['summary-time-unit'],
      userAgent: a['user-agent'],
      maxRedirects: a['max-redirects'],
      discardResponseBodies: a['discard-response-bodies'],
      insecureSkipTLSVerify: a['insecure-skip-tls-verify'],
    };
    if (!Number.isInteger(a.workers) || a.workers < 1) {
      throw new SquallError(`--workers ${a.workers}: must be a whole number ≥ 1`, { exitCode: K6_EXIT.invalidConfig, hint: 'e.g. --workers 2' });
    }
    const common = {
      script: a.script,
      cli,
      env: pairs(a.env, '-e'),
      includeSystemEnv: a['include-system-env-vars'],
      out: a.out,
      summaryExport: a['summary-export'],
      noThresholds: !a.thresholds,
      noSummary: a['summary-mode'] === 'disabled',
      quiet: a.quiet,
      noSetup: !a.setup,
      noTeardown: !a.teardown,
      handleSignals: true,
    };
    if (a.workers > 1) {
      if (a['execution-segment'] || a['execution-segment-sequence']) {
        throw new SquallError('--workers cannot be combined with --execution-segment', { exitCode: K6_EXIT.invalidConfig, hint: '--workers N computes the segments itself' });
      }
      return (await runK6Script({ ...common, workers: a.workers })).exitCode;
    }
    const segment = a['execution-segment'] || a['execution-segment-sequence']
      ? { segment: a['execution-segment'] ?? '', sequence: a['execution-segment-sequence'] ?? '' }
      : undefined;
    return (await runK6Script({ ...common, segmentFlags: segment })).exitCode;
  },
});

export default {
  command: 'k6 <command>',
  describe: "Run a k6 script on squall's embedded engine (k6's flags, outputs and exit codes)",
  builder: (y: Argv) => y.command(k6Run).demandCommand(1, 'name a k6 command: run'),
  handler: () => undefined,
} satisfies CommandModule;
