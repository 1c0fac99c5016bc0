/**
 * Runtime body templates (body.js), poison builders (poison.js) and the throttling retry
 * (retry.js), run in Node through the k6 shims.
 */
import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importK6Module, metricSum, resetShim, shim } from './k6-shim.ts';

let body: Record<string, any>;
let poison: Record<string, any>;
let retry: Record<string, any>;

beforeAll(async () => {
  body = await importK6Module('body.js');
  poison = await importK6Module('poison.js');
  retry = await importK6Module('retry.js');
});
beforeEach(() => resetShim());

describe('body.js', () => {
  it('renders vu, iter, now, uuid, seq and randomInt', () => {
    const t = body.compileBody('{"vu":{{vu}},"iter":{{ iter }},"id":"{{uuid}}","at":{{now}},"seq":{{seq}},"n":{{randomInt 3 5}}}');
    const before = Date.now();
    const a = JSON.parse(body.renderBody(t, 7, 41));
    const b = JSON.parse(body.renderBody(t, 7, 42));
    expect(a.vu).toBe(7);
    expect(a.iter).toBe(41);
    expect(b.iter).toBe(42);
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.at).toBeGreaterThanOrEqual(before);
    expect(b.seq).toBe(a.seq + 1);
    expect([3, 4, 5]).toContain(a.n);
  });

  it('compiles a template once into parts; a template without placeholders renders as is', () => {
    const t = body.compileBody('plain {text} without placeholders');
    expect(t.constant).toBe(true);
    expect(body.renderBody(t, 1, 0)).toBe('plain {text} without placeholders');
    const u = body.compileBody('a{{vu}}b{{iter}}c');
    expect(u.ops).toHaveLength(5);
    expect(body.renderBody(u, 2, 3)).toBe('a2b3c');
  });

  it('rejects unknown placeholders and malformed randomInt, naming them', () => {
    expect(() => body.compileBody('{{user}}')).toThrow(/unknown placeholder \{\{user\}\}.*known: vu, iter, uuid, now, seq, randomInt a b/);
    expect(() => body.compileBody('{{randomInt 5 1}}')).toThrow(/randomInt a b/);
    expect(() => body.compileBody('{{randomInt x}}')).toThrow(/randomInt a b/);
    expect(() => body.compileBody('{{vu')).toThrow(/never closed/);
  });

  it('property: randomInt stays within [a, b] and literals survive untouched', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 50 }), fc.string().filter((s) => !s.includes('{{') && !s.includes('}')), (a, span, lit) => {
        const t = body.compileBody(`${lit}{{randomInt ${a} ${a + span}}}`);
        const out = body.renderBody(t, 1, 0);
        expect(out.startsWith(lit)).toBe(true);
        const n = Number(out.slice(lit.length));
        expect(Number.isInteger(n) && n >= a && n <= a + span).toBe(true);
      }),
    );
  });
});

describe('poison.js', () => {
  it('every kind carries the squall-poison marker with the run id', () => {
    for (const kind of ['marker', 'invalid-json', 'oversized']) {
      const m = poison.poisonMessage(kind, 'run-42', '1-0-3', 2048);
      expect(m.MessageAttributes).toEqual({ 'squall-poison': { DataType: 'String', StringValue: 'run-42' } });
    }
  });

  it('marker and oversized are valid JSON; invalid-json is not', () => {
    expect(JSON.parse(poison.poisonMessage('marker', 'r', 'i', 1024).MessageBody).squallPoison).toBe('marker');
    expect(JSON.parse(poison.poisonMessage('oversized', 'r', 'i', 4096).MessageBody).squallPoison).toBe('oversized');
    expect(() => JSON.parse(poison.poisonMessage('invalid-json', 'r', 'i', 1024).MessageBody)).toThrow();
    expect(() => poison.poisonMessage('nope', 'r', 'i', 1024)).toThrow(/unknown poison kind "nope"/);
  });

  it('oversized lands within 128 bytes under MaximumMessageSize (body + attribute bytes)', () => {
    for (const max of [1024, 262_144, 1_048_576]) {
      const m = poison.poisonMessage('oversized', 'run-ü', 'id', max);
      const size = poison.utf8Length(m.MessageBody) + 'squall-poison'.length + 'String'.length + poison.utf8Length('run-ü');
      expect(size).toBeLessThanOrEqual(max);
      expect(size).toBeGreaterThan(max - 128);
    }
  });

  it('utf8Length matches Buffer.byteLength', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      expect(poison.utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }));
  });

  it('property: the chooser makes exactly floor(n * ratio) of n messages poison (±1)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 2000 }), (ratio, n) => {
        const c = poison.poisonChooser(ratio);
        let k = 0;
        for (let i = 0; i < n; i++) if (c.next()) k++;
        expect(Math.abs(k - n * ratio)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('retry.js', () => {
  it('retries a 429 up to the attempt budget, sleeping with SDK-like backoff, and records throttles', async () => {
    let calls = 0;
    const res = await retry.sendWithRetry(3, async () => ({ status: ++calls < 10 ? 429 : 200, body: '' }), { scenario: 'x' });
    expect(calls).toBe(3);
    expect(res.status).toBe(429);
    expect(shim.sleeps).toHaveLength(2);
    expect(shim.sleeps[0]).toBeLessThanOrEqual(1); // 500 ms * 2^1 cap
    expect(shim.sleeps[1]).toBeLessThanOrEqual(2);
    expect(metricSum('squall_retries')).toBe(2);
    expect(shim.metrics['squall_throttled']!.map((s) => s.value)).toEqual([1, 1, 1]);
  });

  it('stops at the first non-throttled answer; SQS RequestThrottled counts as throttled', async () => {
    const answers = [{ status: 400, body: '{"__type":"com.amazonaws.sqs#RequestThrottled"}' }, { status: 200, body: '{}' }];
    const res = await retry.sendWithRetry(5, async () => answers.shift()!, {});
    expect(res.status).toBe(200);
    expect(shim.metrics['squall_throttled']!.map((s) => s.value)).toEqual([1, 0]);
    expect(retry.isThrottled({ status: 400, body: '{"__type":"com.amazonaws.sqs#QueueDoesNotExist"}' })).toBe(false);
  });

  it('backoff never exceeds the 20 s cap', () => {
    for (let a = 1; a < 40; a++) expect(retry.backoffSeconds(a)).toBeLessThanOrEqual(20);
  });
});
