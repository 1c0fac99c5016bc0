/**
 * `squall generate` end to end (the real CLI as a subprocess, as a user runs it) and every example
 * experiment: its script type-checks against @types/k6 and carries the file's scenarios and
 * thresholds; `--k6-operator N` writes a ConfigMap + TestRun manifest with the same script.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../harness/experiment/load.ts';
import { k8sName } from '../../harness/generate/k6-operator.ts';
import { generateRunFiles } from '../../harness/generate/generate.ts';
import { typecheckK6Script } from '../../harness/generate/typecheck.ts';
import { executors, expectedK6Scenario, experiment, httpTemplate, k6ScenarioInMs, optionsOf, scenario } from './builders.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLES = join(ROOT, 'examples/experiments');
const tmp = mkdtempSync(join(tmpdir(), 'squall-cli-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function squall(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/squall.js'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 50_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('squall generate (CLI)', () => {
  it('quickstart: writes script.js, experiment.json and k6-operator.yaml; the script has the file\'s scenarios and thresholds', async () => {
    const out = join(tmp, 'quickstart');
    const r = squall('generate', 'examples/experiments/quickstart.yaml', '--out', out, '--k6-operator', '3', '--check');
    expect(r.stderr).toBe('');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 scenario(s): orders (http, constant-arrival-rate)');
    expect(r.stdout).toContain('needs environment: SQUALL_URL_ORDERS_API');
    expect(r.stdout).toContain('type-check against @types/k6: ok');
    expect(readdirSync(out).sort()).toEqual(['experiment.json', 'k6-operator.yaml', 'script.js']);
    const script = readFileSync(join(out, 'script.js'), 'utf8');
    expect(typecheckK6Script(join(out, 'script.js'))).toEqual([]);
    const o = optionsOf(script);
    const exp = await loadExperiment(join(EXAMPLES, 'quickstart.yaml'));
    expect(Object.keys(o.scenarios)).toEqual(Object.keys(exp.load.scenarios));
    for (const [name, s] of Object.entries(exp.load.scenarios)) {
      expect(k6ScenarioInMs(o.scenarios[name]), name).toEqual(expectedK6Scenario(s));
      expect(o.scenarios[name].exec).toMatch(/^s_\w+_exec$/);
    }
    expect(o.scenarios.orders.executor).toBe('constant-arrival-rate');
    expect(o.thresholds).toEqual(
      Object.fromEntries(Object.entries(exp.load.thresholds).map(([m, specs]) => [m, specs.map((t) => (t.abortOnFail ? expect.objectContaining({ threshold: t.threshold }) : t.threshold))])),
    );
    expect(Object.keys(o.thresholds).length).toBeGreaterThan(0);
    const resolved = JSON.parse(readFileSync(join(out, 'experiment.json'), 'utf8'));
    expect(resolved).toEqual(JSON.parse(JSON.stringify(exp)));
    const docs = parseAllDocuments(readFileSync(join(out, 'k6-operator.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs).toHaveLength(2);
    const [cm, tr] = docs;
    expect(cm.kind).toBe('ConfigMap');
    expect(cm.data['script.js']).toBe(script);
    expect(tr).toMatchObject({
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      metadata: { name: 'squall-quickstart' },
      spec: { parallelism: 3, script: { configMap: { name: cm.metadata.name, file: 'script.js' } } },
    });
    expect(tr.spec.runner.env).toContainEqual({ name: 'SQUALL_URL_ORDERS_API', value: '' });
  });

  it('regenerates from a run folder\'s experiment.json; arrival: poisson is refused with exit 2', () => {
    const exp = experiment([scenario('burst', httpTemplate, executors['constant-arrival-rate'], { arrival: 'poisson' })]);
    const file = join(tmp, 'poisson.json');
    writeFileSync(file, JSON.stringify(exp));
    const r = squall('generate', file, '--out', join(tmp, 'poisson'));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('error: load.scenarios.burst: arrival "poisson" is a simulator-only what-if');
    expect(r.stderr).toContain('hint: ');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a bad --k6-operator is a usage error (exit 2)', () => {
    const a = squall('generate', 'examples/experiments/quickstart.yaml', '--out', join(tmp, 'x'), '--k6-operator', '0');
    expect(a.code, a.stderr).toBe(2);
    expect(a.stderr).toContain('--k6-operator must be a whole number of runner pods >= 1');
  });

  it('the --templates folder (generateRunFiles templatesDir) wins over the experiment\'s, and must exist', async () => {
    const exp = await loadExperiment(join(EXAMPLES, 'quickstart.yaml'));
    expect(() => generateRunFiles(exp, { outDir: join(tmp, 'y'), templatesDir: join(tmp, 'no-such-dir') })).toThrow(/templates folder .*no-such-dir does not exist/);
    const dir = join(tmp, 'my-templates');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'http.hbs'), '// mine\nexport async function {{exec}}() {}\n');
    const { rendered, files } = generateRunFiles({ ...exp, templatesDir: join(tmp, 'no-such-dir') }, { outDir: join(tmp, 'z'), templatesDir: dir });
    expect(rendered.script).toContain('// mine');
    expect(JSON.parse(readFileSync(files[1]!, 'utf8')).templatesDir).toBe(dir); // experiment.json records the folder used
  });
});

describe('every example experiment', () => {
  const files = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json|ts)$/.test(f)).sort();

  it('has examples to check', () => {
    expect(files).toContain('quickstart.yaml');
  });

  it('generates a script that type-checks against @types/k6, with the file\'s scenarios and thresholds', async () => {
    const scripts: string[] = [];
    for (const f of files) {
      const exp = await loadExperiment(join(EXAMPLES, f));
      const { rendered, files: written } = generateRunFiles(exp, { outDir: join(tmp, 'ex', f) });
      scripts.push(written[0]!);
      const o = optionsOf(rendered.script);
      expect(Object.keys(o.scenarios), f).toEqual(Object.keys(exp.load.scenarios));
      for (const [name, s] of Object.entries(exp.load.scenarios)) expect(k6ScenarioInMs(o.scenarios[name]), `${f} ${name}`).toEqual(expectedK6Scenario(s));
      expect(Object.keys(o.thresholds), f).toEqual(Object.keys(exp.load.thresholds));
      expect(o.summaryTrendStats, f).toEqual(exp.load.summaryTrendStats);
    }
    const diags = typecheckK6Script(scripts);
    expect(diags.map((d) => `${d.file}:${d.line}: ${d.message}`)).toEqual([]);
  });
});

describe('k8sName', () => {
  it('makes DNS-1123 names of at most 63 characters', () => {
    expect(k8sName('Orders Test_v2')).toBe('squall-orders-test-v2');
    expect(k8sName('x'.repeat(100), '-script')).toHaveLength(63);
    expect(k8sName('---')).toBe('squall-experiment');
  });
});
