/**
 * The request and response types every emulated service sees, and the `EmulatorService` contract
 * the server frame dispatches to. Services never touch `node:http`: the frame reads the body (with a
 * size cap), verifies SigV4 if asked, and hands over one plain `EmuRequest`; a service answers with
 * one plain `EmuResponse`. This keeps protocol code testable without sockets and lets Lambda and
 * SQS share one listener.
 */
import type { Clock } from '../contracts/clock.ts';
import type { Metrics } from './metrics.ts';
import type { SqsModel } from './sqs/model.ts';
import type { SigV4Failure } from './sigv4.ts';

export interface EmuRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Path as sent on the wire (still percent-encoded), without the query string; SigV4 signs this form. */
  readonly rawPath: string;
  /** Percent-decoded path (falls back to `rawPath` when it does not decode). */
  readonly path: string;
  /** Raw query string without `?` ("" when absent). */
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  /** Header names lower-cased; repeated headers joined with ", " as node:http does. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The id the frame puts on the response (`x-amzn-RequestId`); services reuse it in bodies. */
  readonly requestId: string;
  /** `clock.now()` when the request was fully read. */
  readonly receivedAt: number;
  /** Aborted when the client goes away before the answer is written (long polls stop waiting). */
  readonly signal: AbortSignal;
}

export interface EmuResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/**
 * One emulated AWS service. The server tries services in the order it was given and hands the
 * request to the first whose `match` returns true; `match` must be cheap and must not throw.
 */
export interface EmulatorService {
  readonly name: string;
  /** Largest request body this service accepts; the frame caps reads at the largest of all services. */
  readonly maxBodyBytes: number;
  match(req: EmuRequest): boolean;
  /** Must not throw for bad input: answer with the service's own AWS error instead. */
  handle(req: EmuRequest): Promise<EmuResponse> | EmuResponse;
  /** Whether this request must be signed when the emulator has credentials (default: yes). */
  requiresSignature?(req: EmuRequest): boolean;
  /** The service's AWS answer to a failed signature check (e.g. SQS 403 SignatureDoesNotMatch). */
  authFailure(req: EmuRequest, failure: SigV4Failure): EmuResponse;
  /** Forget all state (`POST /_squall/reset`). */
  reset?(): void;
  close?(): Promise<void> | void;
}

/** What a service factory gets from the frame: shared clock, metrics, the SQS model and the endpoint. */
export interface EmulatorContext {
  readonly clock: Clock;
  readonly metrics: Metrics;
  /** The one SQS model of this emulator (Lambda's event source mappings poll it in-process). */
  readonly sqs: SqsModel;
  readonly accountId: string;
  readonly region: string;
  /** `http://host:port`, known once the server listens (queue URLs and function URLs point here). */
  endpoint(): string;
}

export type ServiceFactory = (ctx: EmulatorContext) => EmulatorService;

/** A JSON response with AWS's request id header. */
export function jsonResponse(status: number, body: unknown, requestId: string, contentType = 'application/json', extra?: Record<string, string>): EmuResponse {
  return {
    status,
    headers: { 'content-type': contentType, 'x-amzn-requestid': requestId, ...extra },
    body: JSON.stringify(body),
  };
}
