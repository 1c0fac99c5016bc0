// The inside of one handler execution environment (a worker_threads Worker). Plain ESM on
// purpose: it needs no TypeScript loader, so a .js/.mjs/.cjs handler starts exactly as fast as
// its own module init; only a .ts handler registers tsx (in this worker) first. It loads the handler
// module once (the real cold start), then answers invoke messages one at a time, with the
// Node.js runtime's error shape ({errorType, errorMessage, trace}) and the handler's console
// output when the caller asked for the log tail.
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { readFileSync } from 'node:fs';

// The handler's CPU time is its event loop's active time (performance.eventLoopUtilization: wall
// time spent running JS, not waiting) less the time the thread sat runnable waiting for a host
// core, which Linux reports exactly in /proc/thread-self/schedstat (its first field, run time, is
// only updated at scheduler ticks, so it is not used). Elsewhere the wait is taken as zero.
function schedstat() {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ');
    return { runMs: Number(run) / 1e6, waitMs: Number(wait) / 1e6 };
  } catch {
    return null;
  }
}
const HAS_SCHEDSTAT = schedstat() !== null;

const { file, exportName, functionName, functionArn, memoryMB, typescript } = workerData;
let handler = null;
let logs = null;

for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
  console[level] = (...args) => {
    if (logs !== null) logs.push(format(...args));
  };
}

function errorOf(e) {
  if (e instanceof Error) {
    return { errorType: e.name || 'Error', errorMessage: e.message, trace: String(e.stack ?? '').split('\n') };
  }
  return { errorType: typeof e, errorMessage: String(e), trace: [] };
}

// X-Amz-Client-Context arrives base64-encoded; handlers see the decoded object, as on Lambda.
function decodeClientContext(raw) {
  if (!raw) return undefined;
  try {
    return JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

function stringify(value) {
  const text = JSON.stringify(value);
  return text === undefined ? 'null' : text;
}

async function init() {
  try {
    if (typescript) {
      // Both of tsx's hooks: a .ts file outside a "type": "module" package loads as CommonJS.
      const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
      esm.register();
      cjs.register();
    }
    const mod = await import(pathToFileURL(file).href);
    const fn = mod[exportName] ?? (mod.default && typeof mod.default === 'object' ? mod.default[exportName] : undefined);
    if (typeof fn !== 'function') {
      const base = file.split(/[\\/]/).pop().replace(/\.[^.]+$/, '');
      return { type: 'init-error', error: { errorType: 'Runtime.HandlerNotFound', errorMessage: `${base}.${exportName} is undefined or not exported`, trace: [] } };
    }
    handler = fn;
    return { type: 'ready' };
  } catch (e) {
    const err = errorOf(e);
    if (e && e.code === 'ERR_MODULE_NOT_FOUND') err.errorType = 'Runtime.ImportModuleError';
    return { type: 'init-error', error: err };
  }
}

async function invoke(msg) {
  if (handler === null) {
    return { type: 'result', ok: false, payload: JSON.stringify({ errorType: 'Runtime.Unknown', errorMessage: 'handler not initialised', trace: [] }), durationMs: 0, log: '' };
  }
  logs = msg.logTail ? [] : null;
  const deadline = Date.now() + msg.timeoutMs;
  const context = {
    awsRequestId: msg.requestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMB),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'squall-emulator',
    callbackWaitsForEmptyEventLoop: true,
    clientContext: decodeClientContext(msg.clientContext),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const started = performance.now();
  // The handler's CPU time on this worker's own thread, not its waiting (see schedstat above).
  const s0 = HAS_SCHEDSTAT ? schedstat() : null;
  const elu = performance.eventLoopUtilization();
  let reply;
  try {
    const event = JSON.parse(msg.payload);
    let result;
    if (handler.length >= 3) {
      result = await new Promise((resolve, reject) => {
        const r = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)));
        if (r && typeof r.then === 'function') r.then(resolve, reject);
      });
    } else {
      result = await handler(event, context);
    }
    reply = { type: 'result', ok: true, payload: stringify(result) };
  } catch (e) {
    const err = errorOf(e);
    // The Node.js runtime logs an unhandled error this way before answering.
    if (logs !== null) logs.push(`${new Date().toISOString()}\t${msg.requestId}\tERROR\tInvoke Error \t${JSON.stringify(err)}`);
    reply = { type: 'result', ok: false, payload: JSON.stringify(err) };
  }
  reply.durationMs = performance.now() - started;
  const active = performance.eventLoopUtilization(elu).active;
  const s1 = s0 ? schedstat() : null;
  // Time the thread sat runnable waiting for a host core: contention on this machine, not the function's.
  reply.hostWaitMs = s0 && s1 ? Math.max(0, s1.waitMs - s0.waitMs) : 0;
  reply.busyMs = Math.max(0, active - reply.hostWaitMs);
  reply.log = logs === null ? '' : logs.join('\n');
  logs = null;
  return reply;
}

parentPort.on('message', (msg) => {
  if (msg.type === 'init') init().then((r) => parentPort.postMessage(r));
  else if (msg.type === 'invoke') invoke(msg).then((r) => parentPort.postMessage(r));
});
