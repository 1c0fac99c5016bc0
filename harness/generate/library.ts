/**
 * Inlines the k6-side library (`k6-scripts/*.js`) into one generated script, so the output folder
 * runs alone under `k6 run script.js`. The library is written in a restricted module style that
 * makes this a safe text transformation: one-line `import` statements only, top-level names unique
 * across all modules, and `export` only as a prefix of a declaration. Imports of k6 modules are
 * hoisted and merged; imports between library files are dropped; modules are emitted in
 * dependency order. The result is read once per process.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LIBRARY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../k6-scripts');

/** Merged imports of k6 modules: module → default binding and named bindings. */
export interface ImportSet {
  defaults: Map<string, string>;
  named: Map<string, Set<string>>;
}

export interface InlinedLibrary {
  /** Module file names in emission order. */
  modules: string[];
  /** The library's own k6 imports. */
  imports: ImportSet;
  /** Module bodies, imports removed, `export` dropped. */
  code: string;
  /** Every top-level name the library declares (templates must not redeclare them). */
  names: Set<string>;
}

const IMPORT_RE = /^import\s+(?:(\w+)\s*,?\s*)?(?:\{([^}]*)\})?\s*from\s*'([^']+)';\s*$/;
const DECL_RE = /^(?:export\s+)?(?:async\s+)?(?:function\*?\s+(\w+)|(?:const|let|var|class)\s+(\w+))/;

export function emptyImports(): ImportSet {
  return { defaults: new Map(), named: new Map() };
}

export function addImport(set: ImportSet, module: string, def: string | null, named: readonly string[]): void {
  if (def !== null) {
    const prev = set.defaults.get(module);
    if (prev !== undefined && prev !== def) {
      throw new Error(`library: module '${module}' default-imported as both ${prev} and ${def}; use one name`);
    }
    set.defaults.set(module, def);
  }
  if (named.length > 0) {
    let s = set.named.get(module);
    if (!s) set.named.set(module, (s = new Set()));
    for (const n of named) s.add(n);
  }
}

export function renderImports(set: ImportSet): string {
  const modules = [...new Set([...set.defaults.keys(), ...set.named.keys()])].sort((a, b) =>
    a === 'k6' ? -1 : b === 'k6' ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  return modules
    .map((m) => {
      const def = set.defaults.get(m);
      const named = [...(set.named.get(m) ?? [])].sort();
      const parts = [def, named.length > 0 ? `{ ${named.join(', ')} }` : undefined].filter((p) => p !== undefined);
      return `import ${parts.join(', ')} from '${m}';`;
    })
    .join('\n');
}

interface ParsedModule {
  file: string;
  deps: string[];
  body: string;
}

function parseModule(file: string, source: string, imports: ImportSet, names: Map<string, string>): ParsedModule {
  const deps: string[] = [];
  const out: string[] = [];
  for (const line of source.split('\n')) {
    if (line.startsWith('import ')) {
      const m = IMPORT_RE.exec(line);
      if (!m) throw new Error(`library ${file}: unsupported import form (one-line imports only): ${line}`);
      const spec = m[3]!;
      const named = (m[2] ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
      if (spec.startsWith('./')) deps.push(spec.slice(2));
      else addImport(imports, spec, m[1] ?? null, named);
      continue;
    }
    if (/^export\s+(default|\{|\*)/.test(line)) throw new Error(`library ${file}: only 'export <declaration>' is supported: ${line}`);
    const d = DECL_RE.exec(line);
    if (d) {
      const name = (d[1] ?? d[2])!;
      const prev = names.get(name);
      if (prev !== undefined) throw new Error(`library: top-level name ${name} declared in both ${prev} and ${file}`);
      names.set(name, file);
    }
    out.push(line.startsWith('export ') ? line.slice('export '.length) : line);
  }
  return { file, deps, body: out.join('\n').trim() };
}

let cached: InlinedLibrary | null = null;

/** The inlined library (read and checked once per process). */
export function inlinedLibrary(dir: string = LIBRARY_DIR): InlinedLibrary {
  if (cached !== null && dir === LIBRARY_DIR) return cached;
  const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
  const imports = emptyImports();
  const names = new Map<string, string>();
  const parsed = new Map<string, ParsedModule>();
  for (const f of files) parsed.set(f, parseModule(f, readFileSync(join(dir, f), 'utf8'), imports, names));
  // Depth-first topological order, stable by file name.
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (f: string, from: string): void => {
    const st = state.get(f);
    if (st === 'done') return;
    if (st === 'visiting') throw new Error(`library: import cycle through ${f}`);
    const mod = parsed.get(f);
    if (!mod) throw new Error(`library ${from}: imports ./${f}, which does not exist`);
    state.set(f, 'visiting');
    for (const d of mod.deps) visit(d, f);
    state.set(f, 'done');
    order.push(f);
  };
  for (const f of files) visit(f, f);
  const code = order.map((f) => `// ---- k6-scripts/${f} ----\n${parsed.get(f)!.body}`).join('\n\n');
  const lib: InlinedLibrary = { modules: order, imports, code, names: new Set(names.keys()) };
  if (dir === LIBRARY_DIR) cached = lib;
  return lib;
}
