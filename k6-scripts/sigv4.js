/**
 * AWS Signature Version 4 (header auth) for k6 scripts, built only on `k6/crypto` so it runs in
 * real k6 and in squall's embedded engine. It follows the same canonicalisation as the AWS SDK v3
 * signer (@smithy/signature-v4: RFC 3986 escaping, path normalised then escaped twice, sorted
 * query, lower-cased trimmed headers) and is tested against it byte for byte
 * (test/k6-scripts/sigv4.test.ts). k6 has no WHATWG `URL`, hence the small URL splitter below.
 */
import crypto from 'k6/crypto';

const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
const SIGV4_EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
// Headers the SDK never signs (they may be changed by proxies or the HTTP client on the way).
/** @type {Record<string, boolean>} */
const SIGV4_UNSIGNABLE = {
  authorization: true, 'cache-control': true, connection: true, expect: true, from: true,
  'keep-alive': true, 'max-forwards': true, pragma: true, referer: true, te: true, trailer: true,
  'transfer-encoding': true, upgrade: true, 'user-agent': true, 'x-amzn-trace-id': true,
};

/**
 * encodeURIComponent plus the RFC 3986 reserved characters it leaves alone.
 * @param {string} s
 * @returns {string}
 */
export function awsUriEscape(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, sigv4HexEscape);
}

/** @param {string} c */
function sigv4HexEscape(c) {
  return '%' + c.charCodeAt(0).toString(16).toUpperCase();
}

/**
 * Split an absolute http(s) URL into its parts. The default port is dropped from `host` because
 * that is the Host header the HTTP client sends, and the signature covers it.
 * @param {string} url
 * @returns {{ scheme: string, host: string, path: string, query: string }}
 */
export function splitUrl(url) {
  const m = /^(https?):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?/i.exec(url);
  if (m === null) throw new Error('not an absolute http(s) URL: ' + url);
  const scheme = (m[1] || 'http').toLowerCase();
  let host = (m[2] || '').toLowerCase();
  if ((scheme === 'http' && host.endsWith(':80')) || (scheme === 'https' && host.endsWith(':443'))) {
    host = host.slice(0, host.lastIndexOf(':'));
  }
  return { scheme, host, path: m[3] || '/', query: m[4] || '' };
}

/**
 * The same URL with the default port removed, so the Host header k6 sends equals the signed one.
 * @param {string} url
 * @returns {string}
 */
export function normalizeUrl(url) {
  const u = splitUrl(url);
  return u.scheme + '://' + u.host + u.path + (u.query === '' ? '' : '?' + u.query);
}

/** @param {string} path */
function sigv4CanonicalPath(path) {
  const segments = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const normalized = (path.startsWith('/') ? '/' : '') + segments.join('/') +
    (segments.length > 0 && path.endsWith('/') ? '/' : '');
  // Non-S3 services sign the already-escaped path escaped once more.
  return awsUriEscape(normalized).replace(/%2F/g, '/');
}

/**
 * @param {[string, string]} a
 * @param {[string, string]} b
 */
function sigv4ComparePairs(a, b) {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** @param {string} query */
function sigv4CanonicalQuery(query) {
  if (query === '') return '';
  /** @type {Array<[string, string]>} */
  const pairs = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (k.toLowerCase() === 'x-amz-signature') continue;
    pairs.push([awsUriEscape(k), awsUriEscape(v)]);
  }
  // Sorted by encoded name, then value: comparing whole "k=v" strings would put "a-=" before "a=".
  pairs.sort(sigv4ComparePairs);
  let out = '';
  for (let i = 0; i < pairs.length; i++) out += (i === 0 ? '' : '&') + pairs[i][0] + '=' + pairs[i][1];
  return out;
}

// Per VU: signing keys change once a day per (secret, region, service), so keep the last few.
/** @type {Record<string, ArrayBuffer>} */
let sigv4KeyCache = {};
let sigv4KeyCacheSize = 0;

/**
 * @param {string} secretAccessKey
 * @param {string} shortDate
 * @param {string} region
 * @param {string} service
 * @returns {ArrayBuffer}
 */
function sigv4SigningKey(secretAccessKey, shortDate, region, service) {
  const cacheKey = shortDate + '/' + region + '/' + service + '/' + secretAccessKey;
  const hit = sigv4KeyCache[cacheKey];
  if (hit !== undefined) return hit;
  const kDate = crypto.hmac('sha256', 'AWS4' + secretAccessKey, shortDate, 'binary');
  const kRegion = crypto.hmac('sha256', kDate, region, 'binary');
  const kService = crypto.hmac('sha256', kRegion, service, 'binary');
  const kSigning = crypto.hmac('sha256', kService, 'aws4_request', 'binary');
  if (sigv4KeyCacheSize >= 16) {
    sigv4KeyCache = {};
    sigv4KeyCacheSize = 0;
  }
  sigv4KeyCache[cacheKey] = kSigning;
  sigv4KeyCacheSize++;
  return kSigning;
}

/**
 * Sign one request. Returns a NEW header object: the given headers plus `x-amz-date`,
 * `x-amz-content-sha256`, `x-amz-security-token` (with a session token) and `authorization`. `host` is signed but not
 * returned; k6 derives it from the URL (pass the URL through `normalizeUrl` first).
 * @param {{ method: string, url: string, headers: Record<string,string>, body: string | null }} req
 * @param {{ region: string, service: string, accessKeyId: string, secretAccessKey: string, sessionToken?: string | null, nowMs?: number }} opts
 * @returns {Record<string,string>}
 */
export function signAwsRequest(req, opts) {
  const u = splitUrl(req.url);
  const iso = new Date(opts.nowMs === undefined ? Date.now() : opts.nowMs).toISOString();
  // 2026-11-27T11:22:04.123Z -> 20261127T112204Z
  const amzDate = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
  const shortDate = amzDate.slice(0, 8);
  /** @type {Record<string,string>} */
  const out = {};
  /** @type {Record<string,string>} */
  const canonical = { host: u.host, 'x-amz-date': amzDate };
  // Sorted like the SDK signer, so of two names differing only in case the same one wins.
  for (const name of Object.keys(req.headers).sort()) {
    const value = req.headers[name];
    if (value === undefined || value === null) continue;
    out[name] = value;
    const lower = name.toLowerCase();
    if (SIGV4_UNSIGNABLE[lower] === true || lower.startsWith('proxy-') || lower.startsWith('sec-')) continue;
    canonical[lower] = String(value).replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
  }
  out['x-amz-date'] = amzDate;
  if (opts.sessionToken) {
    out['x-amz-security-token'] = opts.sessionToken;
    canonical['x-amz-security-token'] = opts.sessionToken;
  }
  // Like the SDK signer (applyChecksum on by default), send the payload hash as a signed header.
  const payloadHash = req.body === null || req.body === undefined ? SIGV4_EMPTY_SHA256 : crypto.sha256(req.body, 'hex');
  if (canonical['x-amz-content-sha256'] === undefined) {
    out['x-amz-content-sha256'] = payloadHash;
    canonical['x-amz-content-sha256'] = payloadHash;
  }
  const names = Object.keys(canonical).sort();
  let headerBlock = '';
  for (const n of names) headerBlock += n + ':' + canonical[n] + '\n';
  const signedHeaders = names.join(';');
  const canonicalRequest = req.method.toUpperCase() + '\n' + sigv4CanonicalPath(u.path) + '\n' +
    sigv4CanonicalQuery(u.query) + '\n' + headerBlock + '\n' + signedHeaders + '\n' + payloadHash;
  const scope = shortDate + '/' + opts.region + '/' + opts.service + '/aws4_request';
  const stringToSign = SIGV4_ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + crypto.sha256(canonicalRequest, 'hex');
  const signature = crypto.hmac('sha256', sigv4SigningKey(opts.secretAccessKey, shortDate, opts.region, opts.service), stringToSign, 'hex');
  out['authorization'] = SIGV4_ALGORITHM + ' Credential=' + opts.accessKeyId + '/' + scope +
    ', SignedHeaders=' + signedHeaders + ', Signature=' + signature;
  return out;
}
