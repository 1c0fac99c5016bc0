/**
 * Event source mapping operations (Create/Get/List/Update/Delete), validated with AWS's messages
 * (reference §3.2–3.5) and mapped to EventSourceMappingConfiguration. Only SQS sources exist here.
 */
import { EMULATED_ACCOUNT, ESM } from '../../contracts/aws-facts.ts';
import type { SqsModel } from '../sqs/model.ts';
import { functionArn, functionNotFound, invalidParameter, LambdaError, resourceConflict, resourceNotFound, validationError } from './errors.ts';
import type { LambdaModel } from './model/functions.ts';
import type { EsmManager, Mapping, MappingConfig } from './model/esm.ts';
import { parseFunctionName, resolveQualifier } from './names.ts';
import { paginate, type Reply } from './provider.ts';
import { isErr, optBool, optInt, optString, readJsonObject, required, type Json } from './validate.ts';

const METRICS = ['EventCount', 'ErrorCount', 'KafkaMetrics'];

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export class EsmProvider {
  /** MetricsConfig.Metrics per mapping UUID: echoed as AWS does; the emulator's metrics are always on. */
  private readonly metricsConfig = new Map<string, string[]>();

  constructor(
    private readonly model: LambdaModel,
    private readonly sqs: SqsModel,
    readonly esm: EsmManager,
  ) {}

  shape(mp: Mapping): Json {
    const out: Json = {
      UUID: mp.uuid,
      BatchSize: mp.config.batchSize,
      MaximumBatchingWindowInSeconds: mp.config.maximumBatchingWindowSeconds,
      EventSourceArn: mp.queue.arn,
      FunctionArn: functionArn(mp.fn.name, mp.qualifier),
      LastModified: mp.lastModifiedEpochMs / 1000,
      LastProcessingResult: mp.lastProcessingResult,
      State: mp.state,
      StateTransitionReason: 'USER_INITIATED',
      FunctionResponseTypes: mp.config.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      EventSourceMappingArn: `arn:aws:lambda:${EMULATED_ACCOUNT.region}:${EMULATED_ACCOUNT.accountId}:event-source-mapping:${mp.uuid}`,
    };
    if (mp.config.maximumConcurrency !== null) out.ScalingConfig = { MaximumConcurrency: mp.config.maximumConcurrency };
    const metrics = this.metricsConfig.get(mp.uuid);
    if (metrics) out.MetricsConfig = { Metrics: [...metrics] };
    return out;
  }

  /** MetricsConfig.Metrics: a list of at most 3 of EventCount, ErrorCount, KafkaMetrics [MODEL EventSourceMappingMetricsConfig]. */
  private readMetrics(o: Json): string[] | undefined | LambdaError {
    const mc = o.MetricsConfig;
    if (mc === undefined || mc === null) return undefined;
    if (typeof mc !== 'object' || Array.isArray(mc)) return validationError(mc, 'metricsConfig', 'Member must be a structure');
    const list = (mc as Json).Metrics;
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || !METRICS.includes(x))) {
      return validationError(list, 'metricsConfig.metrics', `Member must satisfy constraint: [Member must satisfy enum value set: [${METRICS.join(', ')}]]`);
    }
    if (list.length > 3) return validationError(list, 'metricsConfig.metrics', 'Member must have length less than or equal to 3');
    return list as string[];
  }

  /** Read the members shared by Create and Update onto `base`. */
  private readConfig(o: Json, base: MappingConfig, fifo: boolean): MappingConfig | LambdaError {
    const batch = optInt(o, 'BatchSize', 'batchSize', ESM.batchSizeMin, ESM.batchSizeMaxStandard);
    if (isErr(batch)) return batch;
    const window = optInt(o, 'MaximumBatchingWindowInSeconds', 'maximumBatchingWindowInSeconds', 0, ESM.batchingWindowMaxSeconds);
    if (isErr(window)) return window;
    const enabled = optBool(o, 'Enabled', 'enabled');
    if (isErr(enabled)) return enabled;
    let maxConc = base.maximumConcurrency;
    if (o.ScalingConfig !== undefined && o.ScalingConfig !== null) {
      if (typeof o.ScalingConfig !== 'object') return validationError(o.ScalingConfig, 'scalingConfig', 'Member must be a structure');
      const mc = optInt(o.ScalingConfig as Json, 'MaximumConcurrency', 'scalingConfig.maximumConcurrency', ESM.maximumConcurrencyMin, ESM.maximumConcurrencyMax);
      if (isErr(mc)) return mc;
      maxConc = mc ?? null;
    }
    let report = base.reportBatchItemFailures;
    if (o.FunctionResponseTypes !== undefined && o.FunctionResponseTypes !== null) {
      const t = o.FunctionResponseTypes;
      if (!Array.isArray(t) || t.some((x) => x !== 'ReportBatchItemFailures')) {
        return validationError(t, 'functionResponseTypes', 'Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]');
      }
      report = t.length > 0;
    }
    const cfg: MappingConfig = {
      batchSize: batch ?? base.batchSize,
      maximumBatchingWindowSeconds: window ?? base.maximumBatchingWindowSeconds,
      reportBatchItemFailures: report,
      maximumConcurrency: maxConc,
      enabled: enabled ?? base.enabled,
    };
    if (fifo && cfg.batchSize > ESM.batchSizeMaxFifo) {
      return invalidParameter(`BatchSize must be between 1 and ${ESM.batchSizeMaxFifo} for FIFO queues.`);
    }
    if (cfg.batchSize > ESM.batchSizeWithoutWindowMax && cfg.maximumBatchingWindowSeconds < 1) {
      // AWS-validated wording [3.4].
      return invalidParameter('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    }
    return cfg;
  }

  create(body: Buffer): Reply | LambdaError {
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const rawFn = required(optString(o, 'FunctionName', 'functionName', 140), 'functionName');
    if (isErr(rawFn)) return rawFn;
    const ref = parseFunctionName(rawFn, 140);
    if (isErr(ref)) return ref;
    const q = resolveQualifier(ref, null);
    if (isErr(q)) return q;
    const fn = this.model.get(ref.name);
    if (!fn || (q !== null && !fn.hasQualifier(q))) return functionNotFound(ref.name, q);
    const arn = optString(o, 'EventSourceArn', 'eventSourceArn');
    if (isErr(arn)) return arn;
    if (arn === undefined) return invalidParameter('Unrecognized event source, must be kafka or MQ type');
    if (!arn.startsWith('arn:aws:sqs:')) return invalidParameter(`Unsupported event source ${arn}: the emulator has SQS event sources only`);
    const queue = this.sqs.getQueueByArn(arn);
    if (!queue) {
      return invalidParameter('Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.');
    }
    const metrics = this.readMetrics(o);
    if (isErr(metrics)) return metrics;
    const cfg = this.readConfig(o, { batchSize: ESM.batchSizeDefault, maximumBatchingWindowSeconds: ESM.batchingWindowDefaultSeconds, reportBatchItemFailures: false, maximumConcurrency: null, enabled: true }, queue.fifo);
    if (isErr(cfg)) return cfg;
    const vt = queue.config.VisibilityTimeout;
    if (fn.spec.timeoutSeconds > vt) {
      // Wording UNCONFIRMED (reference §8 item 7); the check itself is documented [3.5].
      return invalidParameter(`Queue visibility timeout: ${vt} seconds is less than Function timeout: ${fn.spec.timeoutSeconds} seconds`);
    }
    for (const mp of this.esm.list()) {
      if (!mp.deleted && mp.queue === queue && mp.fn === fn) {
        return resourceConflict(
          `An event source mapping with SQS arn (" ${arn} ") and function (" ${fn.name} ") already exists. Please update or delete the existing mapping with UUID ${mp.uuid}`,
        );
      }
    }
    const mp = this.esm.create(queue, fn, q, cfg);
    if (metrics && metrics.length) this.metricsConfig.set(mp.uuid, metrics);
    return { status: 202, json: this.shape(mp) };
  }

  private find(id: string): Mapping | LambdaError {
    if (!UUID_RE.test(id)) return validationError(id, 'UUID', 'Member must satisfy regular expression pattern: [0-9a-fA-F-]{36}');
    const mp = this.esm.get(id);
    if (!mp || mp.deleted) return resourceNotFound('The resource you requested does not exist.');
    return mp;
  }

  get(id: string): Reply | LambdaError {
    const mp = this.find(id);
    if (isErr(mp)) return mp;
    return { status: 200, json: this.shape(mp) };
  }

  list(query: URLSearchParams): Reply | LambdaError {
    const arn = query.get('EventSourceArn');
    const rawFn = query.get('FunctionName');
    let fnName: string | null = null;
    if (rawFn) {
      const ref = parseFunctionName(rawFn);
      if (isErr(ref)) return ref;
      fnName = ref.name;
    }
    const all = this.esm.list().filter((mp) => !mp.deleted && (arn === null || mp.queue.arn === arn) && (fnName === null || mp.fn.name === fnName));
    const page = paginate(all, query);
    if (isErr(page)) return page;
    const out: Json = { EventSourceMappings: page.items.map((mp) => this.shape(mp)) };
    if (page.next) out.NextMarker = page.next;
    return { status: 200, json: out };
  }

  update(id: string, body: Buffer): Reply | LambdaError {
    const mp = this.find(id);
    if (isErr(mp)) return mp;
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    let fn = mp.fn;
    let qualifier = mp.qualifier;
    if (o.FunctionName !== undefined) {
      const rawFn = optString(o, 'FunctionName', 'functionName', 140);
      if (isErr(rawFn)) return rawFn;
      const ref = parseFunctionName(rawFn!, 140);
      if (isErr(ref)) return ref;
      const q = resolveQualifier(ref, null);
      if (isErr(q)) return q;
      const f = this.model.get(ref.name);
      if (!f || (q !== null && !f.hasQualifier(q))) return functionNotFound(ref.name, q);
      fn = f;
      qualifier = q;
    }
    const metrics = this.readMetrics(o);
    if (isErr(metrics)) return metrics;
    const cfg = this.readConfig(o, mp.config, mp.queue.fifo);
    if (isErr(cfg)) return cfg;
    this.esm.update(mp, cfg, fn, qualifier);
    // An empty Metrics list turns metrics off, as on AWS.
    if (metrics !== undefined) {
      if (metrics.length) this.metricsConfig.set(mp.uuid, metrics);
      else this.metricsConfig.delete(mp.uuid);
    }
    return { status: 202, json: this.shape(mp) };
  }

  delete(id: string): Reply | LambdaError {
    const mp = this.find(id);
    if (isErr(mp)) return mp;
    this.esm.delete(mp);
    const shown = this.shape(mp);
    this.metricsConfig.delete(mp.uuid);
    return { status: 202, json: shown };
  }
}
