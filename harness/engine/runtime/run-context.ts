/**
 * Run-level state the VU layer and the shims share: the metrics engine and the builtin metrics,
 * run tags, the base `__ENV`, the HTTP client, the clock, SharedArray contents, a rate-limited
 * logger, and the hooks through which script code can end the test (`exec.test.abort`/`fail`).
 */
import { Console } from 'node:console';
import type { MetricsEngine } from '../metrics/engine.ts';
import type { Metric } from '../metrics/registry.ts';
import { TagSet } from '../metrics/tags.ts';
import type { ResolvedOptions } from '../options.ts';
import type { HttpClient } from './http-client.ts';
import type { VuContext } from './vu.ts';

export interface Builtins {
  readonly vus: Metric;
  readonly vus_max: Metric;
  readonly iterations: Metric;
  readonly iteration_duration: Metric;
  readonly dropped_iterations: Metric;
  readonly data_sent: Metric;
  readonly data_received: Metric;
  readonly checks: Metric;
  readonly group_duration: Metric;
  readonly http_reqs: Metric;
  readonly http_req_failed: Metric;
  readonly http_req_duration: Metric;
  readonly http_req_blocked: Metric;
  readonly http_req_connecting: Metric;
  readonly http_req_tls_handshaking: Metric;
  readonly http_req_sending: Metric;
  readonly http_req_waiting: Metric;
  readonly http_req_receiving: Metric;
}

export interface Logger {
  warn(msg: string): void;
  warnOnce(msg: string): void;
  /** Errors from iterations: printed at most a few per second, the rest counted. */
  iterationError(msg: string): void;
}

export function consoleLogger(write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const seen = new Set<string>();
  let windowStart = 0;
  let inWindow = 0;
  let suppressed = 0;
  return {
    warn: (m) => write(`WARN[squall] ${m}\n`),
    warnOnce(m) {
      if (seen.has(m)) return;
      seen.add(m);
      write(`WARN[squall] ${m}\n`);
    },
    iterationError(m) {
      const now = Date.now();
      if (now - windowStart > 1000) {
        if (suppressed) write(`ERRO[squall] ... ${suppressed} more iteration errors in the last second\n`);
        windowStart = now;
        inWindow = 0;
        suppressed = 0;
      }
      if (inWindow++ < 5) write(`ERRO[squall] ${m}\n`);
      else suppressed++;
    },
  };
}

export interface ExecutionCounters {
  iterationsCompleted: number;
  iterationsInterrupted: number;
  vusActive: number;
  vusInitialized: number;
}

export class RunContext {
  readonly builtin: Builtins;
  runTags: TagSet;
  /** Set once the script's options are resolved (after the first init context). */
  options: ResolvedOptions | undefined;
  http!: HttpClient;
  readonly vus: (VuContext | undefined)[] = [];
  readonly sharedArrays = new Map<string, readonly unknown[]>();
  readonly counters: ExecutionCounters = { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 0, vusInitialized: 0 };
  /** Monotonic ms when the test clock started (before setup); undefined while in init. */
  testStartMono: number | undefined;
  /** Epoch ms of performance.now() = 0, so sample times are epoch-based and monotonic. */
  private readonly epochOrigin = Date.now() - performance.now();
  /** Set by `exec.test.fail()`: the test continues and exits 110. */
  markedFailed: string | undefined;
  /** Called by `exec.test.abort()`; the runner stops the test and exits 108. */
  onAbort: (reason: string) => void = () => {};
  /** VU ids in a segmented run start after this offset (k6 `vu.idInTest` unique across instances). */
  vuIdOffset = 0;
  /** The `console` scripts see: k6 logs console output to stderr, keeping stdout for the summary. */
  console: Console = new Console({ stdout: process.stderr, stderr: process.stderr });

  constructor(
    readonly id: string,
    readonly metrics: MetricsEngine,
    runTags: Record<string, string>,
    readonly env: Readonly<Record<string, string>>,
    readonly scriptPath: string,
    readonly scriptUrl: string,
    readonly log: Logger,
  ) {
    const r = metrics.registry;
    const b = (n: string): Metric => r.builtin(n);
    this.builtin = {
      vus: b('vus'),
      vus_max: b('vus_max'),
      iterations: b('iterations'),
      iteration_duration: b('iteration_duration'),
      dropped_iterations: b('dropped_iterations'),
      data_sent: b('data_sent'),
      data_received: b('data_received'),
      checks: b('checks'),
      group_duration: b('group_duration'),
      http_reqs: b('http_reqs'),
      http_req_failed: b('http_req_failed'),
      http_req_duration: b('http_req_duration'),
      http_req_blocked: b('http_req_blocked'),
      http_req_connecting: b('http_req_connecting'),
      http_req_tls_handshaking: b('http_req_tls_handshaking'),
      http_req_sending: b('http_req_sending'),
      http_req_waiting: b('http_req_waiting'),
      http_req_receiving: b('http_req_receiving'),
    };
    this.runTags = new TagSet(runTags);
  }

  now(): number {
    return performance.now();
  }

  epochNow(): number {
    return this.epochOrigin + performance.now();
  }

  /** Test-run time so far (ms), 0 before the test clock started. */
  elapsed(): number {
    return this.testStartMono === undefined ? 0 : performance.now() - this.testStartMono;
  }

  vu(n: number): VuContext {
    const v = this.vus[n];
    if (!v) throw new Error(`squall engine: VU ${n} does not exist in run ${this.id}`);
    return v;
  }

  emit(metric: Metric, tags: TagSet, value: number): void {
    this.metrics.add(metric, tags, value, this.epochNow());
  }
}
