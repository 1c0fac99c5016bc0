/**
 * The SQS provider: one handler per API operation. Input arrives already shape-checked (types,
 * required members) by `shapes.ts` in model member names, whichever protocol carried it; the
 * provider checks what the model cannot express (ranges, batch rules, queue URLs) with AWS's
 * messages, calls the model, and returns output in model member names. Binary values leave as
 * base64 strings so both protocols can write them as they are.
 */
import { SQS, SQS_API } from '../../contracts/aws-facts.ts';
import { SqsError, msg as err } from './errors.ts';
import { md5OfMessageAttributes } from './md5.ts';
import { setKey } from './shapes.ts';
import type { MessageAttributes, MessageAttributeValue } from './md5.ts';
import type { FifoAction, MoveTask, ReceivedMessage, SendInput, SqsModel, SqsQueue } from './model.ts';

type In = Record<string, unknown>;
type Out = Record<string, unknown>;

interface WireAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
  StringListValues?: string[];
  BinaryListValues?: Uint8Array[];
}

interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

/** Batch entry ids: alphanumerics, hyphens and underscores, at most 80 characters [MODEL SendMessageBatchRequestEntry doc]. */
const BATCH_ID = new RegExp(`^[A-Za-z0-9_-]{1,${SQS_API.batchEntryIdMaxLength}}$`);
const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

/** Operations a FIFO queue rate-limits, by the action they count against. */
const FIFO_ACTIONS: Record<string, FifoAction | undefined> = {
  SendMessage: 'send',
  SendMessageBatch: 'send',
  ReceiveMessage: 'receive',
  DeleteMessage: 'delete',
  DeleteMessageBatch: 'delete',
  ChangeMessageVisibility: 'changeVisibility',
  ChangeMessageVisibilityBatch: 'changeVisibility',
};

export interface ProviderContext {
  /** `http://host:port` the queue URLs point at. */
  endpoint(): string;
  accountId: string;
}

/** The request's abort signal, read only by long polls (making one costs on the hot path). */
export type SignalSource = () => AbortSignal;

function toAttrs(wire: Record<string, WireAttributeValue> | undefined): MessageAttributes | undefined {
  if (!wire) return undefined;
  return wire as MessageAttributes;
}

function attrsOut(a: MessageAttributes): Record<string, Out> {
  const out: Record<string, Out> = {};
  for (const [k, v] of Object.entries(a)) setKey(out, k, valueOut(v));
  return out;
}

function valueOut(v: MessageAttributeValue): Out {
  const o: Out = { DataType: v.DataType };
  if (v.StringValue !== undefined) o['StringValue'] = v.StringValue;
  if (v.BinaryValue !== undefined) o['BinaryValue'] = Buffer.from(v.BinaryValue).toString('base64');
  return o;
}

function failure(id: string, e: SqsError): BatchFailure {
  return { Id: id, SenderFault: e.fault === 'Sender', Code: e.queryCode, Message: e.message };
}

function intRange(param: string, v: unknown, min: number, max: number, reason: string): SqsError | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || v < min || v > max) return err.invalidValue(param, v, reason);
  return undefined;
}

export class SqsProvider {
  constructor(
    private readonly model: SqsModel,
    private readonly ctx: ProviderContext,
  ) {}

  queueUrl(q: SqsQueue): string {
    return `${this.ctx.endpoint()}/${this.model.accountId}/${q.name}`;
  }

  /**
   * The queue a URL names: `<scheme>://<any host>/<account>/<name>` (any host, so URLs from
   * another emulator address or from AWS's own form still resolve). Throws `SqsError`.
   */
  resolveQueue(url: unknown): SqsQueue {
    // Clients hammer one queue URL: remember the last answer while that queue lives.
    if (url === this.lastUrl && this.lastQueue && !this.lastQueue.deleted) return this.lastQueue;
    const q = this.parseQueueUrl(url);
    this.lastUrl = url as string;
    this.lastQueue = q;
    return q;
  }

  private lastUrl: string | undefined;
  private lastQueue: SqsQueue | undefined;

  private parseQueueUrl(url: unknown): SqsQueue {
    if (typeof url !== 'string' || url === '') throw err.missing('QueueUrl');
    let path = url;
    const scheme = url.indexOf('://');
    if (scheme >= 0) {
      const slash = url.indexOf('/', scheme + 3);
      path = slash < 0 ? '/' : url.slice(slash);
    }
    const q = path.indexOf('?');
    if (q >= 0) path = path.slice(0, q);
    const parts = path.split('/').filter((p) => p !== '');
    if (parts.length !== 2 || !/^\d{12}$/.test(parts[0]!)) {
      throw new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`);
    }
    if (parts[0] !== this.model.accountId) throw err.queueDoesNotExist();
    return this.model.requireQueue(parts[1]!);
  }

  /**
   * Run one operation. Synchronous except for ReceiveMessage (it may wait): a promise per request
   * costs two microtask hops on the hot path. Throws `SqsError` (also synchronously).
   */
  call(op: string, input: In, signal?: SignalSource): Out | Promise<Out> {
    const action = FIFO_ACTIONS[op];
    if (action) {
      const q = this.resolveQueue(input['QueueUrl']);
      const refused = this.model.admit(q, action);
      if (refused) throw refused;
    }
    switch (op) {
      case 'CreateQueue':
        return this.createQueue(input);
      case 'GetQueueUrl': {
        const owner = input['QueueOwnerAWSAccountId'];
        if (owner !== undefined && owner !== this.model.accountId) throw err.queueDoesNotExist();
        return { QueueUrl: this.queueUrl(this.model.requireQueue(input['QueueName'] as string)) };
      }
      case 'ListQueues':
        return this.listQueues(input);
      case 'DeleteQueue':
        this.model.deleteQueue(this.resolveQueue(input['QueueUrl']));
        return {};
      case 'GetQueueAttributes': {
        const q = this.resolveQueue(input['QueueUrl']);
        const names = (input['AttributeNames'] as string[] | undefined) ?? [];
        const attrs = this.model.getAttributes(q, names);
        return Object.keys(attrs).length ? { Attributes: attrs } : {};
      }
      case 'SetQueueAttributes':
        this.model.setAttributes(this.resolveQueue(input['QueueUrl']), input['Attributes'] as Record<string, string>);
        return {};
      case 'SendMessage':
        return this.sendMessage(input);
      case 'SendMessageBatch':
        return this.sendMessageBatch(input);
      case 'ReceiveMessage':
        return this.receiveMessage(input, signal);
      case 'DeleteMessage': {
        const q = this.resolveQueue(input['QueueUrl']);
        const e = this.model.deleteMessage(q, input['ReceiptHandle'] as string);
        if (e) throw e;
        return {};
      }
      case 'DeleteMessageBatch':
        return this.deleteMessageBatch(input);
      case 'ChangeMessageVisibility': {
        const q = this.resolveQueue(input['QueueUrl']);
        const e = this.model.changeVisibility(q, input['ReceiptHandle'] as string, input['VisibilityTimeout'] as number);
        if (e) throw e;
        return {};
      }
      case 'ChangeMessageVisibilityBatch':
        return this.changeVisibilityBatch(input);
      case 'PurgeQueue':
        this.model.purge(this.resolveQueue(input['QueueUrl']));
        return {};
      case 'TagQueue':
        this.model.tagQueue(this.resolveQueue(input['QueueUrl']), input['Tags'] as Record<string, string>);
        return {};
      case 'UntagQueue':
        this.model.untagQueue(this.resolveQueue(input['QueueUrl']), input['TagKeys'] as string[]);
        return {};
      case 'ListQueueTags': {
        const q = this.resolveQueue(input['QueueUrl']);
        return q.tags.size ? { Tags: Object.fromEntries(q.tags) } : {};
      }
      case 'ListDeadLetterSourceQueues':
        return this.listDeadLetterSourceQueues(input);
      case 'StartMessageMoveTask': {
        const t = this.model.startMoveTask(
          input['SourceArn'] as string,
          input['DestinationArn'] as string | undefined,
          input['MaxNumberOfMessagesPerSecond'] as number | undefined,
        );
        return { TaskHandle: t.taskHandle };
      }
      case 'CancelMessageMoveTask': {
        const t = this.model.cancelMoveTask(input['TaskHandle'] as string);
        return { ApproximateNumberOfMessagesMoved: t.approximateNumberOfMessagesMoved };
      }
      case 'ListMessageMoveTasks': {
        const max = input['MaxResults'] as number | undefined;
        const bad = intRange('MaxResults', max, 1, SQS_API.listMoveTasksMaxResults, `MaxResults must be between 1 and ${SQS_API.listMoveTasksMaxResults}.`);
        if (bad) throw bad;
        const tasks = this.model.listMoveTasks(input['SourceArn'] as string).slice(0, max ?? 1);
        return { Results: tasks.map(taskOut) };
      }
      case 'AddPermission':
        return this.addPermission(input);
      case 'RemovePermission':
        return this.removePermission(input);
      default:
        throw new SqsError('UnsupportedOperation', `The operation ${op} is not supported by the emulator.`);
    }
  }

  private createQueue(input: In): Out {
    const name = input['QueueName'] as string;
    const q = this.model.createQueue(name, (input['Attributes'] as Record<string, string> | undefined) ?? {}, (input['tags'] as Record<string, string> | undefined) ?? {});
    return { QueueUrl: this.queueUrl(q) };
  }

  private listQueues(input: In): Out {
    const max = input['MaxResults'] as number | undefined;
    const bad = intRange('MaxResults', max, 1, SQS_API.listQueuesMaxResults, `MaxResults must be an integer between 1 and ${SQS_API.listQueuesMaxResults}.`);
    if (bad) throw bad;
    let all = this.model.listQueues((input['QueueNamePrefix'] as string | undefined) ?? '');
    const token = input['NextToken'] as string | undefined;
    if (token !== undefined) {
      const after = Buffer.from(token, 'base64url').toString('utf8');
      if (!after) throw err.invalidValue('NextToken', token, 'Invalid NextToken value.');
      all = all.filter((q) => q.name > after);
    }
    // Without MaxResults AWS returns up to 1,000 URLs and no token [MODEL ListQueues doc].
    const page = all.slice(0, max ?? SQS_API.listQueuesMaxResults);
    const out: Out = {};
    if (page.length) out['QueueUrls'] = page.map((q) => this.queueUrl(q));
    if (max !== undefined && all.length > page.length) out['NextToken'] = Buffer.from(page[page.length - 1]!.name, 'utf8').toString('base64url');
    return out;
  }

  private listDeadLetterSourceQueues(input: In): Out {
    const q = this.resolveQueue(input['QueueUrl']);
    const max = input['MaxResults'] as number | undefined;
    const bad = intRange('MaxResults', max, 1, SQS_API.listQueuesMaxResults, `MaxResults must be an integer between 1 and ${SQS_API.listQueuesMaxResults}.`);
    if (bad) throw bad;
    let all = this.model.deadLetterSources(q);
    const token = input['NextToken'] as string | undefined;
    if (token !== undefined) {
      const after = Buffer.from(token, 'base64url').toString('utf8');
      all = all.filter((s) => s.name > after);
    }
    const page = all.slice(0, max ?? SQS_API.listQueuesMaxResults);
    const out: Out = { queueUrls: page.map((s) => this.queueUrl(s)) };
    if (max !== undefined && all.length > page.length) out['NextToken'] = Buffer.from(page[page.length - 1]!.name, 'utf8').toString('base64url');
    return out;
  }

  private sendInput(e: In): SendInput {
    return {
      body: e['MessageBody'] as string,
      delaySeconds: e['DelaySeconds'] as number | undefined,
      messageAttributes: toAttrs(e['MessageAttributes'] as Record<string, WireAttributeValue> | undefined),
      messageSystemAttributes: toAttrs(e['MessageSystemAttributes'] as Record<string, WireAttributeValue> | undefined),
      messageDeduplicationId: e['MessageDeduplicationId'] as string | undefined,
      messageGroupId: e['MessageGroupId'] as string | undefined,
    };
  }

  private sendMessage(input: In): Out {
    const q = this.resolveQueue(input['QueueUrl']);
    const r = this.model.send(q, this.sendInput(input));
    if (r instanceof SqsError) throw r;
    const out: Out = { MD5OfMessageBody: r.md5OfMessageBody, MessageId: r.messageId };
    if (r.md5OfMessageAttributes) out['MD5OfMessageAttributes'] = r.md5OfMessageAttributes;
    if (r.md5OfMessageSystemAttributes) out['MD5OfMessageSystemAttributes'] = r.md5OfMessageSystemAttributes;
    if (r.sequenceNumber) out['SequenceNumber'] = r.sequenceNumber;
    return out;
  }

  /** The batch rules every *Batch operation shares: 1–10 entries, distinct well-formed ids. */
  private checkBatch(entries: In[], entryName: string): void {
    if (entries.length === 0) throw new SqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
    if (entries.length > SQS.batchMaxEntries) {
      throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${SQS.batchMaxEntries}. You have sent ${entries.length}.`);
    }
    const seen = new Set<string>();
    for (const e of entries) {
      const id = e['Id'] as string;
      if (!BATCH_ID.test(id)) {
        throw new SqsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
      }
      if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
      seen.add(id);
    }
  }

  private sendMessageBatch(input: In): Out {
    const q = this.resolveQueue(input['QueueUrl']);
    const entries = input['Entries'] as In[];
    this.checkBatch(entries, 'SendMessageBatchRequestEntry');
    let total = 0;
    for (const e of entries) {
      total += Buffer.byteLength(e['MessageBody'] as string, 'utf8');
      const attrs = e['MessageAttributes'] as Record<string, WireAttributeValue> | undefined;
      if (attrs) {
        for (const [k, v] of Object.entries(attrs)) {
          total += Buffer.byteLength(k) + Buffer.byteLength(v.DataType ?? '') + (v.StringValue !== undefined ? Buffer.byteLength(v.StringValue) : 0) + (v.BinaryValue?.length ?? 0);
        }
      }
    }
    if (total > SQS.batchMaxTotalBytes) {
      throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${SQS.batchMaxTotalBytes} bytes. You have sent ${total} bytes.`);
    }
    const Successful: Out[] = [];
    const Failed: BatchFailure[] = [];
    const results = this.model.sendBatch(
      q,
      entries.map((e) => this.sendInput(e)),
    );
    for (let i = 0; i < entries.length; i++) {
      const id = entries[i]!['Id'] as string;
      const r = results[i]!;
      if (r instanceof SqsError) {
        Failed.push(failure(id, r));
        continue;
      }
      const ok: Out = { Id: id, MessageId: r.messageId, MD5OfMessageBody: r.md5OfMessageBody };
      if (r.md5OfMessageAttributes) ok['MD5OfMessageAttributes'] = r.md5OfMessageAttributes;
      if (r.md5OfMessageSystemAttributes) ok['MD5OfMessageSystemAttributes'] = r.md5OfMessageSystemAttributes;
      if (r.sequenceNumber) ok['SequenceNumber'] = r.sequenceNumber;
      Successful.push(ok);
    }
    return { Successful, Failed };
  }

  private async receiveMessage(input: In, signal: SignalSource | undefined): Promise<Out> {
    const q = this.resolveQueue(input['QueueUrl']);
    const max = input['MaxNumberOfMessages'] as number | undefined;
    const vt = input['VisibilityTimeout'] as number | undefined;
    const wait = input['WaitTimeSeconds'] as number | undefined;
    const bad =
      intRange('MaxNumberOfMessages', max, 1, SQS.receiveMaxMessages, `Must be between 1 and ${SQS.receiveMaxMessages}, if provided.`) ??
      intRange('VisibilityTimeout', vt, 0, SQS.visibilityTimeoutMaxSeconds, `Must be >= 0 and <= ${SQS.visibilityTimeoutMaxSeconds}, if provided.`) ??
      intRange('WaitTimeSeconds', wait, 0, SQS.receiveWaitTimeMaxSeconds, `Must be >= 0 and <= ${SQS.receiveWaitTimeMaxSeconds}, if provided.`);
    if (bad) throw bad;
    const attemptId = input['ReceiveRequestAttemptId'] as string | undefined;
    if (attemptId !== undefined && (attemptId.length > 128 || !/^[\x21-\x7e]*$/.test(attemptId))) {
      throw err.invalidValue('ReceiveRequestAttemptId', attemptId, 'ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
    }
    const got = await this.model.receive(q, {
      maxNumberOfMessages: max,
      visibilityTimeout: vt,
      waitTimeSeconds: wait,
      signal: (wait ?? q.config.ReceiveMessageWaitTimeSeconds) > 0 ? signal?.() : undefined,
      receiveRequestAttemptId: q.fifo ? attemptId : undefined,
    });
    if (got.length === 0) return {};
    const sysNames = [...((input['AttributeNames'] as string[] | undefined) ?? []), ...((input['MessageSystemAttributeNames'] as string[] | undefined) ?? [])];
    const msgNames = (input['MessageAttributeNames'] as string[] | undefined) ?? [];
    return { Messages: got.map((m) => messageOut(m, sysNames, msgNames)) };
  }

  private deleteMessageBatch(input: In): Out {
    const q = this.resolveQueue(input['QueueUrl']);
    const entries = input['Entries'] as In[];
    this.checkBatch(entries, 'DeleteMessageBatchRequestEntry');
    const Successful: Out[] = [];
    const Failed: BatchFailure[] = [];
    for (const e of entries) {
      const id = e['Id'] as string;
      const r = this.model.deleteMessage(q, e['ReceiptHandle'] as string);
      if (r) Failed.push(failure(id, r));
      else Successful.push({ Id: id });
    }
    return { Successful, Failed };
  }

  private changeVisibilityBatch(input: In): Out {
    const q = this.resolveQueue(input['QueueUrl']);
    const entries = input['Entries'] as In[];
    this.checkBatch(entries, 'ChangeMessageVisibilityBatchRequestEntry');
    const Successful: Out[] = [];
    const Failed: BatchFailure[] = [];
    for (const e of entries) {
      const id = e['Id'] as string;
      const vt = e['VisibilityTimeout'] as number | undefined;
      // An entry without VisibilityTimeout is an error for that entry only.
      const r = vt === undefined ? err.missing('VisibilityTimeout') : this.model.changeVisibility(q, e['ReceiptHandle'] as string, vt);
      if (r) Failed.push(failure(id, r));
      else Successful.push({ Id: id });
    }
    return { Successful, Failed };
  }

  private addPermission(input: In): Out {
    const q = this.resolveQueue(input['QueueUrl']);
    const label = input['Label'] as string;
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(label)) throw err.invalidValue('Label', label, 'Label can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.');
    const accounts = input['AWSAccountIds'] as string[];
    const actions = input['Actions'] as string[];
    if (accounts.length === 0) throw err.missing('AWSAccountIds');
    if (actions.length === 0) throw err.missing('Actions');
    const policy = q.config.Policy ? (JSON.parse(q.config.Policy) as { Version: string; Id?: string; Statement: Array<Record<string, unknown>> }) : { Version: '2012-10-17', Id: `${q.arn}/SQSDefaultPolicy`, Statement: [] };
    if (policy.Statement.some((s) => s['Sid'] === label)) throw err.invalidValue('Label', label, 'Already exists.');
    policy.Statement.push({
      Sid: label,
      Effect: 'Allow',
      Principal: { AWS: accounts.map((a) => `arn:aws:iam::${a}:root`) },
      Action: actions.map((a) => `SQS:${a}`),
      Resource: q.arn,
    });
    this.model.setAttributes(q, { Policy: JSON.stringify(policy) });
    return {};
  }

  private removePermission(input: In): Out {
    const q = this.resolveQueue(input['QueueUrl']);
    const label = input['Label'] as string;
    const policy = q.config.Policy ? (JSON.parse(q.config.Policy) as { Statement: Array<Record<string, unknown>> }) : { Statement: [] };
    const kept = policy.Statement.filter((s) => s['Sid'] !== label);
    if (kept.length === policy.Statement.length) throw err.invalidValue('Label', label, "can't find label on existing policy.");
    policy.Statement = kept;
    this.model.setAttributes(q, { Policy: kept.length ? JSON.stringify(policy) : '' });
    return {};
  }
}

function taskOut(t: MoveTask): Out {
  const o: Out = {
    Status: t.status,
    SourceArn: t.sourceArn,
    ApproximateNumberOfMessagesMoved: t.approximateNumberOfMessagesMoved,
    ApproximateNumberOfMessagesToMove: t.approximateNumberOfMessagesToMove,
    StartedTimestamp: t.startedTimestamp,
  };
  if (t.status === 'RUNNING') o['TaskHandle'] = t.taskHandle;
  if (t.destinationArn !== undefined) o['DestinationArn'] = t.destinationArn;
  if (t.maxNumberOfMessagesPerSecond !== undefined) o['MaxNumberOfMessagesPerSecond'] = t.maxNumberOfMessagesPerSecond;
  if (t.failureReason !== undefined) o['FailureReason'] = t.failureReason;
  return o;
}

/** Message attribute names requested: exact names, `All`, `.*`, or `prefix.*` [MODEL ReceiveMessage doc]. */
function wantsAttribute(name: string, requested: readonly string[]): boolean {
  for (const r of requested) {
    if (r === 'All' || r === '.*' || r === name) return true;
    if (r.endsWith('.*') && name.startsWith(r.slice(0, -1))) return true;
  }
  return false;
}

export function messageOut(m: ReceivedMessage, sysNames: readonly string[], msgNames: readonly string[]): Out {
  const o: Out = { MessageId: m.messageId, ReceiptHandle: m.receiptHandle, MD5OfBody: m.md5OfBody, Body: m.body };
  if (sysNames.length) {
    const all = sysNames.includes('All');
    const attrs: Record<string, string> = {};
    for (const n of SYSTEM_ATTRIBUTES) {
      const v = m.attributes[n];
      if (v !== undefined && (all || sysNames.includes(n))) attrs[n] = v;
    }
    if (Object.keys(attrs).length) o['Attributes'] = attrs;
  }
  if (m.messageAttributes && msgNames.length) {
    const sel: MessageAttributes = {};
    let n = 0;
    for (const [k, v] of Object.entries(m.messageAttributes)) {
      if (wantsAttribute(k, msgNames)) {
        setKey(sel, k, v);
        n++;
      }
    }
    if (n) {
      o['MessageAttributes'] = attrsOut(sel);
      // The digest covers the attributes returned (SDKs that check it hash what they got).
      o['MD5OfMessageAttributes'] = n === Object.keys(m.messageAttributes).length ? m.md5OfMessageAttributes : md5OfMessageAttributes(sel);
    }
  }
  return o;
}
