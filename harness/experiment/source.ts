/**
 * Reading experiment files and keeping source positions, so every diagnostic can say
 * `file:line:column`. YAML and JSON both go through the yaml package (JSON is YAML 1.2), which
 * keeps node ranges; TypeScript files are imported and have no positions beyond the file.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

export type PathPart = string | number;

export interface SourcePosition {
  line: number;
  column: number;
}

export interface ExperimentSource {
  file: string;
  raw: unknown;
  /** Position of the value at `path` (or of its key with `key: true`); falls back to the nearest parent. */
  locate(p: readonly PathPart[], opts?: { key?: boolean }): SourcePosition | undefined;
  /** Parse errors of the file itself (bad YAML/JSON), already positioned. */
  syntaxErrors: Array<{ message: string; position?: SourcePosition }>;
  /** The file itself could not be read (missing, a folder, too large): there are no fields to fix. */
  unreadable?: boolean;
}

/** Experiment files are hand-written: a megabyte is hundreds of times a large one, and keeps parsing cheap. */
export const MAX_EXPERIMENT_FILE_BYTES = 1024 * 1024;
/** YAML aliases may expand to at most this many nodes (a "billion laughs" document expands to billions). */
export const MAX_YAML_ALIAS_COUNT = 100;

function unreadable(file: string, message: string): ExperimentSource {
  return { file, raw: undefined, locate: () => undefined, syntaxErrors: [{ message }], unreadable: true };
}

export async function readExperimentSource(file: string): Promise<ExperimentSource> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.js' || ext === '.mjs') return importModuleSource(file);
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_EXPERIMENT_FILE_BYTES) {
      return unreadable(file, `the file is ${(size / 1024 / 1024).toFixed(1)} MB; an experiment file may be at most ${MAX_EXPERIMENT_FILE_BYTES / 1024 / 1024} MB`);
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return unreadable(file, code === 'ENOENT' ? `file not found: ${file}` : code === 'EISDIR' ? `${file} is a folder, not an experiment file` : `cannot read ${file} (${code ?? String(e)})`);
  }
  return parseTextSource(file, text);
}

export function parseTextSource(file: string, text: string): ExperimentSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: false, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number): SourcePosition => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const syntaxErrors: ExperimentSource['syntaxErrors'] = doc.errors.map((e) => ({ message: e.message.split('\n')[0]!, position: pos(e.pos[0]) }));
  let raw: unknown;
  if (!syntaxErrors.length) {
    try {
      raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
    } catch (e) {
      // The yaml package's guard against alias bombs ("Excessive alias count indicates a resource exhaustion attack").
      const message = e instanceof Error ? e.message : String(e);
      if (!/alias/i.test(message)) throw e;
      syntaxErrors.push({ message: `YAML aliases expand too far (more than ${MAX_YAML_ALIAS_COUNT} alias expansions); write the repeated parts out, or use fewer aliases` });
    }
  }
  return {
    file,
    raw,
    syntaxErrors,
    locate(p, opts) {
      const node = findNode(doc, p, opts?.key ?? false);
      return node?.range ? pos(node.range[0]) : undefined;
    },
  };
}

function findNode(doc: Document, p: readonly PathPart[], key: boolean): Node | undefined {
  let node: unknown = doc.contents;
  let last: Node | undefined = (doc.contents as Node | null) ?? undefined;
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    const isLast = i === p.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(part));
      if (!pair) return last;
      if (isLast && key) return pair.key as Node;
      node = pair.value;
      if (node && typeof node === 'object' && 'range' in (node as object)) last = node as Node;
      else return pair.key as Node;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part];
      if (!item) return last;
      node = item;
      last = item as Node;
    } else {
      return last;
    }
  }
  return last;
}

/** How long a TypeScript/JavaScript experiment file may take to evaluate in its child process. */
export const MODULE_LOAD_TIMEOUT_MS = 10_000;

/**
 * TypeScript/JavaScript experiments are code: they are evaluated in a child process with a time
 * limit, which returns the default export as JSON. A throw, a `process.exit`, a hang or anything
 * else the module does stays in the child and becomes an error naming the file.
 */
async function importModuleSource(file: string): Promise<ExperimentSource> {
  const failed = (message: string): ExperimentSource => ({ file, raw: undefined, locate: () => undefined, syntaxErrors: [{ message }] });
  if (!existsSync(file)) return failed(`file not found: ${file}`);
  const entry = fileURLToPath(new URL('./isolate-entry.ts', import.meta.url));
  // tsx by absolute URL: the child's working directory is the user's, not this project.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, entry, file], {
    // The module's console output goes to stderr, never into stdout (`validate --json`).
    stdio: ['ignore', process.stderr, 'inherit', 'ipc'],
    env: process.env,
  });
  type Reply = { ok: true; json: string | undefined } | { ok: false; error: string };
  const outcome = await new Promise<{ reply?: Reply; code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; spawnError?: Error }>((resolve) => {
    let reply: Reply | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, MODULE_LOAD_TIMEOUT_MS);
    child.on('message', (m) => {
      reply ??= m as Reply;
    });
    child.on('error', (spawnError) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, timedOut, spawnError });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ ...(reply ? { reply } : {}), code, signal, timedOut });
    });
  });
  if (outcome.spawnError) throw outcome.spawnError;
  const r = outcome.reply;
  if (!r) {
    if (outcome.timedOut) return failed(`the module did not finish loading within ${MODULE_LOAD_TIMEOUT_MS / 1000} s (does it wait for something at import?)`);
    return failed(
      `the module ended its process (${outcome.signal ? `signal ${outcome.signal}` : `exit code ${outcome.code}`}) before returning an experiment; an experiment file must not call process.exit`,
    );
  }
  if (!r.ok) return failed(r.error);
  if (r.json === undefined) return failed('the module has no default export; write `export default defineExperiment({ ... })`');
  return { file, raw: JSON.parse(r.json) as unknown, locate: () => undefined, syntaxErrors: [] };
}
