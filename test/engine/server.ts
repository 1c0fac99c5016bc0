/**
 * A real HTTP target for engine tests, on 127.0.0.1 port 0: `/ok` (JSON), `/gzip`, `/login` (sets cookies), `/whoami`, `/slow?ms=N`,
 * `/status/N`, `/redirect`, `/record?...` (remembers the query of every call).
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface TestServer {
  url: string;
  records: URLSearchParams[];
  hits: () => number;
  close: () => Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const records: URLSearchParams[] = [];
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    const u = new URL(req.url ?? '/', 'http://x');
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      if (u.pathname === '/slow') {
        setTimeout(() => res.end('slow'), Number(u.searchParams.get('ms') ?? 100));
        return;
      }
      if (u.pathname.startsWith('/status/')) {
        res.writeHead(Number(u.pathname.slice(8)));
        res.end('status');
        return;
      }
      if (u.pathname === '/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(JSON.stringify({ zipped: true })));
        return;
      }
      if (u.pathname === '/login') {
        res.writeHead(302, { location: '/whoami', 'set-cookie': ['sid=abc; Path=/; HttpOnly', 'theme=dark; Path=/settings'] });
        res.end();
        return;
      }
      if (u.pathname === '/whoami' || u.pathname === '/settings/x') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ cookie: req.headers.cookie ?? '' }));
        return;
      }
      if (u.pathname === '/redirect') {
        res.writeHead(302, { location: '/ok?from=redirect' });
        res.end();
        return;
      }
      if (u.pathname === '/record') {
        u.searchParams.set('__ua', req.headers['user-agent'] ?? '');
        records.push(u.searchParams);
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-test': 'yes' });
      res.end(JSON.stringify({ ok: true, path: u.pathname, method: req.method, body: Buffer.concat(body).toString(), nested: { items: [1, 2, 3] } }));
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Collects what the engine writes, for assertions. */
export function capture(): { out: string[]; err: string[]; stdout: (s: string) => void; stderr: (s: string) => void } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) };
}
