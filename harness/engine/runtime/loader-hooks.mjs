// Node module customization hooks for k6 scripts (registered with module.register before a
// script is imported). Plain JS because hooks load on Node's hooks thread before any TS loader.
//
// - `k6` and `k6/*` resolve to squall's shims; modules squall does not run resolve to a shim
//   that fails at start with a message naming the module and pointing to real k6.
// - Every VU imports the script as `script.js?squall=<run>.<vu>`; the query is carried to the
//   script's own relative imports and to the per-VU shims, so each VU gets its own module graph
//   (k6: a script's top-level state is per VU).
// - User modules are always ES modules (k6 scripts are), and get one line prepended that binds
//   `__VU`, `__ITER`, `__ENV` (and the global timers and `open` when the script does not declare
//   them) to that VU's own values: globals would be shared by every VU of this realm.

let shimDir = '';
let engineDir = '';

export async function initialize(data) {
  shimDir = data.shimDir;
  engineDir = data.engineDir;
}

const PER_VU = {
  k6: 'k6.ts',
  'k6/http': 'http.ts',
  'k6/metrics': 'metrics.ts',
  'k6/execution': 'execution.ts',
  'k6/timers': 'timers.ts',
  'k6/data': 'data.ts',
};
const SHARED = {
  'k6/crypto': 'crypto.ts',
  'k6/encoding': 'encoding.ts',
};

// Importing a module squall does not run fails at start, naming it and pointing to real k6. The
// run turns messages with this marker into exit code 107 with a hint.
export const UNSUPPORTED_MARK = '[squall:unsupported-module]';

function unsupportedModule(m) {
  return (
    `${UNSUPPORTED_MARK} the script imports "${m}", which squall's embedded engine does not support (it runs k6, k6/http, ` +
    'k6/metrics, k6/execution, k6/timers, k6/crypto, k6/encoding and k6/data). Run this script with real k6 (https://k6.io/): ' +
    "squall's runner uses a k6 binary when one is installed"
  );
}

function unsupportedRemote(url) {
  return (
    `${UNSUPPORTED_MARK} the script imports the remote module ${url}; squall's engine does not download modules. ` +
    'Save it next to the script and import it by a relative path, or run the script with real k6 (https://k6.io/)'
  );
}

function queryOf(url) {
  if (!url) return undefined;
  const i = url.indexOf('?squall=');
  if (i < 0) return undefined;
  const rest = url.slice(i + 1);
  const amp = rest.indexOf('&');
  return amp < 0 ? rest : rest.slice(0, amp);
}

function isUserModule(url) {
  return url.startsWith('file:') && !url.startsWith(engineDir) && queryOf(url) !== undefined;
}

export async function resolve(specifier, context, nextResolve) {
  const q = queryOf(context.parentURL);
  if (specifier === 'k6' || specifier.startsWith('k6/')) {
    const perVu = PER_VU[specifier];
    const file = perVu ?? SHARED[specifier];
    if (!file) throw new Error(unsupportedModule(specifier));
    // Through the next resolvers (the TS loader marks .ts files there), then the VU's query.
    const r = await nextResolve(`${shimDir}${file}`, context);
    return perVu && q ? { ...r, url: `${r.url}?${q}`, shortCircuit: true } : { ...r, shortCircuit: true };
  }
  if (/^https?:\/\//.test(specifier) && q) {
    throw new Error(unsupportedRemote(specifier));
  }
  const parent = context.parentURL;
  if (q && parent && !parent.startsWith(engineDir) && /^(\.{1,2}\/|\/|file:)/.test(specifier)) {
    const r = await nextResolve(specifier, context);
    if (r.url.startsWith('file:') && !r.url.startsWith(engineDir)) {
      const u = new URL(r.url);
      u.search = `?${q}`;
      return { ...r, url: u.href };
    }
    return r;
  }
  return nextResolve(specifier, context);
}

function declares(src, name) {
  const decl = new RegExp(`(?:^|[^.\\w$])(?:function\\*?|class|const|let|var)\\s+${name}\\b`);
  // `import { name }`, `import { x as name }`, `import name from`, `import * as name`; but not
  // `import { name as other }`, which declares `other`.
  const imp = new RegExp(`\\bimport\\b[^;]*?(?:[{,]\\s*${name}\\s*[,}]|\\bas\\s+${name}\\b|\\bimport\\s+${name}\\b)`);
  return decl.test(src) || imp.test(src);
}

const OPTIONAL = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'open', 'console'];

function stripQuery(url) {
  const u = new URL(url);
  u.search = '';
  return u.href;
}

const TS = /\.(ts|mts|cts|tsx)$/;

export async function load(url, context, nextLoad) {
  const q = queryOf(url);
  if (q === undefined || !url.startsWith('file:')) return nextLoad(url, context);
  const isTs = TS.test(new URL(url).pathname);
  if (!isUserModule(url)) {
    // A per-VU shim: the TS loader keys on the file name, so load the plain file's source and
    // let this URL (with its query) be its own module instance.
    if (!isTs) return nextLoad(url, context);
    const r = await nextLoad(stripQuery(url), context);
    return { format: r.format, source: r.source, shortCircuit: true };
  }
  const r = await nextLoad(isTs ? stripQuery(url) : url, { ...context, format: 'module' });
  const src = typeof r.source === 'string' ? r.source : Buffer.from(r.source).toString('utf8');
  const names = ['__VU', '__ITER', '__ENV', ...OPTIONAL.filter((n) => !declares(src, n) && src.includes(n))];
  // Same line as the script's first line, so line numbers in stack traces stay right.
  const head = `import{${names.join(',')}}from${JSON.stringify(`${shimDir}vu-globals.ts?${q}`)};`;
  return { format: 'module', source: head + src, shortCircuit: true };
}
