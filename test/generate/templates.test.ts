/**
 * User templates: a folder overriding built-ins by file name (experiment templatesDir or the
 * --templates option), `template: custom` scenarios with vars, and template errors reported as
 * SquallError (exit 2) naming the template FILE and LINE.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSquallError } from '../../harness/contracts/exit-codes.ts';
import { renderScript } from '../../harness/generate/render.ts';
import { typecheckK6Script } from '../../harness/generate/typecheck.ts';
import type { ResolvedTemplate } from '../../harness/experiment/types.ts';
import { executors, experiment, httpTemplate, scenario } from './builders.ts';

const tmp = mkdtempSync(join(tmpdir(), 'squall-tpl-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

function errorOf(fn: () => unknown): { message: string; exitCode: number } {
  try {
    fn();
  } catch (e) {
    if (!isSquallError(e)) throw e;
    return { message: e.message, exitCode: e.exitCode };
  }
  throw new Error('expected a SquallError');
}

const custom = (path: string, vars: Record<string, unknown> = {}): ResolvedTemplate => ({ template: 'custom', path, vars });

const CUSTOM_OK = `// custom scenario {{name}}
const {{ident}}_target = {{{json vars.target}}};
const {{ident}}_count = {{vars.count}};
export async function {{exec}}() {
  for (let i = 0; i < {{ident}}_count; i++) {
    const res = await http.get({{ident}}_target);
    check(res, { 'custom ok': (r) => r.status === 200 });
  }
{{> think}}
}
`;

describe('custom scenario templates', () => {
  it('renders the user template with its vars and partials from the templates folder; type-checks', () => {
    const dir = folder('custom-ok', { 'think.hbs': '  await sleep(0.5);\n', 'my-scenario.hbs': CUSTOM_OK });
    const exp = experiment(
      [
        scenario('mine', custom(join(dir, 'my-scenario.hbs'), { target: 'http://127.0.0.1:9/x?a="b"', count: 2 }), executors['constant-vus']),
        scenario('api', httpTemplate, executors['constant-vus']),
      ],
      { templatesDir: dir },
    );
    const { script, templateFiles } = renderScript(exp);
    expect(script).toContain('const s_mine_target = "http://127.0.0.1:9/x?a=\\"b\\"";');
    expect(script).toContain('const s_mine_count = 2;');
    expect(script).toContain('await sleep(0.5);');
    expect(templateFiles).toContain(join(dir, 'my-scenario.hbs'));
    const p = join(tmp, 'custom-ok.js');
    writeFileSync(p, script);
    expect(typecheckK6Script(p)).toEqual([]);
  });

  it('a custom template that does not define its exec function is refused, naming the file', () => {
    const dir = folder('custom-noexec', { 'bad.hbs': 'export async function something() {}\n' });
    const e = errorOf(() => renderScript(experiment([scenario('x', custom(join(dir, 'bad.hbs')), executors['constant-vus'])])));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(`template ${join(dir, 'bad.hbs')}: scenario "x" must define \`export async function s_x_exec()`);
  });

  it('a missing custom template file is a clear error', () => {
    const e = errorOf(() => renderScript(experiment([scenario('x', custom(join(tmp, 'nope.hbs')), executors['constant-vus'])])));
    expect(e.message).toBe(`template ${join(tmp, 'nope.hbs')} does not exist`);
    expect(e.exitCode).toBe(2);
  });
});

describe('overriding built-ins by file name', () => {
  it('templatesDir replaces http.hbs; other built-ins stay', () => {
    const dir = folder('override', {
      'http.hbs': '// my http for {{name}}\nexport async function {{exec}}() {\n  await http.request({{{methodJson}}}, {{{urlExpr}}}, null, { tags: {} });\n}\n',
    });
    const { script, templateFiles } = renderScript(experiment([scenario('api', httpTemplate, executors['constant-vus'])], { templatesDir: dir }));
    expect(script).toContain('// my http for api');
    expect(templateFiles[0]).toMatch(/templates\/k6\/script\.hbs$/);
    expect(templateFiles).toContain(join(dir, 'http.hbs'));
  });

  it('the render option (the --templates flag) wins over the experiment\'s templatesDir', () => {
    const a = folder('flag-a', { 'http.hbs': '// A\nexport async function {{exec}}() {}\n' });
    const b = folder('flag-b', { 'http.hbs': '// B\nexport async function {{exec}}() {}\n' });
    const exp = experiment([scenario('api', httpTemplate, executors['constant-vus'])], { templatesDir: a });
    expect(renderScript(exp).script).toContain('// A');
    expect(renderScript(exp, { templatesDir: b }).script).toContain('// B');
  });

  it('a templates folder that does not exist is refused', () => {
    const e = errorOf(() => renderScript(experiment([scenario('api', httpTemplate, executors['constant-vus'])], { templatesDir: join(tmp, 'missing-dir') })));
    expect(e.message).toMatch(/templates folder .*missing-dir does not exist/);
  });
});

describe('template errors name the file and line', () => {
  const run = (files: Record<string, string>, tpl: (dir: string) => ResolvedTemplate = () => httpTemplate) => {
    const dir = folder(`err-${Object.keys(files).join('-')}-${Math.random().toString(36).slice(2)}`, files);
    return errorOf(() => renderScript(experiment([scenario('api', tpl(dir), executors['constant-vus'])], { templatesDir: dir })));
  };

  it('Handlebars parse error in an overriding built-in', () => {
    const e = run({ 'http.hbs': '// ok\n// ok\n{{#if bodyJson}}\nexport async function {{exec}}() {}\n' });
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^template .*err-http\.hbs-\w+\/http\.hbs:5: Parse error on line 5/);
  });

  it('unknown field (strict mode) in the frame', () => {
    const e = run({ 'script.hbs': 'line1\nline2\n{{nosuch.field}}\n' });
    expect(e.message).toMatch(/\/script\.hbs:3: "field" not defined/);
  });

  it('missing partial in a custom template', () => {
    const e = run({ 'c.hbs': 'a\nb\nc\n{{> not-there}}\n' }, (dir) => custom(join(dir, 'c.hbs')));
    expect(e.message).toMatch(/\/c\.hbs:4: The partial not-there could not be found/);
  });

  it('mismatched block in a custom template', () => {
    const e = run({ 'c.hbs': 'x\n{{#if vars}}y{{/each}}\n' }, (dir) => custom(join(dir, 'c.hbs')));
    expect(e.message).toMatch(/\/c\.hbs:2: if doesn't match each/);
  });
});
