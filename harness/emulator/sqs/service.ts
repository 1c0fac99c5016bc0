/**
 * SQS as an emulator service (the protocol layer): recognises AWS JSON 1.0 requests
 * (`x-amz-target: AmazonSQS.<Op>`, also when POSTed to a queue-URL path) and Query requests
 * (form-encoded POST or GET with `Action=`), decodes them through the model shapes, runs the
 * provider, and writes JSON or XML answers and errors exactly as §5.1 of the fact sheet shows:
 * JSON errors carry `x-amzn-query-error: <legacy code>;Sender` and
 * `__type: com.amazonaws.sqs#<Shape>` and no `x-amzn-ErrorType`; Query errors are
 * `<ErrorResponse><Error><Type/><Code/><Message/>` documents.
 */
import { SQS } from '../../contracts/aws-facts.ts';
import type { EmuRequest, EmuResponse, EmulatorContext, EmulatorService } from '../http.ts';
import type { SigV4Failure } from '../sigv4.ts';
import { SqsError, isSqsError } from './errors.ts';
import type { SqsErrorCode } from './errors.ts';
import { SqsProvider } from './provider.ts';
import { OPERATIONS, QUERY_XMLNS, decodeJsonInput, decodeQueryInput, inputMembers, xmlEscape, xmlResponse } from './shapes.ts';

const JSON_CT = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AmazonSQS.';
/** A queue-URL path: /<12-digit account>/<queue name>. */
const QUEUE_PATH = /^\/(\d{12})\/([^/]+)\/?$/;

function isForm(req: EmuRequest): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Query parameters: the query string plus, for form POSTs, the body (body wins on conflicts). */
function queryParams(req: EmuRequest): Map<string, string> {
  const params = new Map<string, string>(req.query);
  if (req.method === 'POST' && isForm(req) && req.body.length) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) params.set(k, v);
  }
  return params;
}

function jsonOk(out: Record<string, unknown>, rid: string, op: string): EmuResponse {
  const body = op === 'SendMessageBatch' ? sendMessageBatchJson(out) : JSON.stringify(out);
  return { status: 200, headers: { 'content-type': JSON_CT, 'x-amzn-requestid': rid }, body };
}

/** Members of a SendMessageBatch success entry the hand writer knows, in the provider's order. */
const SENT_KEYS = ['Id', 'MessageId', 'MD5OfMessageBody', 'MD5OfMessageAttributes', 'MD5OfMessageSystemAttributes', 'SequenceNumber'] as const;

/**
 * SendMessageBatch's answer, byte for byte what `JSON.stringify` writes, at a third of its cost
 * (it is the hottest answer there is). Success members are batch ids (checked to be
 * `[A-Za-z0-9_-]`), the emulator's own ids, hex digests and decimal sequence numbers, none of
 * which JSON escapes; failures, whose messages may quote the client, go through `JSON.stringify`.
 */
export function sendMessageBatchJson(out: Record<string, unknown>): string {
  const ok = out['Successful'] as Array<Record<string, string | undefined>>;
  let s = '{"Successful":[';
  for (let i = 0; i < ok.length; i++) {
    const e = ok[i]!;
    let first = true;
    s += i ? ',{' : '{';
    for (const k of SENT_KEYS) {
      const v = e[k];
      if (v === undefined) continue;
      s += `${first ? '' : ','}"${k}":"${v}"`;
      first = false;
    }
    s += '}';
  }
  return `${s}],"Failed":${JSON.stringify(out['Failed'])}}`;
}

function jsonError(e: SqsError, rid: string): EmuResponse {
  return {
    status: e.status,
    headers: { 'content-type': JSON_CT, 'x-amzn-requestid': rid, 'x-amzn-query-error': `${e.queryCode};${e.fault}` },
    body: JSON.stringify({ __type: e.jsonType, message: e.message }),
  };
}

function xmlError(e: SqsError, rid: string): EmuResponse {
  return {
    status: e.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': rid },
    body: `<?xml version="1.0"?><ErrorResponse xmlns="${QUERY_XMLNS}"><Error><Type>${e.fault}</Type><Code>${xmlEscape(e.queryCode)}</Code><Message>${xmlEscape(e.message)}</Message><Detail/></Error><RequestId>${rid}</RequestId></ErrorResponse>`,
  };
}

function toSqsError(e: unknown): SqsError {
  if (isSqsError(e)) return e;
  process.stderr.write(`squall emulator (sqs): internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return new SqsError('InternalFailure', 'We encountered an internal error. Please try again.');
}

const AUTH_CODES: Record<SigV4Failure['kind'], SqsErrorCode> = {
  missing: 'MissingAuthenticationToken',
  malformed: 'IncompleteSignature',
  'unknown-access-key': 'InvalidClientTokenId',
  'signature-mismatch': 'SignatureDoesNotMatch',
};

/** Fill QueueUrl from a queue-URL request path when the body leaves it out (PHP SDK, old clients). */
function withPathQueueUrl(op: string, input: Record<string, unknown>, req: EmuRequest, endpoint: string): void {
  if (input['QueueUrl'] !== undefined || !inputMembers(op).includes('QueueUrl')) return;
  const m = QUEUE_PATH.exec(req.path);
  if (m) input['QueueUrl'] = `${endpoint}/${m[1]}/${m[2]}`;
}

export function sqsService(ctx: EmulatorContext): EmulatorService {
  const model = ctx.sqs;
  const provider = new SqsProvider(model, { endpoint: ctx.endpoint, accountId: ctx.accountId });

  const handleJson = (req: EmuRequest, op: string): EmuResponse | Promise<EmuResponse> => {
    const rid = req.requestId;
    if (!OPERATIONS.has(op)) return jsonError(new SqsError('UnknownOperationException', `The operation ${op} is not valid for this service.`), rid);
    let body: unknown = {};
    if (req.body.length) {
      try {
        body = JSON.parse(req.body.toString('utf8'));
      } catch {
        return jsonError(new SqsError('SerializationException', 'The request body is not valid JSON.'), rid);
      }
    }
    if (typeof body === 'object' && body !== null && !Array.isArray(body) && QUEUE_PATH.test(req.path)) {
      body = { ...(body as Record<string, unknown>) };
      withPathQueueUrl(op, body as Record<string, unknown>, req, ctx.endpoint());
    }
    const input = decodeJsonInput(op, body);
    if (isSqsError(input)) return jsonError(input, rid);
    return runJson(req, op, input);
  };

  // Synchronous unless the operation waits (a long poll): no promise per request on the hot path.
  const runJson = (req: EmuRequest, op: string, input: Record<string, unknown>): EmuResponse | Promise<EmuResponse> => {
    const rid = req.requestId;
    let out: Record<string, unknown> | Promise<Record<string, unknown>>;
    try {
      out = provider.call(op, input, () => req.signal);
    } catch (e) {
      return jsonError(toSqsError(e), rid);
    }
    if (out instanceof Promise) return out.then((o) => jsonOk(o, rid, op), (e: unknown) => jsonError(toSqsError(e), rid));
    return jsonOk(out, rid, op);
  };

  const handleQuery = async (req: EmuRequest): Promise<EmuResponse> => {
    const rid = req.requestId;
    const params = queryParams(req);
    const op = params.get('Action') ?? '';
    if (op === '') return xmlError(new SqsError('MissingAction', 'The request is missing an action or a required parameter.'), rid);
    if (!OPERATIONS.has(op)) return xmlError(new SqsError('UnknownOperationException', `The action ${op} is not valid for this endpoint.`), rid);
    const m = QUEUE_PATH.exec(req.path);
    if (m && !params.has('QueueUrl') && inputMembers(op).includes('QueueUrl')) params.set('QueueUrl', `${ctx.endpoint()}/${m[1]}/${m[2]}`);
    const input = decodeQueryInput(op, params);
    if (isSqsError(input)) return xmlError(input, rid);
    try {
      const out = await provider.call(op, input, () => req.signal);
      return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': rid }, body: xmlResponse(op, out, rid) };
    } catch (e) {
      return xmlError(toSqsError(e), rid);
    }
  };

  const isJson = (req: EmuRequest) => (req.headers['x-amz-target'] ?? '').startsWith(TARGET_PREFIX);

  return {
    name: 'sqs',
    // A 1 MiB batch may triple in size when form-encoded (%XX); leave room for that plus the envelope.
    maxBodyBytes: SQS.batchMaxTotalBytes * 4 + 64 * 1024,
    match(req) {
      if (isJson(req)) return req.method === 'POST';
      if (req.method === 'GET') return req.query.has('Action');
      if (req.method !== 'POST') return false;
      if (req.query.has('Action')) return true;
      if (!isForm(req)) return false;
      // A form POST to the service root or a queue URL is a Query request even without Action,
      // so it gets the Query protocol's XML error rather than another service's answer.
      return req.path === '/' || QUEUE_PATH.test(req.path) || /(^|&)Action=/.test(req.body.toString('latin1', 0, Math.min(req.body.length, 64 * 1024)));
    },
    handle(req) {
      if (isJson(req)) return handleJson(req, (req.headers['x-amz-target'] ?? '').slice(TARGET_PREFIX.length));
      return handleQuery(req);
    },
    authFailure(req, failure) {
      const e = new SqsError(AUTH_CODES[failure.kind], failure.message);
      return isJson(req) ? jsonError(e, req.requestId) : xmlError(e, req.requestId);
    },
    reset() {
      model.reset();
    },
  };
}
