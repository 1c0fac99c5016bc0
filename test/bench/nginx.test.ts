import { existsSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseRfc3339Ms } from '../../bench/engine.bench.ts';
import { NGINX_BIN, startNginx } from '../../bench/nginx.ts';

// The benches' nginx must come up on 127.0.0.1, answer, and leave nothing behind. nginx-light is
// in .ci/apt-packages; without it the bench itself says how to install it.
describe.skipIf(!existsSync(NGINX_BIN))('bench nginx', () => {
  it('serves 200 ok on 127.0.0.1 and stops completely', async () => {
    const n = await startNginx();
    expect(n.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(n.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    await n.stop();
    const port = Number(new URL(n.url).port);
    const refused = await new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(false);
      });
      c.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    await n.stop(); // idempotent
  });
});

describe('parseRfc3339Ms (k6 NDJSON times, k6-contract §2.4)', () => {
  it('keeps sub-millisecond digits and honours offsets', () => {
    expect(parseRfc3339Ms('2026-08-21T10:00:01.123456789Z')).toBeCloseTo(Date.UTC(2026, 7, 21, 10, 0, 1) + 123.456789, 6);
    expect(parseRfc3339Ms('2026-08-21T10:00:01Z')).toBe(Date.UTC(2026, 7, 21, 10, 0, 1));
    expect(parseRfc3339Ms('2026-08-21T12:00:01.5+02:00')).toBe(Date.UTC(2026, 7, 21, 10, 0, 1) + 500);
    expect(parseRfc3339Ms('not a time')).toBeNaN();
  });
});
