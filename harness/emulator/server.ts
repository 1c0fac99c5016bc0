/**
 * The emulator's HTTP frame: one `node:http` listener (keep-alive) in front of an explicit,
 * ordered list of services (SQS, and Lambda when the caller adds it). The frame reads each body
 * with a size cap, verifies SigV4 when started with credentials, dispatches to the first service
 * whose `match` accepts the request, and answers private routes under `/_squall/` (health,
 * metrics, reset). Nothing a client sends can crash the process: every failure becomes an
 * AWS-style error response.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../contracts/clock.ts';
import type { Clock } from '../contracts/clock.ts';
import { EMULATED_ACCOUNT } from '../contracts/aws-facts.ts';
import type { EmuRequest, EmuResponse, EmulatorContext, EmulatorService, ServiceFactory } from './http.ts';
import { requestId } from './ids.ts';
import { Metrics } from './metrics.ts';
import { verifySigV4 } from './sigv4.ts';
import type { Credentials } from './sigv4.ts';
import { SqsModel } from './sqs/model.ts';
import type { SqsLimits } from './sqs/model.ts';
import { bindSqsMetrics } from './sqs/metrics.ts';
import { bindSqsLedger } from './sqs/ledger.ts';
import { sqsService } from './sqs/service.ts';

export interface EmulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  clock?: Clock;
  /** When set, every request must carry a valid SigV4 signature made with these. */
  credentials?: Credentials;
  /**
   * Also refuse signatures made more than 15 min from the clock's epoch time, as AWS does.
   * Default: on with the system clock, off with an injected clock (its epoch is its own).
   */
  checkSignatureTime?: boolean;
  /**
   * The services, tried in this order. Default: SQS only. To add Lambda, pass e.g.
   * `[lambdaService, sqsService]` (all factories get the same context, SQS model included).
   */
  services?: ServiceFactory[];
  /** Override SQS limits (tests use small ones). */
  sqsLimits?: Partial<SqsLimits>;
  metricsStepMs?: number;
}

export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly clock: Clock;
  readonly sqs: SqsModel;
  readonly metrics: Metrics;
  readonly services: ReadonlyMap<string, EmulatorService>;
  close(): Promise<void>;
}

function errorJson(status: number, type: string, message: string, rid: string): EmuResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': rid, 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, message }),
  };
}

function headersOf(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    const v = raw[i + 1]!;
    out[k] = out[k] === undefined ? v : `${out[k]}, ${v}`;
  }
  return out;
}

/**
 * One request as services see it. A class, not an object literal with getters: V8 builds a
 * literal's accessors anew for every request, which cost about a third of a function-URL hot
 * path. `query` is parsed and the AbortController made only when a service reads them.
 */
const EMPTY_BODY = Buffer.alloc(0);

class FrameRequest implements EmuRequest {
  private parsedQuery: URLSearchParams | undefined;
  private ac: AbortController | undefined;
  constructor(
    readonly method: string,
    readonly rawPath: string,
    readonly path: string,
    readonly rawQuery: string,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: Buffer,
    readonly requestId: string,
    readonly receivedAt: number,
    private readonly res: http.ServerResponse,
  ) {}
  get query(): URLSearchParams {
    // Parsed on first use: JSON-protocol requests never read it.
    this.parsedQuery ??= new URLSearchParams(this.rawQuery);
    return this.parsedQuery;
  }
  get signal(): AbortSignal {
    // Watched only from the first read (long polls): a listener per request costs every request.
    if (!this.ac) {
      const ac = (this.ac = new AbortController());
      const res = this.res;
      // The client went away before the answer was written (already, or later).
      if (res.destroyed) {
        if (!res.writableFinished) ac.abort();
      } else {
        res.once('close', () => {
          if (!res.writableFinished) ac.abort();
        });
      }
    }
    return this.ac.signal;
  }
}

// Module-level, not closures per request: the request path allocates nothing it can avoid.
function send(res: http.ServerResponse, r: EmuResponse, rid: string, close = false): void {
  // A string body goes to res.end as is (node sends it with the headers as one chunk); copying
  // it into a Buffer first costs an allocation and a second chunk per response. Headers go to
  // writeHead as one flat [name, value, …] list: cheaper than a spread copy of the object.
  const body = r.body;
  const h = r.headers;
  const list: Array<string | number> = [];
  for (const k in h) if (k !== 'content-length') list.push(k, h[k]!);
  list.push('content-length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  if (h['x-amzn-requestid'] === undefined) list.push('x-amzn-requestid', rid);
  if (close) list.push('connection', 'close');
  res.writeHead(r.status, list as unknown as http.OutgoingHttpHeaders);
  res.end(body);
}

/** A service's answer, unless the client already went away. */
function answer(res: http.ServerResponse, req: EmuRequest, r: EmuResponse): void {
  if (res.destroyed) return;
  try {
    send(res, r, req.requestId);
  } catch (e) {
    // e.g. a header value a service built from user data that HTTP cannot carry.
    fail(res, req, e);
  }
}

/** A bug in a service must not take the emulator down; say so the AWS way and on stderr. */
function fail(res: http.ServerResponse, req: EmuRequest, e: unknown): void {
  process.stderr.write(`squall emulator: internal error on ${req.method} ${req.path}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  if (res.destroyed) return;
  if (res.headersSent) res.destroy();
  else send(res, errorJson(500, 'InternalFailure', 'We encountered an internal error. Please try again.', req.requestId), req.requestId);
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const clock = opts.clock ?? systemClock();
  const host = opts.host ?? '127.0.0.1';
  const metrics = new Metrics(clock, { stepMs: opts.metricsStepMs ?? 1000, source: 'emulator' });
  const sqs = new SqsModel({ clock, accountId: EMULATED_ACCOUNT.accountId, region: EMULATED_ACCOUNT.region, limits: opts.sqsLimits });
  const unbindSqs = bindSqsMetrics(sqs, metrics);
  const ledger = bindSqsLedger(sqs);
  let endpoint = '';
  const ctx: EmulatorContext = {
    clock,
    metrics,
    sqs,
    accountId: EMULATED_ACCOUNT.accountId,
    region: EMULATED_ACCOUNT.region,
    endpoint: () => endpoint,
  };
  const services = (opts.services ?? [sqsService]).map((f) => f(ctx));
  const byName = new Map(services.map((s) => [s.name, s] as const));
  const maxBody = Math.max(0, ...services.map((s) => s.maxBodyBytes));
  const credentials = opts.credentials;
  const checkTime = opts.checkSignatureTime ?? opts.clock === undefined;

  const privateRoute = (req: EmuRequest): EmuResponse => {
    const rid = req.requestId;
    switch (req.path) {
      case '/_squall/health':
        return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'ok', services: services.map((s) => s.name) }) };
      case '/_squall/metrics':
        return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(metrics.snapshot()) };
      case '/_squall/accounting':
        return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(ledger.snapshot()) };
      case '/_squall/metrics/align': {
        // `squall run` calls this when its load starts, so the emulator's steps start with the load's.
        if (req.method !== 'POST') return errorJson(405, 'MethodNotAllowed', 'Use POST /_squall/metrics/align?epochMs=<ms>.', rid);
        const epochMs = Number(req.query.get('epochMs'));
        if (!Number.isFinite(epochMs) || epochMs <= 0) return errorJson(400, 'ValidationException', 'epochMs must be epoch milliseconds.', rid);
        metrics.align(epochMs);
        return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ startMs: metrics.startMs, stepMs: metrics.stepMs }) };
      }
      case '/_squall/reset':
        if (req.method !== 'POST') return errorJson(405, 'MethodNotAllowed', 'Use POST /_squall/reset.', rid);
        for (const s of services) s.reset?.();
        ledger.reset();
        return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"reset":true}' };
      default:
        return errorJson(404, 'UnknownOperationException', `No private route ${req.path}; try /_squall/health, /_squall/metrics, /_squall/accounting or POST /_squall/reset.`, rid);
    }
  };

  // Synchronous when the service answers synchronously (most SQS calls): no promise per request.
  const dispatch = (req: EmuRequest): EmuResponse | Promise<EmuResponse> => {
    if (req.path.startsWith('/_squall/') && !req.path.startsWith('/_squall/lambda/')) return privateRoute(req);
    let svc: EmulatorService | undefined;
    for (const s of services) {
      let ok: boolean;
      try {
        ok = s.match(req);
      } catch {
        ok = false;
      }
      if (ok) {
        svc = s;
        break;
      }
    }
    if (!svc) return errorJson(400, 'UnknownOperationException', `No emulated service handles ${req.method} ${req.path}.`, req.requestId);
    if (credentials && (svc.requiresSignature?.(req) ?? true)) {
      const failure = verifySigV4(req, credentials, checkTime ? { nowEpochMs: clock.epochMs() } : {});
      if (failure) return svc.authFailure(req, failure);
    }
    return svc.handle(req);
  };


  const server = http.createServer((req, res) => {
    const rid = requestId();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    // Every repeated header joined (SigV4 signs them so), built once and shared with the services.
    const headers = headersOf(req);
    const declared = Number(headers['content-length'] ?? '0');
    if (declared > maxBody) {
      tooLarge = true;
    }
    // No content-length and no transfer-encoding: the request has no body, so skip the data path.
    const hasBody = headers['transfer-encoding'] !== undefined || declared > 0;
    if (!hasBody) req.resume();
    else req.on('data', (c: Buffer) => {
      if (tooLarge) return;
      size += c.length;
      if (size > maxBody) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => res.destroy());
    if (tooLarge) {
      // Answer at once and drop the connection rather than read an oversized body.
      send(res, errorJson(413, 'RequestEntityTooLarge', `Request body is larger than ${maxBody} bytes.`, rid), rid, true);
      req.resume();
      return;
    }
    req.on('end', () => {
      if (tooLarge) {
        send(res, errorJson(413, 'RequestEntityTooLarge', `Request body is larger than ${maxBody} bytes.`, rid), rid, true);
        return;
      }
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const rawPath = q < 0 ? url : url.slice(0, q);
      const rawQuery = q < 0 ? '' : url.slice(q + 1);
      let path: string;
      try {
        path = decodeURIComponent(rawPath);
      } catch {
        path = rawPath;
      }
      const er = new FrameRequest(
        (req.method ?? 'GET').toUpperCase(),
        rawPath,
        path,
        rawQuery,
        headers,
        chunks.length === 1 ? chunks[0]! : chunks.length === 0 ? EMPTY_BODY : Buffer.concat(chunks),
        rid,
        clock.now(),
        res,
      );
      let r: EmuResponse | Promise<EmuResponse>;
      try {
        r = dispatch(er);
      } catch (e) {
        fail(res, er, e);
        return;
      }
      if (typeof (r as Partial<Promise<EmuResponse>>).then === 'function') {
        (r as Promise<EmuResponse>).then(
          (x) => answer(res, er, x),
          (e: unknown) => fail(res, er, e),
        );
      } else answer(res, er, r as EmuResponse);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // Long polls last up to 20 s; never time a request out before that.
  server.requestTimeout = 0;
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  metrics.start();

  let closed: Promise<void> | undefined;
  return {
    endpoint,
    port,
    clock,
    sqs,
    metrics,
    services: byName,
    close() {
      closed ??= (async () => {
        metrics.stop();
        sqs.close();
        unbindSqs();
        ledger.unbind();
        for (const s of services) await s.close?.();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closed;
    },
  };
}
