/**
 * Naming the real cause of a failure. Errors thrown from anywhere (the AWS SDK, node's net and fs,
 * child_process spawn) are classified here: when the environment or the target is at fault (no
 * credentials, an unreachable endpoint, a port in use, access denied, a full disk, a missing
 * program) the user gets a SquallError naming the cause and the fix with exit code 7, so
 * "internal error … a bug in squall" is left for real bugs. What AWS's error codes mean is
 * target/aws-errors.ts's to say (one place); this module adds the machine's own failures.
 */
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { classify } from '../target/aws-errors.ts';

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  path?: unknown;
  spawnargs?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
  $metadata?: unknown;
}

/** The error and every error it wraps (`cause`, AggregateError's `errors`), outermost first. */
function chain(e: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [e];
  while (queue.length && out.length < 20) {
    const x = queue.shift();
    if (!x || typeof x !== 'object' || out.includes(x as ErrorLike)) continue;
    const err = x as ErrorLike;
    out.push(err);
    if (err.cause !== undefined) queue.push(err.cause);
    if (Array.isArray(err.errors)) queue.push(...(err.errors as unknown[]));
  }
  return out;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function where(err: ErrorLike): string {
  const host = str(err.address) ?? str(err.hostname);
  const port = typeof err.port === 'number' || typeof err.port === 'string' ? String(err.port) : undefined;
  return host ? (port ? `${host}:${port}` : host) : 'the endpoint';
}

const ENDPOINT_HINT = 'start the target (`squall emulator`, moto_server, …) or fix `target.endpoint` / `--endpoint`, then retry';
const NETWORK_TIMEOUTS = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const env = (message: string, hint: string, cause: unknown) => new SquallError(message, { exitCode: EXIT.environmentUnavailable, hint, cause });

/**
 * A SquallError (exit 7) when `e` is the environment's or the target's doing; `undefined` when it
 * is not recognised, which the caller treats as a bug in squall.
 */
export function classifyEnvironmentError(e: unknown): SquallError | undefined {
  for (const err of chain(e)) {
    const name = str(err.name);
    const code = str(err.code);
    const message = str(err.message) ?? '';
    const aws = classify(err);
    if (aws === 'credentials') {
      return env(
        'no AWS credentials: the AWS SDK found none in the environment, the shared config files or the instance metadata',
        'set AWS_PROFILE (or `target.profile`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; the embedded emulator needs none',
        e,
      );
    }
    if (aws === 'denied' || aws === 'expired-credentials') {
      return env(
        `the target refused squall's credentials: ${name ?? code}${message ? `: ${message}` : ''}`,
        'check which identity is in use (`aws sts get-caller-identity`) and that it may call Lambda and SQS on this account and Region',
        e,
      );
    }
    if (code === 'ENOENT' && str(err.syscall)?.startsWith('spawn')) {
      const program = str(err.path) ?? str(err.syscall)!.slice('spawn '.length);
      return env(
        `program not found: ${program}`,
        program.includes('k6')
          ? 'install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or set K6_BIN, or use `load.engine: embedded`'
          : program.includes('moto')
            ? "install moto_server (`pip install 'moto[server]'`) or put it on PATH"
            : `install ${program} or put it on PATH`,
        e,
      );
    }
    switch (code) {
      case 'ECONNREFUSED':
        return env(`cannot connect to ${where(err)}: connection refused (nothing listens there)`, ENDPOINT_HINT, e);
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return env(`cannot resolve the host ${str(err.hostname) ?? where(err)} (DNS lookup failed)`, `check the host name in \`target.endpoint\` / \`--endpoint\` and the network`, e);
      case 'ECONNRESET':
      case 'EPIPE':
        if (str(err.syscall) === 'write' && code === 'EPIPE') break;
        return env(`the connection to ${where(err)} was reset by the other side`, ENDPOINT_HINT, e);
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return env(`cannot reach ${where(err)}: ${code === 'EHOSTUNREACH' ? 'host' : 'network'} unreachable`, ENDPOINT_HINT, e);
      case 'EADDRINUSE':
        return env(`the address ${where(err)} is already in use by another program`, 'stop that program, or choose another port (`--port 0` picks a free one)', e);
      case 'EADDRNOTAVAIL':
        return env(`the address ${where(err)} is not available on this machine`, 'listen on 127.0.0.1 or an address this machine has', e);
      case 'ENOSPC':
        return env(`no space left on the device${str(err.path) ? ` writing ${str(err.path)}` : ''}`, 'free disk space, or write the run folders elsewhere (`--reports DIR`)', e);
      case 'EDQUOT':
        return env(`disk quota exceeded${str(err.path) ? ` writing ${str(err.path)}` : ''}`, 'free space within your quota, or write elsewhere (`--reports DIR`)', e);
      case 'EROFS':
        return env(`read-only file system${str(err.path) ? `: ${str(err.path)}` : ''}`, 'write the run folders to a writable folder (`--reports DIR`)', e);
      case 'EACCES':
      case 'EPERM':
        if (str(err.path) || str(err.syscall) === 'listen' || str(err.syscall) === 'bind')
          return env(`permission denied${str(err.path) ? `: ${str(err.path)}` : ` on ${where(err)}`}`, 'use a folder or a port this user may use (ports below 1024 need privileges)', e);
        break;
    }
    if ((code && NETWORK_TIMEOUTS.has(code)) || name === 'TimeoutError' || name === 'ConnectTimeoutError') {
      return env(`the target did not answer in time${message ? ` (${message.split('\n')[0]})` : ''}`, ENDPOINT_HINT, e);
    }
  }
  return undefined;
}
