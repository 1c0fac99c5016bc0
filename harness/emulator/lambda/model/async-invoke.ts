/**
 * Asynchronous invocation (`InvocationType: Event`), reference §2: the caller gets 202 at once and
 * the event waits in an internal queue. A function error is retried `MaximumRetryAttempts` times
 * (default 2) after the function's retry delays (AWS ≈ 1 and 2 minutes); a throttle is retried with
 * a delay growing from 1 s to at most 5 min and does not use up retry attempts; an event older than
 * `MaximumEventAgeInSeconds` is dropped. Reserved concurrency 0 sends the event straight to the
 * on-failure destination with condition `ZeroReservedConcurrency` (AWS-validated). Destination
 * records have AWS's v1.0 shape.
 */
import { LAMBDA_ASYNC } from '../../../contracts/aws-facts.ts';
import { uuid } from '../../ids.ts';
import type { EventInvokeConfig, LambdaFunction, LambdaModel } from './functions.ts';
import { errorRetryDelayMs, retryWithinEventAge, throttleRetryDelayMs } from '../../../rules/async-retry.ts';
import type { InvokeOutcome } from './runtime.ts';

export type DestinationCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded' | 'ZeroReservedConcurrency';

/** Delivers a destination record to an ARN (SQS queue or Lambda function); false if the ARN is unknown. */
export type DestinationSender = (arn: string, record: string) => boolean;

/** Sends a discarded event to the legacy dead-letter queue: the event itself, with Lambda's attributes. */
export type DeadLetterSender = (arn: string, payload: string, attributes: { RequestID: string; ErrorCode: string; ErrorMessage: string }) => boolean;

interface AsyncEvent {
  requestId: string;
  payload: string;
  qualifier: string | null;
  acceptedAt: number;
  /** Attempts that ran the function (for approximateInvokeCount). */
  invokes: number;
  /** Function-error retries used. */
  retries: number;
  throttleRetries: number;
}

const DEFAULT_CONFIG: Omit<EventInvokeConfig, 'lastModifiedEpochMs'> = {
  maximumRetryAttempts: LAMBDA_ASYNC.maximumRetryAttemptsDefault,
  maximumEventAgeSeconds: LAMBDA_ASYNC.maximumEventAgeSecondsDefault,
  onSuccess: null,
  onFailure: null,
};

export class AsyncInvoker {
  /** Events accepted and not yet finished (for tests and shutdown). */
  pending = 0;
  constructor(
    private readonly model: LambdaModel,
    private readonly send: DestinationSender,
    private readonly sendDeadLetter: DeadLetterSender = () => false,
  ) {}

  /** Accept an event (the 202 has already been decided by the caller). */
  enqueue(fn: LambdaFunction, qualifier: string | null, payload: string): string {
    const ev: AsyncEvent = {
      requestId: uuid(),
      payload,
      qualifier,
      acceptedAt: this.model.clock.now(),
      invokes: 0,
      retries: 0,
      throttleRetries: 0,
    };
    fn.metrics.asyncEvents.add(1);
    this.pending++;
    // The internal queue hands the event over on the next turn, never inside the caller's request.
    this.model.clock.setTimer(() => this.attempt(fn, ev), 0);
    return ev.requestId;
  }

  private config(fn: LambdaFunction): Omit<EventInvokeConfig, 'lastModifiedEpochMs'> {
    return fn.eventInvokeConfig ?? DEFAULT_CONFIG;
  }

  private attempt(fn: LambdaFunction, ev: AsyncEvent): void {
    // Runs from a timer: a fault here must drop the event, never the emulator process.
    try {
      this.tryAttempt(fn, ev);
    } catch {
      this.fail(fn, ev, 'RetriesExhausted', null);
    }
  }

  private tryAttempt(fn: LambdaFunction, ev: AsyncEvent): void {
    if (fn.deleted) {
      this.pending--;
      return;
    }
    if (fn.concurrency.reserved === 0) {
      this.fail(fn, ev, 'ZeroReservedConcurrency', null);
      return;
    }
    this.model.invoke(fn, ev.qualifier, { requestId: ev.requestId, payload: ev.payload, event: undefined, logTail: false, clientContext: null }, (throttle, outcome) => {
      const cfg = this.config(fn);
      const ageMs = this.model.clock.now() - ev.acceptedAt;
      if (throttle !== null) {
        if (this.retryLater(fn, ev, ageMs, throttleRetryDelayMs(ev.throttleRetries + 1), null)) ev.throttleRetries++;
        return;
      }
      ev.invokes++;
      const o = outcome!;
      if (!o.functionError) {
        this.pending--;
        if (cfg.onSuccess) this.send(cfg.onSuccess, this.record(fn, ev, 'Success', o));
        return;
      }
      const delayMs = errorRetryDelayMs(ev.retries + 1, cfg.maximumRetryAttempts, fn.spec.asyncRetryDelaysSeconds);
      if (delayMs === null) {
        this.fail(fn, ev, 'RetriesExhausted', o);
        return;
      }
      if (this.retryLater(fn, ev, ageMs, delayMs, o)) ev.retries++;
    });
  }

  /** Schedule the next attempt `delayMs` from now, or fail the event when that passes its maximum age (rules/async-retry.ts). */
  private retryLater(fn: LambdaFunction, ev: AsyncEvent, ageMs: number, delayMs: number, o: InvokeOutcome | null): boolean {
    if (!retryWithinEventAge(ageMs, delayMs, this.config(fn).maximumEventAgeSeconds)) {
      this.fail(fn, ev, 'EventAgeExceeded', o);
      return false;
    }
    fn.metrics.asyncRetries.add(1);
    this.model.clock.setTimer(() => this.attempt(fn, ev), delayMs);
    return true;
  }

  private fail(fn: LambdaFunction, ev: AsyncEvent, condition: DestinationCondition, o: InvokeOutcome | null): void {
    this.pending--;
    fn.metrics.asyncDropped.add(1);
    const dest = this.config(fn).onFailure;
    if (dest) this.send(dest, this.record(fn, ev, condition, o));
    // The legacy DeadLetterConfig gets the discarded event too (it coexists with destinations, §2):
    // the original payload, with RequestID, ErrorCode and ErrorMessage (first 1 KB) attributes.
    const dlq = fn.spec.deadLetterTargetArn;
    if (dlq) {
      let message = condition;
      if (o) {
        try {
          const err = JSON.parse(o.payload) as { errorMessage?: unknown };
          if (typeof err.errorMessage === 'string') message = err.errorMessage as DestinationCondition;
        } catch {
          // An unparsable error payload: keep the condition as the message.
        }
      }
      const code = o ? '200' : '429';
      this.sendDeadLetter(dlq, ev.payload, { RequestID: ev.requestId, ErrorCode: code, ErrorMessage: Buffer.from(message).subarray(0, 1024).toString('utf8') });
    }
  }

  /** AWS's destination record v1.0 (reference §2). ZeroReservedConcurrency has no responseContext. */
  record(fn: LambdaFunction, ev: AsyncEvent, condition: DestinationCondition, o: InvokeOutcome | null): string {
    let requestPayload: unknown;
    try {
      requestPayload = JSON.parse(ev.payload);
    } catch {
      requestPayload = ev.payload;
    }
    const rec: Record<string, unknown> = {
      version: '1.0',
      timestamp: new Date(this.model.clock.epochMs()).toISOString(),
      requestContext: {
        requestId: ev.requestId,
        functionArn: `${fn.arn}:${ev.qualifier ?? '$LATEST'}`,
        condition,
        approximateInvokeCount: ev.invokes,
      },
      requestPayload,
    };
    if (o) {
      const responseContext: Record<string, unknown> = { statusCode: 200, executedVersion: '$LATEST' };
      if (o.functionError) responseContext.functionError = 'Unhandled';
      rec.responseContext = responseContext;
      let responsePayload: unknown;
      try {
        responsePayload = JSON.parse(o.payload);
      } catch {
        responsePayload = o.payload;
      }
      rec.responsePayload = responsePayload;
    }
    return JSON.stringify(rec);
  }
}
