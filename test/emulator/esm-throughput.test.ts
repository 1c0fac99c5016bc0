/**
 * The short version of bench/emulator-esm.bench.ts: an event source mapping fed 5,000 messages/s
 * for 5 s (batch 10, 0 ms synthetic function) consumes every message — the emulator's own
 * sqs.deleted series equals what was sent and the queue ends empty. The rate is reported by the
 * bench, not asserted here, because this machine is shared.
 */
import { describe, expect, it } from 'vitest';

describe('event source mapping throughput', () => {
  it('consumes 5,000 messages/s for 5 s with nothing lost', async () => {
    process.env.SQUALL_ESM_BENCH_SECONDS = '5';
    const { run } = await import('../../bench/emulator-esm.bench.ts');
    const rows = await run();
    const value = (prefix: string) => rows.find((r) => r.metric.startsWith(prefix))!.value;
    expect(value('messages sent')).toBe('25000');
    expect(value('lost')).toBe('0');
    expect(value('left in the queue')).toBe('0');
  }, 30_000);
});
