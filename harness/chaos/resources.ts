/**
 * The resources a fault changes, as values: read one from the target, write one, compose a stack
 * of faults onto an original, and write-then-read-back until the target reports the value asked
 * for (with retries and backoff, within a deadline). A restore that is not read back is not a
 * restore: AWS applies some changes asynchronously (an event source mapping goes through
 * `Updating`) and a write can be lost to a throttle or a dropped connection.
 */
import {
  DeleteFunctionConcurrencyCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetFunctionConcurrencyCommand,
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import type { ResolvedFaultAction } from '../experiment/types.ts';
import type { TargetClients } from '../target/clients.ts';
import { describeEnvironment, sameEnvironment, withFault } from './function-faults.ts';
import type { PreviousState } from './journal.ts';

/** A resource's value with its identity: every PreviousState but `none`. */
export type ResourceState = Exclude<PreviousState, { kind: 'none' }>;

export { resourceKey } from './journal.ts';

/** "reserved concurrency of fn = none" — `none` (no reserved concurrency) is not 0. */
export function describeState(s: ResourceState): string {
  switch (s.kind) {
    case 'reserved-concurrency':
      return `reserved concurrency of ${s.function} = ${s.value ?? 'none'}`;
    case 'provisioned-concurrency':
      return `provisioned concurrency of ${s.function}:${s.qualifier} = ${s.value ?? 'none'}`;
    case 'event-source':
      return `event source ${s.id} = ${s.enabled ? 'enabled' : 'disabled'}, batch size ${s.batchSize}, maximum concurrency ${s.maximumConcurrency ?? 'none'}`;
    case 'event-source-metrics':
      return `metrics of event source ${s.id} = ${s.metrics.length ? s.metrics.join(', ') : 'none'}`;
    case 'function-memory':
      return `memory of ${s.function} = ${s.value} MB`;
    case 'function-environment':
      return `environment of ${s.function} = ${describeEnvironment(s.variables)}`;
    case 'function-description':
      return `description of ${s.function} = ${JSON.stringify(s.value)}`;
  }
}

/** The value a fault puts on a resource that currently holds `s`. */
export function applyChange(s: ResourceState, a: ResolvedFaultAction): ResourceState {
  switch (a.action) {
    case 'set-reserved-concurrency':
      return s.kind === 'reserved-concurrency' ? { ...s, value: a.value } : s;
    case 'remove-reserved-concurrency':
      return s.kind === 'reserved-concurrency' ? { ...s, value: null } : s;
    case 'set-provisioned-concurrency':
      return s.kind === 'provisioned-concurrency' ? { ...s, value: a.value } : s;
    case 'disable-event-source':
      return s.kind === 'event-source' ? { ...s, enabled: false } : s;
    case 'enable-event-source':
      return s.kind === 'event-source' ? { ...s, enabled: true } : s;
    case 'update-event-source':
      if (s.kind !== 'event-source') return s;
      return { ...s, ...(a.batchSize !== null ? { batchSize: a.batchSize } : {}), ...(a.maximumConcurrency !== null ? { maximumConcurrency: a.maximumConcurrency } : {}) };
    case 'inject-poison':
      return s;
    case 'inject-latency':
    case 'inject-errors':
    case 'override-status':
      return s.kind === 'function-environment' ? { ...s, variables: withFault(s.variables, a) } : s;
  }
}

/** The stack: the original with every fault still in force applied in the order they were applied. */
export function compose(original: ResourceState, stack: ResolvedFaultAction[]): ResourceState {
  return stack.reduce(applyChange, original);
}

function errorName(e: unknown): string {
  return (e as { name?: string }).name ?? '';
}

/** The resource's current value, or `undefined` while AWS is still applying a change (`Updating`). */
export async function readState(c: TargetClients, s: ResourceState, abortSignal?: AbortSignal): Promise<ResourceState | undefined> {
  const opt = abortSignal ? { abortSignal } : {};
  switch (s.kind) {
    case 'reserved-concurrency': {
      const r = await c.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: s.function }), opt);
      return { ...s, value: r.ReservedConcurrentExecutions ?? null };
    }
    case 'provisioned-concurrency':
      try {
        const r = await c.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: s.function, Qualifier: s.qualifier }), opt);
        return { ...s, value: r.RequestedProvisionedConcurrentExecutions ?? null };
      } catch (e) {
        if (errorName(e) === 'ProvisionedConcurrencyConfigNotFoundException') return { ...s, value: null };
        throw e;
      }
    case 'event-source': {
      const m = await c.lambda.send(new GetEventSourceMappingCommand({ UUID: s.uuid }), opt);
      // Enabling/Disabling already say where the mapping is going; Updating/Creating do not.
      const enabled = m.State === 'Enabled' || m.State === 'Enabling' ? true : m.State === 'Disabled' || m.State === 'Disabling' ? false : undefined;
      if (enabled === undefined) return undefined;
      return { ...s, enabled, batchSize: m.BatchSize ?? s.batchSize, maximumConcurrency: m.ScalingConfig?.MaximumConcurrency ?? null };
    }
    case 'event-source-metrics': {
      const m = await c.lambda.send(new GetEventSourceMappingCommand({ UUID: s.uuid }));
      return { ...s, metrics: [...(m.MetricsConfig?.Metrics ?? [])] };
    }
    case 'function-memory': {
      // A configuration update is asynchronous on AWS: read the value once it has settled.
      const r = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: s.function }));
      if (r.LastUpdateStatus === 'InProgress' || r.MemorySize === undefined) return undefined;
      return { ...s, value: r.MemorySize };
    }
    case 'function-environment': {
      const r = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: s.function }), opt);
      if (r.LastUpdateStatus === 'InProgress') return undefined;
      return { ...s, variables: environmentOf(r.Environment?.Variables) };
    }
    case 'function-description': {
      const r = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: s.function }), opt);
      if (r.LastUpdateStatus === 'InProgress') return undefined;
      return { ...s, value: r.Description ?? '' };
    }
  }
}

/** Environment.Variables as squall keeps it: null when the function has none. */
export function environmentOf(v: Record<string, string> | undefined): Record<string, string> | null {
  return v && Object.keys(v).length > 0 ? { ...v } : null;
}

/** How often to look while a function's previous update is still InProgress (ms). */
const UPDATE_POLL_MS = 250;
/** The longest squall waits for it without a deadline of its own (an apply): then it tries anyway. */
const UPDATE_SETTLE_MAX_MS = 30_000;

/**
 * Wait until the function's last configuration update has settled: AWS refuses another
 * UpdateFunctionConfiguration while LastUpdateStatus is InProgress (ResourceConflictException).
 */
async function settledConfiguration(c: TargetClients, fn: string, abortSignal?: AbortSignal): Promise<void> {
  const giveUpAt = Date.now() + UPDATE_SETTLE_MAX_MS;
  for (;;) {
    const r = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }), abortSignal ? { abortSignal } : {});
    // Still InProgress at the end: the update goes out and AWS's refusal says why.
    if (r.LastUpdateStatus !== 'InProgress' || Date.now() >= giveUpAt) return;
    if (abortSignal?.aborted) throw abortSignal.reason;
    await new Promise((res) => setTimeout(res, UPDATE_POLL_MS));
  }
}

export async function writeState(c: TargetClients, s: ResourceState, abortSignal?: AbortSignal): Promise<void> {
  const opt = abortSignal ? { abortSignal } : {};
  switch (s.kind) {
    case 'reserved-concurrency':
      // No reserved concurrency (the account's unreserved pool) is DeleteFunctionConcurrency, never 0.
      if (s.value === null) await c.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: s.function }), opt);
      else await c.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: s.function, ReservedConcurrentExecutions: s.value }), opt);
      return;
    case 'provisioned-concurrency':
      if (s.value === null) {
        try {
          await c.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: s.function, Qualifier: s.qualifier }), opt);
        } catch (e) {
          if (errorName(e) !== 'ProvisionedConcurrencyConfigNotFoundException' && errorName(e) !== 'ResourceNotFoundException') throw e;
        }
      } else {
        await c.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: s.function, Qualifier: s.qualifier, ProvisionedConcurrentExecutions: s.value }), opt);
      }
      return;
    case 'event-source':
      await c.lambda.send(
        new UpdateEventSourceMappingCommand({
          UUID: s.uuid,
          Enabled: s.enabled,
          BatchSize: s.batchSize,
          // An empty ScalingConfig removes the maximum concurrency; leaving it out would keep a fault's.
          ScalingConfig: s.maximumConcurrency !== null ? { MaximumConcurrency: s.maximumConcurrency } : {},
        }),
        opt,
      );
      return;
    case 'event-source-metrics':
      // An empty Metrics list turns the mapping's metrics off again.
      await c.lambda.send(new UpdateEventSourceMappingCommand({ UUID: s.uuid, MetricsConfig: { Metrics: s.metrics as ('EventCount' | 'ErrorCount' | 'KafkaMetrics')[] } }), opt);
      return;
    case 'function-memory':
      await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: s.function, MemorySize: s.value }), opt);
      return;
    case 'function-environment':
      await settledConfiguration(c, s.function, abortSignal);
      // The whole map, always: an empty map is how "no environment" is put back.
      await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: s.function, Environment: { Variables: { ...(s.variables ?? {}) } } }), opt);
      return;
    case 'function-description':
      await settledConfiguration(c, s.function, abortSignal);
      await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: s.function, Description: s.value }), opt);
      return;
  }
}

export function sameState(a: ResourceState, b: ResourceState): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'reserved-concurrency':
    case 'provisioned-concurrency':
    case 'function-memory':
      return a.value === (b as typeof a).value;
    case 'event-source': {
      const o = b as typeof a;
      return a.enabled === o.enabled && a.batchSize === o.batchSize && a.maximumConcurrency === o.maximumConcurrency;
    }
    case 'event-source-metrics':
      return [...a.metrics].sort().join(',') === [...(b as typeof a).metrics].sort().join(',');
    case 'function-environment':
      return sameEnvironment(a.variables, (b as typeof a).variables);
    case 'function-description':
      return a.value === (b as typeof a).value;
  }
}

export interface VerifyOptions {
  /** Epoch ms after which no further attempt starts. */
  deadlineAt: number;
  /** First wait between attempts; doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export class NotRestoredError extends Error {
  constructor(
    readonly wanted: ResourceState,
    readonly lastSeen: ResourceState | undefined,
    readonly lastError: unknown,
  ) {
    const why = lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : lastError !== undefined ? String(lastError) : undefined;
    super(
      `${describeState(wanted)} was not confirmed` +
        (lastSeen ? ` (read back: ${describeState(lastSeen)})` : '') +
        (why ? ` — last error: ${why}` : ''),
    );
    this.name = 'NotRestoredError';
  }
}

/**
 * Write `wanted`, then read it back until it matches; a failed write or a mismatched read is
 * retried with exponential backoff until `deadlineAt`. Returns what was read back.
 */
export async function writeVerified(c: TargetClients, wanted: ResourceState, o: VerifyOptions): Promise<ResourceState> {
  let backoff = o.backoffMs ?? 100;
  const maxBackoff = o.maxBackoffMs ?? 2000;
  let lastSeen: ResourceState | undefined;
  let lastError: unknown;
  let needWrite = true;
  for (let attempt = 0; ; attempt++) {
    try {
      // No single call may outlive the deadline, whatever the SDK's own timeouts and retries.
      const signal = AbortSignal.timeout(Math.max(1, o.deadlineAt - Date.now()));
      if (needWrite) await writeState(c, wanted, signal);
      needWrite = false;
      const seen = await readState(c, wanted, signal);
      if (seen) {
        lastSeen = seen;
        if (sameState(seen, wanted)) return seen;
        needWrite = true; // settled on another value: write again
      }
    } catch (e) {
      lastError = e;
      needWrite = true;
    }
    const wait = Math.min(backoff, Math.max(0, o.deadlineAt - Date.now()));
    if (Date.now() + wait >= o.deadlineAt || wait <= 0) throw new NotRestoredError(wanted, lastSeen, lastError);
    await new Promise((r) => setTimeout(r, wait));
    backoff = Math.min(maxBackoff, backoff * 2);
  }
}
