/**
 * The set-provisioned-concurrency fault's `qualifier`: a published version or alias, defaulting
 * (explicitly, in the resolved experiment) to `live`, the alias squall deploys each function behind;
 * refused with the field and the fix when AWS would refuse it or the emulator has no such qualifier.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTextSource } from '../../harness/experiment/source.ts';
import { validateExperiment } from '../../harness/experiment/validate.ts';
import { cloudWatchQueries, provisionedQualifiers } from '../../harness/target/system-series.ts';

const root = path.resolve(import.meta.dirname, '../..');

function validate(fault: string, target = '', fn = '{ synthetic: { duration: 10ms } }') {
  const text = `
name: pq
${target}
system:
  functions: { worker: ${fn} }
  queues: { q: {} }
load:
  scenarios:
    p: { template: sqs-producer, queue: q, executor: constant-vus, duration: 10s }
chaos:
  faults: [{ at: 1s, for: 2s, action: set-provisioned-concurrency, function: worker, value: 2${fault} }]
`;
  return validateExperiment(parseTextSource(path.join(root, 'test/fixtures/experiments/inline.yaml'), text));
}
const errorsAt = (r: ReturnType<typeof validate>, p: string) => r.diagnostics.filter((d) => d.severity === 'error' && d.path.join('.') === p);
const AWS = "target: { kind: aws, region: us-east-1, accountAllowlist: ['123456789012'] }";

describe('set-provisioned-concurrency qualifier', () => {
  it('defaults to the alias squall deploys behind, written into the resolved fault', () => {
    const r = validate('');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.experiment!.chaos.faults[0]).toMatchObject({ action: 'set-provisioned-concurrency', function: 'worker', qualifier: 'live', value: 2 });
  });

  it('takes version 1 on the emulator, and any version or alias on aws', () => {
    expect(validate(', qualifier: "1"').experiment!.chaos.faults[0]).toMatchObject({ qualifier: '1' });
    for (const q of ['blue', '7', 'canary_2-b']) {
      const r = validate(`, qualifier: "${q}"`, AWS);
      expect(errorsAt(r, 'chaos.faults.0.qualifier')).toEqual([]);
      expect(r.experiment!.chaos.faults[0]).toMatchObject({ qualifier: q });
    }
  });

  it('refuses $LATEST, malformed names, and qualifiers the emulator does not deploy, naming the field and the fix', () => {
    const latest = errorsAt(validate(', qualifier: $LATEST', AWS), 'chaos.faults.0.qualifier');
    expect(latest).toHaveLength(1);
    expect(latest[0]!.message).toBe('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    expect(latest[0]!.hint).toContain('name a published version number or an alias');
    const bad = errorsAt(validate(', qualifier: "a b"', AWS), 'chaos.faults.0.qualifier');
    expect(bad[0]!.message).toContain('neither a version number nor an alias name');
    expect(errorsAt(validate(', qualifier: "0"', AWS), 'chaos.faults.0.qualifier')).toHaveLength(1);
    const missing = errorsAt(validate(', qualifier: blue'), 'chaos.faults.0.qualifier');
    expect(missing[0]!.message).toContain('the emulator has no version or alias "blue"');
    expect(missing[0]!.hint).toBe('use qualifier: live (or 1), or drop qualifier');
  });

  it('queries spillover per qualifier that carries provisioned concurrency, and none for a function without', () => {
    const exp = validate(', qualifier: "3"', AWS, '{ synthetic: { duration: 10ms }, provisionedConcurrency: 1 }').experiment!;
    const provisioned = provisionedQualifiers(exp);
    expect(provisioned).toEqual({ worker: ['live', '3'] });
    const spill = (p: Record<string, string[]> | undefined) =>
      cloudWatchQueries({ functions: ['worker', 'other'], queues: [], mappings: [], ...(p ? { provisioned: p } : {}) })
        .filter((x) => x.query.MetricStat!.Metric!.MetricName === 'ProvisionedConcurrencySpilloverInvocations')
        .map((x) => ({ dims: x.query.MetricStat!.Metric!.Dimensions, labels: x.labels }));
    expect(spill(provisioned)).toEqual([
      { dims: [{ Name: 'FunctionName', Value: 'worker' }, { Name: 'Resource', Value: 'worker:live' }], labels: { function: 'worker', qualifier: 'live' } },
      { dims: [{ Name: 'FunctionName', Value: 'worker' }, { Name: 'Resource', Value: 'worker:3' }], labels: { function: 'worker', qualifier: '3' } },
    ]);
    expect(spill(undefined)).toEqual([]);
  });
});
