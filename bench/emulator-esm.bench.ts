/**
 * An SQS event source mapping under a steady 5,000 messages/s (batch 10, a 0 ms synthetic
 * function), for a bounded time (60 s; SQUALL_ESM_BENCH_SECONDS shortens it): the producer sends
 * through the SQS model in this process every 10 ms, so what is measured is the mapping — pollers
 * scaling as AWS documents (5 to start, more while messages keep coming), batches, invokes,
 * deletes — not an HTTP client. Reports messages consumed per second over the run, anything lost
 * (sent − deleted − still in the queue), the pollers reached, and CPU per message of the process.
 */
import { startLambdaEmulator } from '../harness/emulator/index.ts';
import { fn as resolvedFn } from '../test/generate/builders.ts';
import type { BenchRow } from './run.ts';

const BENCH = 'emulator-esm';
const RATE = 5_000;
const TICK_MS = 10;

export async function run(): Promise<BenchRow[]> {
  const seconds = Number(process.env.SQUALL_ESM_BENCH_SECONDS ?? 60);
  const emu = await startLambdaEmulator({ seed: 1 });
  const rows: BenchRow[] = [];
  try {
    const sqs = emu.emulator.sqs;
    const q = sqs.createQueue('esm-bench', { VisibilityTimeout: '30' });
    const f = resolvedFn('esm-bench-fn', {
      synthetic: { duration: { kind: 'constant', ms: 0 }, errorRate: 0, poison: null, response: null },
      coldStart: { initMs: { kind: 'constant', ms: 0 } },
      url: false,
    });
    const fn = emu.lambda.provider.createFromResolved(f);
    const mp = emu.lambda.esm.create(q, fn, null, { batchSize: 10, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: false, maximumConcurrency: null, enabled: true });
    let sent = 0;
    const perTick = (RATE * TICK_MS) / 1000;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let maxPollers = 0;
    // Messages are produced on a schedule, not as fast as possible: behind schedule, catch up.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(seconds * RATE, Math.floor(((performance.now() - t0) / 1000) * RATE));
        const batch = [];
        while (sent + batch.length < due && batch.length < perTick * 10) batch.push({ body: '{"n":1}' });
        for (let i = 0; i < batch.length; i += 10) sqs.sendBatch(q, batch.slice(i, i + 10));
        sent += batch.length;
        maxPollers = Math.max(maxPollers, mp.allowed);
        if (sent >= seconds * RATE) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
    });
    // Drain: give the mapping up to 10 s to finish what is left.
    const end = performance.now() + 10_000;
    while (sqs.size(q) > 0 && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const left = sqs.size(q);
    // Deleted as the emulator's own sqs.deleted series counts them (DeleteMessageBatch by the mapping).
    const snap = (await (await fetch(`${emu.emulator.endpoint}/_squall/metrics`)).json()) as { series: { name: string; labels: Record<string, string>; values: (number | null)[] }[] };
    const deleted = snap.series
      .filter((x) => x.name === 'sqs.deleted' && x.labels.queue === 'esm-bench')
      .reduce((a, x) => a + x.values.reduce<number>((b, v) => b + (v ?? 0), 0), 0);
    rows.push({ bench: BENCH, metric: `messages sent at ${RATE}/s for ${seconds} s (batch 10, 0 ms function)`, value: String(sent) });
    rows.push({ bench: BENCH, metric: 'consumed per second over the run (incl. drain)', value: (deleted / wall).toFixed(0), goal: `≥ ${RATE * 0.95}`, met: deleted / wall >= RATE * 0.95 });
    rows.push({ bench: BENCH, metric: 'lost (sent − consumed − left in queue)', value: String(sent - deleted - left), goal: '0', met: sent - deleted - left === 0 });
    rows.push({ bench: BENCH, metric: 'left in the queue after a 10 s drain', value: String(left), goal: '0', met: left === 0 });
    rows.push({ bench: BENCH, metric: 'pollers reached (start 5, +5 per second while busy)', value: String(maxPollers) });
    rows.push({ bench: BENCH, metric: 'process CPU µs per message (user + system)', value: ((cpu.user + cpu.system) / Math.max(deleted, 1)).toFixed(1) });
  } finally {
    await emu.close();
  }
  return rows;
}
