/**
 * Function URLs on the emulator's one endpoint: `http://<host>:<port>/_url/<function>/<path>` (the
 * FunctionUrl that GetFunctionUrlConfig returns) or any path with the Host header
 * `<function>.lambda-url.<region>.localhost`. A request becomes the payload format 2.0 event and
 * the function's result goes back as AWS maps it: an object with `statusCode` is a full response
 * (headers, cookies, base64 body), anything else is a 200 `application/json` body.
 *
 * A throttled function URL answers 429 `{"Message":"Rate Exceeded."}` with
 * `x-amzn-ErrorType: TooManyRequestsException`. What AWS sends here is UNCONFIRMED (reference §1.5,
 * §8 item 1); 429 is what AWS documents for throttling and what clients retry on.
 *
 * Hot path: for a synthetic function that ignores its input (0 ms, no poison rule) no event is
 * built at all and the response bytes are prepared once per function.
 */
import type { EmuRequest, EmuResponse } from '../http.ts';
import { EMULATED_ACCOUNT } from '../../contracts/aws-facts.ts';
import type { LambdaFunction, LambdaModel } from './model/functions.ts';
import type { InvokeOutcome } from './model/runtime.ts';
import type { SyntheticProgram } from './model/synthetic.ts';

const URL_PREFIX = '/_url/';
const HOST_SUFFIX = `.lambda-url.${EMULATED_ACCOUNT.region}.localhost`;

export interface UrlTarget {
  name: string;
  /** Path the function sees (always starts with `/`). */
  path: string;
}

/** Which function a request addresses, or null if it is not a function URL request. */
export function urlTarget(req: EmuRequest): UrlTarget | null {
  const p = req.path;
  if (p.startsWith(URL_PREFIX)) {
    const slash = p.indexOf('/', URL_PREFIX.length);
    const name = slash < 0 ? p.slice(URL_PREFIX.length) : p.slice(URL_PREFIX.length, slash);
    return { name, path: slash < 0 ? '/' : p.slice(slash) };
  }
  const host = req.headers.host;
  if (host !== undefined) {
    const h = host.indexOf(':') >= 0 ? host.slice(0, host.indexOf(':')) : host;
    if (h.endsWith(HOST_SUFFIX)) return { name: h.slice(0, h.length - HOST_SUFFIX.length), path: p || '/' };
  }
  return null;
}

export function isUrlRequest(req: EmuRequest): boolean {
  if (req.path.startsWith(URL_PREFIX)) return true;
  const host = req.headers.host;
  return host !== undefined && host.includes(HOST_SUFFIX);
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|.*\+json|.*\+xml)/i;

function clfTime(epochMs: number): string {
  // API Gateway/function URL requestContext.time: "12/Mar/2020:19:03:58 +0000".
  const d = new Date(epochMs);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The payload format 2.0 event for one HTTP request. */
export function buildUrlEvent(req: EmuRequest, target: UrlTarget, epochMs: number): Record<string, unknown> {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === 'cookie') cookies = v.split(/;\s*/).filter(Boolean);
    else headers[k] = v;
  }
  const query: Record<string, string> = {};
  let hasQuery = false;
  for (const [k, v] of req.query) {
    // Repeated keys are joined with commas, as function URLs do.
    query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
    hasQuery = true;
  }
  const contentType = req.headers['content-type'] ?? '';
  const isText = req.body.length === 0 || contentType === '' || TEXT_TYPES.test(contentType);
  const domain = req.headers.host ?? 'localhost';
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: '$default',
    rawPath: target.path,
    rawQueryString: req.rawQuery,
  };
  if (cookies) event.cookies = cookies;
  event.headers = headers;
  if (hasQuery) event.queryStringParameters = query;
  event.requestContext = {
    accountId: 'anonymous',
    apiId: target.name,
    domainName: domain,
    domainPrefix: domain.split('.')[0],
    http: {
      method: req.method,
      path: target.path,
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? '',
    },
    requestId: req.requestId,
    routeKey: '$default',
    stage: '$default',
    time: clfTime(epochMs),
    timeEpoch: Math.floor(epochMs),
  };
  if (req.body.length > 0) event.body = isText ? req.body.toString('utf8') : req.body.toString('base64');
  event.isBase64Encoded = req.body.length > 0 && !isText;
  return event;
}

interface UrlShape {
  statusCode?: unknown;
  headers?: Record<string, unknown>;
  body?: unknown;
  isBase64Encoded?: unknown;
  cookies?: unknown;
}

/** Map a function result to the HTTP response, as function URLs do. */
export function urlResponse(value: unknown, requestId: string): EmuResponse {
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId };
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'statusCode' in value) {
    const v = value as UrlShape;
    const status = Number(v.statusCode);
    if (v.headers && typeof v.headers === 'object') for (const [k, h] of Object.entries(v.headers)) headers[k.toLowerCase()] = String(h);
    if (Array.isArray(v.cookies) && v.cookies.length) headers['set-cookie'] = v.cookies.map(String).join(', ');
    headers['content-type'] ??= 'application/json';
    let body: string | Buffer = '';
    if (typeof v.body === 'string') body = v.isBase64Encoded === true ? Buffer.from(v.body, 'base64') : v.body;
    else if (v.body !== undefined && v.body !== null) body = JSON.stringify(v.body);
    return { status: Number.isInteger(status) && status >= 100 && status <= 599 ? status : 502, headers, body };
  }
  headers['content-type'] = 'application/json';
  return { status: 200, headers, body: typeof value === 'string' ? value : (JSON.stringify(value) ?? '') };
}

interface Prepared {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** 200 with only content-type application/json: the headers object can be a literal. */
  plainJson: boolean;
}

const PREPARED = new WeakMap<SyntheticProgram, Prepared>();

function prepared(p: SyntheticProgram): Prepared {
  let r = PREPARED.get(p);
  if (!r) {
    const built = urlResponse(p.okValue, '');
    delete built.headers['x-amzn-requestid'];
    const keys = Object.keys(built.headers);
    r = { ...built, plainJson: built.status === 200 && keys.length === 1 && built.headers['content-type'] === 'application/json' };
    PREPARED.set(p, r);
  }
  return r;
}

const notFound = (requestId: string): EmuResponse => ({
  status: 404,
  headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': 'ResourceNotFoundException' },
  body: '{"Message":"Function URL not found."}',
});

const THROTTLED_BODY = '{"Message":"Rate Exceeded."}';
const ERROR_BODY = '{"Message":"Internal Server Error"}';

/** The function a `/_url/<function>/…` path names (no allocation beyond the name itself). */
function pathFunctionName(p: string): string {
  const slash = p.indexOf('/', URL_PREFIX.length);
  return slash < 0 ? p.slice(URL_PREFIX.length) : p.slice(URL_PREFIX.length, slash);
}

/** Serve one function URL request. Synchronous when the function answers synchronously. */
export function serveUrl(model: LambdaModel, req: EmuRequest): EmuResponse | Promise<EmuResponse> {
  const name = req.path.startsWith(URL_PREFIX) ? pathFunctionName(req.path) : urlTarget(req)?.name;
  const fn = name === undefined ? undefined : model.get(name);
  if (!fn || !fn.urlConfig) return notFound(req.requestId);
  const p = fn.program;
  const ignoresInput = p !== null && p.instant && p.behaviour.poison === null;
  let payload = '';
  let event: unknown;
  if (!ignoresInput) {
    event = buildUrlEvent(req, urlTarget(req)!, model.clock.epochMs());
    payload = fn.spec.code.kind !== 'synthetic' ? JSON.stringify(event) : '';
  }
  let sync: EmuResponse | null = null;
  let resolveLater: ((r: EmuResponse) => void) | null = null;
  model.invoke(fn, fn.urlConfig.qualifier, { requestId: req.requestId, payload, event, logTail: false, clientContext: null }, (throttle, o) => {
    const r = throttle !== null ? throttled(req.requestId) : outcomeResponse(fn, o!, req.requestId, ignoresInput);
    if (resolveLater) resolveLater(r);
    else sync = r;
  });
  if (sync) return sync;
  return new Promise<EmuResponse>((resolve) => {
    resolveLater = resolve;
  });
}

function throttled(requestId: string): EmuResponse {
  return {
    status: 429,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': 'TooManyRequestsException' },
    body: THROTTLED_BODY,
  };
}

function outcomeResponse(fn: LambdaFunction, o: InvokeOutcome, requestId: string, preparedOk: boolean): EmuResponse {
  if (o.functionError) {
    return { status: 502, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, body: ERROR_BODY };
  }
  // The prepared response is the program's own answer; a fault's (override-status) is mapped below.
  if (preparedOk && fn.program && o.value === fn.program.okValue) {
    const r = prepared(fn.program);
    if (r.plainJson) return { status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, body: r.body };
    return { status: r.status, headers: { ...r.headers, 'x-amzn-requestid': requestId }, body: r.body };
  }
  let value = o.value;
  if (value === undefined) {
    try {
      value = JSON.parse(o.payload);
    } catch {
      value = o.payload;
    }
  }
  return urlResponse(value, requestId);
}
