/**
 * The Lambda provider: one method per AWS operation. It validates input with AWS's messages,
 * calls the model, and maps results to the operation's output shape (REST-JSON, reference §5.2).
 * Everything it returns is data (`Reply`); the service turns it into HTTP. Event source mapping
 * operations live in `esm-provider.ts`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { EMULATED_ACCOUNT, LAMBDA, LAMBDA_ACCOUNT_LIMITS, LAMBDA_ASYNC } from '../../contracts/aws-facts.ts';
import { readZip, UNZIP_ERROR } from './code-package.ts';
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
import { defaultSpec, type FunctionAlias, type FunctionCode, type FunctionSpec, type LambdaFunction, type LambdaModel } from './model/functions.ts';
import type { InvokeOutcome } from './model/runtime.ts';
import { ALIAS, parseFunctionName, resolveQualifier, type FunctionRef } from './names.ts';
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
export function logTail(fn: LambdaFunction, requestId: string, o: InvokeOutcome, initMs: number, version = '$LATEST'): string {
  // Since 2025-08-01 the INIT phase of a ZIP function on a managed runtime is billed: a cold
  // start's Billed Duration covers Init Duration too [1.6 INIT billing change].
  const billed = Math.max(1, Math.ceil(o.durationMs + (initMs >= 0 ? initMs : 0)));
  let text = `START RequestId: ${requestId} Version: ${version}\n`;
  if (o.log) text += `${o.log}\n`;
  text += `END RequestId: ${requestId}\nREPORT RequestId: ${requestId}\tDuration: ${o.durationMs.toFixed(2)} ms\tBilled Duration: ${billed} ms\tMemory Size: ${fn.spec.memoryMB} MB\tMax Memory Used: ${Math.min(fn.spec.memoryMB, o.memoryUsedMB ?? fn.spec.memoryMB)} MB\t`;
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
    if (!fn || (q !== null && !fn.hasQualifier(q))) return functionNotFound(ref.name, q);
    return { fn, qualifier: q };
  }

  functionUrl(name: string): string {
    return `${this.endpoint()}/_url/${name}/`;
  }

  // -------------------------------------------------------------------------------------------
  // Functions

  /** FunctionConfiguration of $LATEST, or of the published version `version` (qualified ARN, frozen values). */
  configuration(fn: LambdaFunction, version: string = '$LATEST'): Json {
    const pv = version === '$LATEST' ? undefined : fn.versions.get(version);
    const s = pv ? pv.spec : fn.spec;
    const out: Json = {
      FunctionName: s.name,
      FunctionArn: pv ? functionArn(fn.name, pv.version) : fn.arn,
      Runtime: s.runtime,
      Role: s.role,
      Handler: s.handler,
      CodeSize: s.code.kind === 'package' ? s.code.codeSize : 0,
      Description: pv ? pv.description : s.description,
      Timeout: s.timeoutSeconds,
      MemorySize: s.memoryMB,
      LastModified: pv ? pv.lastModifiedIso : fn.lastModifiedIso,
      CodeSha256: pv ? pv.codeSha256 : fn.codeSha256,
      Version: pv ? pv.version : '$LATEST',
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: pv ? pv.revisionId : fn.revisionId,
      State: 'Active',
      LastUpdateStatus: pv ? 'Successful' : fn.lastUpdateStatus,
      PackageType: 'Zip',
      Architectures: [s.architecture],
      EphemeralStorage: { Size: LAMBDA.ephemeralStorageMinMB },
      SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
      LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${s.name}` },
    };
    if (Object.keys(s.env).length) out.Environment = { Variables: { ...s.env } };
    if (s.deadLetterTargetArn) out.DeadLetterConfig = { TargetArn: s.deadLetterTargetArn };
    if (s.layers?.length) out.Layers = s.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize }));
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
    const fields = readConfigFields(o);
    if (isErr(fields)) return fields;
    const { timeout, memory, handler, runtime, description } = fields;
    const env = readEnv(o);
    if (isErr(env)) return env;
    const layers = this.readLayers(o);
    if (isErr(layers)) return layers;
    const dlq = readDeadLetter(o);
    if (isErr(dlq)) return dlq;
    if (this.model.get(ref.name)) return resourceConflict(`Function already exist: ${ref.name}`);
    if (runtime === undefined || handler === undefined) {
      return invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
    }
    const supported = checkRuntime(runtime);
    if (supported) return supported;
    const zip = readZipFile(o.Code as Json, 'code.zipFile');
    if (isErr(zip)) return zip;
    const code = this.codeOf(zip, layers, handler, env);
    if (isErr(code)) return code;
    const archs = Array.isArray(o.Architectures) ? o.Architectures : [];
    const spec: FunctionSpec = {
      ...defaultSpec(ref.name, code),
      timeoutSeconds: timeout ?? LAMBDA.timeoutDefaultSeconds,
      memoryMB: memory ?? LAMBDA.memoryDefaultMB,
      handler,
      runtime,
      role,
      description: description ?? '',
      env,
      architecture: archs[0] === 'arm64' ? 'arm64' : 'x86_64',
      // A real package's cold start is its real module init; the synthetic body gets the measured default.
      initMs: { kind: 'constant', ms: code.kind === 'package' ? 0 : LAMBDA.coldStartInitMsDefault },
      layers: layers.map((arn) => ({ arn, codeSize: this.layers.get(arn)!.length })),
      ...(dlq ? { deadLetterTargetArn: dlq } : {}),
    };
    const fn = this.model.create(spec);
    const shown = this.configuration(fn);
    if (o.Publish === true) this.model.publishVersion(fn, undefined);
    return ok(shown, 201);
  }

  /**
   * What a function runs: its unpacked package, or (a package with no files) the synthetic body
   * (0 ms, `{"ok":true}`), or SQUALL_HANDLER=/abs/file.mjs#export, a handler file outside any package.
   */
  private codeOf(zip: Buffer | null, layers: string[], handler: string, env: Record<string, string>): FunctionCode | LambdaError {
    if (env.SQUALL_HANDLER) return codeFromEnv(env);
    if (zip === null) return codeFromEnv(env);
    const entries = readZip(zip);
    if (typeof entries === 'string') return invalidParameter(UNZIP_ERROR);
    if (entries.length === 0 && layers.length === 0) return codeFromEnv(env);
    const u = this.model.packages.unpack(zip, layers.map((a) => this.layers.get(a)!));
    if (typeof u === 'string') return invalidParameter(`${UNZIP_ERROR} (${u})`);
    return { kind: 'package', taskRoot: u.taskRoot, optRoot: u.optRoot, handler, codeSha256: u.codeSha256, codeSize: u.codeSize };
  }

  /** Layers: up to 5 layer version ARNs published here (PublishLayerVersion) [1.6]. */
  private readLayers(o: Json): string[] | LambdaError {
    if (o.Layers === undefined || o.Layers === null) return [];
    if (!Array.isArray(o.Layers) || o.Layers.some((l) => typeof l !== 'string')) return validationError(o.Layers, 'layers', 'Member must be a list of layer version ARNs');
    const list = o.Layers as string[];
    if (list.length > 5) return invalidParameter('Cannot reference more than 5 layers.');
    for (const arn of list) if (!this.layers.has(arn)) return invalidParameter(`Layer version ${arn} does not exist.`);
    return list;
  }

  /** Published layer versions: ARN → zip. */
  private readonly layers = new Map<string, Buffer>();
  private readonly layerVersions = new Map<string, number>();

  /** PublishLayerVersion with Content.ZipFile (201); the layer is unpacked into /opt of each function using it. */
  publishLayerVersion(layerName: string, body: Buffer): Reply | LambdaError {
    if (!/^[a-zA-Z0-9_-]{1,140}$/.test(layerName)) return validationError(layerName, 'layerName', 'Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+');
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    if (o.Content === undefined || o.Content === null || typeof o.Content !== 'object') return validationError(null, 'content', 'Member must not be null');
    const zip = readZipFile(o.Content as Json, 'content.zipFile');
    if (isErr(zip)) return zip;
    if (zip === null) return invalidParameter('Content.ZipFile is required: the squall emulator takes layer code only inline.');
    if (typeof readZip(zip) === 'string') return invalidParameter(UNZIP_ERROR);
    const description = optString(o, 'Description', 'description', 256);
    if (isErr(description)) return description;
    const version = (this.layerVersions.get(layerName) ?? 0) + 1;
    this.layerVersions.set(layerName, version);
    const layerArn = `arn:aws:lambda:${EMULATED_ACCOUNT.region}:${EMULATED_ACCOUNT.accountId}:layer:${layerName}`;
    const arn = `${layerArn}:${version}`;
    this.layers.set(arn, zip);
    const out: Json = {
      Content: { Location: `${this.endpoint()}/_squall/lambda/layers/${layerName}/${version}`, CodeSha256: createHash('sha256').update(zip).digest('base64'), CodeSize: zip.length },
      LayerArn: layerArn,
      LayerVersionArn: arn,
      Description: description ?? '',
      CreatedDate: this.model.nowIso(),
      Version: version,
    };
    if (Array.isArray(o.CompatibleRuntimes)) out.CompatibleRuntimes = o.CompatibleRuntimes;
    if (Array.isArray(o.CompatibleArchitectures)) out.CompatibleArchitectures = o.CompatibleArchitectures;
    return ok(out, 201);
  }

  /** UpdateFunctionCode with ZipFile (and Publish); answers InProgress like UpdateFunctionConfiguration. */
  updateFunctionCode(raw: string, body: Buffer): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const zip = readZipFile(o, 'zipFile');
    if (isErr(zip)) return zip;
    if (zip === null) return invalidParameter('Please provide a source for function code.');
    if (fn.lastUpdateStatus === 'InProgress') return updateInProgress(fn);
    const code = this.codeOf(zip, (fn.spec.layers ?? []).map((l) => l.arn), fn.spec.handler, fn.spec.env);
    if (isErr(code)) return code;
    if (o.DryRun === true) return ok(this.configuration(fn));
    this.model.update(fn, { ...fn.spec, code });
    if (o.Publish === true) {
      const v = this.model.publishVersion(fn, undefined);
      return ok(this.configuration(fn, v.version));
    }
    return ok(this.beginUpdate(fn));
  }

  /** `POST /_squall/lambda/functions`: create (or replace) a function from a resolved experiment function. */
  createFromResolved(f: ResolvedFunction): LambdaFunction {
    const existing = this.model.get(f.name);
    let spec = specFromResolved(f);
    if (f.package) {
      const p = f.package;
      const u = this.model.packages.unpack(fs.readFileSync(p.zip), p.layers.map((l) => fs.readFileSync(l)));
      if (typeof u === 'string') throw invalidParameter(`function ${f.name}: package ${p.zip}: ${UNZIP_ERROR} (${u})`);
      spec = {
        ...spec,
        code: { kind: 'package', taskRoot: u.taskRoot, optRoot: u.optRoot, handler: p.handler, codeSha256: u.codeSha256, codeSize: u.codeSize },
        handler: p.handler,
        runtime: p.runtime,
        // The package's cold start is its real module init, measured, not the modelled default.
        initMs: { kind: 'constant', ms: 0 },
      };
    }
    const fn = existing ?? this.model.create(spec);
    if (existing) this.model.update(existing, spec);
    // Version 1 behind the alias `live`, as squall deploys an experiment's function to AWS:
    // provisioned concurrency (from the experiment or a chaos action) needs a version or alias.
    const v = this.model.publishVersion(fn, undefined);
    const live = fn.aliases.get(ALIAS);
    if (!live) fn.aliases.set(ALIAS, { name: ALIAS, functionVersion: v.version, description: '', weights: new Map(), revisionId: crypto.randomUUID() });
    else if (live.functionVersion !== v.version) this.updateAlias(fn.name, ALIAS, Buffer.from(JSON.stringify({ FunctionVersion: v.version })));
    return fn;
  }

  updateFunctionConfiguration(raw: string, body: Buffer): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const fields = readConfigFields(o);
    if (isErr(fields)) return fields;
    const { timeout, memory, handler, runtime, description } = fields;
    if (runtime !== undefined) {
      const unsupported = checkRuntime(runtime);
      if (unsupported) return unsupported;
    }
    const layers = o.Layers === undefined ? undefined : this.readLayers(o);
    if (isErr(layers)) return layers;
    const dlq = o.DeadLetterConfig === undefined ? undefined : readDeadLetter(o);
    if (isErr(dlq)) return dlq;
    if (fn.lastUpdateStatus === 'InProgress') return updateInProgress(fn);
    const spec: FunctionSpec = { ...fn.spec };
    if (runtime !== undefined) spec.runtime = runtime;
    if (handler !== undefined) {
      spec.handler = handler;
      if (spec.code.kind === 'package') spec.code = { ...spec.code, handler };
    }
    if (layers !== undefined && spec.code.kind === 'package') {
      // Re-unpack the same function code with the new layer list.
      const u = this.model.packages.unpack(this.model.packages.zipOf(spec.code.codeSha256)!, layers.map((a) => this.layers.get(a)!));
      if (typeof u === 'string') return invalidParameter(`${UNZIP_ERROR} (${u})`);
      spec.code = { ...spec.code, taskRoot: u.taskRoot, optRoot: u.optRoot };
    }
    if (layers !== undefined) spec.layers = layers.map((arn) => ({ arn, codeSize: this.layers.get(arn)!.length }));
    if (dlq !== undefined) {
      if (dlq) spec.deadLetterTargetArn = dlq;
      else delete spec.deadLetterTargetArn;
    }
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
      Configuration: this.configuration(r.fn, r.fn.versionOf(r.qualifier) ?? '$LATEST'),
      Code: { RepositoryType: 'S3', Location: `${this.endpoint()}/_squall/lambda/code/${r.fn.name}` },
    };
    if (r.fn.concurrency.reserved !== null) out.Concurrency = { ReservedConcurrentExecutions: r.fn.concurrency.reserved };
    return ok(out);
  }

  getFunctionConfiguration(raw: string, qualifier: string | null): Reply | LambdaError {
    const r = this.fnq(raw, qualifier);
    if (isErr(r)) return r;
    return ok(this.configuration(r.fn, r.fn.versionOf(r.qualifier) ?? '$LATEST'));
  }

  // -------------------------------------------------------------------------------------------
  // Versions and aliases

  publishVersion(raw: string, body: Buffer): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const description = optString(o, 'Description', 'description', 256);
    if (isErr(description)) return description;
    const sha = optString(o, 'CodeSha256', 'codeSha256');
    if (isErr(sha)) return sha;
    const rev = optString(o, 'RevisionId', 'revisionId');
    if (isErr(rev)) return rev;
    if (fn.lastUpdateStatus === 'InProgress') return updateInProgress(fn);
    if (sha !== undefined && sha !== fn.codeSha256) {
      return invalidParameter(`CodeSHA256 (${sha}) is different from current CodeSHA256 in $LATEST (${fn.codeSha256}). Please try again.`);
    }
    if (rev !== undefined && rev !== fn.revisionId) return preconditionFailed();
    const v = this.model.publishVersion(fn, description);
    return ok(this.configuration(fn, v.version), 201);
  }

  listVersions(raw: string, query: URLSearchParams): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    const all = ['$LATEST', ...fn.versions.keys()].map((v) => this.configuration(fn, v));
    const page = paginate(all, query);
    if (isErr(page)) return page;
    const out: Json = { Versions: page.items };
    if (page.next) out.NextMarker = page.next;
    return ok(out);
  }

  aliasShape(fn: LambdaFunction, a: FunctionAlias): Json {
    const out: Json = { AliasArn: functionArn(fn.name, a.name), Name: a.name, FunctionVersion: a.functionVersion, Description: a.description, RevisionId: a.revisionId };
    if (a.weights.size > 0) out.RoutingConfig = { AdditionalVersionWeights: Object.fromEntries(a.weights) };
    return out;
  }

  /** FunctionVersion and RoutingConfig as AWS validates them; `primary` is the version the alias points at. */
  private readRouting(fn: LambdaFunction, o: Json, primary: string): Map<string, number> | undefined | LambdaError {
    const rc = o.RoutingConfig;
    if (rc === undefined || rc === null) return undefined;
    if (typeof rc !== 'object' || Array.isArray(rc)) return validationError(rc, 'routingConfig', 'Member must be a structure');
    const w = (rc as Json).AdditionalVersionWeights;
    const weights = new Map<string, number>();
    if (w === undefined || w === null) return weights;
    if (typeof w !== 'object' || Array.isArray(w)) return validationError(w, 'routingConfig.additionalVersionWeights', 'Member must be a map');
    for (const [v, x] of Object.entries(w as Record<string, unknown>)) {
      if (!/^[0-9]+$/.test(v)) return validationError(v, 'routingConfig.additionalVersionWeights.key', 'Member must satisfy regular expression pattern: [0-9]+');
      if (typeof x !== 'number' || !(x >= 0 && x <= 1)) {
        return validationError(x, 'routingConfig.additionalVersionWeights.value', 'Member must have value between 0.0 and 1.0');
      }
      if (!fn.versions.has(v)) return resourceNotFound(`Function not found: ${functionArn(fn.name, v)}`);
      if (v === primary) return invalidParameter(`Invalid RoutingConfig. The function version ${v} is already the primary version of the alias.`);
      weights.set(v, x);
    }
    if (weights.size > 1) return invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1');
    if (weights.size > 0 && primary === '$LATEST') return invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
    return weights;
  }

  private readVersion(fn: LambdaFunction, v: string): LambdaError | null {
    if (!/^(\$LATEST|[0-9]+)$/.test(v)) return validationError(v, 'functionVersion', 'Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)');
    if (v !== '$LATEST' && !fn.versions.has(v)) return resourceNotFound(`Function not found: ${functionArn(fn.name, v)}`);
    return null;
  }

  createAlias(raw: string, body: Buffer): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const name = required(optString(o, 'Name', 'name', 128), 'name');
    if (isErr(name)) return name;
    if (!/^(?!^[0-9]+$)[a-zA-Z0-9_-]+$/.test(name)) return validationError(name, 'name', 'Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)');
    const version = required(optString(o, 'FunctionVersion', 'functionVersion', 1024), 'functionVersion');
    if (isErr(version)) return version;
    const bad = this.readVersion(fn, version);
    if (bad) return bad;
    const description = optString(o, 'Description', 'description', 256);
    if (isErr(description)) return description;
    const weights = this.readRouting(fn, o, version);
    if (isErr(weights)) return weights;
    if (fn.aliases.has(name)) return resourceConflict(`Alias already exists: ${functionArn(fn.name, name)}`);
    const a: FunctionAlias = { name, functionVersion: version, description: description ?? '', weights: weights ?? new Map(), revisionId: crypto.randomUUID() };
    fn.aliases.set(name, a);
    return ok(this.aliasShape(fn, a), 201);
  }

  private alias(fn: LambdaFunction, name: string): FunctionAlias | LambdaError {
    return fn.aliases.get(name) ?? resourceNotFound(`Alias not found: ${functionArn(fn.name, name)}`);
  }

  getAlias(raw: string, name: string): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    const a = this.alias(fn, name);
    if (isErr(a)) return a;
    return ok(this.aliasShape(fn, a));
  }

  updateAlias(raw: string, name: string, body: Buffer): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    const a = this.alias(fn, name);
    if (isErr(a)) return a;
    const o = readJsonObject(body);
    if (isErr(o)) return o;
    const version = optString(o, 'FunctionVersion', 'functionVersion', 1024);
    if (isErr(version)) return version;
    if (version !== undefined) {
      const bad = this.readVersion(fn, version);
      if (bad) return bad;
    }
    const description = optString(o, 'Description', 'description', 256);
    if (isErr(description)) return description;
    const rev = optString(o, 'RevisionId', 'revisionId');
    if (isErr(rev)) return rev;
    if (rev !== undefined && rev !== a.revisionId) return preconditionFailed();
    const primary = version ?? a.functionVersion;
    const weights = this.readRouting(fn, o, primary);
    if (isErr(weights)) return weights;
    if (weights === undefined && a.weights.has(primary)) return invalidParameter(`Invalid RoutingConfig. The function version ${primary} is already the primary version of the alias.`);
    const moved = primary !== a.functionVersion;
    a.functionVersion = primary;
    if (weights !== undefined) a.weights = weights;
    if (description !== undefined) a.description = description;
    a.revisionId = crypto.randomUUID();
    // Provisioned environments on the alias ran the old version: re-provision them for the new one.
    if (moved && fn.concurrency.provisioned.has(name)) {
      const n = fn.concurrency.provisioned.get(name)!.requested;
      this.model.deleteProvisioned(fn, name);
      this.model.setProvisioned(fn, name, n);
    }
    return ok(this.aliasShape(fn, a));
  }

  listAliases(raw: string, query: URLSearchParams): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    const v = query.get('FunctionVersion');
    const all = [...fn.aliases.values()].filter((a) => v === null || a.functionVersion === v).map((a) => this.aliasShape(fn, a));
    const page = paginate(all, query);
    if (isErr(page)) return page;
    const out: Json = { Aliases: page.items };
    if (page.next) out.NextMarker = page.next;
    return ok(out);
  }

  deleteAlias(raw: string, name: string): Reply | LambdaError {
    const fn = this.fn(raw);
    if (isErr(fn)) return fn;
    // AWS answers 204 for an alias that does not exist.
    if (fn.aliases.has(name)) {
      if (fn.concurrency.provisioned.has(name)) this.model.deleteProvisioned(fn, name);
      fn.aliases.delete(name);
    }
    return noContent;
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
    if (type === 'DryRun') return { status: 204, headers: { 'x-amz-executed-version': fn.versionOf(r.qualifier) ?? '$LATEST' } };
    if (type === 'Event') {
      this.asyncInvoker.enqueue(fn, r.qualifier, payload);
      return { status: 202, headers: { 'x-amz-executed-version': fn.versionOf(r.qualifier) ?? '$LATEST' } };
    }
    return new Promise((resolve) => {
      this.model.invoke(fn, r.qualifier, { requestId, payload, event: undefined, logTail: logType === 'Tail', clientContext }, (throttle, o, initMs, executed) => {
        if (throttle !== null) {
          resolve(tooManyRequests(throttle));
          return;
        }
        resolve(this.invokeReply(fn, requestId, o!, initMs, logType === 'Tail', executed));
      });
    });
  }

  private invokeReply(fn: LambdaFunction, requestId: string, o: InvokeOutcome, initMs: number, tail: boolean, executed: string): Reply {
    const h: Record<string, string> = { 'x-amz-executed-version': executed, 'content-type': 'application/json' };
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
    if (tail) h['x-amz-log-result'] = logTail(fn, requestId, o, initMs, executed);
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
    if (r.qualifier === '$LATEST' || r.qualifier === null || r.fn.versionOf(r.qualifier) === '$LATEST') {
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
/** AWS's 412 when a RevisionId does not match. */
function preconditionFailed(): LambdaError {
  return new LambdaError('PreconditionFailedException', 412, 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
}

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

/** DeadLetterConfig.TargetArn: an SQS queue ARN here (SNS is not emulated); '' or none clears it. */
function readDeadLetter(o: Json): string | null | LambdaError {
  const d = o.DeadLetterConfig as { TargetArn?: unknown } | null | undefined;
  if (d === undefined || d === null) return null;
  if (typeof d !== 'object') return validationError(d, 'deadLetterConfig', 'Member must be a structure');
  const t = d.TargetArn;
  if (t === undefined || t === null || t === '') return null;
  if (typeof t !== 'string' || !/^arn:aws[a-zA-Z0-9-]*:sqs:/.test(t)) {
    return invalidParameter(`The provided target arn ${String(t)} is invalid: the squall emulator delivers dead letters to SQS queues only.`);
  }
  return t;
}

const RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x'];

/** The Node.js runtimes the emulator runs; any other gets a clear InvalidParameterValueException. */
function checkRuntime(runtime: string): LambdaError | null {
  if (RUNTIMES.includes(runtime)) return null;
  return invalidParameter(`The runtime parameter of ${runtime} is not supported by the squall emulator: it runs ${RUNTIMES.join(', ')} (Code.ZipFile packages).`);
}

/** Code.ZipFile (base64 in the JSON body); null when absent. S3 and image code cannot be fetched here. */
function readZipFile(code: Json, field: string): Buffer | null | LambdaError {
  for (const k of ['S3Bucket', 'S3Key', 'ImageUri']) {
    if (code[k] !== undefined && code[k] !== null) return invalidParameter(`Code.${k} is not supported by the squall emulator: send the package inline as ZipFile.`);
  }
  const z = code.ZipFile;
  if (z === undefined || z === null) return null;
  if (typeof z !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(z)) return validationError('***', field, 'Member must be Base64-encoded binary data');
  return Buffer.from(z, 'base64');
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

/** The configuration fields CreateFunction and UpdateFunctionConfiguration share, each optional, with the model's bounds. */
function readConfigFields(o: Json) {
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
  return { timeout, memory, handler, runtime, description };
}
