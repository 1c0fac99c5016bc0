/**
 * k6's per-VU cookie jar: cookies a response sets are sent with the VU's later requests to a
 * matching domain and path, and the jar is emptied at the start of every iteration (unless
 * `noCookiesReset`). Matching follows RFC 6265 in the parts k6 scripts rely on: host-only vs
 * domain cookies, path prefixes, Secure, Max-Age/Expires. Also the script-facing jar API
 * (`http.cookieJar()`, `new http.CookieJar()`: cookiesForURL, set, clear, delete).
 */

export interface Cookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  /** Epoch ms; undefined for a session cookie. */
  expiresAt: number | undefined;
}

/** What k6 shows as `res.cookies[name][i]`. */
export interface ResponseCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  max_age: number;
  expires: number;
}

function defaultPath(urlPath: string): string {
  if (!urlPath.startsWith('/')) return '/';
  const i = urlPath.lastIndexOf('/');
  return i <= 0 ? '/' : urlPath.slice(0, i);
}

function pathMatches(reqPath: string, cookiePath: string): boolean {
  if (reqPath === cookiePath) return true;
  if (!reqPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || reqPath[cookiePath.length] === '/';
}

function domainMatches(host: string, c: Cookie): boolean {
  if (c.hostOnly) return host === c.domain;
  return host === c.domain || host.endsWith(`.${c.domain}`);
}

/** Parse one Set-Cookie header value for a response from `url`; undefined when malformed. */
export function parseSetCookie(header: string, url: URL, now: number): Cookie | undefined {
  const parts = header.split(';');
  const first = parts[0] ?? '';
  const eq = first.indexOf('=');
  if (eq <= 0) return undefined;
  const c: Cookie = {
    name: first.slice(0, eq).trim(),
    value: first.slice(eq + 1).trim(),
    domain: url.hostname,
    hostOnly: true,
    path: defaultPath(url.pathname),
    secure: false,
    httpOnly: false,
    expiresAt: undefined,
  };
  let maxAge: number | undefined;
  for (const raw of parts.slice(1)) {
    const i = raw.indexOf('=');
    const key = (i < 0 ? raw : raw.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : raw.slice(i + 1).trim();
    if (key === 'domain' && val) {
      const d = val.replace(/^\./, '').toLowerCase();
      // A response may only set cookies for its own domain or a parent of it.
      if (url.hostname !== d && !url.hostname.endsWith(`.${d}`)) return undefined;
      c.domain = d;
      c.hostOnly = false;
    } else if (key === 'path' && val.startsWith('/')) c.path = val;
    else if (key === 'secure') c.secure = true;
    else if (key === 'httponly') c.httpOnly = true;
    else if (key === 'max-age' && /^-?\d+$/.test(val)) maxAge = Number(val);
    else if (key === 'expires') {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) c.expiresAt = t;
    }
  }
  // Max-Age wins over Expires (RFC 6265 §5.3).
  if (maxAge !== undefined) c.expiresAt = maxAge <= 0 ? 0 : now + maxAge * 1000;
  return c;
}

export function toResponseCookie(c: Cookie): ResponseCookie {
  return {
    name: c.name,
    value: c.value,
    domain: c.domain,
    path: c.path,
    http_only: c.httpOnly,
    secure: c.secure,
    max_age: 0,
    expires: c.expiresAt ?? 0,
  };
}

export class CookieJarStore {
  private readonly cookies = new Map<string, Cookie>();

  get size(): number {
    return this.cookies.size;
  }

  store(c: Cookie, now: number): void {
    const key = `${c.domain}\u0000${c.path}\u0000${c.name}`;
    if (c.expiresAt !== undefined && c.expiresAt <= now) this.cookies.delete(key);
    else this.cookies.set(key, c);
  }

  /** The cookies to send to `url` (longer paths first, as RFC 6265 §5.4 orders them). */
  matching(url: URL, now: number): Cookie[] {
    const out: Cookie[] = [];
    const secure = url.protocol === 'https:';
    for (const [key, c] of this.cookies) {
      if (c.expiresAt !== undefined && c.expiresAt <= now) {
        this.cookies.delete(key);
        continue;
      }
      if (c.secure && !secure) continue;
      if (domainMatches(url.hostname, c) && pathMatches(url.pathname || '/', c.path)) out.push(c);
    }
    return out.sort((a, b) => b.path.length - a.path.length);
  }

  /** The `Cookie` header value for `url`, or '' when no cookie matches. */
  header(url: URL, now: number): string {
    if (this.cookies.size === 0) return '';
    return this.matching(url, now)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  clear(url?: URL): void {
    if (url === undefined) {
      this.cookies.clear();
      return;
    }
    for (const [key, c] of this.cookies) if (domainMatches(url.hostname, c)) this.cookies.delete(key);
  }

  delete(url: URL, name: string): void {
    for (const [key, c] of this.cookies) if (c.name === name && domainMatches(url.hostname, c)) this.cookies.delete(key);
  }
}

/** The object scripts get from `http.cookieJar()` / `new http.CookieJar()`. */
export class ScriptCookieJar {
  constructor(readonly store: CookieJarStore = new CookieJarStore()) {}

  cookiesForURL(url: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.store.matching(new URL(url), Date.now())) (out[c.name] ??= []).push(c.value);
    return out;
  }

  set(url: string, name: string, value: string, opts?: { domain?: string; path?: string; expires?: string; max_age?: number; secure?: boolean; http_only?: boolean }): void {
    const u = new URL(url);
    let header = `${name}=${value}`;
    if (opts?.domain) header += `; Domain=${opts.domain}`;
    if (opts?.path) header += `; Path=${opts.path}`;
    if (opts?.expires) header += `; Expires=${opts.expires}`;
    if (opts?.max_age !== undefined) header += `; Max-Age=${opts.max_age}`;
    if (opts?.secure) header += '; Secure';
    if (opts?.http_only) header += '; HttpOnly';
    const now = Date.now();
    const c = parseSetCookie(header, u, now);
    if (!c) throw new Error(`CookieJar.set: cannot set cookie "${name}" for ${url} (is the domain that of the URL?)`);
    this.store.store(c, now);
  }

  clear(url: string): void {
    this.store.clear(new URL(url));
  }

  delete(url: string, name: string): void {
    this.store.delete(new URL(url), name);
  }
}
