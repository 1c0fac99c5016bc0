/**
 * Hostile or absurd input gets exit 2 before anything runs, through the real CLI: a YAML alias
 * bomb, an oversized file, too many scenarios, a rate no engine can offer; TypeScript experiments
 * run in a child process (a process.exit, a throw or a hang there is an error naming the file, and
 * the module's timers never run in squall). The engine's memory stays bounded at an absurd rate.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, squall, squallAll, STACK_FRAME, tempDir, type CliResult } from './helpers.ts';

const GOOD_SYSTEM = `system:
  functions:
    api: { synthetic: { duration: 5ms }, url: true, reservedConcurrency: 5 }
`;

function scenario(name: string, extra = 'executor: constant-vus, vus: 1, duration: 2s'): string {
  return `    ${name}: { template: http, url: { function: api }, ${extra} }\n`;
}

function refused(r: CliResult, what: string): void {
  expect(r.code, `${what}: ${r.stderr}`).toBe(2);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr).not.toContain('internal error');
}

describe('hostile experiment files (real CLI)', () => {
  it('alias bomb, 2 MB file, 101 scenarios, 1e9 iterations/s: exit 2 before anything runs, no run folder', async () => {
    const dir = tempDir('hostile');
    const bomb = path.join(dir, 'bomb.yaml');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 7; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
    writeFileSync(bomb, `name: bomb\n${levels.join('\n')}\n`);
    const big = path.join(dir, 'big.yaml');
    writeFileSync(big, `name: big\n# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    const many = path.join(dir, 'many.yaml');
    writeFileSync(many, `name: many\n${GOOD_SYSTEM}load:\n  scenarios:\n${Array.from({ length: 101 }, (_, i) => scenario(`s${i}`)).join('')}`);
    const absurd = path.join(dir, 'absurd.yaml');
    writeFileSync(absurd, `name: absurd\n${GOOD_SYSTEM}load:\n  scenarios:\n${scenario('flood', 'executor: constant-arrival-rate, rate: 1000000000, duration: 2s, preAllocatedVUs: 1')}`);
    const reports = path.join(dir, 'reports');
    const [b, g, m, a, bv] = (await squallAll([
      ['run', bomb, '--reports', reports],
      ['run', big, '--reports', reports],
      ['run', many, '--reports', reports],
      ['run', absurd, '--reports', reports],
      ['validate', bomb],
    ])) as [CliResult, CliResult, CliResult, CliResult, CliResult];
    refused(b, 'alias bomb');
    expect(b.stderr).toContain('YAML aliases expand too far');
    refused(bv, 'validate alias bomb');
    expect(bv.stderr).toContain(`${bomb}: error: (top level): YAML aliases expand too far`);
    refused(g, 'big file');
    expect(g.stderr).toMatch(/^error: the file is 2\.0 MB; an experiment file may be at most 1 MB\n$/);
    refused(m, 'too many scenarios');
    expect(m.stderr).toContain('load.scenarios: 101 scenarios: an experiment may declare at most 100');
    refused(a, 'absurd rate');
    expect(a.stderr).toContain('load.scenarios.flood.rate: 1.0e9 iterations/s is more than any load generator can offer');
    expect(existsSync(reports)).toBe(false);
  }, 120_000);

  it('a rate maxVUs cannot carry is warned with the VU arithmetic', async () => {
    const dir = tempDir('vus');
    const file = path.join(dir, 'vus.yaml');
    writeFileSync(
      file,
      `name: vus\nsystem:\n  functions:\n    api: { synthetic: { duration: 100ms }, url: true }\nload:\n  scenarios:\n${scenario('a', 'executor: constant-arrival-rate, rate: 200, duration: 2s, preAllocatedVUs: 5, maxVUs: 10')}`,
    );
    const r = await squall(['validate', file]);
    expect(r.code).toBe(0);
    // 200/s × 100 ms = 20 VUs busy at once (Little's law) > maxVUs 10.
    expect(r.stdout).toContain('load.scenarios.a.maxVUs: 200 iterations/s × about 100.0 ms each needs about 20 VUs busy at once, but maxVUs is 10');
    expect(r.stdout).toContain('hint: raise maxVUs to at least 20');
  }, 60_000);
});

describe('TypeScript experiments run in isolation (real CLI)', () => {
  const body = `export default { name: 'ts', system: { functions: { api: { synthetic: { duration: '5ms' }, url: true, reservedConcurrency: 5 } } }, load: { scenarios: { a: { template: 'http', url: { function: 'api' }, executor: 'constant-vus', vus: 1, duration: '2s' } } }, chaos: { faults: [{ at: '0s', action: 'set-reserved-concurrency', function: 'api', value: 0 }] } };\n`;

  it('process.exit, a throw or a hang at import is exit 2 naming the file; a timer left behind never runs', async () => {
    const dir = tempDir('ts');
    writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
    const marker = path.join(dir, 'timer-ran');
    const files = {
      exit: path.join(dir, 'exits.ts'),
      throws: path.join(dir, 'throws.ts'),
      hangs: path.join(dir, 'hangs.ts'),
      timer: path.join(dir, 'timer.ts'),
    };
    writeFileSync(files.exit, `process.exit(0);\n${body}`);
    writeFileSync(files.throws, `throw new Error('boom at import');\n${body}`);
    writeFileSync(files.hangs, `await new Promise(() => setInterval(() => undefined, 1000));\n${body}`);
    writeFileSync(files.timer, `import { writeFileSync } from 'node:fs';\nsetTimeout(() => writeFileSync(${JSON.stringify(marker)}, 'ran'), 1500);\n${body}`);
    const reports = path.join(dir, 'reports');
    const [exit, throws, hangs, timer] = (await squallAll(
      [
        ['run', files.exit, '--reports', reports],
        ['run', files.throws, '--reports', reports],
        ['validate', files.hangs],
        ['validate', files.timer],
      ],
      4,
    )) as [CliResult, CliResult, CliResult, CliResult];
    refused(exit, 'process.exit');
    expect(exit.stderr).toContain(`${files.exit}: error: (top level): the module ended its process (exit code 0) before returning an experiment`);
    refused(throws, 'throw');
    expect(throws.stderr).toContain(`${files.throws}: error: (top level): cannot load the module: boom at import`);
    refused(hangs, 'hang');
    expect(hangs.stderr).toContain(`${files.hangs}: error: (top level): the module did not finish loading within 10 s`);
    expect(hangs.ms).toBeLessThan(40_000);
    expect(timer.code, timer.stderr).toBe(0);
    expect(timer.stdout).toContain(`${files.timer}: ok`);
    // Nothing was run and the module's timer died with its child process.
    await new Promise((r) => setTimeout(r, 2000));
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(reports)).toBe(false);
  }, 120_000);
});

describe('engine memory at an absurd rate', () => {
  it('squall k6 run at 1e9 iterations/s for 2 s (summary and NDJSON outputs on) counts dropped iterations with RSS under 500 MB and ends on time', async () => {
    const dir = tempDir('flood');
    const script = path.join(dir, 'flood.js');
    writeFileSync(
      script,
      `import { sleep } from 'k6';
export const options = { scenarios: { flood: { executor: 'constant-arrival-rate', rate: 1000000000, timeUnit: '1s', duration: '2s', preAllocatedVUs: 1, maxVUs: 2, gracefulStop: '0s' } } };
export default async function () { await sleep(0.5); }
`,
    );
    const summary = path.join(dir, 'summary.json');
    const child = spawn(process.execPath, [path.join(root, 'bin/squall.js'), 'k6', 'run', '-q', '--summary-export', summary, '--out', `json=${path.join(dir, 'points.ndjson.gz')}`, script], { cwd: dir, stdio: 'ignore' });
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited between polls
      }
    }, 100);
    // Without the bound the loop never yields: the child would not end (and grew to gigabytes).
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    clearInterval(poll);
    clearTimeout(killer);
    expect(code).toBe(0);
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb / 1024).toBeLessThan(500);
    const s = JSON.parse(readFileSync(summary, 'utf8')) as { metrics: Record<string, { count?: number }> };
    expect(s.metrics.dropped_iterations?.count ?? 0).toBeGreaterThan(100_000);
  }, 90_000);
});
