/**
 * A minimal HTTP/1.1 keep-alive client for the request loop, after autocannon's: one socket per
 * request in flight, reused from a per-origin idle list, the request head written as one string,
 * and the response parsed by Node's own llhttp binding (the parser `node:http` uses) with plain
 * callbacks, without streams or per-request wrappers. It measured ~8 µs of CPU per request where
 * undici's Pool took ~16.5 (shared/reference/node-measurements.md puts undici at 0.74× autocannon).
 * It also yields k6's connection timings: `connecting` and `tls_handshaking` for new sockets.
 *
 * Handles: keep-alive and `Connection: close`, chunked and read-until-close bodies (llhttp),
 * HEAD responses, 1xx informational responses, TLS (https), one retry on a reused connection
 * that the server had already closed (as Go's transport, and so k6, retries), aborts.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';

interface LlhttpParser {
  initialize(type: number, resource: object): void;
  execute(data: Buffer): number | Error;
  finish(): number | Error | undefined;
  close(): void;
  [k: number]: unknown;
}
interface LlhttpCtor {
  new (): LlhttpParser;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}
// `_http_common` is Node's own module behind node:http; its HTTPParser is the llhttp binding.
const { HTTPParser } = createRequire(import.meta.url)('_http_common') as { HTTPParser: LlhttpCtor };

/** What a request in flight is told (the same shape the engine's exchange implements). */
export interface H1Handler {
  onConnect(abort: (e: Error) => void, conn: ConnectionInfo): void;
  onHeaders(status: number, rawHeaders: string[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

export interface ConnectionInfo {
  /** False for a reused keep-alive connection. */
  readonly fresh: boolean;
  /** ms spent connecting (TCP) and in the TLS handshake, for a fresh connection. */
  readonly connectingMs: number;
  readonly tlsMs: number;
}

const NOOP = (): void => {};

class Connection implements ConnectionInfo {
  readonly socket: net.Socket;
  private readonly parser: LlhttpParser;
  handler: H1Handler | undefined;
  fresh = true;
  connected = false;
  connectingMs = 0;
  tlsMs = 0;
  private t0 = performance.now();
  private tConnect = 0;
  private keepAlive = true;
  private gotResponseBytes = false;
  private isHead = false;
  private informational = false;
  private headerParts: string[] = [];
  private readonly abortFn = (e: Error): void => this.fail(e, false);
  closed = false;

  constructor(private readonly origin: Origin) {
    if (origin.secure) {
      this.socket = tls.connect({ host: origin.host, port: origin.port, servername: net.isIP(origin.host) ? undefined : origin.host, rejectUnauthorized: origin.rejectUnauthorized });
      this.socket.once('connect', () => (this.tConnect = performance.now()));
      this.socket.once('secureConnect', () => this.onConnected());
    } else {
      this.socket = net.connect(origin.port, origin.host);
      this.socket.once('connect', () => {
        this.tConnect = performance.now();
        this.onConnected();
      });
    }
    this.socket.setNoDelay(true);
    const p = new HTTPParser();
    p.initialize(HTTPParser.RESPONSE, {});
    p[HTTPParser.kOnHeaders] = (headers: string[]) => {
      for (const h of headers) this.headerParts.push(h);
    };
    p[HTTPParser.kOnHeadersComplete] = (_vMaj: number, _vMin: number, headers: string[] | undefined, _m: unknown, _u: unknown, status: number, statusText: string | undefined, _upgrade: boolean, keepAlive: boolean): number => {
      const raw = this.headerParts.length ? (headers ? this.headerParts.concat(headers) : this.headerParts) : (headers ?? []);
      this.headerParts = [];
      if (status < 200) {
        this.informational = true;
        return 0;
      }
      this.keepAlive = keepAlive;
      this.handler?.onHeaders(status, raw, NOOP, statusText ?? '');
      // 1 = "no body follows" (a HEAD response carries the length of a body it does not send).
      return this.isHead ? 1 : 0;
    };
    p[HTTPParser.kOnBody] = (chunk: Buffer) => {
      this.handler?.onData(chunk);
    };
    p[HTTPParser.kOnMessageComplete] = () => {
      if (this.informational) {
        this.informational = false;
        return;
      }
      this.complete();
    };
    this.parser = p;
    this.socket.on('data', (d: Buffer) => {
      this.gotResponseBytes = true;
      const r = this.parser.execute(d);
      if (r instanceof Error) this.fail(Object.assign(r, { code: (r as { code?: string }).code ?? 'HPE_INVALID' }), false);
    });
    this.socket.on('end', () => {
      // A body delimited by the connection's end completes here.
      if (this.handler) {
        const r = this.parser.finish();
        if (r instanceof Error) this.fail(r, false);
      }
    });
    this.socket.on('error', (e: Error) => this.fail(e, true));
    this.socket.on('close', () => this.onClose());
  }

  private onConnected(): void {
    this.connected = true;
    const now = performance.now();
    this.connectingMs = Math.round(((this.tConnect || now) - this.t0) * 1e6) / 1e6;
    this.tlsMs = this.origin.secure ? Math.round((now - (this.tConnect || now)) * 1e6) / 1e6 : 0;
    this.origin.connected(this);
  }

  send(r: QueuedRequest): void {
    this.write(r.head, r.body, r.handler, r.method, r.retried);
  }

  private retried = false;
  private lastRequest: { head: string; body: Buffer | undefined; method: string } | undefined;

  private write(head: string, body: Buffer | undefined, handler: H1Handler, method: string, retried: boolean): void {
    this.handler = handler;
    this.isHead = method === 'HEAD';
    this.gotResponseBytes = false;
    this.retried = retried;
    this.lastRequest = { head, body, method };
    handler.onConnect(this.abortFn, this);
    if (body === undefined) this.socket.write(head, 'latin1');
    else {
      this.socket.cork();
      this.socket.write(head, 'latin1');
      this.socket.write(body);
      this.socket.uncork();
    }
  }

  private complete(): void {
    const h = this.handler;
    this.handler = undefined;
    this.lastRequest = undefined;
    if (this.keepAlive && !this.closed) {
      this.fresh = false;
      this.origin.release(this);
    } else this.destroy();
    h?.onComplete();
  }

  /** A reused connection the server closed before answering gets the request once more. */
  private fail(e: Error, fromSocket: boolean): void {
    const h = this.handler;
    this.handler = undefined;
    const last = this.lastRequest;
    this.lastRequest = undefined;
    const wasConnecting = !this.connected && !this.closed;
    this.destroy();
    if (wasConnecting) {
      // The dial failed: the request waiting longest gets the error (Go's transport does alike).
      this.origin.dialFailed(e);
      return;
    }
    if (!h) return;
    if (fromSocket && !this.fresh && !this.gotResponseBytes && !this.retried && last) {
      this.origin.dispatch(last.head, last.body, h, last.method, true);
      return;
    }
    h.onError(e);
  }

  private onClose(): void {
    if (!this.closed) {
      const parser = this.parser;
      setImmediate(() => parser.close());
    }
    this.closed = true;
    this.origin.forget(this);
    if (this.handler) {
      const err = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      this.fail(err, true);
    }
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.origin.forget(this);
    this.socket.destroy();
    // Never free the parser inside its own execute() (a response with `Connection: close`
    // completes there): that is a use after free in native code.
    const parser = this.parser;
    setImmediate(() => parser.close());
  }
}

interface QueuedRequest {
  head: string;
  body: Buffer | undefined;
  handler: H1Handler;
  method: string;
  retried: boolean;
}

/**
 * Connections to one scheme://host:port. A request with no idle connection waits in a queue
 * while a new connection is dialed, and takes whichever connection is ready first: the new one
 * or one another request just released (Go's transport, so k6, does the same). So a burst of
 * requests at start does not dial one socket each while earlier ones are about to be free.
 */
export class Origin {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: QueuedRequest[] = [];
  private dialing = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly secure: boolean,
    readonly rejectUnauthorized = true,
  ) {}

  dispatch(head: string, body: Buffer | undefined, handler: H1Handler, method: string, retried = false): void {
    let c = this.idle.pop();
    while (c !== undefined && c.closed) c = this.idle.pop();
    if (c !== undefined) {
      c.socket.ref();
      c.send({ head, body, handler, method, retried });
      return;
    }
    this.waiting.push({ head, body, handler, method, retried });
    if (this.dialing < this.waiting.length) {
      this.dialing++;
      this.all.add(new Connection(this));
    }
  }

  /** A new connection is up. */
  connected(c: Connection): void {
    this.dialing--;
    this.release(c);
  }

  dialFailed(e: Error): void {
    this.dialing--;
    const r = this.waiting.shift();
    r?.handler.onError(e);
  }

  /** A connection is free: the next waiting request takes it, or it goes idle. */
  release(c: Connection): void {
    const next = this.waiting.shift();
    if (next !== undefined) {
      c.socket.ref();
      c.send(next);
      return;
    }
    // Idle keep-alive sockets must not keep the process alive.
    c.socket.unref();
    this.idle.push(c);
  }

  forget(c: Connection): void {
    this.all.delete(c);
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
  }

  close(): void {
    for (const c of [...this.all]) c.destroy();
    this.idle.length = 0;
    this.waiting.length = 0;
  }
}
