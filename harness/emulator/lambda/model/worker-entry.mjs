// The inside of one handler execution environment (a worker_threads Worker). Plain ESM on
// purpose: it needs no TypeScript loader, so a .js/.mjs/.cjs handler starts exactly as fast as
// its own module init; only a .ts handler registers tsx (in this worker) first. It loads the handler
// module once (the real cold start), then answers invoke messages one at a time, with the
// Node.js runtime's error shape ({errorType, errorMessage, trace}) and the handler's console
// output when the caller asked for the log tail.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import v8 from 'node:v8';
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

const { file, exportName, functionName, functionArn, functionVersion, memoryMB, typescript, taskRoot, handlerName } = workerData;
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

// Paths in messages read as they would on Lambda (/var/task), not as the emulator's temp folder.
const lambdaPaths = (text) => (taskRoot ? String(text).split(taskRoot).join('/var/task') : String(text));

class LambdaInitError extends Error {
  constructor(errorType, message) {
    super(message);
    this.errorType = errorType;
  }
}

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The nearest package.json says "type": "module" (how Node, and Lambda, decide what a .js file is). */
function typeModule(dir) {
  for (let d = dir; d.startsWith(taskRoot); d = path.dirname(d)) {
    const pj = path.join(d, 'package.json');
    if (isFile(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (d === path.dirname(d)) break;
  }
  return false;
}

/**
 * Load `Handler` the way the Node.js runtime interface client does: "dir/module.fn[.nested]";
 * the module file is tried extensionless, then .js (require, or import under "type": "module"),
 * .mjs (import), .cjs (require), then as a package name from node_modules.
 */
async function loadLambdaHandler() {
  const slash = handlerName.lastIndexOf('/');
  const rest = handlerName.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot < 1 || dot === rest.length - 1) throw new LambdaInitError('Runtime.MalformedHandlerName', 'Bad handler');
  const moduleName = handlerName.slice(0, slash + 1) + rest.slice(0, dot);
  const props = rest.slice(dot + 1).split('.');
  const base = path.resolve(taskRoot, moduleName);
  const req = createRequire(path.join(taskRoot, 'index.js'));
  let mod;
  if (isFile(base)) mod = req(base);
  else if (isFile(`${base}.js`)) mod = typeModule(path.dirname(base)) ? await import(pathToFileURL(`${base}.js`).href) : req(`${base}.js`);
  else if (isFile(`${base}.mjs`)) mod = await import(pathToFileURL(`${base}.mjs`).href);
  else if (isFile(`${base}.cjs`)) mod = req(`${base}.cjs`);
  else {
    try {
      mod = req(moduleName);
    } catch (e) {
      if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).startsWith(`Cannot find module '${moduleName}'`)) {
        throw new LambdaInitError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'\nRequire stack:\n- /var/runtime/index.mjs`);
      }
      throw e;
    }
  }
  let fn = mod;
  for (const k of props) fn = fn == null ? undefined : fn[k];
  if (fn === undefined && mod && mod.default) {
    fn = mod.default;
    for (const k of props) fn = fn == null ? undefined : fn[k];
  }
  if (typeof fn !== 'function') throw new LambdaInitError('Runtime.HandlerNotFound', `${rest} is undefined or not exported`);
  return fn;
}

async function init() {
  if (taskRoot) {
    try {
      handler = await loadLambdaHandler();
      return { type: 'ready' };
    } catch (e) {
      if (e instanceof LambdaInitError) return { type: 'init-error', error: { errorType: e.errorType, errorMessage: e.message, trace: [] } };
      const err = errorOf(e);
      err.errorMessage = lambdaPaths(err.errorMessage);
      err.trace = err.trace.map(lambdaPaths);
      if (e && (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND')) {
        err.errorType = 'Runtime.ImportModuleError';
        err.errorMessage = `Error: ${err.errorMessage}`;
      } else if (e instanceof SyntaxError) {
        err.errorType = 'Runtime.UserCodeSyntaxError';
        err.errorMessage = `SyntaxError: ${err.errorMessage}`;
      }
      return { type: 'init-error', error: err };
    }
  }
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
    functionVersion: functionVersion ?? '$LATEST',
    invokedFunctionArn: msg.invokedFunctionArn ?? functionArn,
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
    err.trace = err.trace.map(lambdaPaths);
    // The Node.js runtime logs an unhandled error this way before answering.
    if (logs !== null) logs.push(`${new Date().toISOString()}\t${msg.requestId}\tERROR\tInvoke Error \t${JSON.stringify(err)}`);
    reply = { type: 'result', ok: false, payload: JSON.stringify(err) };
  }
  reply.durationMs = performance.now() - started;
  // What REPORT calls Max Memory Used: this environment's heap (the worker's isolate), not the emulator's.
  const heap = v8.getHeapStatistics();
  reply.memoryUsedMB = Math.ceil((heap.used_heap_size + heap.external_memory) / (1024 * 1024));
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
