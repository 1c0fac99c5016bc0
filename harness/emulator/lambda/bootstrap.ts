/**
 * `bootstrapFromExperiment`: build an experiment's system inside a running emulator — account
 * settings, queues (dead-letter queues first, then redrive policies), functions (handler file or
 * synthetic), reserved and provisioned concurrency, function URLs, async invoke configs and
 * event source mappings. It talks to the models directly (same validation as the API), so a
 * bad experiment stops here with a `SquallError` naming the function or queue and the fix.
 *
 * Addressing rule (shared with AWS mode): a function with provisioned concurrency is addressed
 * through its alias `live` (function URL and mappings), because provisioned environments exist
 * only on a qualifier; other functions are addressed unqualified ($LATEST).
 */
import { EXIT, SquallError } from '../../contracts/exit-codes.ts';
import type { ResolvedExperiment } from '../../experiment/types.ts';
import { SqsError } from '../sqs/errors.ts';
import type { SqsModel } from '../sqs/model.ts';
import { ALIAS } from './names.ts';
import type { LambdaService } from './service.ts';

export interface BootstrapResult {
  functions: string[];
  queues: Record<string, { url: string; arn: string }>;
  /** Mapping id (`<queue>-><function>`) → UUID. */
  mappings: Record<string, string>;
  /** Function name → function URL. */
  urls: Record<string, string>;
}

function bad(message: string, hint: string): SquallError {
  return new SquallError(message, { exitCode: EXIT.invalidInput, hint });
}

export function bootstrapFromExperiment(lambda: LambdaService, sqs: SqsModel, exp: ResolvedExperiment, endpoint: string): BootstrapResult {
  const { system } = exp;
  const model = lambda.model;
  model.configureAccount(system.account);
  const result: BootstrapResult = { functions: [], queues: {}, mappings: {}, urls: {} };

  // Queues: those used as a dead-letter queue first, so redrive policies can name their ARN.
  const queues = Object.values(system.queues);
  const dlqNames = new Set(queues.map((q) => q.redrive?.deadLetterQueue).filter((n): n is string => !!n));
  const ordered = [...queues.filter((q) => dlqNames.has(q.name)), ...queues.filter((q) => !dlqNames.has(q.name))];
  for (const q of ordered) {
    const attrs: Record<string, string> = {
      VisibilityTimeout: String(q.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(q.messageRetentionSeconds),
      DelaySeconds: String(q.delaySeconds),
      ReceiveMessageWaitTimeSeconds: String(q.receiveMessageWaitTimeSeconds),
      MaximumMessageSize: String(q.maximumMessageSizeBytes),
    };
    if (q.fifo) {
      attrs.FifoQueue = 'true';
      attrs.ContentBasedDeduplication = String(q.contentBasedDeduplication);
    }
    if (q.redrive) {
      const dlq = sqs.getQueue(q.redrive.deadLetterQueue);
      if (!dlq) throw bad(`queue ${q.name}: redrive.deadLetterQueue ${q.redrive.deadLetterQueue} does not exist`, 'Declare the dead-letter queue under system.queues.');
      attrs.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: q.redrive.maxReceiveCount });
    }
    try {
      const created = sqs.createQueue(q.name, attrs);
      result.queues[q.name] = { url: `${endpoint}/${sqs.accountId}/${q.name}`, arn: created.arn };
    } catch (e) {
      throw bad(`queue ${q.name}: ${e instanceof SqsError ? e.message : String(e)}`, 'Fix the queue settings in system.queues.');
    }
  }

  for (const f of Object.values(system.functions)) {
    let fn;
    try {
      fn = lambda.provider.createFromResolved(f);
    } catch (e) {
      throw bad(`function ${f.name}: ${e instanceof Error ? e.message : String(e)}`, 'Check system.functions.' + f.name + '.package: a .zip built as for Lambda.');
    }
    result.functions.push(f.name);
    const c = model.concurrency;
    if (f.reservedConcurrency !== null) {
      const problem = c.checkReserved(fn.concurrency, f.reservedConcurrency);
      if (problem) throw bad(`function ${f.name}: reservedConcurrency ${f.reservedConcurrency}: ${problem}`, 'Lower reservedConcurrency or raise system.account.concurrencyLimit.');
      c.setReserved(fn.concurrency, f.reservedConcurrency);
    }
    if (f.provisionedConcurrency > 0) {
      const problem = c.checkProvisioned(fn.concurrency, ALIAS, f.provisionedConcurrency);
      if (problem) throw bad(`function ${f.name}: provisionedConcurrency ${f.provisionedConcurrency}: ${problem}`, 'Lower provisionedConcurrency or raise reservedConcurrency / the account limit.');
      model.setProvisioned(fn, ALIAS, f.provisionedConcurrency);
    }
    const qualifier = f.provisionedConcurrency > 0 ? ALIAS : null;
    if (f.url) {
      const now = new Date(model.clock.epochMs()).toISOString();
      fn.urlConfig = { qualifier, authType: 'NONE', invokeMode: 'BUFFERED', cors: undefined, createdIso: now, modifiedIso: now };
      result.urls[f.name] = lambda.provider.functionUrl(f.name);
    }
    let onFailure: string | null = null;
    if (f.async.onFailure) {
      const dq = sqs.getQueue(f.async.onFailure);
      if (!dq) throw bad(`function ${f.name}: async.onFailure queue ${f.async.onFailure} does not exist`, 'Declare the queue under system.queues.');
      onFailure = dq.arn;
    }
    fn.eventInvokeConfig = {
      maximumRetryAttempts: f.async.maximumRetryAttempts,
      maximumEventAgeSeconds: f.async.maximumEventAgeSeconds,
      onSuccess: null,
      onFailure,
      lastModifiedEpochMs: Math.floor(model.clock.epochMs()),
    };
  }

  for (const es of system.eventSources) {
    const queue = sqs.getQueue(es.queue);
    const fn = model.get(es.function);
    if (!queue || !fn) throw bad(`event source ${es.id}: queue or function missing`, 'Declare both under system.queues and system.functions.');
    if (fn.spec.timeoutSeconds > queue.config.VisibilityTimeout) {
      throw bad(
        `event source ${es.id}: queue visibility timeout ${queue.config.VisibilityTimeout} s is less than function timeout ${fn.spec.timeoutSeconds} s`,
        'AWS refuses this mapping; set the queue visibilityTimeout to at least 6 × the function timeout.',
      );
    }
    const mp = lambda.esm.create(queue, fn, fn.concurrency.provisioned.size > 0 ? ALIAS : null, {
      batchSize: es.batchSize,
      maximumBatchingWindowSeconds: es.maximumBatchingWindowSeconds,
      reportBatchItemFailures: es.reportBatchItemFailures,
      maximumConcurrency: es.maximumConcurrency,
      enabled: es.enabled,
    });
    result.mappings[es.id] = mp.uuid;
  }
  return result;
}
