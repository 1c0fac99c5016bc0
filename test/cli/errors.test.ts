/**
 * classifyEnvironmentError: each failure of the environment or the target, produced for real where
 * a test can (a closed port, a port in use, a missing program, /dev/full, an emulator that
 * rejects the signature, a server that never answers) and as the AWS SDK shapes it where it cannot
 * (no credentials, DNS), maps to exit 7 with the cause and the fix; a real bug is not classified.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { ListFunctionsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { classifyEnvironmentError } from '../../harness/cli/errors.ts';
import { reportError } from '../../harness/cli/main.ts';
import { EXIT, SquallError } from '../../harness/contracts/exit-codes.ts';
import { startLambdaEmulator } from '../../harness/emulator/index.ts';
import { freePort } from '../helpers/moto.ts';

async function caught(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

function classified(e: unknown): SquallError {
  const s = classifyEnvironmentError(e);
  expect(s, `not classified: ${String(e)}`).toBeInstanceOf(SquallError);
  expect(s!.exitCode).toBe(EXIT.environmentUnavailable);
  expect(s!.hint).toBeTruthy();
  return s!;
}

const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

describe('classifyEnvironmentError', () => {
  it('a closed port (fetch, and the AWS SDK) is "connection refused" naming the address', async () => {
    const port = await freePort();
    const viaFetch = classified(await caught(fetch(`http://127.0.0.1:${port}/`)));
    expect(viaFetch.message).toContain(`127.0.0.1:${port}`);
    expect(viaFetch.message).toContain('connection refused');
    const client = new LambdaClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
    const viaSdk = classified(await caught(client.send(new ListFunctionsCommand({}))));
    client.destroy();
    expect(viaSdk.message).toContain('connection refused');
    expect(viaSdk.hint).toMatch(/endpoint/);
  });

  it('a port in use is EADDRINUSE with the fix', async () => {
    const a = net.createServer();
    servers.push(a);
    await new Promise<void>((r) => a.listen(0, '127.0.0.1', r));
    const port = (a.address() as net.AddressInfo).port;
    const b = net.createServer();
    servers.push(b);
    const e = await new Promise<unknown>((resolve) => {
      b.once('error', resolve);
      b.listen(port, '127.0.0.1');
    });
    const s = classified(e);
    expect(s.message).toContain('already in use');
    expect(s.hint).toMatch(/port/);
  });

  it('a missing program (spawn ENOENT) names the program and how to install it', async () => {
    const child = spawn('k6-squall-test-not-installed', ['version']);
    const e = await new Promise<unknown>((resolve) => child.once('error', resolve));
    const s = classified(e);
    expect(s.message).toBe('program not found: k6-squall-test-not-installed');
    expect(s.hint).toMatch(/install k6|K6_BIN/);
    const moto = classified(Object.assign(new Error('spawn moto_server ENOENT'), { code: 'ENOENT', syscall: 'spawn moto_server', path: 'moto_server' }));
    expect(moto.hint).toContain("pip install 'moto[server]'");
  });

  it('a full disk (ENOSPC, /dev/full) says so and where to write instead', async () => {
    const e = await caught(() => writeFileSync('/dev/full', 'x'));
    const s = classified(e);
    expect(s.message).toContain('no space left');
    expect(s.hint).toContain('--reports');
  });

  it('a target that rejects the signature (the emulator with credentials) is an access problem, not a bug', async () => {
    const emu = await startLambdaEmulator({ port: 0, credentials: { accessKeyId: 'right', secretAccessKey: 'right' } });
    try {
      const client = new LambdaClient({ endpoint: emu.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'right', secretAccessKey: 'wrong' }, maxAttempts: 1 });
      const e = await caught(client.send(new ListFunctionsCommand({})));
      client.destroy();
      const s = classified(e);
      expect(s.message).toMatch(/refused squall's credentials: (InvalidSignatureException|UnrecognizedClientException)/);
      expect(s.hint).toContain('sts get-caller-identity');
    } finally {
      await emu.close();
    }
  });

  it('AccessDenied, UnrecognizedClientException and InvalidClientTokenId, as the SDK names them', () => {
    for (const name of ['AccessDeniedException', 'AccessDenied', 'UnrecognizedClientException', 'InvalidClientTokenId']) {
      const e = Object.assign(new Error('The security token included in the request is invalid.'), { name, $metadata: { httpStatusCode: 403 } });
      expect(classified(e).message).toContain(name);
    }
  });

  it('no credentials (the SDK\'s CredentialsProviderError) names where to set them', () => {
    const e = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError', tryNextLink: false });
    const s = classified(e);
    expect(s.message).toContain('no AWS credentials');
    expect(s.hint).toMatch(/AWS_PROFILE/);
  });

  it('a server that never answers is a timeout; a DNS failure names the host', async () => {
    const silent = net.createServer(() => undefined);
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const e = await caught(fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(200) }));
    expect(classified(e).message).toContain('did not answer in time');
    expect(classified(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })).message).toContain('did not answer in time');
    const dns = classified(Object.assign(new Error('getaddrinfo ENOTFOUND lambda.nowhere.invalid'), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'lambda.nowhere.invalid' }));
    expect(dns.message).toContain('lambda.nowhere.invalid');
  });

  it('real bugs are not classified, so they stay "internal error"', () => {
    expect(classifyEnvironmentError(new TypeError("Cannot read properties of undefined (reading 'kind')"))).toBeUndefined();
    expect(classifyEnvironmentError(new RangeError('Invalid array length'))).toBeUndefined();
    expect(classifyEnvironmentError('a string')).toBeUndefined();
  });
});

describe('reportError', () => {
  it('exit 7 with the cause and a hint for the environment, exit 1 and "a bug in squall" only for bugs', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    try {
      const port = await freePort();
      expect(reportError(await caught(fetch(`http://127.0.0.1:${port}/`)))).toBe(EXIT.environmentUnavailable);
      expect(lines.join('')).toMatch(/^error: cannot connect to 127\.0\.0\.1:\d+: connection refused.*\nhint: /s);
      expect(lines.join('')).not.toContain('internal error');
      lines.length = 0;
      expect(reportError(new TypeError('x is not a function'))).toBe(EXIT.internalError);
      expect(lines.join('')).toContain('This is a bug in squall');
    } finally {
      spy.mockRestore();
    }
  });
});
