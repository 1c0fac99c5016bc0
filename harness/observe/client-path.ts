/**
 * The client's request path, measured once per run on this machine: a few dozen read-only AWS
 * calls (signing, the loopback HTTP round trip, the target's parsing and answer) timed end to end
 * before the load starts. The simulator draws each response's client part from these samples
 * instead of a flat 1 ms, so predicted client latency percentiles carry the machine's own path
 * (3–5 ms p99 on a quiet laptop, far more on a loaded CI runner). The calls only read: a
 * `GetQueueAttributes` when the load sends to queues, else a `GetFunction`.
 */
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { ResolvedExperiment } from '../experiment/types.ts';

export interface ClientPathSample {
  /** Round trips in ms, in the order measured (warm-up calls excluded). */
  samplesMs: number[];
  /** What was called, for the run's log. */
  call: string;
}

/** The smallest client surface this needs (a TargetClients fits). */
export interface PathClients {
  lambda: { send(c: GetFunctionCommand): Promise<unknown> };
  sqs: { send(c: GetQueueAttributesCommand | GetQueueUrlCommand): Promise<unknown> };
}

export async function calibrateClientPath(exp: ResolvedExperiment, clients: PathClients, o: { calls?: number; warmup?: number } = {}): Promise<ClientPathSample | null> {
  const calls = o.calls ?? 40;
  const warmup = o.warmup ?? 5;
  const scenarios = Object.values(exp.load.scenarios);
  const toQueue = scenarios.find((s) => s.template === 'sqs-producer') as { queue?: string } | undefined;
  let call: () => Promise<unknown>;
  let label: string;
  if (toQueue?.queue) {
    const url = ((await clients.sqs.send(new GetQueueUrlCommand({ QueueName: toQueue.queue }))) as { QueueUrl?: string }).QueueUrl;
    if (!url) return null;
    call = () => clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
    label = `sqs:GetQueueAttributes ${toQueue.queue}`;
  } else {
    const fn = Object.keys(exp.system.functions)[0];
    if (!fn) return null;
    call = () => clients.lambda.send(new GetFunctionCommand({ FunctionName: fn }));
    label = `lambda:GetFunction ${fn}`;
  }
  const samplesMs: number[] = [];
  for (let i = 0; i < warmup + calls; i++) {
    const t0 = performance.now();
    await call();
    const dt = performance.now() - t0;
    // The first calls open the connection and warm the code paths; k6 keeps its connections.
    if (i >= warmup) samplesMs.push(dt);
  }
  return { samplesMs, call: label };
}
