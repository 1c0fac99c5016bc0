/**
 * The Lambda provider: one method per AWS operation. It validates input with AWS's messages,
 * calls the model, and maps results to the operation's output shape (REST-JSON, reference §5.2).
 * Everything it returns is data (`Reply`); the service turns it into HTTP. Event source mapping
 * operations live in `esm-provider.ts`.
 */
import { LAMBDA, LAMBDA_ACCOUNT_LIMITS, LAMBDA_ASYNC } from '../../contracts/aws-facts.ts';
import type { ResolvedFunction } from '../../experiment/types.ts';
import {
  functionArn,
  functionNotFound,
  invalidParameter,
  invalidRequestContent,
  LambdaError,
  provisionedConfigNotFound,
  requestTooLarge,
  resourceConflict,
  resourceNotFound,
  tooManyRequests,
  validationError,
} from './errors.ts';
import type { AsyncInvoker } from './model/async-invoke.ts';
import { defaultSpec, type FunctionCode, type FunctionSpec, type LambdaFunction, type LambdaModel } from './model/functions.ts';
import type { InvokeOutcome } from './model/runtime.ts';
import { parseFunctionName, resolveQualifier, type FunctionRef } from './names.ts';
import { isErr, optInt, optString, readJsonObject, required, type Json } from './validate.ts';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON value (serialised by the service) or raw text/bytes. */
  json?: unknown;
  raw?: string | Buffer;
}

const ok = (json: unknown, status = 200): Reply => ({ status, json });
const noContent: Reply = { status: 204 };

/** Function code as the emulator runs it, from a resolved experiment function. */
export function specFromResolved(f: ResolvedFunction, asyncRetryDelaysSeconds?: number[]): FunctionSpec {
  const code: FunctionCode = f.handler
    ? { kind: 'handler', file: f.handler.file, export: f.handler.export }
    : { kind: 'synthetic', behaviour: f.synthetic ?? { duration: { kind: 'constant', ms: 0 }, errorRate: 0, poison: null, response: null } };
  const base = defaultSpec(f.name, code);
  return {
    ...base,
    memoryMB: f.memoryMB,
    timeoutSeconds: f.timeoutSeconds,
    architecture: f.architecture,
    initMs: f.coldStart.initMs,
    handler: f.handler ? `${f.handler.file.split(/[\\/]/).pop()!.replace(/\.[^.]+$/, '')}.${f.handler.export}` : 'synthetic.handler',
    asyncRetryDelaysSeconds: asyncRetryDelaysSeconds ?? f.async.retryDelaysSeconds,
    cpu: f.cpu ?? null,
  };
}

/** The tail AWS puts in X-Amz-Log-Result: START/END/REPORT around the handler's lines, last 4 KB, base64 (§5.2). */
export function logTail(fn: LambdaFunction, requestId: string, o: InvokeOutcome, initMs: number): string {
  const billed = Math.max(1, Math.ceil(o.durationMs));
  let text = `START RequestId: ${requestId} Version: $LATEST\n`;
  if (o.log) text += `${o.log}\n`;
  text += `END RequestId: ${requestId}\nREPORT RequestId: ${requestId}\tDuration: ${o.durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\tMemory Size: ${fn.spec.memoryMB} MB\tMax Memory Used: ${fn.spec.memoryMB} MB\t`;
  if (initMs >= 0) text += `Init Duration: ${initMs.toFixed(2)} ms\t`;
  text += '\n';
  const buf = Buffer.from(text, 'utf8');
  return (buf.length > LAMBDA.logTailBytes ? buf.subarray(buf.length - LAMBDA.logTailBytes) : buf).toString('base64');
}

export class LambdaProvider {
  constructor(
    readonly model: LambdaModel,
    readonly asyncInvoker: AsyncInvoker,
    private readonly endpoint: () => string,
  ) {}

  // -------------------------------------------------------------------------------------------
  // Lookup helpers

  ref(raw: string, maxLen?: number): FunctionRef | LambdaError {
    return parseFunctionName(raw, maxLen);
  }

  /** The function named by a path parameter (qualifier ignored), or AWS's 404. */
  fn(raw: string): LambdaFunction | LambdaError {
    const ref = parseFunctionName(raw);
    if (isErr(ref)) return ref;
    return this.model.get(ref.name) ?? functionNotFound(ref.name);
  }

  fnq(raw: string, qualifier: string | null): { fn: LambdaFunction; qualifier: string | null } | LambdaError {
    const ref = parseFunctionName(raw);
    if (isErr(ref)) return ref;
    const q = resolveQualifier(ref, qualifier);
    if (isErr(q)) return q;
    const fn = this.model.get(ref.name);
    if (!fn) return functionNotFound(ref.name, q);
    return { fn, qualifier: q };
  }

  functionUrl(name: string): string {
    return `${this.endpoint()}/_url/${name}/`;
  }

  // -------------------------------------------------------------------------------------------
  // Functions

  configuration(fn: LambdaFunction): Json {
    const s = fn.spec;
    const out: Json = {
      FunctionName: s.name,
      FunctionArn: fn.arn,
      Runtime: s.runtime,
      Role: s.role,
      Handler: s.handler,
      CodeSize: 0,
      Description: s.description,
      Timeout: s.timeoutSeconds,
      MemorySize: s.memoryMB,
      LastModified: fn.lastModifiedIso,
      CodeSha256: fn.codeSha256,
      Version: '$LATEST',
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: fn.revisionId,
      State: 'Active',
      LastUpdateStatus: fn.lastUpdateStatus,
      PackageType: 'Zip',
      Architectures: [s.architecture],
      EphemeralStorage: { Size: LAMBDA.ephemeralStorageMinMB },
      SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
      LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${s.name}` },
    };
    if (Object.keys(s.env).length) out.Environment = { Variables: { ...s.env } };
    return out;
  }

  createFunction(body: Buffer): Reply | LambdaError {
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const rawName = required(optString(o, 'FunctionName', 'functionName', 140), 'functionName');
    if (isErr(rawName)) return rawName;
    const ref = parseFunctionName(rawName, 140);
    if (isErr(ref)) return ref;
    const role = required(optString(o, 'Role', 'role'), 'role');
    if (isErr(role)) return role;
    if (!/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(role)) {
      return validationError(role, 'role', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
    }
    if (o.Code === undefined || o.Code === null || typeof o.Code !== 'object') return validationError(null, 'code', 'Member must not be null');
    const timeout = optInt(o, 'Timeout', 'timeout', 1, LAMBDA.timeoutMaxSeconds);
    if (isErr(timeout)) return timeout;
    const memory = optInt(o, 'MemorySize', 'memorySize', LAMBDA.memoryMinMB, LAMBDA.memoryMaxMB);
    if (isErr(memory)) return memory;
    const handler = optString(o, 'Handler', 'handler', 128);
    if (isErr(handler)) return handler;
    const runtime = optString(o, 'Runtime', 'runtime', 64);
    if (isErr(runtime)) return runtime;
    const description = optString(o, 'Description', 'description', 256);
    if (isErr(description)) return description;
    const env = readEnv(o);
    if (isErr(env)) return env;
    if (this.model.get(ref.name)) return resourceConflict(`Function already exist: ${ref.name}`);
    // The uploaded code cannot run here. SQUALL_HANDLER=/abs/file.mjs#export runs a real handler
    // file in a worker; otherwise the function is synthetic: 0 ms, returns {"ok":true}.
    const code = codeFromEnv(env);
    if (isErr(code)) return code;
    const archs = Array.isArray(o.Architectures) ? o.Architectures : [];
    const spec: FunctionSpec = {
      ...defaultSpec(ref.name, code),
      timeoutSeconds: timeout ?? LAMBDA.timeoutDefaultSeconds,
      memoryMB: memory ?? LAMBDA.memoryDefaultMB,
      handler: handler ?? 'index.handler',
      runtime: runtime ?? 'nodejs20.x',
      role,
      description: description ?? '',
      env,
      architecture: archs[0] === 'arm64' ? 'arm64' : 'x86_64',
      initMs: { kind: 'constant', ms: LAMBDA.coldStartInitMsDefault },
    };
    const fn = this.model.create(spec);
    return ok(this.configuration(fn), 201);
  }

  /** `POST /_squall/lambda/functions`: create (or replace) a function from a resolved experiment function. */
  createFromResolved(f: ResolvedFunction): LambdaFunction {
    const existing = this.model.get(f.name);
    const spec = specFromResolved(f);
    if (existing) {
      this.model.update(existing, spec);
      return existing;
    }
    return this.model.create(spec);
  }

  updateFunctionConfiguration(raw: string, body: Buffer): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const timeout = optInt(o, 'Timeout', 'timeout', 1, LAMBDA.timeoutMaxSeconds);
    if (isErr(timeout)) return timeout;
    const memory = optInt(o, 'MemorySize', 'memorySize', LAMBDA.memoryMinMB, LAMBDA.memoryMaxMB);
    if (isErr(memory)) return memory;
    const description = optString(o, 'Description', 'description', 256);
    if (isErr(description)) return description;
    if (fn.lastUpdateStatus === 'InProgress') return updateInProgress(fn);
    const spec: FunctionSpec = { ...fn.spec };
    if (timeout !== undefined) spec.timeoutSeconds = timeout;
    if (memory !== undefined) spec.memoryMB = memory;
    if (description !== undefined) spec.description = description;
    if (o.Environment !== undefined) {
      const env = readEnv(o);
      if (isErr(env)) return env;
      spec.env = env;
      if (env.SQUALL_HANDLER) {
        const code = codeFromEnv(env);
        if (isErr(code)) return code;
        spec.code = code;
      }
    }
    this.model.update(fn, spec);
    return ok(this.beginUpdate(fn));
  }

  /**
   * The configuration an update answers with: LastUpdateStatus InProgress, which settles to
   * Successful on the next turn of the clock (AWS takes seconds; clients poll GetFunctionConfiguration
   * or use the function-updated waiter, which both work against either).
   */
  private beginUpdate(fn: LambdaFunction): Json {
    fn.lastUpdateStatus = 'InProgress';
    const shown = this.configuration(fn);
    this.model.clock.setTimer(() => {
      fn.lastUpdateStatus = 'Successful';
    }, 0);
    return shown;
  }

  getFunction(raw: string, qualifier: string | null): Reply | LambdaError {
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    const out: Json = {
      Configuration: this.configuration(r.fn),
      Code: { RepositoryType: 'S3', Location: `${this.endpoint()}/_squall/lambda/code/${r.fn.name}` },
    };
    if (r.fn.concurrency.reserved !== null) out.Concurrency = { ReservedConcurrentExecutions: r.fn.concurrency.reserved };
    return ok(out);
  }

  getFunctionConfiguration(raw: string, qualifier: string | null): Reply | LambdaError {
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    return ok(this.configuration(r.fn));
  }

  listFunctions(query: URLSearchParams): Reply | LambdaError {
    const page = paginate(this.model.list(), query);
    if (isErr(page)) return page;
    const out: Json = { Functions: page.items.map((f) => this.configuration(f)) };
    if (page.next) out.NextMarker = page.next;
    return ok(out);
  }

  deleteFunction(raw: string): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    this.model.delete(fn);
    return noContent;
  }

  // -------------------------------------------------------------------------------------------
  // Invoke

  /**
   * Invoke: RequestResponse (200), Event (202), DryRun (204). Sync throttles are 429 with AWS's
   * Reason; a function error is still 200 with `X-Amz-Function-Error: Unhandled` (§5.2).
   */
  invoke(raw: string, qualifier: string | null, headers: Readonly<Record<string, string>>, body: Buffer, requestId: string): Reply | LambdaError | Promise<Reply | LambdaError> {
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    const type = headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
      return validationError(type, 'invocationType', 'Member must satisfy enum value set: [Event, RequestResponse, DryRun]');
    }
    const logType = headers['x-amz-log-type'] ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') return validationError(logType, 'logType', 'Member must satisfy enum value set: [None, Tail]');
    const clientContext = headers['x-amz-client-context'] ?? null;
    if (clientContext !== null && clientContext.length > LAMBDA.clientContextMaxBytes) {
      return invalidParameter(`Client context must be at most ${LAMBDA.clientContextMaxBytes} bytes`);
    }
    if (clientContext !== null && !isBase64JsonObject(clientContext)) {
      return invalidRequestContent('Client context must be a valid Base64-encoded JSON object.');
    }
    if (type === 'Event' && body.length > LAMBDA.asyncPayloadMaxBytes) {
      return requestTooLarge(`${body.length} byte payload is too large for the Event invocation type (limit ${LAMBDA.asyncPayloadMaxBytes} bytes)`);
    }
    if (body.length > LAMBDA.syncPayloadMaxBytes) return requestTooLarge(`Request must be smaller than ${LAMBDA.syncPayloadMaxBytes} bytes for the InvokeFunction operation`);
    const payload = body.length === 0 ? '{}' : body.toString('utf8');
    try {
      JSON.parse(payload);
    } catch (e) {
      return new LambdaError(
        'InvalidRequestContentException',
        400,
        `Could not parse request body into json: Could not parse payload into json: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const { fn } = r;
    const version = { 'x-amz-executed-version': '$LATEST' };
    if (type === 'DryRun') return { status: 204, headers: version };
    if (type === 'Event') {
      this.asyncInvoker.enqueue(fn, r.qualifier, payload);
      return { status: 202, headers: version };
    }
    return new Promise((resolve) => {
      this.model.invoke(fn, r.qualifier, { requestId, payload, event: undefined, logTail: logType === 'Tail', clientContext }, (throttle, o, initMs) => {
        if (throttle !== null) {
          resolve(tooManyRequests(throttle));
          return;
        }
        resolve(this.invokeReply(fn, requestId, o!, initMs, logType === 'Tail'));
      });
    });
  }

  private invokeReply(fn: LambdaFunction, requestId: string, o: InvokeOutcome, initMs: number, tail: boolean): Reply {
    const h: Record<string, string> = { 'x-amz-executed-version': '$LATEST', 'content-type': 'application/json' };
    let payload = o.payload;
    let functionError = o.functionError;
    if (Buffer.byteLength(payload) > LAMBDA.syncPayloadMaxBytes) {
      payload = JSON.stringify({
        errorMessage: `Response payload size exceeded maximum allowed payload size (${LAMBDA.syncPayloadMaxBytes} bytes).`,
        errorType: 'Function.ResponseSizeTooLarge',
      });
      functionError = true;
    }
    if (functionError) h['x-amz-function-error'] = 'Unhandled';
    if (tail) h['x-amz-log-result'] = logTail(fn, requestId, o, initMs);
    return { status: 200, headers: h, raw: payload };
  }

  /** Deprecated InvokeAsync (202, `{"Status":202}`); 256 KB payload limit [1.6]. */
  invokeAsync(raw: string, body: Buffer): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    if (body.length > 256 * 1024) return requestTooLarge('Request must be smaller than 262144 bytes for the InvokeFunction operation');
    this.asyncInvoker.enqueue(fn, null, body.length ? body.toString('utf8') : '{}');
    return ok({ Status: 202 }, 202);
  }

  // -------------------------------------------------------------------------------------------
  // Reserved concurrency

  putFunctionConcurrency(raw: string, body: Buffer): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const v = required(optInt(o, 'ReservedConcurrentExecutions', 'reservedConcurrentExecutions', 0, null), 'reservedConcurrentExecutions');
    if (isErr(v)) return v;
    const problem = this.model.concurrency.checkReserved(fn.concurrency, v);
    if (problem) return invalidParameter(problem);
    this.model.concurrency.setReserved(fn.concurrency, v);
    return ok({ ReservedConcurrentExecutions: v });
  }

  getFunctionConcurrency(raw: string): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    // `{}` when unset [AWS-VALIDATED test_lambda_concurrency_crud, §5.2].
    return ok(fn.concurrency.reserved === null ? {} : { ReservedConcurrentExecutions: fn.concurrency.reserved });
  }

  deleteFunctionConcurrency(raw: string): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    this.model.concurrency.setReserved(fn.concurrency, null);
    return noContent;
  }

  // -------------------------------------------------------------------------------------------
  // Provisioned concurrency (only on the alias `live`: $LATEST is rejected as on AWS, §1.3)

  private pcTarget(raw: string, qualifier: string | null): { fn: LambdaFunction; qualifier: string } | LambdaError {
    if (qualifier === null || qualifier === '') return validationError(null, 'qualifier', 'Member must not be null');
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    if (r.qualifier === '$LATEST' || r.qualifier === null) {
      return invalidParameter('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    }
    return { fn: r.fn, qualifier: r.qualifier };
  }

  private pcShape(fn: LambdaFunction, qualifier: string): Json | null {
    const slots = fn.concurrency.provisioned.get(qualifier);
    const state = fn.provisionedState.get(qualifier);
    if (!slots || !state) return null;
    const out: Json = {
      RequestedProvisionedConcurrentExecutions: slots.requested,
      AvailableProvisionedConcurrentExecutions: slots.allocated,
      AllocatedProvisionedConcurrentExecutions: slots.allocated,
      Status: state.status,
      LastModified: state.lastModifiedIso,
    };
    if (state.statusReason) out.StatusReason = state.statusReason;
    return out;
  }

  putProvisioned(raw: string, qualifier: string | null, body: Buffer): Reply | LambdaError {
    const t = this.pcTarget(raw, qualifier);
    if (isErr(t)) return t;
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const v = required(optInt(o, 'ProvisionedConcurrentExecutions', 'provisionedConcurrentExecutions', 1, null), 'provisionedConcurrentExecutions');
    if (isErr(v)) return v;
    const problem = this.model.concurrency.checkProvisioned(t.fn.concurrency, t.qualifier, v);
    if (problem) return invalidParameter(problem);
    this.model.setProvisioned(t.fn, t.qualifier, v);
    const shape = this.pcShape(t.fn, t.qualifier)!;
    return ok(shape, 202);
  }

  getProvisioned(raw: string, qualifier: string | null): Reply | LambdaError {
    const t = this.pcTarget(raw, qualifier);
    if (isErr(t)) return t;
    const shape = this.pcShape(t.fn, t.qualifier);
    return shape ? ok(shape) : provisionedConfigNotFound();
  }

  deleteProvisioned(raw: string, qualifier: string | null): Reply | LambdaError {
    const t = this.pcTarget(raw, qualifier);
    if (isErr(t)) return t;
    if (!t.fn.concurrency.provisioned.has(t.qualifier)) return provisionedConfigNotFound();
    this.model.deleteProvisioned(t.fn, t.qualifier);
    return noContent;
  }

  listProvisioned(raw: string, query: URLSearchParams): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    const all = [...fn.concurrency.provisioned.keys()].map((q) => ({ FunctionArn: functionArn(fn.name, q), ...this.pcShape(fn, q)! }));
    const page = paginate(all, query);
    if (isErr(page)) return page;
    const out: Json = { ProvisionedConcurrencyConfigs: page.items };
    if (page.next) out.NextMarker = page.next;
    return ok(out);
  }

  // -------------------------------------------------------------------------------------------
  // Account

  getAccountSettings(): Reply {
    const c = this.model.concurrency;
    return ok({
      AccountLimit: {
        TotalCodeSize: LAMBDA_ACCOUNT_LIMITS.totalCodeSizeBytes,
        CodeSizeUnzipped: LAMBDA_ACCOUNT_LIMITS.codeSizeUnzippedBytes,
        CodeSizeZipped: LAMBDA_ACCOUNT_LIMITS.codeSizeZippedBytes,
        ConcurrentExecutions: c.accountLimit,
        UnreservedConcurrentExecutions: c.unreservedConcurrentExecutions(),
      },
      AccountUsage: { TotalCodeSize: 0, FunctionCount: this.model.list().length },
    });
  }

  // -------------------------------------------------------------------------------------------
  // Asynchronous invocation config

  private eicShape(fn: LambdaFunction): Json {
    const c = fn.eventInvokeConfig!;
    const dest: Json = { OnSuccess: c.onSuccess ? { Destination: c.onSuccess } : {}, OnFailure: c.onFailure ? { Destination: c.onFailure } : {} };
    return {
      LastModified: c.lastModifiedEpochMs / 1000,
      FunctionArn: functionArn(fn.name, '$LATEST'),
      MaximumRetryAttempts: c.maximumRetryAttempts,
      MaximumEventAgeInSeconds: c.maximumEventAgeSeconds,
      DestinationConfig: dest,
    };
  }

  putEventInvokeConfig(raw: string, qualifier: string | null, body: Buffer, merge: boolean): Reply | LambdaError {
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const retries = optInt(o, 'MaximumRetryAttempts', 'maximumRetryAttempts', LAMBDA_ASYNC.maximumRetryAttemptsMin, LAMBDA_ASYNC.maximumRetryAttemptsMax);
    if (isErr(retries)) return retries;
    const age = optInt(o, 'MaximumEventAgeInSeconds', 'maximumEventAgeInSeconds', LAMBDA_ASYNC.maximumEventAgeSecondsMin, LAMBDA_ASYNC.maximumEventAgeSecondsMax);
    if (isErr(age)) return age;
    const dc = o.DestinationConfig as { OnSuccess?: { Destination?: unknown }; OnFailure?: { Destination?: unknown } } | undefined;
    const onSuccess = dc?.OnSuccess?.Destination;
    const onFailure = dc?.OnFailure?.Destination;
    for (const [d, field] of [
      [onSuccess, 'destinationConfig.onSuccess.destination'],
      [onFailure, 'destinationConfig.onFailure.destination'],
    ] as const) {
      if (d !== undefined && (typeof d !== 'string' || !/^arn:aws[a-zA-Z0-9-]*:(sqs|lambda|sns|events|s3):/.test(d))) {
        return invalidParameter(`The destination ARN ${String(d)} is invalid (${field}): use an SQS queue, Lambda function, SNS topic, EventBridge bus or S3 bucket ARN.`);
      }
    }
    if (merge && !r.fn.eventInvokeConfig) return resourceNotFound(`The function ${functionArn(r.fn.name, '$LATEST')} doesn't have an EventInvokeConfig`);
    const prev = merge ? r.fn.eventInvokeConfig : null;
    r.fn.eventInvokeConfig = {
      maximumRetryAttempts: retries ?? prev?.maximumRetryAttempts ?? LAMBDA_ASYNC.maximumRetryAttemptsDefault,
      maximumEventAgeSeconds: age ?? prev?.maximumEventAgeSeconds ?? LAMBDA_ASYNC.maximumEventAgeSecondsDefault,
      onSuccess: (onSuccess as string | undefined) ?? (dc?.OnSuccess ? null : (prev?.onSuccess ?? null)),
      onFailure: (onFailure as string | undefined) ?? (dc?.OnFailure ? null : (prev?.onFailure ?? null)),
      lastModifiedEpochMs: Math.floor(this.model.clock.epochMs()),
    };
    return ok(this.eicShape(r.fn));
  }

  getEventInvokeConfig(raw: string, qualifier: string | null): Reply | LambdaError {
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    if (!r.fn.eventInvokeConfig) return resourceNotFound(`The function ${functionArn(r.fn.name, '$LATEST')} doesn't have an EventInvokeConfig`);
    return ok(this.eicShape(r.fn));
  }

  listEventInvokeConfigs(raw: string): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    return ok({ FunctionEventInvokeConfigs: fn.eventInvokeConfig ? [this.eicShape(fn)] : [] });
  }

  deleteEventInvokeConfig(raw: string, qualifier: string | null): Reply | LambdaError {
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    if (!r.fn.eventInvokeConfig) return resourceNotFound(`The function ${functionArn(r.fn.name, '$LATEST')} doesn't have an EventInvokeConfig`);
    r.fn.eventInvokeConfig = null;
    return noContent;
  }

  // -------------------------------------------------------------------------------------------
  // Function URL configs

  private urlShape(fn: LambdaFunction, withModified: boolean): Json {
    const u = fn.urlConfig!;
    const out: Json = {
      FunctionUrl: this.functionUrl(fn.name),
      FunctionArn: functionArn(fn.name, u.qualifier),
      AuthType: u.authType,
      CreationTime: u.createdIso,
      InvokeMode: u.invokeMode,
    };
    if (u.cors !== undefined && u.cors !== null) out.Cors = u.cors;
    if (withModified) out.LastModifiedTime = u.modifiedIso;
    return out;
  }

  createUrlConfig(raw: string, qualifier: string | null, body: Buffer): Reply | LambdaError {
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const auth = required(optString(o, 'AuthType', 'authType'), 'authType');
    if (isErr(auth)) return auth;
    if (auth !== 'NONE' && auth !== 'AWS_IAM') return validationError(auth, 'authType', 'Member must satisfy enum value set: [NONE, AWS_IAM]');
    const mode = optString(o, 'InvokeMode', 'invokeMode');
    if (isErr(mode)) return mode;
    if (mode !== undefined && mode !== 'BUFFERED' && mode !== 'RESPONSE_STREAM') {
      return validationError(mode, 'invokeMode', 'Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]');
    }
    if (r.fn.urlConfig) {
      return resourceConflict(`Failed to create function url config for [functionArn = ${functionArn(r.fn.name, r.qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
    }
    const now = new Date(this.model.clock.epochMs()).toISOString();
    r.fn.urlConfig = { qualifier: r.qualifier, authType: auth, invokeMode: mode ?? 'BUFFERED', cors: o.Cors, createdIso: now, modifiedIso: now };
    return ok(this.urlShape(r.fn, false), 201);
  }

  updateUrlConfig(raw: string, qualifier: string | null, body: Buffer): Reply | LambdaError {
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    if (!r.fn.urlConfig) return resourceNotFound('The resource you requested does not exist.');
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const auth = optString(o, 'AuthType', 'authType');
    if (isErr(auth)) return auth;
    if (auth !== undefined && auth !== 'NONE' && auth !== 'AWS_IAM') return validationError(auth, 'authType', 'Member must satisfy enum value set: [NONE, AWS_IAM]');
    if (auth) r.fn.urlConfig.authType = auth;
    if (o.Cors !== undefined) r.fn.urlConfig.cors = o.Cors;
    r.fn.urlConfig.modifiedIso = new Date(this.model.clock.epochMs()).toISOString();
    return ok(this.urlShape(r.fn, true));
  }

  getUrlConfig(raw: string, qualifier: string | null): Reply | LambdaError {
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    if (!r.fn.urlConfig) return resourceNotFound('The resource you requested does not exist.');
    return ok(this.urlShape(r.fn, true));
  }

  listUrlConfigs(raw: string): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    return ok({ FunctionUrlConfigs: fn.urlConfig ? [this.urlShape(fn, true)] : [] });
  }

  deleteUrlConfig(raw: string, qualifier: string | null): Reply | LambdaError {
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    if (!r.fn.urlConfig) return resourceNotFound('The resource you requested does not exist.');
    r.fn.urlConfig = null;
    return noContent;
  }
}

/** AWS's 409 while a previous update has not settled. */
function updateInProgress(fn: LambdaFunction): LambdaError {
  return resourceConflict(`The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`);
}

/** What Lambda accepts in X-Amz-Client-Context: standard Base64 of a JSON object. */
function isBase64JsonObject(s: string): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return false;
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  } catch {
    return false;
  }
}

function readEnv(o: Json): Record<string, string> | LambdaError {
  const e = o.Environment as { Variables?: unknown } | undefined;
  if (e === undefined || e === null) return {};
  const vars = e.Variables;
  if (vars === undefined || vars === null) return {};
  if (typeof vars !== 'object' || Array.isArray(vars)) return invalidParameter('Environment.Variables must be a map of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars as Record<string, unknown>)) {
    if (typeof v !== 'string') return invalidParameter(`Environment variable ${k} must be a string`);
    out[k] = v;
  }
  return out;
}

function codeFromEnv(env: Record<string, string>): FunctionCode | LambdaError {
  const h = env.SQUALL_HANDLER;
  if (!h) return { kind: 'synthetic', behaviour: { duration: { kind: 'constant', ms: 0 }, errorRate: 0, poison: null, response: null } };
  const [file, exp] = h.split('#');
  if (!file || !file.startsWith('/')) return invalidParameter(`SQUALL_HANDLER must be an absolute file path with an optional #export, e.g. /app/handler.mjs#handler (got ${h})`);
  return { kind: 'handler', file, export: exp || 'handler' };
}

/** Marker = index of the next item (opaque to clients); MaxItems 1–10,000 [MODEL MaxListItems]. */
export function paginate<T>(all: T[], query: URLSearchParams): { items: T[]; next: string | null } | LambdaError {
  const maxRaw = query.get('MaxItems');
  let max = 50;
  if (maxRaw !== null) {
    const n = Number(maxRaw);
    if (!Number.isInteger(n) || n < 1 || n > 10000) return validationError(maxRaw, 'maxItems', 'Member must have value between 1 and 10000');
    max = n;
  }
  const marker = query.get('Marker');
  let start = 0;
  if (marker) {
    const n = Number(marker);
    if (!Number.isInteger(n) || n < 0) return invalidParameter(`Invalid marker: ${marker}`);
    start = n;
  }
  const items = all.slice(start, start + max);
  return { items, next: start + max < all.length ? String(start + max) : null };
}

