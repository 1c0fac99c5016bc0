/**
 * Function faults journal the function's whole environment (to restore it exactly), values
 * included; a report is shared with people who must not see those values: the report's chaos
 * journal names the variables and hides their values, SQUALL_FAULTS (squall's own) excepted.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../harness/chaos/journal.ts';
import { writeRunReport } from '../../harness/report/write.ts';
import { QUICKSTART, reportsCopy } from './fixture.ts';

describe('report.html of a run with function faults', () => {
  it('shows the environment\'s variable names and SQUALL_FAULTS, never the values of the user\'s variables', async () => {
    const { dirs } = reportsCopy(QUICKSTART);
    const dir = dirs[0]!;
    const at = '2026-12-07T02:03:50.000Z';
    const original = { kind: 'function-environment', function: 'orders-api', variables: { DB_PASSWORD: 'hunter2-very-secret', TABLE: 'orders-table-name' } } as const;
    const faulted = { ...original, variables: { ...original.variables, SQUALL_FAULTS: '{"errors":{"percentage":20}}' } };
    const lines: JournalEntry[] = [
      { event: 'planned', faultId: 7, action: 'inject-errors', resource: 'function-environment:orders-api', previous: original, target: faulted, change: { action: 'inject-errors', percentage: 20 }, at },
      { event: 'applied', faultId: 7, action: 'inject-errors', detail: faulted, at },
      { event: 'restored', faultId: 7, previous: original, to: original, readBack: original, at },
    ];
    appendFileSync(path.join(dir, 'chaos-journal.ndjson'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    const out = await writeRunReport(dir);
    const html = readFileSync(out.html, 'utf8');
    expect(html).not.toContain('hunter2-very-secret');
    expect(html).not.toContain('orders-table-name');
    expect(html).toContain('DB_PASSWORD');
    expect(html).toContain('percentage');
  });
});
