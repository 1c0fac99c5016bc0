/**
 * Reads what is really deployed for the resources an experiment names, through read-only calls:
 * each function's memory, timeout, reserved and provisioned concurrency and environment, each
 * queue's visibility timeout and redrive, each mapping's batch size, window, maximum concurrency
 * and metrics, and the account's concurrency limit. On `aws` the experiment names *existing*
 * resources; a missing one or a denied read is an environment error before anything is changed.
 */
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  ListEventSourceMappingsCommand,
  ListProvisionedConcurrencyConfigsCommand,
} from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { alarmName, alarmStates } from '../chaos/alarms.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { call, classify, environmentError } from './aws-errors.ts';
import { arns, type ArnContext, type SdkCall } from './calls.ts';
import type { TargetClients } from './clients.ts';

export interface DeployedFunction {
  name: string;
  arn: string;
  memoryMB: number;
  timeoutSeconds: number;
  reservedConcurrency: number | null;
  /**
   * The function's total provisioned concurrency, over every version and alias that has some (AWS
   * compares reserved concurrency with the total); null when the target could not say (an endpoint
   * without the API).
   */
  provisionedConcurrency: number | null;
  environment: Record<string, string>;
}

export interface DeployedQueue {
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  redrive: { deadLetterQueue: string; maxReceiveCount: number } | null;
}

export interface DeployedEventSource {
  id: string;
  uuid: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  maximumConcurrency: number | null;
  enabled: boolean;
  reportBatchItemFailures: boolean;
  /** MetricsConfig.Metrics (`EventCount` turns on the mapping's event metrics). */
  metrics: string[];
}

export interface DeployedSystem {
  account: { id: string; concurrencyLimit: number | null; unreservedConcurrentExecutions: number | null };
  functions: Record<string, DeployedFunction>;
  queues: Record<string, DeployedQueue>;
  eventSources: Record<string, DeployedEventSource>;
  /** What could not be read and why (endpoints that lack an API); the experiment's value is kept. */
  warnings: string[];
  /** Every read made, in order (for the plan and the IAM policy). */
  calls: SdkCall[];
}

function nameOfArn(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.split(':').pop()! : nameOrArn;
}

/**
 * The reads `readDeployed` makes, listed without making them (an offline plan and its IAM policy);
 * the preflight tests check the two agree.
 */
export function deployedReadCalls(exp: ResolvedExperiment, x: ArnContext): SdkCall[] {
  const calls: SdkCall[] = [{ service: 'lambda', operation: 'GetAccountSettings', resource: 'account', arn: '*' }];
  for (const name of Object.keys(exp.system.functions)) {
    const arn = arns.function(x, name);
    calls.push({ service: 'lambda', operation: 'GetFunctionConfiguration', resource: name, arn });
    calls.push({ service: 'lambda', operation: 'GetFunctionConcurrency', resource: name, arn });
    calls.push({ service: 'lambda', operation: 'ListProvisionedConcurrencyConfigs', resource: name, arn });
  }
  for (const name of Object.keys(exp.system.queues)) {
    const arn = arns.queue(x, name);
    calls.push({ service: 'sqs', operation: 'GetQueueUrl', resource: name, arn });
    calls.push({ service: 'sqs', operation: 'GetQueueAttributes', resource: name, arn });
  }
  for (const es of exp.system.eventSources) calls.push({ service: 'lambda', operation: 'ListEventSourceMappings', resource: es.id, arn: '*' });
  for (const a of exp.chaos.alarms ?? []) calls.push({ service: 'cloudwatch', operation: 'DescribeAlarms', resource: `alarm ${a.alarm}`, arn: arns.alarm(x, alarmName(a.alarm)) });
  return calls;
}

export async function readDeployed(exp: ResolvedExperiment, c: TargetClients, accountId: string): Promise<DeployedSystem> {
  const x: ArnContext = { region: c.region, account: accountId };
  const calls: SdkCall[] = [];
  const warnings: string[] = [];
  const ctx = (service: SdkCall['service'], operation: string, resource: string, arn: string) => {
    calls.push({ service, operation, resource, arn });
    return { action: `${service}:${operation}`, resource, endpoint: c.endpoint, region: c.region };
  };
  /** An endpoint override that lacks an API only loses that value; AWS itself must answer. */
  const optional = async <T>(k: ReturnType<typeof ctx>, f: () => Promise<T>, onMissing: (e: unknown) => T | undefined): Promise<T | null> => {
    try {
      return await f();
    } catch (e) {
      const handled = onMissing(e);
      if (handled !== undefined) return handled;
      if (c.endpoint && classify(e) === 'unsupported') {
        warnings.push(`${c.endpoint} does not implement ${k.action}; the experiment's value for ${k.resource} is used`);
        return null;
      }
      throw environmentError(e, k);
    }
  };

  const k0 = ctx('lambda', 'GetAccountSettings', 'account', '*');
  const settings = await optional(k0, () => c.lambda.send(new GetAccountSettingsCommand({})), () => undefined);
  const account = {
    id: accountId,
    concurrencyLimit: settings?.AccountLimit?.ConcurrentExecutions ?? null,
    unreservedConcurrentExecutions: settings?.AccountLimit?.UnreservedConcurrentExecutions ?? null,
  };

  const functions: Record<string, DeployedFunction> = {};
  for (const name of Object.keys(exp.system.functions)) {
    const arn = arns.function(x, name);
    const cfg = await call(ctx('lambda', 'GetFunctionConfiguration', name, arn), () => c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })));
    const conc = await call(ctx('lambda', 'GetFunctionConcurrency', name, arn), () => c.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name })));
    const kp = ctx('lambda', 'ListProvisionedConcurrencyConfigs', name, arn);
    const pc = await optional(
      kp,
      async () => {
        // Provisioned concurrency may sit on any published version or alias, not only squall's `live`.
        let total = 0;
        let marker: string | undefined;
        do {
          const page = await c.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name, Marker: marker }));
          for (const p of page.ProvisionedConcurrencyConfigs ?? []) total += p.RequestedProvisionedConcurrentExecutions ?? 0;
          marker = page.NextMarker;
        } while (marker);
        return total;
      },
      () => undefined,
    );
    functions[name] = {
      name,
      arn: cfg.FunctionArn ?? arn,
      memoryMB: cfg.MemorySize ?? 128,
      timeoutSeconds: cfg.Timeout ?? 3,
      reservedConcurrency: conc.ReservedConcurrentExecutions ?? null,
      provisionedConcurrency: pc,
      environment: { ...(cfg.Environment?.Variables ?? {}) },
    };
  }

  const queues: Record<string, DeployedQueue> = {};
  for (const name of Object.keys(exp.system.queues)) {
    const arn = arns.queue(x, name);
    const url = (await call(ctx('sqs', 'GetQueueUrl', name, arn), () => c.sqs.send(new GetQueueUrlCommand({ QueueName: nameOfArn(name) })))).QueueUrl!;
    const a = (await call(ctx('sqs', 'GetQueueAttributes', name, arn), () => c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })))).Attributes ?? {};
    let redrive: DeployedQueue['redrive'] = null;
    if (a.RedrivePolicy) {
      const p = JSON.parse(a.RedrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
      if (p.deadLetterTargetArn) redrive = { deadLetterQueue: nameOfArn(p.deadLetterTargetArn), maxReceiveCount: Number(p.maxReceiveCount ?? 0) };
    }
    queues[name] = { name, url, arn: a.QueueArn ?? arn, visibilityTimeoutSeconds: Number(a.VisibilityTimeout ?? 30), redrive };
  }

  const eventSources: Record<string, DeployedEventSource> = {};
  for (const es of exp.system.eventSources) {
    const queueArn = queues[es.queue]?.arn ?? arns.queue(x, es.queue);
    const list = await call(ctx('lambda', 'ListEventSourceMappings', es.id, '*'), () =>
      c.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: es.function, EventSourceArn: queueArn })),
    );
    const m = list.EventSourceMappings?.find((y) => y.EventSourceArn === queueArn);
    if (!m?.UUID) {
      throw environmentError(Object.assign(new Error(`no event source mapping from ${es.queue} to ${es.function}`), { name: 'ResourceNotFoundException' }), {
        action: 'lambda:ListEventSourceMappings',
        resource: `the event source mapping ${es.id}`,
        endpoint: c.endpoint,
        region: c.region,
      });
    }
    eventSources[es.id] = {
      id: es.id,
      uuid: m.UUID,
      batchSize: m.BatchSize ?? 10,
      maximumBatchingWindowSeconds: m.MaximumBatchingWindowInSeconds ?? 0,
      maximumConcurrency: m.ScalingConfig?.MaximumConcurrency ?? null,
      enabled: m.State === undefined || ['Enabled', 'Enabling', 'Creating', 'Updating'].includes(m.State),
      reportBatchItemFailures: (m.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      metrics: [...(m.MetricsConfig?.Metrics ?? [])],
    };
  }
  // Alarm stop conditions: each alarm must exist now, or the brake would silently never fire.
  const alarms = exp.chaos.alarms ?? [];
  if (alarms.length) {
    const k = ctx('cloudwatch', 'DescribeAlarms', alarms.map((a) => `alarm ${a.alarm}`).join(', '), arns.alarm(x, alarmName(alarms[0]!.alarm)));
    calls.pop();
    for (const a of alarms) calls.push({ service: 'cloudwatch', operation: 'DescribeAlarms', resource: `alarm ${a.alarm}`, arn: arns.alarm(x, alarmName(a.alarm)) });
    const states = await call(k, () => alarmStates(c, alarms.map((a) => a.alarm)));
    for (const a of alarms) {
      if (states.get(alarmName(a.alarm)) === null) {
        throw environmentError(Object.assign(new Error(`no alarm named ${alarmName(a.alarm)}`), { name: 'ResourceNotFound' }), { ...k, resource: `the CloudWatch alarm ${a.alarm} (a stop condition)` });
      }
      if (states.get(alarmName(a.alarm)) === 'ALARM') warnings.push(`the stop condition's alarm ${a.alarm} is in ALARM already: the run will stop its faults at once`);
    }
  }
  return { account, functions, queues, eventSources, warnings, calls };
}
