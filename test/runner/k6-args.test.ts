import { describe, expect, it } from 'vitest';
import { k6RunArgs, runFiles } from '../../harness/runner/k6-process.ts';

describe('k6RunArgs', () => {
  const files = runFiles('/runs/r1');

  it('always writes the gzip NDJSON points into the run folder, quietly, with the entry last', () => {
    expect(files.points).toBe('/runs/r1/k6-points.ndjson.gz');
    expect(k6RunArgs({ script: 's.js', runDir: '/runs/r1' }, '/x/entry.js', files, false)).toEqual([
      'run',
      '--out',
      'json=/runs/r1/k6-points.ndjson.gz',
      '--quiet',
      '/x/entry.js',
    ]);
  });

  it('maps every option to its k6 flag; --workers only for the embedded engine', () => {
    const opts = {
      script: 's.js',
      runDir: '/runs/r1',
      quiet: false,
      vus: 5,
      duration: '30s',
      iterations: 100,
      stages: [
        { duration: '10s', target: 5 },
        { duration: '5s', target: 0 },
      ],
      env: { A: '1', B: 'x=y' },
      tags: { run: 'r1' },
      summaryTrendStats: ['avg', 'p(99)'],
      noThresholds: true,
      workers: 2,
      extraArgs: ['--no-setup'],
    };
    const common = [
      'run', '--out', 'json=/runs/r1/k6-points.ndjson.gz',
      '--vus', '5', '--duration', '30s', '--iterations', '100',
      '--stage', '10s:5', '--stage', '5s:0',
      '--env', 'A=1', '--env', 'B=x=y', '--tag', 'run=r1',
      '--summary-trend-stats', 'avg,p(99)', '--no-thresholds',
    ];
    expect(k6RunArgs(opts, 'e.js', files, true)).toEqual([...common, '--workers', '2', '--no-setup', 'e.js']);
    expect(k6RunArgs(opts, 'e.js', files, false)).toEqual([...common, '--no-setup', 'e.js']);
  });
});
