// Node module customization hooks for k6 scripts (registered with module.register before a
// script is imported). Plain JS because hooks load on Node's hooks thread before any TS loader.
//
// - `k6` and `k6/*` resolve to squall's shims; a module squall does not run (or a remote one)
//   fails to resolve, at start, with a message naming it and pointing to real k6; the k6-summary
//   jslib resolves to squall's own textSummary/jUnit.
// - Every VU imports the script as `script.js?squall=<run>.<vu>`; the query is carried to the
//   script's own relative imports and to the per-VU shims, so each VU gets its own module graph
//   (k6: a script's top-level state is per VU).
// - User modules are always ES modules (k6 scripts are), and get one line prepended that binds
//   `__VU`, `__ITER`, `__ENV` (and the global timers, `open` and `console` when the script uses
//   them without declaring them) to that VU's own values: globals would be shared by every VU.
// - Resolutions and loaded sources are cached, so each VU after the first costs little here.

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

// Every VU loads the same handful of files; resolving and transforming them once per process
// (per run for the script's own files) keeps a VU's start to well under a millisecond.
const resolveCache = new Map();

async function resolveOnce(specifier, context, nextResolve) {
  const parent = context.parentURL ? stripQuery(context.parentURL) : '';
  const key = `${parent}\u0000${specifier}`;
  let hit = resolveCache.get(key);
  if (hit === undefined) {
    const r = await nextResolve(specifier, parent ? { ...context, parentURL: parent } : context);
    hit = { url: r.url, format: r.format, importAttributes: r.importAttributes };
    resolveCache.set(key, hit);
  }
  return hit;
}

function withQuery(r, q) {
  // The TS loader marks a .ts file outside a "type": "module" package for CommonJS export
  // parsing by putting its own query INTO the path (`lib.ts%3Ftsx-...`); a k6 script's modules
  // are ES modules, so the marker goes, and the format is always module.
  const url = stripQuery(r.url).replace(/%3Ftsx-.*$/, '');
  return { ...r, url: `${url}?${q}`, format: r.url.startsWith(engineDir) ? r.format : userFormat(url, r.format), shortCircuit: true };
}

function userFormat(url, format) {
  return TS.test(new URL(url).pathname) ? format === 'commonjs' || format === 'commonjs-typescript' || !format ? 'module' : format : 'module';
}

export async function resolve(specifier, context, nextResolve) {
  const q = queryOf(context.parentURL);
  if (specifier === 'k6' || specifier.startsWith('k6/')) {
    const perVu = PER_VU[specifier];
    const file = perVu ?? SHARED[specifier];
    if (!file) throw new Error(unsupportedModule(specifier));
    // Through the next resolvers (the TS loader marks .ts files there), then the VU's query.
    const r = await resolveOnce(`${shimDir}${file}`, context, nextResolve);
    return perVu && q ? withQuery(r, q) : { ...r, shortCircuit: true };
  }
  // The jslib most handleSummary functions use: served by squall's own text summary.
  if (/^https:\/\/jslib\.k6\.io\/k6-summary\/[^/]+\/index\.js$/.test(specifier)) {
    return { ...(await resolveOnce(`${shimDir}k6-summary.ts`, context, nextResolve)), shortCircuit: true };
  }
  if (/^https?:\/\//.test(specifier) && q) {
    throw new Error(unsupportedRemote(specifier));
  }
  // A URL that already names its VU: the entry script, or the vu-globals line the loader adds.
  const own = specifier.startsWith('file:') ? queryOf(specifier) : undefined;
  if (own !== undefined) return withQuery(await resolveOnce(stripQuery(specifier), context, nextResolve), own);
  const parent = context.parentURL;
  if (q && parent && !parent.startsWith(engineDir) && /^(\.{1,2}\/|\/|file:)/.test(specifier)) {
    const r = await resolveOnce(specifier, context, nextResolve);
    if (r.url.startsWith('file:') && !r.url.startsWith(engineDir)) return withQuery(r, q);
    return { ...r, shortCircuit: true };
  }
  // A per-VU shim's own imports (shared engine modules): the same answer for every VU.
  if (q && parent && parent.startsWith(engineDir)) return { ...(await resolveOnce(specifier, context, nextResolve)), shortCircuit: true };
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

const loadCache = new Map();

export async function load(url, context, nextLoad) {
  const q = queryOf(url);
  if (q === undefined || !url.startsWith('file:')) return nextLoad(url, context);
  const plain = stripQuery(url);
  const isTs = TS.test(new URL(plain).pathname);
  if (!isUserModule(url)) {
    // A per-VU shim: the TS loader keys on the file name, so load the plain file's source once
    // and let this URL (with its query) be its own module instance.
    let hit = loadCache.get(plain);
    if (hit === undefined) {
      const r = await nextLoad(isTs ? plain : url, context);
      // Shims are a few lines: their inline source map would be parsed again for every VU.
      const src = typeof r.source === 'string' ? r.source : Buffer.from(r.source).toString('utf8');
      hit = { format: r.format, source: src.replace(/\n\/\/# sourceMappingURL=data:[^\n]*\s*$/, '\n') };
      loadCache.set(plain, hit);
    }
    return { format: hit.format, source: hit.source, shortCircuit: true };
  }
  // The script's own modules: once per run (the run id leads the query), so a changed file is
  // seen by the next run in the same process.
  const key = `${q.slice(0, q.indexOf('.'))}\u0000${plain}`;
  let hit = loadCache.get(key);
  if (hit === undefined) {
    const r = await nextLoad(isTs ? plain : url, { ...context, format: 'module' });
    const src = typeof r.source === 'string' ? r.source : Buffer.from(r.source).toString('utf8');
    const names = ['__VU', '__ITER', '__ENV', ...OPTIONAL.filter((n) => !declares(src, n) && src.includes(n))];
    hit = { src, names: names.join(',') };
    loadCache.set(key, hit);
  }
  // Same line as the script's first line, so line numbers in stack traces stay right.
  const head = `import{${hit.names}}from${JSON.stringify(`${shimDir}vu-globals.ts?${q}`)};`;
  return { format: 'module', source: head + hit.src, shortCircuit: true };
}
