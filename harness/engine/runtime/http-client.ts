/**
 * k6/http's engine side: requests go through squall's HTTP/1.1 client (h1-client.ts: keep-alive
 * sockets per origin, Node's llhttp parser, the autocannon model) with one handler object per
 * request and no closures; HTTP tag sets are derived from the VU's cached tag set per (method,
 * url, status, ...); samples are k6's, in k6's order (`tracer.go: SaveSamples`, k6-contract.md
 * §2.2–2.3). Network errors never throw: they become a Response with status 0, `error` and
 * `error_code` (k6 `error_codes.go`).
 *
 * Timings: blocked = from the call until the request is written on a socket (includes connecting
 * and TLS for a new socket, as k6's does), connecting and tls_handshaking for new sockets,
 * sending 0 (the head and body go out in one write), waiting = written to response head,
 * receiving = head to end; duration = sending + waiting + receiving.
 */
import { Buffer } from 'node:buffer';
import { K6Response, ResponsePromise, toNs } from './http-response.ts';
import { type CookieJarStore, type ScriptCookieJar, parseSetCookie } from './cookies.ts';
import { type ConnectionInfo, type H1Handler, Origin } from './h1-client.ts';
import type { TagSet } from '../metrics/tags.ts';
import { parseDuration } from '../duration.ts';
import type { RunContext } from './run-context.ts';
import { type ExpectedStatuses, IterationInterrupted, type ResponseCallback, type VuContext } from './vu.ts';

export const DEFAULT_EXPECTED: ExpectedStatuses = { __squallExpectedStatuses: [[200, 399]] };

interface ParsedUrl {
  readonly origin: string;
  readonly path: string;
  readonly href: string;
  /** The URL as k6 tags it: credentials masked. */
  readonly tagUrl: string;
  readonly host: string;
  /** The connections to this URL's origin. */
  readonly conn: Origin;
  /** Request heads without extra headers or body, per method (built once). */
  readonly heads: Map<string, string>;
  /** The parsed URL, for cookie matching. */
  readonly parsed: URL;
  /** HTTP tag sets of plain requests to this URL, per VU tag set (see fastTags). */
  readonly tagCache: Map<TagSet, Map<number, TagSet>>;
}

export interface RequestParams {
  headers?: Record<string, string | number | boolean> | undefined;
  tags?: Record<string, string> | undefined;
  timeout?: string | number | undefined;
  responseType?: 'text' | 'binary' | 'none' | undefined;
  redirects?: number | undefined;
  responseCallback?: ResponseCallback | undefined;
  /** k6 `cookies` param: name → value (or {value, replace}). */
  cookies?: Record<string, string | { value: string; replace?: boolean }> | undefined;
  /** k6 `jar` param: a jar from http.cookieJar() or new http.CookieJar(). */
  jar?: ScriptCookieJar | null | undefined;
  [k: string]: unknown;
}

/** `http.url` template results: the name tag keeps `${}` placeholders. */
export interface NamedUrl {
  readonly __squallUrl: string;
  readonly __squallName: string;
}

const MAX_URLS = 10_000;
const METHOD_INDEX: Record<string, number> = { GET: 0, POST: 1, PUT: 2, PATCH: 3, DELETE: 4, HEAD: 5, OPTIONS: 6 };
const DEFAULT_TIMEOUT_MS = 60_000;

function maskCredentials(u: URL, raw: string): string {
  if (!u.username && !u.password) return raw;
  const c = new URL(u.href);
  if (c.username) c.username = '****';
  if (c.password) c.password = '****';
  return c.href;
}

/** k6 network error codes (`lib/netext/httpext/error_codes.go`). */
function classify(err: Error & { code?: string; address?: string; port?: number }): { code: number; text: string } {
  const where = err.address ? `${err.address}:${err.port ?? ''}` : '';
  switch (err.code) {
    case 'ECONNREFUSED':
      return { code: 1212, text: `dial tcp ${where}: connect: connection refused` };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return { code: 1220, text: `read tcp ${where}: read: connection reset by peer` };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { code: 1050, text: 'request timeout' };
    case 'ENOTFOUND':
      return { code: 1101, text: `lookup: no such host (${err.message})` };
    case 'EAI_AGAIN':
      return { code: 1100, text: `lookup: ${err.message}` };
    default:
      return { code: 1000, text: err.message };
  }
}

function formEncode(obj: Record<string, unknown>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(obj)) {
    if (Array.isArray(v)) for (const x of v) p.append(k, String(x));
    else if (v !== undefined && v !== null) p.append(k, String(v));
  }
  return p.toString();
}

function isExpected(cb: ExpectedStatuses, status: number): boolean {
  for (const [lo, hi] of cb.__squallExpectedStatuses) if (status >= lo && status <= hi) return true;
  return false;
}

/** One request in flight: the h1 client's handler, one object per request. */
class Exchange implements H1Handler {
  res: K6Response;
  t0 = 0;
  tStart = 0;
  tHead = 0;
  received = 0;
  private abortFn: ((e: Error) => void) | undefined;
  resolve!: (r: K6Response) => void;
  aborted = false;

  constructor(
    readonly client: HttpClient,
    readonly vu: VuContext,
    readonly req: PreparedRequest,
    readonly redirectsLeft: number,
  ) {
    this.res = new K6Response(req.method, req.url.href, req.bodyText, req.responseType);
  }

  /** Set when a script-given timeout fired. */
  timedOut = false;
  timer: NodeJS.Timeout | undefined;
  private pendingAbort: Error | undefined;

  abort(): void {
    this.aborted = true;
    this.cancel(new IterationInterrupted());
  }

  timeout(): void {
    this.timedOut = true;
    this.cancel(Object.assign(new Error('request timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' }));
  }

  private cancel(e: Error): void {
    if (this.abortFn) this.abortFn(e);
    else this.pendingAbort = e;
  }

  onConnect(abort: (e: Error) => void, conn: ConnectionInfo): void {
    this.abortFn = abort;
    this.tStart = performance.now();
    if (conn.fresh) {
      this.res.timings.connecting = conn.connectingMs;
      this.res.timings.tls_handshaking = conn.tlsMs;
    }
    if (this.pendingAbort) abort(this.pendingAbort);
  }

  onHeaders(statusCode: number, rawHeaders: string[], _resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true;
    this.tHead = performance.now();
    const res = this.res;
    res.status = statusCode;
    res.status_text = statusText ? `${statusCode} ${statusText}` : String(statusCode);
    res.rawHeaders = rawHeaders;
    // Head bytes for data_received: status line, "name: value\r\n" per header, blank line.
    let n = 17 + statusText.length;
    for (let i = 0; i < rawHeaders.length; i++) n += (rawHeaders[i] as string).length + 2;
    this.received += n;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.received += chunk.length;
    if (this.req.responseType !== 'none') {
      if (this.res.chunks === undefined) this.res.chunks = [chunk];
      else this.res.chunks.push(chunk);
    }
    return true;
  }

  onComplete(): void {
    this.client.finish(this, undefined);
  }

  onError(err: Error): void {
    this.client.finish(this, err);
  }
}

interface PreparedRequest {
  method: string;
  url: ParsedUrl;
  /** The request line and headers, ready to write. */
  head: string;
  body: Buffer | undefined;
  bodyText: string;
  tags: TagSet;
  /** `name` tag when the script set one (or used http.url), else the URL. */
  name: string | undefined;
  timeoutMs: number;
  responseType: 'text' | 'binary' | 'none';
  callback: ResponseCallback;
  /** Where Set-Cookie goes and Cookie comes from (undefined: `jar: null`, no cookies). */
  jar: CookieJarStore | undefined;
  sentBytes: number;
  call: string;
}

export class HttpClient {
  private readonly urls = new Map<string, ParsedUrl>();
  private readonly origins = new Map<string, Origin>();
  private readonly userAgent: string;
  /** Enforces the default 60 s timeout once a second, instead of a timer per request. */
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly run: RunContext) {
    this.userAgent = run.options?.userAgent ?? 'squall-k6';
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  private parse(raw: string): ParsedUrl {
    let p = this.urls.get(raw);
    if (p) return p;
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw Object.assign(new Error(`invalid URL "${raw}"`), { k6Code: 1020 });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw Object.assign(new Error(`unsupported protocol scheme "${u.protocol.slice(0, -1)}" in "${raw}"`), { k6Code: 1020 });
    let origin = this.origins.get(u.origin);
    if (!origin) {
      const secure = u.protocol === 'https:';
      const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
      origin = new Origin(host, u.port ? Number(u.port) : secure ? 443 : 80, secure, this.run.options?.consolidated.insecureSkipTLSVerify !== true);
      this.origins.set(u.origin, origin);
    }
    const path = `${u.pathname}${u.search}`;
    p = {
      origin: u.origin,
      path,
      href: u.href,
      tagUrl: maskCredentials(u, u.href),
      host: u.host,
      conn: origin,
      parsed: u,
      heads: new Map(),
      tagCache: new Map(),
    };
    if (this.urls.size < MAX_URLS) this.urls.set(raw, p);
    return p;
  }

  /** k6 `http.request(method, url, body, params)`; `call` names the API for error messages. */
  request(vu: VuContext, call: string, method: string, url: unknown, body: unknown, params: RequestParams | undefined): ResponsePromise<K6Response> {
    let resolve!: (r: K6Response) => void;
    let reject!: (e: unknown) => void;
    const p = new ResponsePromise<K6Response>((a, b) => {
      resolve = a;
      reject = b;
    });
    p.track(vu, call);
    try {
      vu.assertNotInit(`${call}()`);
      const req = this.prepare(vu, call, method.toUpperCase(), url, body, params);
      this.dispatch(vu, req, params?.redirects ?? this.run.options?.maxRedirects ?? 10, resolve);
    } catch (e) {
      reject(e);
    }
    return p;
  }

  private prepare(vu: VuContext, call: string, method: string, url: unknown, body: unknown, params: RequestParams | undefined): PreparedRequest {
    let raw: string;
    let name: string | undefined;
    if (typeof url === 'string') raw = url;
    else if (url !== null && typeof url === 'object' && '__squallUrl' in url) {
      raw = (url as NamedUrl).__squallUrl;
      name = (url as NamedUrl).__squallName;
    } else raw = String(url);
    const parsed = this.parse(raw);
    let extra = '';
    let ownUA = false;
    let bodyOut: Buffer | undefined;
    let bodyText = '';
    if (body !== undefined && body !== null) {
      if (typeof body === 'string') bodyOut = Buffer.from(body);
      else if (body instanceof ArrayBuffer) bodyOut = Buffer.from(body);
      else if (ArrayBuffer.isView(body)) bodyOut = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      else if (typeof body === 'object') {
        bodyOut = Buffer.from(formEncode(body as Record<string, unknown>));
        extra += 'Content-Type: application/x-www-form-urlencoded\r\n';
      } else bodyOut = Buffer.from(String(body));
      bodyText = typeof body === 'string' ? body : bodyOut.toString('utf8');
    }
    let tags = vu.tags;
    let timeoutMs = DEFAULT_TIMEOUT_MS;
    let responseType: 'text' | 'binary' | 'none' = this.run.options?.discardResponseBodies ? 'none' : 'text';
    let callback: ResponseCallback = vu.responseCallback === undefined ? DEFAULT_EXPECTED : vu.responseCallback;
    let jar: CookieJarStore | undefined = vu.cookieJar;
    let cookies: string[] | undefined;
    if (params !== undefined && params !== null) {
      if (params.headers) {
        for (const k in params.headers) {
          const v = String(params.headers[k]);
          if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) throw new Error(`header "${k}": names and values cannot contain line breaks`);
          const lower = k.toLowerCase();
          if (lower === 'user-agent') ownUA = true;
          if (lower === 'content-length' || lower === 'host') continue;
          if (lower === 'content-type' && extra.startsWith('Content-Type:')) extra = extra.slice(extra.indexOf('\r\n') + 2);
          extra += `${k}: ${v}\r\n`;
        }
      }
      if (params.tags) {
        tags = tags.with(params.tags);
        if (params.tags.name !== undefined) name = params.tags.name;
      }
      if (params.timeout !== undefined) timeoutMs = parseDuration(params.timeout) ?? timeoutMs;
      if (params.responseType !== undefined) responseType = params.responseType;
      if ('responseCallback' in params) callback = params.responseCallback ?? null;
      if (params.jar !== undefined) jar = params.jar === null ? undefined : params.jar.store;
      if (params.cookies) {
        cookies = Object.entries(params.cookies).map(([k, v]) => `${k}=${typeof v === 'string' ? v : v.value}`);
      }
    }
    if (jar !== undefined && jar.size !== 0) {
      const fromJar = jar.header(parsed.parsed, Date.now());
      if (fromJar) (cookies ??= []).unshift(fromJar);
    }
    if (cookies !== undefined && cookies.length) extra += `Cookie: ${cookies.join('; ')}\r\n`;
    // Go's client (so k6) sends Content-Length: 0 for a POST, PUT or PATCH without a body.
    const bodyLen = bodyOut !== undefined ? bodyOut.length : method === 'POST' || method === 'PUT' || method === 'PATCH' ? 0 : -1;
    let head: string | undefined;
    if (extra === '' && bodyLen < 0 && !ownUA) {
      head = parsed.heads.get(method);
      if (head === undefined) {
        head = `${method} ${parsed.path} HTTP/1.1\r\nHost: ${parsed.host}\r\nUser-Agent: ${this.userAgent}\r\n\r\n`;
        parsed.heads.set(method, head);
      }
    } else {
      head = `${method} ${parsed.path} HTTP/1.1\r\nHost: ${parsed.host}\r\n${ownUA ? '' : `User-Agent: ${this.userAgent}\r\n`}${extra}${bodyLen >= 0 ? `Content-Length: ${bodyLen}\r\n` : ''}\r\n`;
    }
    const sent = head.length + (bodyOut?.length ?? 0);
    return { method, url: parsed, head, body: bodyOut, bodyText, tags, name, timeoutMs, responseType, callback, jar, sentBytes: sent, call };
  }

  private dispatch(vu: VuContext, req: PreparedRequest, redirectsLeft: number, resolve: (r: K6Response) => void): void {
    const ex = new Exchange(this, vu, req, redirectsLeft);
    ex.resolve = resolve;
    ex.t0 = performance.now();
    vu.exchanges.add(ex);
    vu.bytesSent += req.sentBytes;
    // k6's timeout covers the whole request (default 60 s).
    if (req.timeoutMs !== DEFAULT_TIMEOUT_MS) ex.timer = setTimeout(() => ex.timeout(), req.timeoutMs);
    req.url.conn.dispatch(req.head, req.body, ex, req.method);
  }

  /** End of one exchange: samples, then a redirect hop or the Response. */
  finish(ex: Exchange, err: Error | undefined): void {
    const vu = ex.vu;
    const run = this.run;
    const req = ex.req;
    const res = ex.res;
    if (ex.timer !== undefined) clearTimeout(ex.timer);
    vu.exchanges.delete(ex);
    vu.bytesReceived += ex.received;
    if (vu.exchanges.size === 0 && vu.waitingForDrain) queueMicrotask(() => vu.exchangeDone());
    const end = performance.now();
    if (ex.aborted) {
      ex.resolve(res);
      return;
    }
    if (err) {
      const c = (err as { k6Code?: number }).k6Code !== undefined ? { code: (err as unknown as { k6Code: number }).k6Code, text: err.message } : classify(err);
      res.status = 0;
      res.error = c.text;
      res.error_code = c.code;
      run.log.iterationError(`Request Failed: ${req.method} ${req.url.tagUrl}: ${c.text}`);
    }
    const start = ex.tStart || end;
    const head = ex.tHead || end;
    const t = res.timings;
    // Whole nanoseconds, as k6's Go durations are (and shorter NDJSON lines).
    t.blocked = toNs(start - ex.t0);
    t.waiting = toNs(head - start);
    t.receiving = toNs(end - head);
    t.duration = toNs(t.sending + t.waiting + t.receiving);
    const status = res.status;
    if (status >= 400 && res.error_code === 0) res.error_code = 1000 + status;
    const raw = res.rawHeaders;
    if (raw !== undefined && req.jar !== undefined) {
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const k = raw[i] as string;
        if (k.length === 10 && k.toLowerCase() === 'set-cookie') {
          const now = Date.now();
          const c = parseSetCookie(raw[i + 1] as string, req.url.parsed, now);
          if (c !== undefined) {
            req.jar.store(c, now);
            (res.setCookies ??= []).push(c);
          }
        }
      }
    }
    const cb = req.callback;
    const expected = cb === null ? undefined : isExpected(cb, status);
    const tags = req.name === undefined && res.error === '' ? this.fastTags(req, status, expected) : this.slowTags(req, status, expected, res);
    const b = run.builtin;
    const m = run.metrics;
    const now = run.epochNow();
    m.add(b.http_reqs, tags, 1, now);
    m.add(b.http_req_duration, tags, t.duration, now);
    m.add(b.http_req_blocked, tags, t.blocked, now);
    m.add(b.http_req_connecting, tags, t.connecting, now);
    m.add(b.http_req_tls_handshaking, tags, t.tls_handshaking, now);
    m.add(b.http_req_sending, tags, t.sending, now);
    m.add(b.http_req_waiting, tags, t.waiting, now);
    m.add(b.http_req_receiving, tags, t.receiving, now);
    if (expected !== undefined) m.add(b.http_req_failed, tags, expected ? 0 : 1, now);

    if (!err && status >= 300 && status < 400 && ex.redirectsLeft > 0) {
      const loc = res.headers.Location;
      if (loc) {
        const next = new URL(loc, req.url.href).href;
        const toGet = status === 303 || ((status === 301 || status === 302) && req.method === 'POST');
        try {
          const hop = this.prepare(vu, req.call, toGet ? 'GET' : req.method, next, toGet ? undefined : req.body, undefined);
          hop.tags = req.tags;
          hop.name = undefined;
          hop.callback = req.callback;
          hop.responseType = req.responseType;
          this.dispatch(vu, hop, ex.redirectsLeft - 1, ex.resolve);
          return;
        } catch (e) {
          res.error = (e as Error).message;
        }
      }
    }
    ex.resolve(res);
  }

  /**
   * The tag set of a plain request (no name tag, no network error): cached per (VU tag set, URL)
   * in a map keyed by a number made of method, status and expected_response, so the hot path
   * builds no key string.
   */
  private fastTags(req: PreparedRequest, status: number, expected: boolean | undefined): TagSet {
    let perUrl = req.url.tagCache.get(req.tags);
    if (perUrl === undefined) {
      perUrl = new Map();
      if (req.url.tagCache.size < 1024) req.url.tagCache.set(req.tags, perUrl);
    }
    let mi = METHOD_INDEX[req.method];
    if (mi === undefined) mi = 15;
    const key = ((mi * 1000 + status) << 2) | (expected === undefined ? 0 : expected ? 1 : 2);
    let t = perUrl.get(key);
    if (t === undefined) {
      t = this.slowTags(req, status, expected, undefined);
      perUrl.set(key, t);
    }
    return t;
  }

  private slowTags(req: PreparedRequest, status: number, expected: boolean | undefined, res: K6Response | undefined): TagSet {
    const tagUrl = req.name ?? req.url.tagUrl;
    const errorCode = res?.error_code ?? (status >= 400 ? 1000 + status : 0);
    const error = res?.error ?? '';
    const key = `${req.method}\u0000${tagUrl}\u0000${status}\u0000${expected}\u0000${errorCode}\u0000${error}`;
    return req.tags.derive(key, () => {
      const t: Record<string, string> = { method: req.method, url: tagUrl, name: tagUrl, status: String(status), proto: 'HTTP/1.1' };
      if (expected !== undefined) t.expected_response = String(expected);
      if (errorCode !== 0) t.error_code = String(errorCode);
      if (error) t.error = error;
      return t;
    });
  }

  private sweep(): void {
    const limit = performance.now() - DEFAULT_TIMEOUT_MS;
    for (const vu of this.run.vus) {
      if (vu === undefined || vu.exchanges.size === 0) continue;
      for (const x of vu.exchanges) {
        const ex = x as Exchange;
        if (ex.timer === undefined && ex.t0 < limit) ex.timeout();
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const o of this.origins.values()) o.close();
    this.origins.clear();
    this.urls.clear();
  }
}
