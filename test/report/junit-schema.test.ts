/**
 * junit.xml loads in common JUnit consumers: it validates against the schema Jenkins' xunit
 * plugin (junit-10.xsd) and Surefire's readers accept (test/fixtures/junit/jenkins-junit.xsd),
 * for a passing, a failing and a partial run. Needs xmllint (Debian libxml2-utils).
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRunReport } from '../../harness/report/write.ts';
import { external } from '../helpers/external.ts';
import { POISON, QUICKSTART, reportsCopy, TRAP, TRAP_LEDGER } from './fixture.ts';

const xmllint = external('xmllint', 'the JUnit schema tests');
const XSD = path.resolve(import.meta.dirname, '../fixtures/junit/jenkins-junit.xsd');
const validate = (file: string) => spawnSync(xmllint.command!, ['--noout', '--schema', XSD, file], { encoding: 'utf8', timeout: 20_000 });

describe.skipIf(!xmllint.available)('junit.xml against the Jenkins/Surefire JUnit schema', () => {
  it('validates for passing, failing and partial runs', async () => {
    const { dirs } = reportsCopy(QUICKSTART, POISON, TRAP, TRAP_LEDGER);
    const partial = reportsCopy(QUICKSTART).dirs[0]!;
    for (const f of ['comparison.json', 'measured.json', 'k6-summary.json']) rmSync(path.join(partial, f));
    for (const d of [...dirs, partial]) {
      const { junit } = await writeRunReport(d, { baseline: null });
      const r = validate(junit);
      expect(r.stderr, d).toContain('validates');
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it('the schema is not a rubber stamp: a testcase without a name is refused', async () => {
    const { dirs } = reportsCopy(QUICKSTART);
    const { junit } = await writeRunReport(dirs[0]!, { baseline: null });
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(junit, readFileSync(junit, 'utf8').replace(/<testcase classname="([^"]*)" name="[^"]*"/, '<testcase classname="$1"'));
    const r = validate(junit);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/name.*required|fails to validate/);
  });
});
