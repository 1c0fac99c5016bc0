/**
 * Property test of the generator: random experiments (any executor with random k6 fields, any
 * built-in template, random names, start times, graceful stops, env and tags) render to scripts
 * whose `options` give back exactly the experiment's scenarios in k6 form, and a sample of them
 * type-checks against @types/k6.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { renderScript } from '../../harness/generate/render.ts';
import { typecheckK6Script } from '../../harness/generate/typecheck.ts';
import type { ResolvedExecutor, ResolvedScenario, Stage } from '../../harness/experiment/types.ts';
import { expectedK6Scenario, experiment, httpTemplate, k6ScenarioInMs, lambdaTemplate, optionsOf, scenario, sqsTemplate } from './builders.ts';

const tmp = mkdtempSync(join(tmpdir(), 'squall-gen-prop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ms = fc.integer({ min: 0, max: 3 * 3_600_000 });
const pos = fc.integer({ min: 1, max: 500 });
const stages = fc.array(fc.record({ durationMs: ms, target: fc.integer({ min: 0, max: 300 }) }), { minLength: 1, maxLength: 4 });

const executor: fc.Arbitrary<ResolvedExecutor> = fc.oneof(
  fc.record({ executor: fc.constant('shared-iterations' as const), vus: pos, iterations: pos, maxDurationMs: ms }),
  fc.record({ executor: fc.constant('per-vu-iterations' as const), vus: pos, iterations: pos, maxDurationMs: ms }),
  fc.record({ executor: fc.constant('constant-vus' as const), vus: pos, durationMs: ms }),
  fc.record({ executor: fc.constant('ramping-vus' as const), startVUs: fc.nat(50), stages, gracefulRampDownMs: ms }),
  fc.record({ executor: fc.constant('constant-arrival-rate' as const), rate: pos, timeUnitMs: ms.map((x) => x + 1), durationMs: ms, preAllocatedVUs: fc.nat(100), maxVUs: pos }),
  fc.record({ executor: fc.constant('ramping-arrival-rate' as const), startRate: fc.nat(100), timeUnitMs: ms.map((x) => x + 1), stages, preAllocatedVUs: fc.nat(100), maxVUs: pos }),
);

const scenarioArb = fc.record({
  name: fc.stringMatching(/^[0-9a-zA-Z_-]{1,16}$/),
  template: fc.constantFrom(httpTemplate, sqsTemplate, lambdaTemplate),
  executor,
  startTimeMs: ms,
  gracefulStopMs: ms,
  env: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
  tags: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
  thinkTimeMs: fc.integer({ min: 0, max: 5000 }),
});

const k6Stages = (st: Stage[]) => st.map((s) => ({ duration: expect.any(String), target: s.target }));

function expectedFields(e: ResolvedExecutor): Record<string, unknown> {
  switch (e.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return { vus: e.vus, iterations: e.iterations };
    case 'constant-vus':
      return { vus: e.vus };
    case 'ramping-vus':
      return { startVUs: e.startVUs, stages: k6Stages(e.stages) };
    case 'constant-arrival-rate':
      return { rate: e.rate, preAllocatedVUs: e.preAllocatedVUs, maxVUs: e.maxVUs };
    case 'ramping-arrival-rate':
      return { startRate: e.startRate, stages: k6Stages(e.stages), preAllocatedVUs: e.preAllocatedVUs, maxVUs: e.maxVUs };
  }
}

describe('generator properties', () => {
  it('options give back every scenario: executor, its fields, exec, env and tags', () => {
    const samples: string[] = [];
    fc.assert(
      fc.property(fc.uniqueArray(scenarioArb, { minLength: 1, maxLength: 6, selector: (s) => s.name }), (arr) => {
        const scenarios: ResolvedScenario[] = arr.map((s) =>
          scenario(s.name, s.template, s.executor, { startTimeMs: s.startTimeMs, gracefulStopMs: s.gracefulStopMs, env: s.env, tags: s.tags, thinkTimeMs: s.thinkTimeMs }),
        );
        const { script, view } = renderScript(experiment(scenarios));
        const o = optionsOf(script);
        // Key order is not meaningful to k6 (and JS puts integer-like keys such as "0" first).
        expect(Object.keys(o.scenarios).sort()).toEqual(arr.map((s) => s.name).sort());
        for (const s of arr) {
          const got = o.scenarios[s.name];
          expect(got).toMatchObject({ executor: s.executor.executor, ...expectedFields(s.executor), exec: view.scenarios.find((v) => v.name === s.name)!.exec });
          // Every number and duration, durations parsed back independently.
          expect(k6ScenarioInMs(got)).toEqual(expectedK6Scenario(scenarios.find((x) => x.name === s.name)!));
          expect(got.env ?? {}).toEqual(s.env);
          expect(got.tags ?? {}).toEqual(s.tags);
          expect(script).toContain(`export async function ${got.exec}()`);
        }
        if (samples.length < 8) samples.push(script);
      }),
      { numRuns: Number(process.env.SQUALL_PROPERTY_RUNS ?? 60) },
    );
    const files = samples.map((s, i) => {
      const p = join(tmp, `sample-${i}.js`);
      writeFileSync(p, s);
      return p;
    });
    expect(typecheckK6Script(files).map((d) => `${d.file}:${d.line}: ${d.message}`)).toEqual([]);
  });
});
