/**
 * Queue attributes (the settable configuration of an SQS queue): their defaults, parsing and
 * checks with AWS's messages (`InvalidAttributeName`, `InvalidAttributeValue`, redrive policy
 * rules), and the string form GetQueueAttributes reports. Pure functions: the model hands in its
 * limits and a way to find queues by ARN.
 */
import { SQS_API } from '../../contracts/aws-facts.ts';
import { SqsError, msg as err } from './errors.ts';
import type { SqsLimits, SqsQueue } from './model.ts';

/** Finds a queue by ARN (redrive targets), as the model knows them. */
export type QueueLookup = (arn: string) => SqsQueue | undefined;

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** The queue attributes a user can set, with AWS's defaults [fact sheet §4]. */
export interface QueueConfig {
  VisibilityTimeout: number;
  MaximumMessageSize: number;
  MessageRetentionPeriod: number;
  DelaySeconds: number;
  ReceiveMessageWaitTimeSeconds: number;
  Policy: string | undefined;
  RedrivePolicy: RedrivePolicy | undefined;
  RedriveAllowPolicy: string | undefined;
  FifoQueue: boolean;
  ContentBasedDeduplication: boolean;
  DeduplicationScope: 'messageGroup' | 'queue';
  FifoThroughputLimit: 'perQueue' | 'perMessageGroupId';
  KmsMasterKeyId: string | undefined;
  KmsDataKeyReusePeriodSeconds: number;
  SqsManagedSseEnabled: boolean;
}

const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

/** Every attribute GetQueueAttributes knows (QueueAttributeName enum [MODEL]). */
export const QUEUE_ATTRIBUTE_NAMES = [
  'Policy',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'ApproximateNumberOfMessagesDelayed',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'RedriveAllowPolicy',
  'SqsManagedSseEnabled',
] as const;

/** What GetQueueAttributes reports but Create/SetQueueAttributes may not set [MODEL]. */
const READ_ONLY = new Set([
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
]);
const SETTABLE = new Set<string>(QUEUE_ATTRIBUTE_NAMES.filter((n) => !READ_ONLY.has(n)));

function intAttr(name: string, raw: string, min: number, max: number): number | SqsError {
  if (!/^-?\d+$/.test(raw.trim())) return err.invalidAttributeValue(name);
  const n = Number(raw.trim());
  if (n < min || n > max) return err.invalidAttributeValue(name);
  return n;
}

function boolAttr(name: string, raw: string): boolean | SqsError {
  const v = raw.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  return err.invalidAttributeValue(name);
}

/** A new queue's configuration: AWS's defaults [fact sheet §4]. */
/** The whole-number attributes and their ranges (limits from aws-facts via SqsLimits) [4]. */
const INT_ATTRIBUTE_RANGES = {
  VisibilityTimeout: (L: SqsLimits) => [0, L.visibilityTimeoutMaxSeconds],
  MaximumMessageSize: (L: SqsLimits) => [L.maximumMessageSizeMinBytes, L.maximumMessageSizeMaxBytes],
  MessageRetentionPeriod: (L: SqsLimits) => [L.messageRetentionMinSeconds, L.messageRetentionMaxSeconds],
  DelaySeconds: (L: SqsLimits) => [0, L.delayMaxSeconds],
  ReceiveMessageWaitTimeSeconds: (L: SqsLimits) => [0, L.receiveWaitTimeMaxSeconds],
  KmsDataKeyReusePeriodSeconds: () => [SQS_API.kmsDataKeyReuseMinSeconds, SQS_API.kmsDataKeyReuseMaxSeconds],
} satisfies Record<string, (L: SqsLimits) => readonly [number, number]>;

export function defaultConfig(limits: SqsLimits, fifo: boolean): QueueConfig {
  const L = limits;
  return {
    VisibilityTimeout: L.visibilityTimeoutDefaultSeconds,
    MaximumMessageSize: L.maximumMessageSizeDefaultBytes,
    MessageRetentionPeriod: L.messageRetentionDefaultSeconds,
    DelaySeconds: 0,
    ReceiveMessageWaitTimeSeconds: 0,
    Policy: undefined,
    RedrivePolicy: undefined,
    RedriveAllowPolicy: undefined,
    FifoQueue: fifo,
    ContentBasedDeduplication: false,
    DeduplicationScope: 'queue',
    FifoThroughputLimit: 'perQueue',
    KmsMasterKeyId: undefined,
    KmsDataKeyReusePeriodSeconds: SQS_API.kmsDataKeyReuseDefaultSeconds,
    SqsManagedSseEnabled: true,
  };
}

/**
 * Parse user attributes onto `base` with AWS's checks and messages; throws `SqsError`.
 * `lookup` finds queues by ARN (redrive targets).
 */
export function parseConfig(
  attrs: Record<string, string>,
  base: QueueConfig,
  fifo: boolean,
  creating: boolean,
  selfArn: string,
  limits: SqsLimits,
  lookup: QueueLookup,
): QueueConfig {
  const L = limits;
  const c: QueueConfig = { ...base };
  for (const [name, raw] of Object.entries(attrs)) {
    if (!SETTABLE.has(name)) throw err.unknownAttribute(name);
    if (FIFO_ONLY.has(name) && !fifo) throw err.unknownAttribute(name);
    const v = typeof raw === 'string' ? raw : String(raw);
    let r: number | boolean | SqsError | undefined;
    switch (name) {
      case 'VisibilityTimeout':
      case 'MaximumMessageSize':
      case 'MessageRetentionPeriod':
      case 'DelaySeconds':
      case 'ReceiveMessageWaitTimeSeconds':
      case 'KmsDataKeyReusePeriodSeconds': {
        const [min, max] = INT_ATTRIBUTE_RANGES[name](L);
        r = intAttr(name, v, min, max);
        if (typeof r === 'number') c[name] = r;
        break;
      }
      case 'FifoQueue':
        r = boolAttr(name, v);
        if (typeof r === 'boolean') {
          if (!creating && r !== base.FifoQueue) r = err.invalidAttributeValue(name, 'Modifying queue type is not supported.');
          else if (r !== fifo) r = err.invalidAttributeValue(name);
        }
        break;
      case 'ContentBasedDeduplication':
        r = boolAttr(name, v);
        if (typeof r === 'boolean') c.ContentBasedDeduplication = r;
        break;
      case 'SqsManagedSseEnabled':
        r = boolAttr(name, v);
        if (typeof r === 'boolean') c.SqsManagedSseEnabled = r;
        break;
      case 'DeduplicationScope':
        if (v === 'messageGroup' || v === 'queue') c.DeduplicationScope = v;
        else r = err.invalidAttributeValue(name);
        break;
      case 'FifoThroughputLimit':
        if (v === 'perQueue' || v === 'perMessageGroupId') c.FifoThroughputLimit = v;
        else r = err.invalidAttributeValue(name);
        break;
      case 'Policy':
        if (v === '') c.Policy = undefined;
        else {
          try {
            JSON.parse(v);
            c.Policy = v;
          } catch {
            r = err.invalidAttributeValue(name);
          }
        }
        break;
      case 'KmsMasterKeyId':
        c.KmsMasterKeyId = v === '' ? undefined : v;
        break;
      case 'RedriveAllowPolicy':
        r = parseRedriveAllowPolicy(v);
        if (r === undefined) c.RedriveAllowPolicy = v === '' ? undefined : v;
        break;
      case 'RedrivePolicy': {
        const p = parseRedrivePolicy(v, fifo, selfArn, limits, lookup);
        if (p instanceof SqsError) r = p;
        else c.RedrivePolicy = p;
        break;
      }
    }
    if (r instanceof SqsError) throw r;
  }
  if (c.FifoThroughputLimit === 'perMessageGroupId' && c.DeduplicationScope === 'queue' && (attrs['FifoThroughputLimit'] !== undefined || attrs['DeduplicationScope'] !== undefined)) {
    throw err.invalidAttributeValue('FifoThroughputLimit', 'You can specify perMessageGroupId only when DeduplicationScope is set to messageGroup.');
  }
  return c;
}

/** A policy attribute's JSON object, or undefined when the text is not JSON or not an object. */
function jsonMap(v: string): Record<string, unknown> | undefined {
  let o: unknown;
  try {
    o = JSON.parse(v);
  } catch {
    return undefined;
  }
  return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
}

function parseRedrivePolicy(v: string, fifo: boolean, selfArn: string, limits: SqsLimits, lookup: QueueLookup): RedrivePolicy | undefined | SqsError {
  if (v === '') return undefined;
  const bad = (reason: string) => err.invalidValue('RedrivePolicy', v, reason);
  const rec = jsonMap(v);
  if (rec === undefined) return bad('Redrive policy is not a valid JSON map.');
  for (const k of Object.keys(rec)) {
    if (k !== 'deadLetterTargetArn' && k !== 'maxReceiveCount') return bad(`Only following keys are allowed: deadLetterTargetArn, maxReceiveCount. Found: ${k}`);
  }
  const arn = rec['deadLetterTargetArn'];
  if (typeof arn !== 'string') return bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  const rawCount = rec['maxReceiveCount'];
  if (rawCount === undefined) return bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  const count = typeof rawCount === 'number' ? rawCount : typeof rawCount === 'string' && /^\d+$/.test(rawCount) ? Number(rawCount) : NaN;
  const L = limits;
  if (!Number.isInteger(count) || count < L.maxReceiveCountMin || count > L.maxReceiveCountMax) {
    return bad(`Invalid value for maxReceiveCount: ${String(rawCount)}, valid values are from ${L.maxReceiveCountMin} to ${L.maxReceiveCountMax} both inclusive.`);
  }
  if (arn === selfArn) return bad('Dead letter target cannot be the source queue.');
  const dlq = lookup(arn);
  if (!dlq) return bad('Dead letter target does not exist.');
  // Each queue has at most one DLQ, so a cycle can only be closed by the policy being set now:
  // follow the chain from the target. A cycle would move a message back and forth forever.
  const seen = new Set<string>([selfArn]);
  for (let next = dlq.config.RedrivePolicy?.deadLetterTargetArn; next !== undefined; next = lookup(next)?.config.RedrivePolicy?.deadLetterTargetArn) {
    if (seen.has(next)) return bad('Dead letter target would make a redrive cycle back to the source queue.');
    seen.add(next);
  }
  if (dlq.fifo !== fifo) return bad('Dead-letter queue must be same type of queue as the source.');
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

function parseRedriveAllowPolicy(v: string): SqsError | undefined {
  if (v === '') return undefined;
  const bad = (reason: string) => err.invalidValue('RedriveAllowPolicy', v, reason);
  const o = jsonMap(v);
  if (o === undefined) return bad('Redrive allow policy is not a valid JSON map.');
  const perm = o['redrivePermission'];
  if (perm !== 'allowAll' && perm !== 'denyAll' && perm !== 'byQueue') return bad('Redrive permission must be one of allowAll, denyAll, byQueue.');
  const arns = o['sourceQueueArns'];
  if (perm === 'byQueue') {
    // byQueue needs 1–10 source queue ARNs [fact sheet §4 RedriveAllowPolicy].
    if (!Array.isArray(arns) || arns.length < 1 || arns.length > SQS_API.redriveAllowSourceArnsMax) {
      return bad(`sourceQueueArns must contain between 1 and ${SQS_API.redriveAllowSourceArnsMax} queue ARNs when redrivePermission is byQueue.`);
    }
  } else if (arns !== undefined) {
    return bad(`sourceQueueArns is only allowed when redrivePermission is byQueue.`);
  }
  return undefined;
}

/** A settable attribute's value as AWS reports it (strings), or undefined when AWS omits it. */
export function configValue(c: QueueConfig, fifo: boolean, name: string): string | undefined {
  switch (name) {
    case 'VisibilityTimeout':
    case 'MaximumMessageSize':
    case 'MessageRetentionPeriod':
    case 'DelaySeconds':
    case 'ReceiveMessageWaitTimeSeconds':
      return String(c[name]);
    case 'Policy':
      return c.Policy;
    case 'RedrivePolicy':
      return c.RedrivePolicy ? JSON.stringify(c.RedrivePolicy) : undefined;
    case 'RedriveAllowPolicy':
      return c.RedriveAllowPolicy;
    case 'FifoQueue':
      return fifo ? 'true' : undefined;
    case 'ContentBasedDeduplication':
      return fifo ? String(c.ContentBasedDeduplication) : undefined;
    case 'DeduplicationScope':
      return fifo ? c.DeduplicationScope : undefined;
    case 'FifoThroughputLimit':
      return fifo ? c.FifoThroughputLimit : undefined;
    case 'KmsMasterKeyId':
      return c.KmsMasterKeyId;
    case 'KmsDataKeyReusePeriodSeconds':
      return c.KmsMasterKeyId ? String(c.KmsDataKeyReusePeriodSeconds) : undefined;
    case 'SqsManagedSseEnabled':
      return String(c.SqsManagedSseEnabled);
    default:
      return undefined;
  }
}
