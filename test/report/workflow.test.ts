/** The nightly workflow parses, runs every example, and keeps the AWS job off unless a role is configured. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('.github/workflows/nightly-chaos.yml', () => {
  const wf = parse(readFileSync(path.join(ROOT, '.github/workflows/nightly-chaos.yml'), 'utf8')) as {
    on: Record<string, unknown>;
    jobs: Record<string, { if?: string; steps: Array<{ run?: string; uses?: string; with?: Record<string, string> }>; permissions?: Record<string, string> }>;
  };
  it('runs on a schedule and on demand; the emulator job runs every example, uploads reports/ and publishes junit', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const steps = wf.jobs.emulator!.steps;
    const script = steps.map((s) => s.run ?? '').join('\n');
    expect(script).toContain('npm ci');
    expect(script).toContain('for exp in examples/experiments/*.yaml');
    expect(readdirSync(path.join(ROOT, 'examples/experiments')).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThanOrEqual(4);
    expect(script).toContain('npx squall index reports');
    expect(steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!.with!.path).toBe('reports/');
    expect(steps.find((s) => s.uses?.startsWith('mikepenz/action-junit-report'))!.with!.report_paths).toBe('reports/**/junit.xml');
    expect(script).toMatch(/exit 1/);
  });
  it('the AWS job needs a configured OIDC role and never long-lived keys', () => {
    const aws = wf.jobs.aws!;
    expect(aws.if).toContain("vars.SQUALL_AWS_ROLE_ARN != ''");
    expect(aws.permissions!['id-token']).toBe('write');
    expect(JSON.stringify(aws)).not.toMatch(/aws-access-key-id|secrets\./i);
    expect(aws.steps.map((s) => s.run ?? '').join('\n')).toContain('squall restore');
  });
});
