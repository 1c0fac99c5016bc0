/**
 * Closing the loop (issue 5's integration proof): every example experiment runs for real — the
 * emulator in its own process, the generated k6 script on the embedded engine, the chaos timeline
 * through the AWS SDK — and the simulator's prediction must agree with what was measured within
 * the tolerances the example itself declares. Slow by nature (each example runs its full load).
 */
import { mkdtempSync, readdirSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../harness/experiment/load.ts';
import { runExperiment } from '../../harness/cli/run-flow.ts';

const root = path.resolve(import.meta.dirname, '../..');
const examples = readdirSync(path.join(root, 'examples/experiments')).filter((f) => f.endsWith('.yaml')).sort();

describe('examples: measured on the emulator agrees with predicted', () => {
  for (const f of examples) {
    it(f, async () => {
      const exp = await loadExperiment(path.join(root, 'examples/experiments', f));
      const reportsDir = mkdtempSync(path.join(os.tmpdir(), 'squall-it-'));
      const lines: string[] = [];
      const out = await runExperiment({ experiment: exp, reportsDir, tailMs: 15_000, engine: 'embedded', log: (l) => lines.push(l) });
      const c = out.comparison!;
      const failed = c.series.filter((s) => s.verdict === 'fail').map((s) => `${s.key}: measured ${s.measured} predicted ${s.predicted}`);
      expect(failed, `${f}:\n${lines.join('\n')}`).toEqual([]);
      expect(c.series.filter((s) => s.verdict === 'pass').length).toBeGreaterThan(3);
      expect(c.verdict.thresholds, JSON.stringify(c.thresholds)).toBe('pass');
      if (exp.expect.messages === 'no-loss') expect(c.messages).toMatchObject({ measured: true, lost: 0, dlq: { agrees: true } });
      expect(out.restore.failed).toEqual([]);
      expect(out.exitCode, out.reasons.join('; ')).toBe(0);
      for (const file of ['experiment.json', 'script.js', 'k6-summary.json', 'k6-points.ndjson.gz', 'chaos-journal.ndjson', 'measured.json', 'predicted.json', 'comparison.json']) {
        expect(existsSync(path.join(out.runDir, file)), file).toBe(true);
      }
    }, 240_000);
  }
});
