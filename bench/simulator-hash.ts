/**
 * Guard for simulator optimisations: hashes JSON.stringify of simulate()'s result on the
 * simulator bench's system (10 simulated minutes) and on every examples/experiments/*.yaml, under
 * a few seeds and both ESM timings. Any change in a prediction changes a hash.
 *   node --import tsx bench/simulator-hash.ts            print the hashes
 *   node --import tsx bench/simulator-hash.ts FILE.json  compare with (or, if missing, write) FILE.json
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExperiment } from '../harness/experiment/load.ts';
import type { ResolvedExperiment } from '../harness/experiment/types.ts';
import { simulate, type SimulateOptions } from '../harness/simulator/simulate.ts';
import { benchExperiment } from './simulator.bench.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const hash = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);

const cases: Array<[string, ResolvedExperiment, SimulateOptions]> = [];
const bench = benchExperiment(600_000);
cases.push(['bench-10min seed 1', bench, {}]);
cases.push(['bench-10min seed 7', bench, { seed: 7 }]);
cases.push(['bench-10min ideal', bench, { idealEsmTiming: true }]);
cases.push(['bench-10min 2 runs no series', bench, { runs: 2, series: false, seed: 3 }]);
const dir = path.join(root, 'examples/experiments');
for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
  const exp = await loadExperiment(path.join(dir, f));
  for (const seed of [1, 2, 3]) cases.push([`${f} seed ${seed}`, exp, { seed }]);
  cases.push([`${f} ideal`, exp, { idealEsmTiming: true }]);
  cases.push([`${f} 3 runs`, exp, { runs: 3 }]);
}

const out: Record<string, string> = {};
for (const [name, exp, opts] of cases) out[name] = hash(simulate(exp, opts));

const file = process.argv[2];
if (!file) {
  for (const [k, v] of Object.entries(out)) process.stdout.write(`${v}  ${k}\n`);
} else if (!existsSync(file)) {
  writeFileSync(file, JSON.stringify(out, null, 2));
  process.stdout.write(`wrote ${Object.keys(out).length} hashes to ${file}\n`);
} else {
  const want = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  let bad = 0;
  for (const k of new Set([...Object.keys(want), ...Object.keys(out)])) {
    if (want[k] !== out[k]) {
      bad++;
      process.stdout.write(`DIFF ${k}: ${want[k]} -> ${out[k]}\n`);
    }
  }
  process.stdout.write(bad === 0 ? `OK: ${Object.keys(out).length} hashes identical\n` : `FAIL: ${bad} of ${Object.keys(out).length} differ\n`);
  process.exitCode = bad === 0 ? 0 : 1;
}
