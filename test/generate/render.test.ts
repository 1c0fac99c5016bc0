/**
 * Generated scripts: rendered for ResolvedExperiments covering every built-in template and all six
 * executors, then TYPE-CHECKED against @types/k6 (TypeScript compiler API, ES2022 + k6 types only)
 * with zero diagnostics, and their `options` parsed back and compared with the experiment.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { k6Duration } from '../../harness/generate/durations.ts';
import { renderScript } from '../../harness/generate/render.ts';
import { typecheckK6Script } from '../../harness/generate/typecheck.ts';
import type { ResolvedExecutor } from '../../harness/experiment/types.ts';
import { executors, experiment, httpTemplate, lambdaTemplate, optionsOf, parseGoDuration, scenario, sqsTemplate } from './builders.ts';

const tmp = mkdtempSync(join(tmpdir(), 'squall-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('k6Duration', () => {
  it('writes k6 duration strings', () => {
    expect(k6Duration(60_000)).toBe('1m');
    expect(k6Duration(90_000)).toBe('1m30s');
    expect(k6Duration(500)).toBe('500ms');
    expect(k6Duration(1_500)).toBe('1s500ms');
    expect(k6Duration(3_600_000 + 1000)).toBe('1h1s');
    expect(k6Duration(0)).toBe('0s');
    expect(k6Duration(0.25)).toBe('250us');
    expect(() => k6Duration(-1)).toThrow(RangeError);
  });
  it('property: round-trips through a Go duration parser', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 86_400_000 }), (ms) => {
        expect(parseGoDuration(k6Duration(ms))).toBe(ms);
      }),
    );
  });
});

describe('rendered scripts type-check against @types/k6 and carry the experiment\'s options', () => {
  const all = Object.values(executors);
  const templates = [httpTemplate, sqsTemplate, lambdaTemplate];
  // Every executor, cycling through the templates: 6 scenarios in one script.
  const mixed = experiment(
    all.map((e: ResolvedExecutor, i) =>
      scenario(`s${i}-${e.executor}`, templates[i % 3]!, e, {
        startTimeMs: i * 1500,
        gracefulStopMs: 5000 + i,
        thinkTimeMs: i % 2 === 0 ? 100 : 0,
        env: i === 1 ? { MODE: 'fast' } : {},
        tags: i === 2 ? { team: 'orders' } : {},
      }),
    ),
  );
  // Each template alone, plus variants (FIFO with group ids, oversized poison, RequestResponse, literal URL, GET).
  const singles = {
    http: experiment([scenario('api', httpTemplate, executors['constant-vus'])]),
    httpLiteral: experiment([
      scenario('get', { ...httpTemplate, url: { literal: 'http://127.0.0.1:8080/health' }, method: 'get', body: null, checks: [] } as never, executors['shared-iterations']),
    ]),
    sqs: experiment([scenario('producer', sqsTemplate, executors['constant-arrival-rate'])]),
    sqsFifo: experiment([
      scenario('fifo', { ...sqsTemplate, queue: 'events.fifo', messageGroupId: 'g-{{vu}}', poison: { ratio: 0.5, kind: 'oversized' } } as never, executors['per-vu-iterations']),
    ]),
    lambda: experiment([scenario('invoke', { ...lambdaTemplate, invocationType: 'RequestResponse', retryOn429: 4 } as never, executors['ramping-vus'])]),
  };

  it('zero diagnostics for every template and all six executors', () => {
    const files = [write('mixed.js', renderScript(mixed).script)];
    for (const [name, exp] of Object.entries(singles)) files.push(write(`${name}.js`, renderScript(exp).script));
    const diags = typecheckK6Script(files);
    expect(diags.map((d) => `${d.file}:${d.line}: ${d.message}`)).toEqual([]);
  });

  it('the type-check does catch what real k6 lacks (global setTimeout, unknown http functions)', () => {
    const bad = `${renderScript(singles.http).script}\nsetTimeout(() => {}, 1);\nhttp.fetchAll('x');\n`;
    const diags = typecheckK6Script(write('bad.js', bad));
    expect(diags.map((d) => d.message).join('\n')).toMatch(/setTimeout[\s\S]*fetchAll/);
  });

  it('options: one scenario per experiment scenario with k6 field names, durations and exec', () => {
    const { script, view } = renderScript(mixed);
    const o = optionsOf(script);
    expect(Object.keys(o.scenarios)).toEqual(Object.keys(mixed.load.scenarios));
    expect(o.scenarios['s0-shared-iterations']).toEqual({
      executor: 'shared-iterations', vus: 2, iterations: 20, maxDuration: '10m', startTime: '0s', gracefulStop: '5s', exec: view.scenarios[0]!.exec,
    });
    expect(o.scenarios['s1-per-vu-iterations']).toMatchObject({ executor: 'per-vu-iterations', vus: 3, iterations: 5, maxDuration: '1m30s', startTime: '1s500ms', env: { MODE: 'fast' } });
    expect(o.scenarios['s2-constant-vus']).toMatchObject({ executor: 'constant-vus', vus: 4, duration: '30s', tags: { team: 'orders' } });
    expect(o.scenarios['s3-ramping-vus']).toMatchObject({
      executor: 'ramping-vus', startVUs: 1, gracefulRampDown: '30s', stages: [{ duration: '10s', target: 5 }, { duration: '1s500ms', target: 0 }],
    });
    expect(o.scenarios['s4-constant-arrival-rate']).toMatchObject({ executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '1m', preAllocatedVUs: 10, maxVUs: 20 });
    expect(o.scenarios['s5-ramping-arrival-rate']).toMatchObject({
      executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1m', preAllocatedVUs: 5, maxVUs: 50, stages: [{ duration: '1m30s', target: 600 }, { duration: '500ms', target: 600 }],
    });
    // Every exec names a function the script exports.
    for (const s of Object.values<any>(o.scenarios)) expect(script).toContain(`export async function ${s.exec}()`);
    expect(new Set(Object.values<any>(o.scenarios).map((s) => s.exec)).size).toBe(6);
    // No executor carries another executor's fields (k6 parses scenarios strictly).
    expect(o.scenarios['s2-constant-vus']).not.toHaveProperty('iterations');
    expect(o.scenarios['s4-constant-arrival-rate']).not.toHaveProperty('vus');
  });

  it('options: thresholds in k6 form (strings, or objects with abortOnFail) and summaryTrendStats', () => {
    const o = optionsOf(renderScript(mixed).script);
    expect(o.thresholds).toEqual({
      http_req_duration: ['p(95)<500'],
      'http_req_failed{scenario:api}': [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '10s' }],
    });
    expect(o.summaryTrendStats).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)']);
    expect(o.tags).toEqual({ squall_experiment: 'orders-test' });
  });

  it('every blocking call is awaited; think time only on VU executors; endpoints from __ENV', () => {
    const { script } = renderScript(mixed);
    const scenarioPart = script.slice(script.indexOf('// ---- scenarios ----'));
    expect(scenarioPart).not.toMatch(/[^t] (http\.(request|post|get)|sleep)\(/); // only as `await http...`, `await sleep(`
    expect(scenarioPart.match(/await sleep\(0\.1\)/g)).toHaveLength(2); // s0 (shared-iterations), s2 (constant-vus); s4 is arrival-rate
    expect(script).toContain("functionUrlFromEnv(__ENV, \"orders-api\") + \"/orders\"");
    expect(script).toContain('awsConfigFromEnv(__ENV, SQUALL_AWS_DEFAULTS)');
    expect(script).not.toMatch(/^import .* from '\.\//m); // self-contained: no relative imports
    expect(script).not.toContain('export function handleSummary');
  });

  it('user strings are JSON literals in the code (quotes and comment terminators cannot inject)', () => {
    const evil = experiment([
      scenario('evil', { ...httpTemplate, headers: { 'x-a': "'); throw 1; //" }, body: '*/ "quoted" `tick` ${x}' } as never, executors['constant-vus']),
    ], { description: 'ends a comment */ here' });
    const path = write('evil.js', renderScript(evil).script);
    expect(typecheckK6Script(path)).toEqual([]);
  });

  it('scenario names that map to the same identifier still get distinct exec functions', () => {
    const exp = experiment([
      scenario('a-b', httpTemplate, executors['constant-vus']),
      scenario('a_b', httpTemplate, executors['constant-vus']),
      scenario('7up', httpTemplate, executors['constant-vus']),
    ]);
    const { script } = renderScript(exp);
    const o = optionsOf(script);
    expect(Object.values<any>(o.scenarios).map((s) => s.exec)).toEqual(['s_a_b_exec', 's_a_b_2_exec', 's_7up_exec']);
    expect(typecheckK6Script(write('idents.js', script))).toEqual([]);
  });

  it('refuses a scenario name k6 would reject (it would also break comments and identifiers)', () => {
    const exp = experiment([scenario('bad name\nfetch()', httpTemplate, executors['constant-vus'])]);
    expect(() => renderScript(exp)).toThrow(/scenario name "bad name\\nfetch\(\)" is not a valid k6 scenario name/);
  });

  it('refuses arrival: poisson (simulator-only) with exit 2 and the scenario named', () => {
    const exp = experiment([scenario('burst', httpTemplate, executors['constant-arrival-rate'], { arrival: 'poisson' })]);
    expect(() => renderScript(exp)).toThrow(/load\.scenarios\.burst: arrival "poisson" is a simulator-only what-if/);
    try {
      renderScript(exp);
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('refuses a scenario naming an unknown queue or function, listing the known ones', () => {
    const q = experiment([scenario('p', { ...sqsTemplate, queue: 'nope' } as never, executors['constant-vus'])]);
    expect(() => renderScript(q)).toThrow(/load\.scenarios\.p\.queue: no queue named "nope"/);
    const fifo = experiment([scenario('f', { ...sqsTemplate, queue: 'events.fifo' } as never, executors['constant-vus'])]);
    expect(() => renderScript(fifo)).toThrow(/load\.scenarios\.f\.messageGroupId: The request must contain the parameter MessageGroupId/);
    const f = experiment([scenario('i', { ...lambdaTemplate, function: 'ghost' } as never, executors['constant-vus'])]);
    expect(() => renderScript(f)).toThrow(/no function named "ghost"/);
  });

  it('aws targets carry their region and LocalStack endpoint as defaults; emulated refuses real AWS', () => {
    const aws = experiment([scenario('p', sqsTemplate, executors['constant-vus'])], {
      target: { kind: 'aws', region: 'eu-west-1', profile: null, endpoint: 'http://127.0.0.1:4566', accountAllowlist: ['000000000000'] },
    });
    expect(renderScript(aws).script).toContain('const SQUALL_AWS_DEFAULTS = {"region":"eu-west-1","endpoint":"http://127.0.0.1:4566","emulated":false};');
    expect(renderScript(singles.sqs).script).toContain('"emulated":true');
  });
});
