/**
 * AWS Signature Version 4 verification for the emulator (header auth, and query-string presigned
 * URLs). The frame calls `verifySigV4` when the emulator was started with credentials; a failure is
 * returned (never thrown) and each service renders it in its own protocol — SQS as
 * `SignatureDoesNotMatch`/`InvalidClientTokenId` 403, Lambda as `InvalidSignatureException` 403.
 * Canonical request rules follow the SigV4 spec as the AWS SDK v3 signer (@smithy/signature-v4)
 * implements them: path segments URI-encoded once more (non-S3), query pairs sorted and
 * RFC 3986-encoded, signed headers trimmed, payload hash from `x-amz-content-sha256` or the body.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { EmuRequest } from './http.ts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export type SigV4FailureKind = 'missing' | 'malformed' | 'unknown-access-key' | 'signature-mismatch';

export interface SigV4Failure {
  kind: SigV4FailureKind;
  /** The message AWS sends for this failure. */
  message: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

function canonicalPath(rawPath: string): string {
  // As @smithy/signature-v4 getCanonicalPath: normalise segments, then escape the already-encoded
  // path once more (non-S3 services double-encode) and restore the slashes.
  const segs: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg.length === 0 || seg === '.') continue;
    if (seg === '..') segs.pop();
    else segs.push(seg);
  }
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segs.join('/')}${segs.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return rfc3986(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(rawQuery: string, skip?: string): string {
  if (!rawQuery) return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    if (k === skip) continue;
    pairs.push([rfc3986(k), rfc3986(v)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The signing key: HMAC chain over date, region, service, "aws4_request". Cached per scope. */
const keyCache = new Map<string, Buffer>();
function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const cacheKey = `${secret}\0${date}\0${region}\0${service}`;
  let k = keyCache.get(cacheKey);
  if (!k) {
    k = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
    if (keyCache.size > 64) keyCache.clear();
    keyCache.set(cacheKey, k);
  }
  return k;
}

interface ParsedAuth {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  presigned: boolean;
}

function parseAuth(req: EmuRequest): ParsedAuth | SigV4Failure {
  const header = req.headers['authorization'];
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  let amzDate: string | undefined;
  let presigned = false;
  if (header !== undefined) {
    if (!header.startsWith(`${ALGORITHM} `)) {
      return { kind: 'malformed', message: `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Only ${ALGORITHM} is supported.` };
    }
    for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
      const p = part.trim();
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq);
      const v = p.slice(eq + 1);
      if (k === 'Credential') credential = v;
      else if (k === 'SignedHeaders') signedHeaders = v;
      else if (k === 'Signature') signature = v;
    }
    amzDate = req.headers['x-amz-date'];
  } else if (req.query.has('X-Amz-Signature')) {
    presigned = true;
    credential = req.query.get('X-Amz-Credential') ?? undefined;
    signedHeaders = req.query.get('X-Amz-SignedHeaders') ?? undefined;
    signature = req.query.get('X-Amz-Signature') ?? undefined;
    amzDate = req.query.get('X-Amz-Date') ?? undefined;
  } else {
    return { kind: 'missing', message: 'Request is missing Authentication Token' };
  }
  const missing: string[] = [];
  if (!credential) missing.push("Authorization header requires 'Credential' parameter.");
  if (!signature) missing.push("Authorization header requires 'Signature' parameter.");
  if (!signedHeaders) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (!amzDate) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length) return { kind: 'malformed', message: `${missing.join(' ')} Authorization=${header ?? ''}` };
  const scope = credential!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    return { kind: 'malformed', message: `Credential should be scoped to a valid region, not '${scope[2] ?? ''}'. ` };
  }
  return {
    accessKeyId: scope[0]!,
    date: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders: signedHeaders!.split(';'),
    signature: signature!,
    amzDate: amzDate!,
    presigned,
  };
}

/** The string AWS signs, rebuilt from the request as received. */
function stringToSign(req: EmuRequest, a: ParsedAuth): string {
  const headerLines: string[] = [];
  for (const h of a.signedHeaders) {
    const v = req.headers[h] ?? '';
    headerLines.push(`${h}:${v.trim().replace(/\s+/g, ' ')}\n`);
  }
  // The SDK signs `x-amz-content-sha256` when it sends one, else the body's hash (presigned too).
  const payloadHash = req.headers['x-amz-content-sha256'] ?? sha256Hex(req.body);
  const canonical = [
    req.method,
    canonicalPath(req.rawPath),
    canonicalQuery(req.rawQuery, a.presigned ? 'X-Amz-Signature' : undefined),
    headerLines.join(''),
    a.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  return [ALGORITHM, a.amzDate, `${a.date}/${a.region}/${a.service}/aws4_request`, sha256Hex(canonical)].join('\n');
}

/** AWS accepts a signature made up to 15 minutes before or after its own clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

function parseAmzDate(d: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(d);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : NaN;
}

function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export interface VerifyOptions {
  /**
   * Epoch ms "now" to check the signing time against (±15 min, presigned `X-Amz-Expires`); leave
   * out to skip the check (a manual clock in tests has its own epoch).
   */
  nowEpochMs?: number;
}

/** Verify a request's SigV4 signature against `credentials`; `undefined` means it is valid. */
export function verifySigV4(req: EmuRequest, credentials: Credentials, opts: VerifyOptions = {}): SigV4Failure | undefined {
  const a = parseAuth(req);
  if ('kind' in a) return a;
  if (a.accessKeyId !== credentials.accessKeyId) {
    return { kind: 'unknown-access-key', message: 'The security token included in the request is invalid.' };
  }
  const declared = req.headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== 'UNSIGNED-PAYLOAD' && declared !== sha256Hex(req.body)) {
    // A signed payload hash that does not match the body: the body was changed after signing.
    return {
      kind: 'signature-mismatch',
      message: 'The provided x-amz-content-sha256 header does not match what was computed.',
    };
  }
  const sts = stringToSign(req, a);
  const expected = createHmac('sha256', signingKey(credentials.secretAccessKey, a.date, a.region, a.service)).update(sts, 'utf8').digest();
  const given = Buffer.from(a.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      kind: 'signature-mismatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    };
  }
  const now = opts.nowEpochMs;
  if (now !== undefined) {
    // AWS's own wording, as SQS sends it with 403 SignatureDoesNotMatch (aws/aws-sdk-php#642).
    const signedAt = parseAmzDate(a.amzDate);
    if (Number.isNaN(signedAt)) return { kind: 'malformed', message: `Date must be in ISO-8601 'basic format'. Got '${a.amzDate}'.` };
    if (a.presigned) {
      const expires = Number(req.query.get('X-Amz-Expires') ?? '');
      if (Number.isFinite(expires) && now > signedAt + expires * 1000) return { kind: 'signature-mismatch', message: 'Request has expired' };
    } else if (signedAt < now - MAX_SKEW_MS) {
      return {
        kind: 'signature-mismatch',
        message: `Signature expired: ${a.amzDate} is now earlier than ${amzDate(now - MAX_SKEW_MS)} (${amzDate(now)} - 15 min.)`,
      };
    } else if (signedAt > now + MAX_SKEW_MS) {
      return {
        kind: 'signature-mismatch',
        message: `Signature not yet current: ${a.amzDate} is still later than ${amzDate(now + MAX_SKEW_MS)} (${amzDate(now)} + 15 min.)`,
      };
    }
  }
  return undefined;
}
