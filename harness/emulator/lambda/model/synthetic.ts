/**
 * A synthetic function: no code, no worker, only timers. Each invocation samples its duration
 * from the shared distributions (`contracts/distributions.ts`, the same definitions the
 * simulator uses) with a seeded stream, fails with `errorRate`, and applies the poison rule to
 * SQS records (marker attribute, body text, invalid JSON) the way a real consumer would: naming
 * poison records in `batchItemFailures`, or throwing.
 */
import type { Clock } from '../../../contracts/clock.ts';
import { sampleDuration, type Rng } from '../../../contracts/distributions.ts';
import type { DurationDistribution, PoisonRule, SyntheticBehaviour } from '../../../experiment/types.ts';
import { errorPayload, timeoutOutcome, type EnvironmentRuntime, type InvokeOutcome, type InvokeRequest } from './runtime.ts';

/** Per-function constants computed once, shared by all of the function's environments. */
export class SyntheticProgram {
  readonly okPayload: string;
  readonly okValue: unknown;
  /** A 0 ms constant duration: answer synchronously, no timer. */
  readonly instant: boolean;
  /** The one outcome of an instant success, shared (read-only) so the hot path allocates none. */
  readonly instantOutcome: InvokeOutcome;
  constructor(
    readonly behaviour: SyntheticBehaviour,
    readonly initMs: DurationDistribution,
    readonly timeoutSeconds: number,
    readonly rng: Rng,
    /** Memory's effect on the duration (harness/rules/memory-cpu.ts): 1 when it has none. */
    readonly durationScale = 1,
  ) {
    this.okValue = behaviour.response ?? { ok: true };
    this.okPayload = JSON.stringify(this.okValue);
    this.instant = behaviour.duration.kind === 'constant' && behaviour.duration.ms <= 0 && behaviour.errorRate <= 0;
    this.instantOutcome = Object.freeze({ payload: this.okPayload, functionError: false, fatal: false, durationMs: 0, log: '', value: this.okValue });
  }
}

interface SqsRecordLike {
  messageId?: unknown;
  body?: unknown;
  messageAttributes?: Record<string, unknown>;
}

/** Whether one SQS record (or a plain text body) is poison under `rule`. */
export function isPoison(rule: PoisonRule, body: string, attributes: Record<string, unknown> | undefined): boolean {
  if (rule.attribute !== null && attributes && Object.prototype.hasOwnProperty.call(attributes, rule.attribute)) return true;
  if (rule.bodyContains !== null && body.includes(rule.bodyContains)) return true;
  if (rule.invalidJson) {
    try {
      JSON.parse(body);
    } catch {
      return true;
    }
  }
  return false;
}

/** Poison records of an event: SQS `Records[]` by messageId, otherwise the event body as one item. */
function poisonIds(rule: PoisonRule, req: InvokeRequest): string[] {
  let event = req.event;
  if (event === undefined) {
    try {
      event = JSON.parse(req.payload);
    } catch {
      event = undefined;
    }
  }
  const records = (event as { Records?: unknown } | undefined)?.Records;
  if (Array.isArray(records)) {
    const ids: string[] = [];
    for (const r of records as SqsRecordLike[]) {
      const body = typeof r.body === 'string' ? r.body : '';
      if (isPoison(rule, body, r.messageAttributes)) ids.push(String(r.messageId ?? ''));
    }
    return ids;
  }
  // A function URL event carries the request body in `body`; a direct invoke is the payload itself.
  const urlBody = (event as { body?: unknown } | undefined)?.body;
  const body = typeof urlBody === 'string' ? urlBody : req.payload;
  const headers = (event as { headers?: Record<string, unknown> } | undefined)?.headers;
  return isPoison(rule, body, headers) ? [''] : [];
}

export class SyntheticRuntime implements EnvironmentRuntime {
  private disposed = false;
  constructor(
    private readonly program: SyntheticProgram,
    private readonly clock: Clock,
  ) {}

  init(done: (failure: InvokeOutcome | null, initMs: number) => void): void {
    const ms = sampleDuration(this.program.initMs, this.program.rng);
    if (ms <= 0) done(null, 0);
    else this.clock.setTimer(() => done(null, ms), ms);
  }

  invoke(req: InvokeRequest, done: (o: InvokeOutcome) => void): void {
    const p = this.program;
    if (p.instant && p.behaviour.poison === null) {
      done(p.instantOutcome);
      return;
    }
    const ms = sampleDuration(p.behaviour.duration, p.rng) * p.durationScale;
    const outcome = this.decide(req, ms);
    const timeoutMs = req.remainingMs ?? p.timeoutSeconds * 1000;
    if (ms >= timeoutMs) {
      this.clock.setTimer(() => done(timeoutOutcome(req.requestId, p.timeoutSeconds)), timeoutMs);
    } else if (ms <= 0) {
      done(outcome);
    } else {
      this.clock.setTimer(() => done(outcome), ms);
    }
  }

  private decide(req: InvokeRequest, ms: number): InvokeOutcome {
    const p = this.program;
    const b = p.behaviour;
    if (b.errorRate > 0 && p.rng.next() < b.errorRate) {
      return { payload: errorPayload('Error', 'squall synthetic failure (errorRate)'), functionError: true, fatal: false, durationMs: ms, log: '' };
    }
    if (b.poison !== null) {
      const ids = poisonIds(b.poison, req);
      if (ids.length > 0) {
        if (b.poison.response === 'throw' || ids[0] === '') {
          return {
            payload: errorPayload('PoisonMessageError', `squall synthetic failure: ${ids.length} poison record(s)`),
            functionError: true,
            fatal: false,
            durationMs: ms,
            log: '',
          };
        }
        const value = { batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) };
        return { payload: JSON.stringify(value), functionError: false, fatal: false, durationMs: ms, log: '', value };
      }
    }
    return { payload: p.okPayload, functionError: false, fatal: false, durationMs: ms, log: '', value: p.okValue };
  }

  dispose(): void {
    this.disposed = true;
  }
  get isDisposed(): boolean {
    return this.disposed;
  }
}
