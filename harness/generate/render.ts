/**
 * Renders one self-contained k6 script for an experiment: the view model (view-model.ts), one
 * rendered scenario block per scenario (built-in partial or the user's custom template), and the
 * frame `script.hbs` around them with the k6-side library inlined (library.ts).
 */
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { addImport, emptyImports, inlinedLibrary, renderImports } from './library.ts';
import { TemplateSet } from './templates.ts';
import { buildScriptView, type ScenarioView, type ScriptView } from './view-model.ts';

export interface RenderOptions {
  /** Folder of user templates overriding the built-ins by file name; default: the experiment's templatesDir. */
  templatesDir?: string | null;
}

export interface RenderedScript {
  script: string;
  view: ScriptView;
  /** Template files used, for messages and tests. */
  templateFiles: string[];
}

const templateSets = new Map<string, TemplateSet>();

/** One TemplateSet per folder per process: built-ins and user templates are compiled once. */
export function templateSetFor(dir: string | null): TemplateSet {
  const key = dir ?? '';
  let set = templateSets.get(key);
  if (!set) templateSets.set(key, (set = new TemplateSet(dir)));
  return set;
}

// What the built-in templates and the library expect to find imported.
const FRAME_IMPORTS: ReadonlyArray<readonly [string, string | null, readonly string[]]> = [
  ['k6', null, ['check', 'sleep']],
  ['k6/http', 'http', []],
];

export function renderScript(exp: ResolvedExperiment, opts: RenderOptions = {}): RenderedScript {
  const dir = opts.templatesDir !== undefined ? opts.templatesDir : exp.templatesDir;
  const view = buildScriptView(exp);
  const set = templateSetFor(dir);
  const lib = inlinedLibrary();
  const templateFiles = [set.pathOf('script')];
  const scenarioCode: string[] = [];
  for (const s of view.scenarios) {
    const file = s.template === 'custom' ? s.path : set.pathOf(s.template);
    if (!templateFiles.includes(file)) templateFiles.push(file);
    const code = s.template === 'custom' ? set.renderPath(s.path, s) : set.render(s.template, s);
    assertExports(code, s, file);
    scenarioCode.push(code.trimEnd());
  }
  const imports = emptyImports();
  for (const [m, def, named] of FRAME_IMPORTS) addImport(imports, m, def, named);
  for (const [m, def] of lib.imports.defaults) addImport(imports, m, def, []);
  for (const [m, named] of lib.imports.named) addImport(imports, m, null, [...named]);
  const target = exp.target;
  const awsDefaultsJson = JSON.stringify(
    target.kind === 'aws'
      ? { region: target.region, endpoint: target.endpoint, emulated: false }
      : { region: 'us-east-1', endpoint: null, emulated: true },
  );
  const script = set.render('script', {
    ...view,
    imports: renderImports(imports),
    library: lib.code,
    awsDefaultsJson,
    scenarioCode,
    defaultExec: view.scenarios[0]?.exec ?? null,
    defaultScenario: view.scenarios[0]?.name ?? null,
  });
  return { script: `${script.trimEnd()}\n`, view, templateFiles };
}

/** A scenario block must define the exec function k6's options point at. */
function assertExports(code: string, s: ScenarioView, file: string): void {
  const re = new RegExp(`export\\s+(async\\s+)?function\\s+${s.exec}\\s*\\(`);
  if (!re.test(code)) {
    throw new SquallError(`template ${file}: scenario "${s.name}" must define \`export async function ${s.exec}() { ... }\` (its k6 exec function)`, {
      exitCode: EXIT.invalidInput,
      hint: 'write `export async function {{exec}}() { ... }` in the template; prefix module-level names with {{ident}}_ to keep them unique',
    });
  }
}
