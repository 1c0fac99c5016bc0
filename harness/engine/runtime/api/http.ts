/**
 * The `k6/http` module per VU (k6 `js/modules/k6/http/http.go`). Every request function returns
 * a Promise of a Response; `asyncRequest` is the same call. Cookie jars and file uploads are not
 * supported and say so when used.
 */
import type { NamedUrl, RequestParams } from '../http-client.ts';
import type { K6Response, ResponsePromise } from '../http-response.ts';
import { ScriptCookieJar } from '../cookies.ts';
import type { VuContext } from '../vu.ts';
import type { ExpectedStatuses } from '../vu.ts';

/** The module's API bound to one VU; its per-VU module instance (shims/http.ts) re-exports it. */
export function makeHttp(vu: VuContext) {
  const run = vu.run;

  function client(): typeof run.http {
    return run.http;
  }

  function request(method: string, url: unknown, body?: unknown, params?: RequestParams): ResponsePromise<K6Response> {
    return client().request(vu, 'http.request', method, url, body, params);
  }
  function asyncRequest(method: string, url: unknown, body?: unknown, params?: RequestParams): ResponsePromise<K6Response> {
    return client().request(vu, 'http.asyncRequest', method, url, body, params);
  }
  function get(url: unknown, params?: RequestParams): ResponsePromise<K6Response> {
    return client().request(vu, 'http.get', 'GET', url, undefined, params);
  }
  function head(url: unknown, params?: RequestParams): ResponsePromise<K6Response> {
    return client().request(vu, 'http.head', 'HEAD', url, undefined, params);
  }
  function post(url: unknown, body?: unknown, params?: RequestParams): ResponsePromise<K6Response> {
    return client().request(vu, 'http.post', 'POST', url, body, params);
  }
  function put(url: unknown, body?: unknown, params?: RequestParams): ResponsePromise<K6Response> {
    return client().request(vu, 'http.put', 'PUT', url, body, params);
  }
  function patch(url: unknown, body?: unknown, params?: RequestParams): ResponsePromise<K6Response> {
    return client().request(vu, 'http.patch', 'PATCH', url, body, params);
  }
  function del(url: unknown, body?: unknown, params?: RequestParams): ResponsePromise<K6Response> {
    return client().request(vu, 'http.del', 'DELETE', url, body, params);
  }
  function options(url: unknown, body?: unknown, params?: RequestParams): ResponsePromise<K6Response> {
    return client().request(vu, 'http.options', 'OPTIONS', url, body, params);
  }

  type BatchItem = string | [string, unknown, unknown?, RequestParams?] | { method?: string; url: unknown; body?: unknown; params?: RequestParams };

  function one(item: BatchItem): Promise<K6Response> {
    if (typeof item === 'string') return get(item);
    if (Array.isArray(item)) return request(item[0], item[1], item[2], item[3]);
    return request(item.method ?? 'GET', item.url, item.body, item.params);
  }

  /** k6 `http.batch`: all requests in parallel; an array in gives an array out, an object an object. */
  function batch(reqs: BatchItem[] | Record<string, BatchItem>): Promise<K6Response[] | Record<string, K6Response>> {
    vu.assertNotInit('http.batch()');
    if (Array.isArray(reqs)) return Promise.all(reqs.map(one));
    const keys = Object.keys(reqs);
    return Promise.all(keys.map((k) => one(reqs[k] as BatchItem))).then((rs) => {
      const out: Record<string, K6Response> = {};
      keys.forEach((k, i) => (out[k] = rs[i] as K6Response));
      return out;
    });
  }

  /** k6 `http.expectedStatuses(200, {min: 300, max: 399}, ...)`. */
  function expectedStatuses(...args: (number | { min: number; max: number })[]): ExpectedStatuses {
    const ranges: [number, number][] = [];
    for (const a of args) {
      if (typeof a === 'number' && Number.isInteger(a)) ranges.push([a, a]);
      else if (a && typeof a === 'object' && Number.isInteger(a.min) && Number.isInteger(a.max)) ranges.push([a.min, a.max]);
      else throw new Error(`expectedStatuses: ${JSON.stringify(a)} is neither a status code nor {min, max}`);
    }
    return { __squallExpectedStatuses: ranges };
  }

  function setResponseCallback(cb: ExpectedStatuses | null): void {
    if (cb !== null && !(cb && typeof cb === 'object' && '__squallExpectedStatuses' in cb)) {
      throw new Error('setResponseCallback accepts only http.expectedStatuses(...) or null (as in k6)');
    }
    vu.responseCallback = cb;
  }

  /** k6 `http.url` template tag: the `name` tag keeps `${}` placeholders, so URLs group well. */
  function url(strings: TemplateStringsArray, ...values: unknown[]): NamedUrl {
    let full = strings[0] ?? '';
    let name = strings[0] ?? '';
    values.forEach((v, i) => {
      full += String(v) + (strings[i + 1] ?? '');
      name += `\${}${strings[i + 1] ?? ''}`;
    });
    return { __squallUrl: full, __squallName: name, toString: () => full } as NamedUrl;
  }

  function unsupported(what: string): never {
    throw new Error(`${what} is not supported by squall's engine; run this script with real k6`);
  }
  function file(): never {
    return unsupported('http.file() (multipart uploads)');
  }
  /** k6 `new http.CookieJar()`: a jar of its own, used with the `jar` request param. */
  class CookieJar extends ScriptCookieJar {
    constructor() {
      super();
    }
  }
  let vuJar: ScriptCookieJar | undefined;
  /** k6 `http.cookieJar()`: the VU's own jar. */
  function cookieJar(): ScriptCookieJar {
    if (vuJar === undefined) vuJar = new ScriptCookieJar(vu.cookieJar);
    return vuJar;
  }

  const TLS_1_0 = 'tls1.0';
  const TLS_1_1 = 'tls1.1';
  const TLS_1_2 = 'tls1.2';
  const TLS_1_3 = 'tls1.3';
  const OCSP_STATUS_GOOD = 'good';
  const OCSP_STATUS_REVOKED = 'revoked';
  const OCSP_STATUS_UNKNOWN = 'unknown';

  const api = {
    request, asyncRequest, get, head, post, put, patch, del, options, batch, expectedStatuses, setResponseCallback, url, file,
    CookieJar, cookieJar, TLS_1_0, TLS_1_1, TLS_1_2, TLS_1_3, OCSP_STATUS_GOOD, OCSP_STATUS_REVOKED, OCSP_STATUS_UNKNOWN,
  };
  return { request, asyncRequest, get, head, post, put, patch, del, options, batch, expectedStatuses, setResponseCallback, url, file, CookieJar, cookieJar, TLS_1_0, TLS_1_1, TLS_1_2, TLS_1_3, OCSP_STATUS_GOOD, OCSP_STATUS_REVOKED, OCSP_STATUS_UNKNOWN, default: api };
}
