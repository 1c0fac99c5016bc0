/** Per-VU instance of `k6/http`: small on purpose, since every VU compiles its own copy (see api/http.ts). */
import { makeHttp } from '../api/http.ts';
import { vuFor } from '../host.ts';

const m = makeHttp(vuFor(import.meta.url));
export default m.default;
export const { request, asyncRequest, get, head, post, put, patch, del, options, batch, expectedStatuses, setResponseCallback, url, file, CookieJar, cookieJar, TLS_1_0, TLS_1_1, TLS_1_2, TLS_1_3, OCSP_STATUS_GOOD, OCSP_STATUS_REVOKED, OCSP_STATUS_UNKNOWN } = m;
