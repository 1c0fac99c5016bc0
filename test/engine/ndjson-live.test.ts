/**
 * Several `--out json=` files from the embedded engine (squall run adds an uncompressed live copy
 * for its stop conditions): every file gets the same lines, and the uncompressed one is written
 * while the test runs — a reader tailing it sees points long before the end.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

describe('--out json= twice', () => {
  it('writes the same lines to a .gz and a plain file, the plain one live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'squall-live-out-'));
    const script = join(dir, 'script.js');
    writeFileSync(script, `import { sleep } from 'k6';\nexport const options = { vus: 1, duration: '4s' };\nexport default function () { sleep(0.05); }\n`);
    const gz = join(dir, 'points.ndjson.gz');
    const live = join(dir, 'live.ndjson');
    const child = spawn(process.execPath, [join(ROOT, 'bin/squall.js'), 'k6', 'run', '--quiet', '--out', `json=${gz}`, '--out', `json=${live}`, script], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Wait for the first iteration points, then check they are already on disk mid-run.
    const t0 = Date.now();
    let seenAt: number | null = null;
    while (Date.now() - t0 < 30_000) {
      await new Promise((r) => setTimeout(r, 100));
      if (existsSync(live) && readFileSync(live, 'utf8').includes('"metric":"iterations","type":"Point"')) {
        seenAt = Date.now();
        break;
      }
      if (child.exitCode !== null) break;
    }
    expect(seenAt, 'no iteration point in the live file while the test ran').not.toBeNull();
    expect(child.exitCode, 'the test had already ended when the points were seen').toBeNull();
    expect(await exited).toBe(0);
    const plain = readFileSync(live, 'utf8');
    expect(gunzipSync(readFileSync(gz)).toString('utf8')).toBe(plain);
    expect(plain.split('\n').filter((l) => l.includes('"metric":"iterations","type":"Point"')).length).toBeGreaterThan(20);
  }, 60_000);
});
