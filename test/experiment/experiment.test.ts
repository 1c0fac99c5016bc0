import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ESM, LAMBDA, LAMBDA_ASYNC, SQS } from '../../harness/contracts/aws-facts.ts';
import { formatDuration, parseDuration } from '../../harness/experiment/duration.ts';
import { checkExperimentFile, loadExperiment } from '../../harness/experiment/load.ts';
import { parseTextSource } from '../../harness/experiment/source.ts';
import { didYouMean, validateExperiment } from '../../harness/experiment/validate.ts';

const root = path.resolve(import.meta.dirname, '../..');
const examples = path.join(root, 'examples/experiments');

function validateText(text: string) {
  return validateExperiment(parseTextSource(path.join(root, 'test/fixtures/experiments/inline.yaml'), text));
}

describe('k6 durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['1d2h', 93_600_000],
    ['250', 250],
    [250, 250],
    ['1500us', 1.5],
    ['0', 0],
  ])('%s = %d ms', (input, ms) => {
    expect(parseDuration(input)).toEqual({ ms });
  });
  it.each(['5 seconds', '10x', '-5s', '', 's', '1m30'])('rejects %j with a reason', (input) => {
    const r = parseDuration(input);
    expect('error' in r && r.error.length > 10).toBe(true);
  });
  it('formats back to k6 strings', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(500)).toBe('500ms');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(22_500)).toBe('22.5s');
    for (const ms of [1, 999, 1000, 61_000, 3_723_000, 22_500]) expect(parseDuration(formatDuration(ms))).toEqual({ ms });
  });
});

describe('did you mean', () => {
  it('suggests near names, including transpositions', () => {
    expect(didYouMean('laod', ['load', 'name'])).toBe('load');
    expect(didYouMean('memmory', ['memoryMB', 'url'])).toBe('memoryMB');
    expect(didYouMean('zzzzzz', ['load', 'name'])).toBeUndefined();
  });
});

describe('the examples', () => {
  const files = readdirSync(examples).filter((f) => /\.(ya?ml|json|ts)$/.test(f));
  it('include the four named by the issue', () => {
    expect(files).toEqual(expect.arrayContaining(['quickstart.yaml', 'sqs-poison.yaml', 'throttle-dlq-trap.yaml', 'ramp-past-limit.yaml']));
  });
  for (const f of files) {
    it(`${f} is valid`, async () => {
      const r = await checkExperimentFile(path.join(examples, f));
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(r.experiment?.name).toBe(path.basename(f, path.extname(f)));
    });
  }
  it('throttle-dlq-trap warns about the two anti-patterns it demonstrates', async () => {
    const r = await checkExperimentFile(path.join(examples, 'throttle-dlq-trap.yaml'));
    const warnings = r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);
    expect(warnings.some((w) => w.includes('under 6 × the timeout'))).toBe(true);
    expect(warnings.some((w) => w.includes('throttled batches count as receives'))).toBe(true);
  });
});

describe('resolution fills AWS and k6 defaults', () => {
  it('for functions, queues, mappings and scenarios', () => {
    const r = validateText(`
name: d
system:
  functions: { w: { synthetic: { duration: 10ms } } }
  queues: { q: {} }
  eventSources: [{ queue: q, function: w }]
load:
  scenarios:
    p: { template: sqs-producer, queue: q, executor: constant-arrival-rate, rate: 5, duration: 10s, preAllocatedVUs: 1 }
`);
    const e = r.experiment!;
    expect(e).toBeDefined();
    const w = e.system.functions.w!;
    expect(w.memoryMB).toBe(LAMBDA.memoryDefaultMB);
    expect(w.timeoutSeconds).toBe(LAMBDA.timeoutDefaultSeconds);
    expect(w.reservedConcurrency).toBeNull();
    expect(w.async.maximumRetryAttempts).toBe(LAMBDA_ASYNC.maximumRetryAttemptsDefault);
    expect(w.async.retryDelaysSeconds).toEqual([60, 120]);
    expect(e.system.queues.q!.visibilityTimeoutSeconds).toBe(SQS.visibilityTimeoutDefaultSeconds);
    expect(e.system.queues.q!.messageRetentionSeconds).toBe(345_600);
    expect(e.system.eventSources[0]).toMatchObject({ id: 'q->w', batchSize: ESM.batchSizeDefault, maximumBatchingWindowSeconds: 0, enabled: true });
    expect(e.system.account).toEqual({ concurrencyLimit: 1000, unreservedMinimum: 100, scalingRate: { environments: 1000, perSeconds: 10 }, idleExpirySeconds: 600 });
    const p = e.load.scenarios.p!;
    expect(p).toMatchObject({ executor: 'constant-arrival-rate', timeUnitMs: 1000, maxVUs: 1, gracefulStopMs: 30_000, batchSize: 1 });
    expect(e.load.durationMs).toBe(10_000);
    expect(e.load.summaryTrendStats).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
    expect(e.target).toEqual({ kind: 'emulated' });
  });
  it('load duration is the latest startTime + duration', () => {
    const r = validateText(`
name: d
load:
  scenarios:
    a: { template: http, url: http://127.0.0.1:9/, executor: constant-vus, duration: 10s }
    b: { template: http, url: http://127.0.0.1:9/, executor: ramping-vus, startTime: 5s, stages: [{ duration: 10s, target: 3 }, { duration: 5s, target: 0 }] }
`);
    expect(r.experiment!.load.durationMs).toBe(20_000);
  });
});

describe('validation reports every error at once', () => {
  it('collects schema errors across sections', () => {
    const r = validateText(`
name: d
sytem: {}
load:
  scenarios:
    a: { template: http, url: http://127.0.0.1:9/, executor: constant-vus, duration: 10s, vus: -1 }
chaos:
  faults: [{ at: 1s, action: remove-reserved-concurrency, function: x, extra: 1 }]
`);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.map((d) => d.path.join('.'))).toEqual(expect.arrayContaining(['sytem', 'load.scenarios.a.vus', 'chaos.faults.0.extra']));
    expect(errors.find((d) => d.path[0] === 'sytem')!.hint).toContain('system');
  });
  it('collects cross-field errors across sections', () => {
    const r = validateText(`
name: d
system:
  functions: { w: { synthetic: { duration: 10ms }, timeoutSeconds: 40 } }
  queues: { q: { visibilityTimeoutSeconds: 30 } }
  eventSources: [{ queue: q, function: w, batchSize: 50 }]
load:
  scenarios:
    p: { template: sqs-producer, queue: q, executor: constant-vus, duration: 10s }
chaos:
  faults: [{ at: 20s, action: disable-event-source, eventSource: 'q->x' }]
`);
    const msgs = r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    expect(msgs).toEqual(
      expect.arrayContaining([
        'Queue visibility timeout: 30 seconds is less than Function timeout: 40 seconds',
        'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
        expect.stringContaining('starts after the load ends'),
        'no event source named "q->x"',
      ]),
    );
  });
});

describe('file formats', () => {
  it('loads a TypeScript experiment written with defineExperiment', async () => {
    const e = await loadExperiment(path.join(root, 'test/fixtures/experiments/typed.ts'));
    expect(e.name).toBe('typed');
    expect(e.chaos.faults[0]).toMatchObject({ action: 'set-reserved-concurrency', atMs: 2000, forMs: 3000, value: 0 });
    expect(e.system.functions.api!.synthetic!.duration).toEqual({ kind: 'exponential', meanMs: 20 });
  });
  it('loads JSON with positions for errors', async () => {
    expect((await loadExperiment(path.join(root, 'test/fixtures/experiments/plain.json'))).name).toBe('plain-json');
    const r = await checkExperimentFile(path.join(root, 'test/fixtures/experiments/bad.json'));
    const d = r.diagnostics.find((x) => x.path.join('.') === 'load.scenarios.a.duraton')!;
    expect(d.position).toEqual({ line: 5, column: 102 });
    expect(d.hint).toBe('did you mean `duration`?');
  });
  it('loadExperiment throws one SquallError with exit code 2 listing every error', async () => {
    await expect(loadExperiment(path.join(root, 'test/experiment/invalid/39-multiple-errors.yaml'))).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/2 errors[\s\S]*memmory[\s\S]*vus/),
    });
  });
  it('a missing file is an error, not a crash', async () => {
    const r = await checkExperimentFile(path.join(root, 'nope.yaml'));
    expect(r.diagnostics[0]!.message).toBe(`file not found: ${path.join(root, 'nope.yaml')}`);
    expect(r.unreadable).toBe(true);
  });
});

describe('squall validate (CLI)', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/squall.js'), 'validate', ...args], { encoding: 'utf8', cwd: root });
  it('exits 0 for every example', () => {
    const files = readdirSync(examples).map((f) => path.join('examples/experiments', f));
    const r = run(...files);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('quickstart.yaml: ok');
  });
  it('exits 2 with file:line:column, path, message and hint, and no stack trace', () => {
    const r = run('test/experiment/invalid/04-unknown-executor.yaml');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('04-unknown-executor.yaml:5:62: error: load.scenarios.a.executor: unknown executor "constant-vu"');
    expect(r.stderr).toContain('hint: did you mean `constant-vus`?');
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
  it('--json gives machine-readable diagnostics', () => {
    const r = run('--json', 'test/experiment/invalid/21-memory-too-small.yaml');
    expect(r.status).toBe(2);
    const out = JSON.parse(r.stdout) as Array<{ valid: boolean; diagnostics: Array<{ path: string[] }> }>;
    expect(out[0]!.valid).toBe(false);
    expect(out[0]!.diagnostics[0]!.path).toEqual(['system', 'functions', 'api', 'memoryMB']);
  });
});
