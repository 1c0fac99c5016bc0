/**
 * The Lambda service on the emulator's shared endpoint (protocol layer): matches Lambda's
 * REST-JSON paths (reference §5.2), function URLs and `/_squall/lambda/*`, routes each request to
 * the provider, and serialises replies and errors the way the AWS SDK v3 reads them
 * (`x-amzn-ErrorType` header plus a JSON body). Nothing here throws to the frame: an unexpected
 * failure becomes AWS's `ServiceException` 500.
 */
import { LAMBDA } from '../../contracts/aws-facts.ts';
import { createRng } from '../../contracts/distributions.ts';
import type { ResolvedAccount, ResolvedFunction } from '../../experiment/types.ts';
import type { EmuRequest, EmuResponse, EmulatorContext, EmulatorService } from '../http.ts';
import type { SigV4Failure } from '../sigv4.ts';
import { SqsError } from '../sqs/errors.ts';
import { invalidParameter, isLambdaError, LambdaError, serviceException, unknownOperation } from './errors.ts';
import { EsmProvider } from './esm-provider.ts';
import { isUrlRequest, serveUrl } from './function-url.ts';
import { AsyncInvoker } from './model/async-invoke.ts';
import { EsmManager } from './model/esm.ts';
import { DEFAULT_ACCOUNT, LambdaModel } from './model/functions.ts';
import { parseFunctionName } from './names.ts';
import { LambdaProvider, type Reply } from './provider.ts';
import { isErr } from './validate.ts';

export interface LambdaServiceOptions {
  /** Seed for synthetic functions' random streams (the experiment's seed). */
  seed?: number;
  account?: ResolvedAccount;
}

const API_PREFIXES = ['/2015-03-31/', '/2017-10-31/', '/2019-09-30/', '/2016-08-19/', '/2019-09-25/', '/2021-10-31/', '/2014-11-13/', '/2018-10-31/', '/_squall/lambda/'];

export class LambdaService implements EmulatorService {
  readonly name = 'lambda';
  /** Read a little past the 6 MB sync limit so an oversized Invoke gets AWS's RequestTooLargeException. */
  readonly maxBodyBytes = LAMBDA.syncPayloadMaxBytes + 1024 * 1024;
  readonly model: LambdaModel;
  readonly asyncInvoker: AsyncInvoker;
  readonly esm: EsmManager;
  readonly provider: LambdaProvider;
  readonly esmProvider: EsmProvider;

  constructor(
    readonly ctx: EmulatorContext,
    opts: LambdaServiceOptions = {},
  ) {
    this.model = new LambdaModel({ clock: ctx.clock, metrics: ctx.metrics, account: opts.account ?? DEFAULT_ACCOUNT, rng: createRng(opts.seed ?? 1) });
    this.asyncInvoker = new AsyncInvoker(
      this.model,
      (arn, record) => this.deliver(arn, record),
      (arn, payload, a) => {
        const q = this.ctx.sqs.getQueueByArn(arn);
        if (!q) return false;
        const messageAttributes = {
          RequestID: { DataType: 'String', StringValue: a.RequestID },
          ErrorCode: { DataType: 'Number', StringValue: a.ErrorCode },
          ErrorMessage: { DataType: 'String', StringValue: a.ErrorMessage },
        };
        return !(this.ctx.sqs.send(q, { body: payload, messageAttributes }) instanceof SqsError);
      },
    );
    this.esm = new EsmManager(this.model, ctx.sqs);
    this.provider = new LambdaProvider(this.model, this.asyncInvoker, () => ctx.endpoint());
    this.esmProvider = new EsmProvider(this.model, ctx.sqs, this.esm);
  }

  /** Send a destination record to an SQS queue or a Lambda function (async invoke). */
  private deliver(arn: string, record: string): boolean {
    if (arn.startsWith('arn:aws:sqs:')) {
      const q = this.ctx.sqs.getQueueByArn(arn);
      if (!q) return false;
      return !(this.ctx.sqs.send(q, { body: record }) instanceof SqsError);
    }
    if (arn.startsWith('arn:aws:lambda:')) {
      const ref = parseFunctionName(arn);
      if (isErr(ref)) return false;
      const fn = this.model.get(ref.name);
      if (!fn || (ref.qualifier !== null && !fn.hasQualifier(ref.qualifier))) return false;
      this.asyncInvoker.enqueue(fn, ref.qualifier, record);
      return true;
    }
    return false;
  }

  match(req: EmuRequest): boolean {
    // Function URLs first: they are the hot path.
    if (isUrlRequest(req)) return true;
    const p = req.path;
    for (const prefix of API_PREFIXES) if (p.startsWith(prefix)) return true;
    return false;
  }

  requiresSignature(req: EmuRequest): boolean {
    // Function URLs are AuthType NONE; /_squall/ is the emulator's own control surface.
    return !(req.path.startsWith('/_squall/') || isUrlRequest(req));
  }

  authFailure(req: EmuRequest, failure: SigV4Failure): EmuResponse {
    const code =
      failure.kind === 'missing'
        ? 'MissingAuthenticationTokenException'
        : failure.kind === 'unknown-access-key'
          ? 'UnrecognizedClientException'
          : 'InvalidSignatureException';
    return this.error(new LambdaError(code, 403, failure.message, { type: null }), req.requestId);
  }

  handle(req: EmuRequest): EmuResponse | Promise<EmuResponse> {
    try {
      if (isUrlRequest(req)) return serveUrl(this.model, req);
      const r = this.route(req);
      if (r instanceof Promise) return r.then((x) => this.serialize(x, req.requestId), (e: unknown) => this.error(asLambdaError(e), req.requestId));
      return this.serialize(r, req.requestId);
    } catch (e) {
      return this.error(asLambdaError(e), req.requestId);
    }
  }

  private serialize(r: Reply | LambdaError, requestId: string): EmuResponse {
    if (isLambdaError(r)) return this.error(r, requestId);
    const headers: Record<string, string> = { 'x-amzn-requestid': requestId, ...r.headers };
    let body: string | Buffer = '';
    if (r.raw !== undefined) body = r.raw;
    else if (r.json !== undefined) body = JSON.stringify(r.json);
    if (body !== '' || r.json !== undefined) headers['content-type'] ??= 'application/json';
    return { status: r.status, headers, body };
  }

  private error(e: LambdaError, requestId: string): EmuResponse {
    return {
      status: e.status,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': e.code },
      body: e.body(),
    };
  }

  private route(req: EmuRequest): Reply | LambdaError | Promise<Reply | LambdaError> {
    const p = this.provider;
    const m = req.method;
    const seg = req.path.split('/');
    // seg[0] = '', seg[1] = API version.
    const version = seg[1];
    const q = req.query;
    const qualifier = q.get('Qualifier');
    if (version === '_squall') return this.squall(req, seg);
    if (version === '2016-08-19' && seg[2] === 'account-settings' && seg.length === 3) {
      return m === 'GET' ? p.getAccountSettings() : unknownOperation(m, req.path);
    }
    if (seg[2] === 'event-source-mappings' && version === '2015-03-31') {
      const e = this.esmProvider;
      if (seg.length === 3 || (seg.length === 4 && seg[3] === '')) {
        if (m === 'POST') return e.create(req.body);
        if (m === 'GET') return e.list(q);
      } else if (seg.length === 4) {
        const id = seg[3]!;
        if (m === 'GET') return e.get(id);
        if (m === 'PUT') return e.update(id, req.body);
        if (m === 'DELETE') return e.delete(id);
      }
      return unknownOperation(m, req.path);
    }
    if (version === '2018-10-31' && seg[2] === 'layers' && seg[4] === 'versions' && seg.length === 5 && m === 'POST') return p.publishLayerVersion(seg[3]!, req.body);
    if (seg[2] !== 'functions') return unknownOperation(m, req.path);
    if (seg.length === 3 || (seg.length === 4 && seg[3] === '')) {
      if (version === '2015-03-31' && m === 'POST') return p.createFunction(req.body);
      if (version === '2015-03-31' && m === 'GET') return p.listFunctions(q);
      return unknownOperation(m, req.path);
    }
    const name = seg[3]!;
    const sub = seg.slice(4).join('/');
    switch (`${version} ${m} ${sub}`) {
      case '2015-03-31 GET ':
        return p.getFunction(name, qualifier);
      case '2015-03-31 DELETE ':
        return p.deleteFunction(name);
      case '2015-03-31 GET configuration':
        return p.getFunctionConfiguration(name, qualifier);
      case '2015-03-31 PUT code':
        return p.updateFunctionCode(name, req.body);
      case '2015-03-31 PUT configuration':
        return p.updateFunctionConfiguration(name, req.body);
      case '2015-03-31 POST versions':
        return p.publishVersion(name, req.body);
      case '2015-03-31 GET versions':
        return p.listVersions(name, q);
      case '2015-03-31 POST aliases':
        return p.createAlias(name, req.body);
      case '2015-03-31 GET aliases':
        return p.listAliases(name, q);
      case '2015-03-31 POST invocations':
        return p.invoke(name, qualifier, req.headers, req.body, req.requestId);
      case '2014-11-13 POST invoke-async':
      case '2014-11-13 POST invoke-async/':
        return p.invokeAsync(name, req.body);
      case '2017-10-31 PUT concurrency':
        return p.putFunctionConcurrency(name, req.body);
      case '2017-10-31 DELETE concurrency':
        return p.deleteFunctionConcurrency(name);
      case '2019-09-30 GET concurrency':
        return p.getFunctionConcurrency(name);
      case '2019-09-30 PUT provisioned-concurrency':
        return p.putProvisioned(name, qualifier, req.body);
      case '2019-09-30 GET provisioned-concurrency':
        return q.get('List') === 'ALL' ? p.listProvisioned(name, q) : p.getProvisioned(name, qualifier);
      case '2019-09-30 DELETE provisioned-concurrency':
        return p.deleteProvisioned(name, qualifier);
      case '2019-09-25 PUT event-invoke-config':
        return p.putEventInvokeConfig(name, qualifier, req.body, false);
      case '2019-09-25 POST event-invoke-config':
        return p.putEventInvokeConfig(name, qualifier, req.body, true);
      case '2019-09-25 GET event-invoke-config':
        return p.getEventInvokeConfig(name, qualifier);
      case '2019-09-25 DELETE event-invoke-config':
        return p.deleteEventInvokeConfig(name, qualifier);
      case '2019-09-25 GET event-invoke-config/list':
        return p.listEventInvokeConfigs(name);
      case '2021-10-31 POST url':
        return p.createUrlConfig(name, qualifier, req.body);
      case '2021-10-31 GET url':
        return p.getUrlConfig(name, qualifier);
      case '2021-10-31 PUT url':
        return p.updateUrlConfig(name, qualifier, req.body);
      case '2021-10-31 DELETE url':
        return p.deleteUrlConfig(name, qualifier);
      case '2021-10-31 GET urls':
        return p.listUrlConfigs(name);
      default:
        if (version === '2015-03-31' && seg[4] === 'aliases' && seg.length === 6 && seg[5]) {
          const alias = decodeURIComponent(seg[5]);
          if (m === 'GET') return p.getAlias(name, alias);
          if (m === 'PUT') return p.updateAlias(name, alias, req.body);
          if (m === 'DELETE') return p.deleteAlias(name, alias);
        }
        return unknownOperation(m, req.path);
    }
  }

  /**
   * `/_squall/lambda/functions` (POST a ResolvedFunction: create or replace it with its handler
   * file or synthetic behaviour) and `/_squall/lambda/state` (GET environments and concurrency).
   */
  private squall(req: EmuRequest, seg: string[]): Reply | LambdaError {
    const what = seg.slice(3).join('/');
    if (req.method === 'POST' && what === 'functions') {
      let f: ResolvedFunction;
      try {
        f = JSON.parse(req.body.toString('utf8')) as ResolvedFunction;
      } catch {
        return invalidParameter('Body must be a ResolvedFunction as JSON (see harness/experiment/types.ts)');
      }
      const problem = resolvedFunctionProblem(f);
      if (problem) return invalidParameter(problem);
      const fn = this.provider.createFromResolved(f);
      return { status: 201, json: this.provider.configuration(fn) };
    }
    if (req.method === 'GET' && what === 'state') return { status: 200, json: this.state() };
    return unknownOperation(req.method, req.path);
  }

  /** Environments and concurrency per function, for `squall emulator` users and tests. */
  state(): Record<string, unknown> {
    const functions: Record<string, unknown> = {};
    for (const fn of this.model.list()) {
      const c = fn.concurrency;
      functions[fn.name] = {
        environments: fn.aliveEnvironments(),
        idle: fn.idle.length,
        running: c.running(),
        reserved: c.reserved,
        provisioned: Object.fromEntries([...c.provisioned].map(([q, s]) => [q, { ...s, status: fn.provisionedState.get(q)?.status }])),
      };
    }
    return {
      functions,
      mappings: this.esm.list().map((mp) => ({ uuid: mp.uuid, queue: mp.queue.name, function: mp.fn.name, state: mp.state, pollers: mp.allowed, active: mp.active })),
      asyncPending: this.asyncInvoker.pending,
    };
  }

  reset(): void {
    for (const mp of this.esm.list()) this.esm.delete(mp);
    for (const fn of this.model.list()) this.model.delete(fn);
  }

  close(): void {
    this.esm.close();
    this.model.close();
  }
}

function asLambdaError(e: unknown): LambdaError {
  if (isLambdaError(e)) return e;
  return serviceException(`squall emulator internal error: ${e instanceof Error ? e.message : String(e)}`);
}

/** Minimal structural check of a ResolvedFunction sent to `/_squall/lambda/functions`. */
export function resolvedFunctionProblem(f: unknown): string | null {
  if (f === null || typeof f !== 'object') return 'Body must be a JSON object (a ResolvedFunction)';
  const o = f as Partial<ResolvedFunction>;
  if (typeof o.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(o.name)) return 'name must be 1–64 letters, digits, hyphens or underscores';
  if (Number(Boolean(o.handler)) + Number(Boolean(o.synthetic)) + Number(Boolean(o.package)) !== 1) return `function ${o.name}: set exactly one of handler, package or synthetic`;
  if (o.package && (typeof o.package.zip !== 'string' || !o.package.zip.startsWith('/'))) return `function ${o.name}: package.zip must be an absolute path`;
  if (o.handler && (typeof o.handler.file !== 'string' || !o.handler.file.startsWith('/'))) return `function ${o.name}: handler.file must be an absolute path`;
  for (const k of ['memoryMB', 'timeoutSeconds'] as const) if (typeof o[k] !== 'number') return `function ${o.name}: ${k} must be a number`;
  if (!o.coldStart || typeof o.coldStart !== 'object') return `function ${o.name}: coldStart.initMs is required`;
  if (!o.async || !Array.isArray(o.async.retryDelaysSeconds)) return `function ${o.name}: async.retryDelaysSeconds is required`;
  return null;
}

/** The factory the emulator frame registers. */
export function lambdaService(opts: LambdaServiceOptions = {}): (ctx: EmulatorContext) => LambdaService {
  return (ctx) => new LambdaService(ctx, opts);
}
