/**
 * Reading experiment files and keeping source positions, so every diagnostic can say
 * `file:line:column`. YAML and JSON both go through the yaml package (JSON is YAML 1.2), which
 * keeps node ranges; TypeScript files are imported and have no positions beyond the file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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
}

export async function readExperimentSource(file: string): Promise<ExperimentSource> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.js' || ext === '.mjs') return importModuleSource(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      file,
      raw: undefined,
      locate: () => undefined,
      syntaxErrors: [{ message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})` }],
    };
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
  const syntaxErrors = doc.errors.map((e) => ({ message: e.message.split('\n')[0]!, position: pos(e.pos[0]) }));
  const raw = syntaxErrors.length ? undefined : doc.toJS({ maxAliasCount: 100 });
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

async function importModuleSource(file: string): Promise<ExperimentSource> {
  try {
    const mod = (await import(pathToFileURL(path.resolve(file)).href)) as { default?: unknown };
    if (mod.default === undefined) {
      return {
        file,
        raw: undefined,
        locate: () => undefined,
        syntaxErrors: [{ message: 'the module has no default export; write `export default defineExperiment({ ... })`' }],
      };
    }
    return { file, raw: mod.default, locate: () => undefined, syntaxErrors: [] };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    return { file, raw: undefined, locate: () => undefined, syntaxErrors: [{ message: `cannot load the module: ${msg}` }] };
  }
}
