/**
 * The SDK calls each fault action makes, described without making them: the reads `capture`
 * does, the write `apply` does and the write `restore` does, with the value read now, the value
 * set and the value put back. `squall plan` prints them on the timeline and the least-privilege
 * IAM policy is derived from them; keep this in step with actions.ts (the plan tests run both).
 */
import type { ResolvedFault } from '../experiment/types.ts';
import { arns, type ArnContext, type SdkCall } from '../target/calls.ts';
import { addFault, describeEnvironment, FAULTS_ENV } from './function-faults.ts';
import type { PreviousState } from './journal.ts';

export interface FaultCalls {
  read: SdkCall[];
  apply: SdkCall[];
  /** Every call restore may make; `restoreNow` narrows it once the previous value is known. */
  restore: SdkCall[];
  /** The value read now (null when not read: an offline plan), the value set, the value restored. */
  now: string | null;
  set: string;
  restoreTo: string | null;
  /** Poison: how many messages, for the plan's line. */
  messages?: number;
}

const v = (x: number | null | undefined) => (x === null || x === undefined ? 'none' : String(x));

/** A wildcard over one function's mappings: UpdateEventSourceMapping is limited by lambda:FunctionArn. */
function mappingCall(x: ArnContext, operation: string, id: string, fn: string): SdkCall {
  return { service: 'lambda', operation, resource: `mapping ${id}`, arn: `${arns.mapping(x, '*')}|lambda:FunctionArn=${arns.function(x, fn)}` };
}

export function faultCalls(f: ResolvedFault, x: ArnContext, previous: PreviousState | null): FaultCalls {
  switch (f.action) {
    case 'set-reserved-concurrency':
    case 'remove-reserved-concurrency': {
      const fn = arns.function(x, f.function);
      const r = (operation: string): SdkCall => ({ service: 'lambda', operation, resource: `function ${f.function}`, arn: fn });
      const prev = previous?.kind === 'reserved-concurrency' ? previous.value : undefined;
      return {
        read: [r('GetFunctionConcurrency')],
        apply: [r(f.action === 'set-reserved-concurrency' ? 'PutFunctionConcurrency' : 'DeleteFunctionConcurrency')],
        restore: prev === undefined ? [r('PutFunctionConcurrency'), r('DeleteFunctionConcurrency')] : [r(prev === null ? 'DeleteFunctionConcurrency' : 'PutFunctionConcurrency')],
        now: prev === undefined ? null : `reserved concurrency ${v(prev)}`,
        set: `reserved concurrency ${f.action === 'set-reserved-concurrency' ? f.value : 'none'}`,
        restoreTo: prev === undefined ? null : `reserved concurrency ${v(prev)}`,
      };
    }
    case 'set-provisioned-concurrency': {
      const fn = `${arns.function(x, f.function)}:${f.qualifier}`;
      const r = (operation: string): SdkCall => ({ service: 'lambda', operation, resource: `function ${f.function}:${f.qualifier}`, arn: fn });
      const prev = previous?.kind === 'provisioned-concurrency' ? previous.value : undefined;
      return {
        read: [r('GetProvisionedConcurrencyConfig')],
        apply: [r('PutProvisionedConcurrencyConfig')],
        restore: prev === undefined ? [r('PutProvisionedConcurrencyConfig'), r('DeleteProvisionedConcurrencyConfig')] : [r(prev === null ? 'DeleteProvisionedConcurrencyConfig' : 'PutProvisionedConcurrencyConfig')],
        now: prev === undefined ? null : `provisioned concurrency ${v(prev)}`,
        set: `provisioned concurrency ${f.value}`,
        restoreTo: prev === undefined ? null : `provisioned concurrency ${v(prev)}`,
      };
    }
    case 'disable-event-source':
    case 'enable-event-source':
    case 'update-event-source': {
      const [queue, fn] = f.eventSource.split('->') as [string, string];
      const q = (operation: string): SdkCall => ({ service: 'sqs', operation, resource: `queue ${queue}`, arn: arns.queue(x, queue) });
      const prev = previous?.kind === 'event-source' ? previous : null;
      const state = (p: { enabled: boolean; batchSize: number; maximumConcurrency: number | null }) =>
        `${p.enabled ? 'enabled' : 'disabled'}, batch size ${p.batchSize}, maximum concurrency ${v(p.maximumConcurrency)}`;
      const set =
        f.action === 'disable-event-source'
          ? 'disabled'
          : f.action === 'enable-event-source'
            ? 'enabled'
            : [f.batchSize !== null ? `batch size ${f.batchSize}` : '', f.maximumConcurrency !== null ? `maximum concurrency ${f.maximumConcurrency}` : ''].filter(Boolean).join(', ');
      return {
        read: [q('GetQueueUrl'), q('GetQueueAttributes'), { service: 'lambda', operation: 'ListEventSourceMappings', resource: `mapping ${f.eventSource}`, arn: '*' }],
        apply: [mappingCall(x, 'UpdateEventSourceMapping', f.eventSource, fn)],
        // The restore is read back (GetEventSourceMapping) until the mapping reports it.
        restore: [mappingCall(x, 'UpdateEventSourceMapping', f.eventSource, fn), mappingCall(x, 'GetEventSourceMapping', f.eventSource, fn)],
        now: prev ? state(prev) : null,
        set,
        restoreTo: prev ? state(prev) : null,
      };
    }
    case 'inject-poison': {
      const q = (operation: string): SdkCall => ({ service: 'sqs', operation, resource: `queue ${f.queue}`, arn: arns.queue(x, f.queue) });
      const messages = f.count ?? Math.round(((f.ratePerSecond ?? 0) * (f.forMs ?? 0)) / 1000);
      return {
        read: [q('GetQueueUrl'), ...(f.kind === 'oversized' ? [q('GetQueueAttributes')] : [])],
        apply: [q('SendMessageBatch')],
        restore: [],
        now: null,
        set: `${messages} ${f.kind} poison message(s), marked with the run id`,
        restoreTo: null,
        messages,
      };
    }
    case 'inject-latency':
    case 'inject-errors':
    case 'override-status': {
      const r = (operation: string): SdkCall => ({ service: 'lambda', operation, resource: `function ${f.function}`, arn: arns.function(x, f.function) });
      const prev = previous?.kind === 'function-environment' ? previous.variables : undefined;
      const now = prev === undefined ? null : describeEnvironment(prev);
      return {
        read: [r('GetFunctionConfiguration')],
        // The whole map, once the last update has settled (LastUpdateStatus, read as above).
        apply: [r('UpdateFunctionConfiguration')],
        // The restore is read back (GetFunctionConfiguration) until the function reports it.
        restore: [r('UpdateFunctionConfiguration'), r('GetFunctionConfiguration')],
        now,
        // Alone on the function; overlapping faults on it add their entries to the same variable.
        set: `${FAULTS_ENV}=${addFault(undefined, f)} (other variables kept)`,
        restoreTo: now,
      };
    }
  }
}
