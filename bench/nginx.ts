/**
 * A throwaway Debian nginx for benchmarks: one worker on 127.0.0.1 answering `200 ok` with no
 * access log, every file it writes (config, pid, error log, temp dirs) in its own temp dir. It is
 * stopped by `stop()`, and also when this process exits or is interrupted, so a failed bench never
 * leaves a server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/helpers/moto.ts';

export const NGINX_BIN = '/usr/sbin/nginx';

export interface Nginx {
  url: string;
  stop(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function startNginx(): Promise<Nginx> {
  if (!existsSync(NGINX_BIN)) {
    throw new Error(`nginx not found at ${NGINX_BIN}; install it with \`apt-get install -y --no-install-recommends nginx-light\` (it is in .ci/apt-packages)`);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-nginx-'));
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # nginx closes a keep-alive connection after 1000 requests by default; a load generator would
  # then measure reconnects, not requests.
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:${port};
    location / { return 200 'ok'; }
  }
}
`,
  );
  // -e: the error log before the config is read (otherwise nginx opens /var/log/nginx/error.log).
  const child: ChildProcess = spawn(NGINX_BIN, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const onSignal = (sig: NodeJS.Signals) => {
    killNow();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killNow);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killNow);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM'); // fast shutdown of master and worker
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = existsSync(path.join(dir, 'error.log')) ? readFileSync(path.join(dir, 'error.log'), 'utf8') : '';
      await stop();
      throw new Error(`nginx did not start on 127.0.0.1:${port}: ${stderr}${log}`.trim());
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}/`, stop };
}
