/**
 * k6's Response object and what http calls return: a Promise whose Response fields, read off the
 * Promise by mistake, throw a message saying to write `await`. Body, headers and request are
 * decoded lazily (most load scripts never read them); compressed bodies are decoded as k6 does.
 */
import { Buffer } from 'node:buffer';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { type Cookie, type ResponseCookie, toResponseCookie } from './cookies.ts';

export function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
}

/**
 * A body the server compressed because the script asked for it (Accept-Encoding): decoded, as
 * k6 does; a body that does not decode is k6's error 1701 (here: an Error naming it).
 */
function decode(b: Buffer, encoding: string | undefined): Buffer {
  if (encoding === undefined || b.length === 0) return b;
  try {
    switch (encoding.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(b);
      case 'deflate':
        return inflateSync(b);
      case 'br':
        return brotliDecompressSync(b);
      default:
        return b;
    }
  } catch (e) {
    throw new Error(`error code 1701: the ${encoding} response body could not be decompressed: ${(e as Error).message}`, { cause: e });
  }
}

/** A millisecond value rounded to whole nanoseconds. */
export function toNs(ms: number): number {
  return Math.round(ms * 1e6) / 1e6;
}

/** Simple gjson-like selector for `res.json("a.b.0.c")`. */
function select(v: unknown, selector: string): unknown {
  let cur: unknown = v;
  for (const part of selector.split('.')) {
    if (cur === null || cur === undefined) return undefined;
    if (part === '#' && Array.isArray(cur)) return cur.length;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export interface Timings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
}

/** k6's Response object (the part squall supports). Body, headers and request are built lazily. */
export class K6Response {
  status = 0;
  status_text = '';
  proto = 'HTTP/1.1';
  error = '';
  error_code = 0;
  url: string;
  remote_ip = '';
  remote_port = 0;
  timings: Timings = { blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 };
  /** Raw header lines as the parser hands them: name, value, name, value ... */
  rawHeaders: string[] | undefined;
  chunks: Buffer[] | undefined;
  responseType: 'text' | 'binary' | 'none';
  private readonly method: string;
  private readonly reqBody: string;
  private bodyCache: string | ArrayBuffer | null | undefined;
  private headerCache: Record<string, string> | undefined;
  private jsonCache: unknown;

  constructor(method: string, url: string, reqBody: string, responseType: 'text' | 'binary' | 'none') {
    this.url = url;
    this.method = method;
    this.reqBody = reqBody;
    this.responseType = responseType;
  }

  get request(): { method: string; url: string; headers: Record<string, string[]>; body: string; cookies: Record<string, unknown> } {
    return { method: this.method, url: this.url, headers: {}, body: this.reqBody, cookies: {} };
  }

  /** Cookies this response set (filled by the client from Set-Cookie). */
  setCookies: Cookie[] | undefined;

  /** k6 `res.cookies`: name → the cookies of that name this response set. */
  get cookies(): Record<string, ResponseCookie[]> {
    const out: Record<string, ResponseCookie[]> = {};
    for (const c of this.setCookies ?? []) (out[c.name] ??= []).push(toResponseCookie(c));
    return out;
  }

  get headers(): Record<string, string> {
    if (this.headerCache === undefined) {
      const h: Record<string, string> = {};
      const raw = this.rawHeaders ?? [];
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const k = canonical((raw[i] as string).toLowerCase());
        const v = raw[i + 1] as string;
        h[k] = h[k] === undefined ? v : `${h[k]}, ${v}`;
      }
      this.headerCache = h;
    }
    return this.headerCache;
  }

  get body(): string | ArrayBuffer | null {
    if (this.bodyCache === undefined) {
      if (this.responseType === 'none' || this.chunks === undefined) this.bodyCache = this.responseType === 'none' ? null : '';
      else {
        let b = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
        b = decode(b, this.headers['Content-Encoding']);
        this.bodyCache = this.responseType === 'binary' ? (b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer) : b.toString('utf8');
      }
    }
    return this.bodyCache ?? null;
  }

  json(selector?: string): unknown {
    if (this.jsonCache === undefined) {
      const b = this.body;
      if (b === null) throw new Error('the response has no body (responseType "none" or discardResponseBodies)');
      const text = typeof b === 'string' ? b : Buffer.from(b).toString('utf8');
      try {
        this.jsonCache = JSON.parse(text);
      } catch (e) {
        throw new Error(`cannot parse the response body of ${this.method} ${this.url} as JSON: ${(e as Error).message}`, { cause: e });
      }
    }
    return selector === undefined ? this.jsonCache : select(this.jsonCache, selector);
  }

  html(): never {
    throw new Error('Response.html() (k6/html) is not supported by squall\'s engine; parse res.body yourself or run the script with real k6');
  }
}

const PROMISE_FIELDS = ['status', 'body', 'headers', 'json', 'timings', 'error', 'error_code', 'url', 'status_text', 'cookies', 'proto', 'request'];

/**
 * What `http.get()` and friends return: a Promise (so `await` works in squall and passes through
 * in real k6). Reading a Response field off it throws a message that says how to fix the script.
 */
/** Who is told when a request's Promise is never awaited (the VU, at the end of its iteration). */
export interface AwaitTracker {
  unawaitedRequests: number;
  lastUnawaitedCall: string;
}

export class ResponsePromise<T> extends Promise<T> {
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }
  __call = 'http.request';
  __tracker: AwaitTracker | undefined;

  /** `await` (and Promise.all, .then) calls this: the request was waited for. */
  override then<A = T, B = never>(onFulfilled?: ((v: T) => A | PromiseLike<A>) | null, onRejected?: ((e: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    const t = this.__tracker;
    if (t !== undefined) {
      this.__tracker = undefined;
      t.unawaitedRequests--;
    }
    return super.then(onFulfilled, onRejected);
  }

  /** Count this request as not awaited until something calls then(). */
  track(t: AwaitTracker, call: string): void {
    this.__call = call;
    this.__tracker = t;
    t.unawaitedRequests++;
    t.lastUnawaitedCall = call;
  }
}
for (const f of PROMISE_FIELDS) {
  // Reflect's boolean result, not the (thenable) prototype Object.defineProperty would hand back.
  Reflect.defineProperty(ResponsePromise.prototype, f, {
    get(this: { __call?: string }) {
      const call = this.__call ?? 'http.request';
      throw new Error(
        `${call}(...) returns a Promise in squall's engine, and .${f} was read from the Promise; write \`await ${call}(...)\` ` +
          '(real k6 returns the Response directly and `await` passes it through, so the script stays valid for k6)',
      );
    },
  });
}

