/**
 * Starts `moto_server` (a second, independent AWS implementation, preinstalled on these machines)
 * on 127.0.0.1 with a free port, for the tests and benchmarks that check squall against it. Fails
 * loudly when moto is missing: CI must have it. The one place that starts moto.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface Moto {
  endpoint: string;
  /** The moto_server process (benchmarks read its CPU time). */
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startMoto(): Promise<Moto> {
  if (spawnSync('sh', ['-c', 'command -v moto_server']).status !== 0) {
    throw new Error('moto_server is not on PATH: install it (pip install "moto[server]") — these tests compare squall against it');
  }
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (r.status < 500) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline || child.exitCode !== null || spawnError) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not start on ${endpoint}${spawnError ? `: ${spawnError.message}` : ''}; install it with: pip install 'moto[server]'`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** moto's Lambda wants an IAM role that exists; IAM speaks the Query protocol, one form POST. */
export async function motoCreateRole(endpoint: string, name: string): Promise<string> {
  const r = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: name, AssumeRolePolicyDocument: '{}' }).toString(),
  });
  const arn = /<Arn>(.*?)<\/Arn>/.exec(await r.text())?.[1];
  if (!arn) throw new Error(`moto CreateRole failed with HTTP ${r.status}`);
  return arn;
}

/** The smallest valid zip (an empty archive): moto stores code, it never runs it in these tests. */
export const EMPTY_ZIP = new Uint8Array([80, 75, 5, 6, ...new Array<number>(18).fill(0)]);
