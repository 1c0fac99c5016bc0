/**
 * Usage errors refuse before acting: an unknown command or flag, a bad or repeated value, a bad
 * choice exit 2 with one message and a hint, and no command handler runs (an experiment with a
 * fault is never started: no run folder appears). Also `squall` alone, `--version` and
 * `squall k6 run --help`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, squallAll, STACK_FRAME, tempDir, type CliResult } from './helpers.ts';

const EXPERIMENT = `name: usage
system:
  functions:
    api: { synthetic: { duration: 5ms }, url: true, reservedConcurrency: 5 }
load:
  scenarios:
    hits: { template: http, url: { function: api }, executor: constant-vus, vus: 1, duration: 2s }
chaos:
  faults:
    - { at: 0s, for: 1s, action: set-reserved-concurrency, function: api, value: 0 }
`;

describe('squall usage errors (real CLI)', () => {
  it('refuse before acting: exit 2, one message and a hint, no stack trace, no run folder', async () => {
    const dir = tempDir('usage');
    const exp = path.join(dir, 'usage.yaml');
    writeFileSync(exp, EXPERIMENT);
    const reports = path.join(dir, 'reports');
    const cases: Array<[string[], RegExp]> = [
      [['run', exp, '--reports', reports, '--bogus'], /^error: unknown argument: bogus\n/],
      [['run', exp, '--reports', reports, '--targt', 'aws'], /^error: unknown argument: targt\n/],
      [['run', exp, '--reports', reports, '--seed', 'notanumber'], /^error: --seed: expected a number\n/],
      [['run', exp, '--reports', reports, '--seed', '-1'], /^error: --seed: -1 is out of range/],
      [['run', exp, '--reports', reports, '--reports', path.join(dir, 'other')], /^error: --reports was given more than once/],
      [['run', exp, '--reports', reports, '--engine', 'warp'], /^error: Invalid values:[\s\S]*Choices: "embedded", "k6", "auto"/],
      [['simulate', exp, '--runs', 'NaN'], /^error: --runs: expected a number/],
      [['cost', '--requests', '1M', '--memory', '128', '--duration', '1s', '--provisioned', 'Infinity'], /^error: --provisioned: Infinity is out of range/],
      [['runn', exp], /^error: unknown command "runn"\nhint: did you mean `squall run`\?/],
      [['k6', 'run', 'script.js', '--http-debug-bogus'], /^error: unknown argument: http-debug-bogus/],
      [['validate'], /^error: Not enough non-option arguments/],
    ];
    const results = await squallAll(cases.map(([args]) => args));
    results.forEach((r, i) => {
      const [args, message] = cases[i]!;
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr, args.join(' ')).toMatch(/\nhint: /);
      expect(r.stderr).not.toMatch(STACK_FRAME);
      expect(r.stderr).not.toContain('internal error');
      expect(r.stdout, args.join(' ')).toBe('');
    });
    // No handler ran: the run folder (which `squall run` creates first) was never made.
    expect(existsSync(reports)).toBe(false);
    expect(existsSync(path.join(dir, 'other'))).toBe(false);
  }, 120_000);

  it('`squall` alone lists the commands; --version prints package.json\'s version; k6 run --help is k6 run\'s', async () => {
    const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const [alone, v, k6help] = (await squallAll([[], ['--version'], ['k6', 'run', '--help']])) as [CliResult, CliResult, CliResult];
    expect(alone.code).toBe(0);
    for (const c of ['run <experiment>', 'validate <files..>', 'simulate <experiment>', 'k6 <command>', 'restore <run>']) expect(alone.stdout).toContain(`squall ${c}`);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(version);
    expect(k6help.code).toBe(0);
    expect(k6help.stdout).toMatch(/^squall k6 run <script>/);
    expect(k6help.stdout).toContain('--vus');
    expect(k6help.stdout).toContain('--summary-export');
  }, 60_000);
});
