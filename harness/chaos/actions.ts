/**
 * Fault actions through the public AWS API only (target/ SDK clients): each reads the state it is
 * about to change (`capture`) and changes it (`apply`); a resource's value as a whole (the stack of
 * faults, restore with read-back) is resources.ts. The emulator
 * is driven by the very same calls as AWS, so a fault that works here works on a real account.
 */
import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  ListEventSourceMappingsCommand,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
} from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { SQS } from '../contracts/aws-facts.ts';
import { POISON_MARKER_ATTRIBUTE } from '../experiment/resolve.ts';
import type { PoisonKind, ResolvedFaultAction } from '../experiment/types.ts';
import type { TargetClients } from '../target/clients.ts';
import type { PreviousState } from './journal.ts';
import { environmentOf } from './resources.ts';

function errorName(e: unknown): string {
  return (e as { name?: string }).name ?? '';
}

async function findMapping(c: TargetClients, id: string): Promise<EventSourceMappingConfiguration> {
  const [queue, fn] = id.split('->');
  if (!queue || !fn) throw new Error(`event source "${id}" is not <queue>-><function>`);
  const url = (await c.sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl!;
  const arn = (await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  const list = await c.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn, ...(arn ? { EventSourceArn: arn } : {}) }));
  const m = list.EventSourceMappings?.find((x) => !arn || x.EventSourceArn === arn);
  if (!m?.UUID) throw new Error(`no event source mapping from queue ${queue} to function ${fn}`);
  return m;
}

export async function capture(c: TargetClients, a: ResolvedFaultAction): Promise<PreviousState> {
  switch (a.action) {
    case 'set-reserved-concurrency':
    case 'remove-reserved-concurrency': {
      const r = await c.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: a.function }));
      return { kind: 'reserved-concurrency', function: a.function, value: r.ReservedConcurrentExecutions ?? null };
    }
    case 'set-provisioned-concurrency': {
      try {
        const r = await c.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: a.function, Qualifier: a.qualifier }));
        return { kind: 'provisioned-concurrency', function: a.function, qualifier: a.qualifier, value: r.RequestedProvisionedConcurrentExecutions ?? null };
      } catch (e) {
        if (errorName(e) === 'ProvisionedConcurrencyConfigNotFoundException') {
          return { kind: 'provisioned-concurrency', function: a.function, qualifier: a.qualifier, value: null };
        }
        throw e;
      }
    }
    case 'disable-event-source':
    case 'enable-event-source':
    case 'update-event-source': {
      const m = await findMapping(c, a.eventSource);
      const enabled = m.State === 'Enabled' || m.State === 'Enabling' || m.State === 'Creating' || m.State === 'Updating';
      return {
        kind: 'event-source',
        uuid: m.UUID!,
        id: a.eventSource,
        enabled,
        batchSize: m.BatchSize ?? 10,
        maximumConcurrency: m.ScalingConfig?.MaximumConcurrency ?? null,
      };
    }
    case 'inject-poison':
      return { kind: 'none' };
    case 'inject-latency':
    case 'inject-errors':
    case 'override-status': {
      const r = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: a.function }));
      return { kind: 'function-environment', function: a.function, variables: environmentOf(r.Environment?.Variables) };
    }
  }
}

export async function apply(c: TargetClients, a: ResolvedFaultAction, previous: PreviousState, ctx: { runId: string; poisonCount?: number }): Promise<unknown> {
  switch (a.action) {
    case 'set-reserved-concurrency':
      await c.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: a.function, ReservedConcurrentExecutions: a.value }));
      return { reservedConcurrency: a.value };
    case 'remove-reserved-concurrency':
      await c.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: a.function }));
      return { reservedConcurrency: null };
    case 'set-provisioned-concurrency':
      await c.lambda.send(
        new PutProvisionedConcurrencyConfigCommand({ FunctionName: a.function, Qualifier: a.qualifier, ProvisionedConcurrentExecutions: a.value }),
      );
      return { provisionedConcurrency: a.value };
    case 'disable-event-source':
    case 'enable-event-source':
    case 'update-event-source': {
      if (previous.kind !== 'event-source') throw new Error('internal: event source state was not captured');
      const input: ConstructorParameters<typeof UpdateEventSourceMappingCommand>[0] = { UUID: previous.uuid };
      if (a.action === 'disable-event-source') input.Enabled = false;
      if (a.action === 'enable-event-source') input.Enabled = true;
      if (a.action === 'update-event-source') {
        if (a.batchSize !== null) input.BatchSize = a.batchSize;
        if (a.maximumConcurrency !== null) input.ScalingConfig = { MaximumConcurrency: a.maximumConcurrency };
      }
      await c.lambda.send(new UpdateEventSourceMappingCommand(input));
      return input;
    }
    case 'inject-poison':
      return sendPoison(c, a.queue, a.kind, ctx.poisonCount ?? 1, ctx.runId);
    case 'inject-latency':
    case 'inject-errors':
    case 'override-status':
      // The timeline composes every fault on the function (resources.ts) and writes that.
      throw new Error(`internal: ${a.action} is applied through the function's environment (resources.ts)`);
  }
}

/** Poison message bodies by kind; every one carries the marker attribute with the run id. */
export function poisonBody(kind: PoisonKind, runId: string, seq: number, maxBytes: number = SQS.maximumMessageSizeDefaultBytes): string {
  switch (kind) {
    case 'marker':
      return JSON.stringify({ squallPoison: true, runId, seq });
    case 'invalid-json':
      return `{"squallPoison": true, "runId": "${runId}", "seq": ${seq}, "broken": `;
    case 'oversized': {
      // Just under the queue's limit once the marker attribute is counted (name + type + value bytes).
      const head = JSON.stringify({ squallPoison: true, runId, seq, pad: '' });
      const room = maxBytes - 2048 - head.length;
      return JSON.stringify({ squallPoison: true, runId, seq, pad: 'x'.repeat(Math.max(0, room)) });
    }
  }
}

export async function sendPoison(c: TargetClients, queue: string, kind: PoisonKind, count: number, runId: string): Promise<{ sent: number; failed: number }> {
  const url = (await c.sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl!;
  let maxBytes: number = SQS.maximumMessageSizeDefaultBytes;
  if (kind === 'oversized') {
    const attrs = await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['MaximumMessageSize'] }));
    maxBytes = Number(attrs.Attributes?.MaximumMessageSize ?? maxBytes);
  }
  const fifo = queue.endsWith('.fifo');
  let sent = 0;
  let failed = 0;
  let seq = 0;
  while (sent + failed < count) {
    const n = Math.min(SQS.batchMaxEntries, count - sent - failed, kind === 'oversized' ? 1 : SQS.batchMaxEntries);
    const entries: SendMessageBatchRequestEntry[] = [];
    for (let i = 0; i < n; i++) {
      entries.push({
        Id: `p${seq}`,
        MessageBody: poisonBody(kind, runId, seq, maxBytes),
        MessageAttributes: { [POISON_MARKER_ATTRIBUTE]: { DataType: 'String', StringValue: runId } },
        ...(fifo ? { MessageGroupId: 'squall-poison', MessageDeduplicationId: `${runId}-${seq}` } : {}),
      });
      seq++;
    }
    const r = await c.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    sent += r.Successful?.length ?? 0;
    failed += r.Failed?.length ?? 0;
  }
  return { sent, failed };
}
