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
    if (!file) return nextResolve(`${shimDir}unsupported.ts?module=${encodeURIComponent(specifier)}`, context);
    // Through the next resolvers (the TS loader marks .ts files there), then the VU's query.
    const r = await nextResolve(`${shimDir}${file}`, context);
    return perVu && q ? { ...r, url: `${r.url}?${q}`, shortCircuit: true } : { ...r, shortCircuit: true };
  }
  if (/^https?:\/\//.test(specifier) && q) {
    return nextResolve(`${shimDir}unsupported.ts?remote=${encodeURIComponent(specifier)}`, context);
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
  const imp = new RegExp(`\\bimport\\b[^;]*[{,\\s]${name}\\b[^;]*\\bfrom\\b`);
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
