/**
 * The Handlebars templates of generated scripts: the frame `script.hbs` and one partial per
 * scenario template (`http.hbs`, `sqs-producer.hbs`, `lambda-invoke.hbs`), plus the user's own.
 * Each template file is compiled once per process (cache keyed by absolute path and mtime) in an
 * isolated Handlebars environment with `noEscape` (the output is JavaScript, not HTML) and
 * `strict` (a misspelt field is an error, not an empty string). A user folder overrides the
 * built-ins by file name, and every `.hbs` in it is also registered as a partial by base name.
 * Any template error (parse error, missing partial, unknown field) becomes a SquallError (exit 2)
 * naming the template file and line.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';

export const BUILTIN_TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../templates/k6');

/** The built-in template names: `script` is the frame, the others render one scenario each. */
export const BUILTIN_TEMPLATE_NAMES = ['script', 'http', 'sqs-producer', 'lambda-invoke'] as const;
export type BuiltinTemplateName = (typeof BUILTIN_TEMPLATE_NAMES)[number];

type Compiled = Handlebars.TemplateDelegate;

interface TemplateFile {
  path: string;
  source: string;
  render: Compiled;
}

const compiledCache = new Map<string, { mtimeMs: number; file: TemplateFile }>();

function newEnvironment(): typeof Handlebars {
  const hb = Handlebars.create();
  // For custom templates: insert any value as a JavaScript literal.
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v === undefined ? null : v));
  return hb;
}

/** Line of a Handlebars error, from its `lineNumber`, a "line N" in the message, or a partial's location. */
function errorLine(e: unknown, source: string | null): number | null {
  if (e && typeof e === 'object') {
    const ln = (e as { lineNumber?: unknown }).lineNumber;
    if (typeof ln === 'number') return ln;
    const msg = String((e as { message?: unknown }).message ?? '');
    const m = /on line (\d+)/.exec(msg) ?? /- (\d+):\d+\s*$/.exec(msg);
    if (m) return Number(m[1]);
    const partial = /The partial (.+?) could not be found/.exec(msg);
    if (partial && source !== null) return partialLine(source, partial[1]!);
  }
  return null;
}

/** Where `{{> name}}` appears in a template, from its AST. */
function partialLine(source: string, name: string): number | null {
  let found: number | null = null;
  const walk = (node: unknown): void => {
    if (found !== null || !node || typeof node !== 'object') return;
    const n = node as { type?: string; name?: { original?: unknown }; loc?: { start: { line: number } } };
    if ((n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') && n.name?.original === name && n.loc) {
      found = n.loc.start.line;
      return;
    }
    for (const v of Object.values(node)) {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object' && v !== n.loc) walk(v);
    }
  };
  try {
    walk(Handlebars.parse(source));
  } catch {
    return null;
  }
  return found;
}

export function templateError(path: string, e: unknown, source: string | null): SquallError {
  const line = errorLine(e, source);
  const raw = e instanceof Error ? e.message : String(e);
  const msg = raw.split('\n').filter((l) => l.trim() !== '').join(' | ');
  return new SquallError(`template ${path}${line === null ? '' : `:${line}`}: ${msg}`, {
    exitCode: EXIT.invalidInput,
    hint: 'fix the template (Handlebars syntax: https://handlebarsjs.com/guide/); templates get a prepared view model, see harness/generate/view-model.ts for the fields',
    cause: e,
  });
}

/** A set of templates: built-ins overridden by a user folder; compiled once; partials registered explicitly. */
export class TemplateSet {
  readonly overrideDir: string | null;
  private readonly hb = newEnvironment();
  private readonly files = new Map<string, TemplateFile>();

  constructor(overrideDir: string | null) {
    if (overrideDir !== null && !(existsSync(overrideDir) && statSync(overrideDir).isDirectory())) {
      throw new SquallError(`templates folder ${overrideDir} does not exist or is not a folder`, {
        exitCode: EXIT.invalidInput,
        hint: 'point templatesDir (experiment) or --templates at a folder of .hbs files named like the built-ins (script.hbs, http.hbs, sqs-producer.hbs, lambda-invoke.hbs)',
      });
    }
    this.overrideDir = overrideDir;
    for (const name of BUILTIN_TEMPLATE_NAMES) this.load(name, this.pathOf(name));
    if (overrideDir !== null) {
      for (const f of readdirSync(overrideDir).filter((x) => x.endsWith('.hbs')).sort()) {
        const name = basename(f, '.hbs');
        if (!this.files.has(name)) this.load(name, join(overrideDir, f));
      }
    }
    // Registered explicitly, by name: every template can include any other as a partial.
    for (const [name, file] of this.files) this.hb.registerPartial(name, file.render);
  }

  /** The file a template name resolves to: the user's folder first, then the built-ins. */
  pathOf(name: string): string {
    if (this.overrideDir !== null) {
      const p = join(this.overrideDir, `${name}.hbs`);
      if (existsSync(p)) return p;
    }
    return join(BUILTIN_TEMPLATES_DIR, `${name}.hbs`);
  }

  private load(name: string, path: string): TemplateFile {
    const file = compileFile(path, this.hb);
    this.files.set(name, file);
    return file;
  }

  /** Render a named template (a built-in or a file of the override folder). */
  render(name: string, view: object): string {
    const file = this.files.get(name);
    if (!file) throw new SquallError(`no template named "${name}"`, { exitCode: EXIT.invalidInput });
    return renderFile(file, view);
  }

  /** Render a template file outside the set (a scenario's `template: custom` path), with the set's partials. */
  renderPath(path: string, view: object): string {
    if (!existsSync(path)) {
      throw new SquallError(`template ${path} does not exist`, {
        exitCode: EXIT.invalidInput,
        hint: 'a custom scenario template path is resolved against the experiment file\'s folder',
      });
    }
    return renderFile(compileFile(path, this.hb), view);
  }
}

function compileFile(path: string, hb: typeof Handlebars): TemplateFile {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new SquallError(`template ${path} does not exist`, { exitCode: EXIT.invalidInput });
  }
  const key = `${path}\0${hbId(hb)}`;
  const hit = compiledCache.get(key);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit.file;
  const source = readFileSync(path, 'utf8');
  let render: Compiled;
  try {
    // Parse now (Handlebars compiles lazily) so syntax errors surface here, with their line.
    Handlebars.parse(source);
    render = hb.compile(source, { noEscape: true, strict: true, preventIndent: true });
  } catch (e) {
    throw templateError(path, e, source);
  }
  const file = { path, source, render };
  compiledCache.set(key, { mtimeMs: st.mtimeMs, file });
  return file;
}

// Compiled templates are tied to the environment holding their partials; one id per environment.
const envIds = new WeakMap<object, number>();
let nextEnvId = 1;
function hbId(hb: object): number {
  let id = envIds.get(hb);
  if (id === undefined) envIds.set(hb, (id = nextEnvId++));
  return id;
}

function renderFile(file: TemplateFile, view: object): string {
  try {
    return file.render(view);
  } catch (e) {
    throw templateError(file.path, e, file.source);
  }
}
