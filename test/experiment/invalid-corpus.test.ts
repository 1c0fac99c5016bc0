/**
 * The invalid corpus: each file in test/experiment/invalid/ states, in `# expect:` lines, the
 * diagnostics squall must give for it: `line:column | field path | message text | hint text`.
 * Every expected diagnostic must be reported as an error at exactly that place.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExperimentFile } from '../../harness/experiment/load.ts';
import { formatPath } from '../../harness/experiment/validate.ts';

const dir = path.join(import.meta.dirname, 'invalid');
const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

describe('invalid experiment corpus', () => {
  it('has at least 30 files', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  for (const f of files) {
    it(f, async () => {
      const file = path.join(dir, f);
      const expectations = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('# expect:'))
        .map((l) => l.slice('# expect:'.length).split('|').map((s) => s.trim()));
      expect(expectations.length).toBeGreaterThan(0);
      const r = await checkExperimentFile(file);
      expect(r.experiment).toBeUndefined();
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      for (const [pos, p, message, hint] of expectations) {
        const [line, column] = pos!.split(':').map(Number);
        const match = errors.find(
          (d) => formatPath(d.path) === p && d.message.includes(message!) && (!hint || (d.hint ?? '').includes(hint)),
        );
        expect(match, `no error at ${p} containing "${message}" in ${JSON.stringify(errors, null, 1)}`).toBeDefined();
        expect(match!.file).toBe(file);
        expect(match!.position, `position of ${p}`).toEqual({ line, column });
      }
    });
  }
});
