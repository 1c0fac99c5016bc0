import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SquallError } from '../../harness/contracts/exit-codes.ts';
import { findK6, K6BinaryRunner, selectRunner } from '../../harness/runner/index.ts';

// No k6 is installed here, so discovery is tested against stand-in executables: a shell script
// answering `k6 version`. What a real k6 writes is tested by the shared contract (k6-binary.test.ts).
const tmp = mkdtempSync(path.join(os.tmpdir(), 'squall-select-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fakeK6(dir: string, script = '#!/bin/sh\necho "k6 v9.9.9 (stand-in)"\n'): string {
  mkdirSync(dir, { recursive: true });
  const p = path.join(dir, 'k6');
  writeFileSync(p, script);
  chmodSync(p, 0o755);
  return p;
}

const engineReady = existsSync(fileURLToPath(new URL('../../harness/engine/run.ts', import.meta.url)));

describe('findK6', () => {
  it('prefers K6_BIN, then searches PATH in order', () => {
    const a = fakeK6(path.join(tmp, 'a'));
    const b = fakeK6(path.join(tmp, 'b'));
    expect(findK6({ K6_BIN: b, PATH: path.join(tmp, 'a') })).toEqual({ path: b });
    expect(findK6({ PATH: [path.join(tmp, 'empty'), path.join(tmp, 'a'), path.join(tmp, 'b')].join(path.delimiter) })).toEqual({ path: a });
  });

  it('explains a K6_BIN that is not executable, and a k6 that is nowhere', () => {
    const f = path.join(tmp, 'not-exec');
    writeFileSync(f, 'x');
    chmodSync(f, 0o644);
    expect(findK6({ K6_BIN: f, PATH: '' })).toEqual({ error: expect.stringMatching(/K6_BIN=.*not-exec is not an executable file/) });
    expect(findK6({ PATH: path.join(tmp, 'nothing-here') })).toEqual({ error: expect.stringMatching(/no k6 binary.*K6_BIN/) });
    expect(findK6({ PATH: path.join(tmp) })).toEqual({ error: expect.stringMatching(/no k6 binary/) }); // tmp holds k6 only in subdirs
  });
});

describe('K6BinaryRunner.available', () => {
  it('reports the version line of a working binary', async () => {
    const k6 = fakeK6(path.join(tmp, 'ok'));
    await expect(new K6BinaryRunner({ K6_BIN: k6 }).available()).resolves.toEqual({ ok: true, reason: `k6 v9.9.9 (stand-in) at ${k6}` });
  });

  it('says so when the binary does not answer `k6 version`', async () => {
    const k6 = fakeK6(path.join(tmp, 'broken'), '#!/bin/sh\nexit 3\n');
    const a = await new K6BinaryRunner({ K6_BIN: k6 }).available();
    expect(a.ok).toBe(false);
    expect(a.reason).toMatch(/did not answer `k6 version`/);
  });
});

describe('selectRunner (load.engine)', () => {
  it('auto and k6 take the k6 binary when one is found', async () => {
    const dir = path.join(tmp, 'auto');
    fakeK6(dir);
    expect((await selectRunner('auto', { PATH: dir })).name).toBe('k6-binary');
    expect((await selectRunner('k6', { PATH: dir })).name).toBe('k6-binary');
  });

  it('k6 without a binary is a clear input error', async () => {
    const e = await selectRunner('k6', { PATH: path.join(tmp, 'none') }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SquallError);
    expect((e as SquallError).message).toMatch(/load\.engine is "k6" but no k6 binary/);
    expect((e as SquallError).hint).toMatch(/K6_BIN/);
  });

  it.skipIf(!engineReady)('auto falls back to the embedded engine without a k6 binary', async () => {
    expect((await selectRunner('auto', { PATH: path.join(tmp, 'none') })).name).toBe('embedded');
    expect((await selectRunner('embedded', { PATH: path.join(tmp, 'auto') })).name).toBe('embedded');
  });

  it.skipIf(engineReady)('auto without k6 nor engine names both fixes', async () => {
    const e = await selectRunner('auto', { PATH: path.join(tmp, 'none') }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SquallError);
    expect((e as SquallError).message).toMatch(/embedded k6 engine is not built/);
  });
});
