/**
 * squall's HTTP/1.1 client against a real node:http server on 127.0.0.1: keep-alive reuse,
 * `Connection: close`, a keep-alive socket the server closed while idle (retried once), chunked
 * and HEAD responses, 1xx, and connection errors.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionInfo, type H1Handler, Origin } from '../../harness/engine/runtime/h1-client.ts';

let server: Server;
let port = 0;
let sockets = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/close') {
      res.writeHead(200, { connection: 'close', 'content-length': '2' });
      res.end('ok');
    } else if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('hello ');
      setTimeout(() => res.end('world'), 5);
    } else if (req.url === '/continue') {
      res.writeContinue();
      res.end('after 100');
    } else {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' });
      res.end(req.method === 'HEAD' ? undefined : 'hello');
    }
  });
  server.on('connection', () => sockets++);
  server.keepAliveTimeout = 200;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

interface Result {
  status: number;
  body: string;
  headers: string[];
  fresh: boolean;
  error: (Error & { code?: string }) | undefined;
}

function get(origin: Origin, path: string, method = 'GET'): Promise<Result> {
  return new Promise((resolve) => {
    const r: Result = { status: 0, body: '', headers: [], fresh: false, error: undefined };
    const h: H1Handler = {
      onConnect: (_abort, c: ConnectionInfo) => {
        r.fresh = c.fresh;
      },
      onHeaders: (status, raw) => {
        r.status = status;
        r.headers = raw;
        return true;
      },
      onData: (chunk) => {
        r.body += chunk.toString();
        return true;
      },
      onComplete: () => resolve(r),
      onError: (e) => {
        r.error = e;
        resolve(r);
      },
    };
    origin.dispatch(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, undefined, h, method);
  });
}

describe('h1 client', () => {
  it('reuses one keep-alive connection for sequential requests', async () => {
    const o = new Origin('127.0.0.1', port, false);
    const before = sockets;
    const results: Result[] = [];
    for (let i = 0; i < 5; i++) results.push(await get(o, '/'));
    expect(results.map((r) => [r.status, r.body])).toEqual(Array(5).fill([200, 'hello']));
    expect(results.map((r) => r.fresh)).toEqual([true, false, false, false, false]);
    expect(sockets - before).toBe(1);
    o.close();
  });
  it('opens a new connection after Connection: close', async () => {
    const o = new Origin('127.0.0.1', port, false);
    const before = sockets;
    expect((await get(o, '/close')).body).toBe('ok');
    expect((await get(o, '/')).body).toBe('hello');
    expect(sockets - before).toBe(2);
    o.close();
  });
  it('retries once when the server closed an idle keep-alive connection', async () => {
    const o = new Origin('127.0.0.1', port, false);
    await get(o, '/');
    await new Promise((r) => setTimeout(r, 400)); // past the server's keepAliveTimeout
    const r = await get(o, '/');
    expect(r.error).toBeUndefined();
    expect(r.body).toBe('hello');
    o.close();
  });
  it('reads chunked bodies, HEAD responses and skips 1xx', async () => {
    const o = new Origin('127.0.0.1', port, false);
    expect((await get(o, '/chunked')).body).toBe('hello world');
    const head = await get(o, '/', 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
    expect(head.headers.map((x) => x.toLowerCase())).toContain('content-length');
    expect((await get(o, '/')).body).toBe('hello');
    const cont = await get(o, '/continue');
    expect([cont.status, cont.body]).toEqual([200, 'after 100']);
    o.close();
  });
  it('serves concurrent requests, each on its own connection, and reports refused connections', async () => {
    const o = new Origin('127.0.0.1', port, false);
    const all = await Promise.all(Array.from({ length: 10 }, () => get(o, '/chunked')));
    expect(all.every((r) => r.body === 'hello world')).toBe(true);
    o.close();
    const dead = new Origin('127.0.0.1', 1, false);
    const r = await get(dead, '/');
    expect(r.error?.code).toBe('ECONNREFUSED');
    dead.close();
  });
});
