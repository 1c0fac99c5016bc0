/**
 * The client's request path, measured once per run on this machine: a few dozen read-only AWS
 * calls (signing, the loopback HTTP round trip, the target's parsing and answer) timed end to end
 * before the load starts. The simulator draws each response's client part from these samples
 * instead of a flat 1 ms, so predicted client latency percentiles carry the machine's own path
 * (3–5 ms p99 on a quiet laptop, far more on a loaded CI runner). Against the emulator the calls
 * are plain keep-alive HTTP requests to its health route (the load generator's own path is a lean
 * HTTP client: the AWS SDK's middleware would add milliseconds k6 never spends); against AWS they
 * are read-only SDK calls: a `GetQueueAttributes` when the load sends to queues, else a `GetFunction`.
 */
import http from 'node:http';
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

export async function calibrateClientPath(
  exp: ResolvedExperiment,
  clients: PathClients,
  o: { calls?: number; warmup?: number; emulatorEndpoint?: string | null } = {},
): Promise<ClientPathSample | null> {
  const calls = o.calls ?? 40;
  const warmup = o.warmup ?? 5;
  if (o.emulatorEndpoint) {
    const url = `${o.emulatorEndpoint}/_squall/health`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      return await timeCalls(() => httpGet(url, agent), `GET ${url}`, warmup, calls);
    } finally {
      agent.destroy();
    }
  }
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
  return timeCalls(call, label, warmup, calls);
}

async function timeCalls(call: () => Promise<unknown>, label: string, warmup: number, calls: number): Promise<ClientPathSample> {
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

function httpGet(url: string, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET ${url} answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}
