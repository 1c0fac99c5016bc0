/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line), prints one
 * table, and writes bench/results.json. Each bench module exports `run(): Promise<BenchRow[]>`.
 * Figures are ratios against a peer measured in the same run, because these machines are shared.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

export interface BenchRow {
  bench: string;
  metric: string;
  value: string;
  /** The goal as text, e.g. "≥ 0.6×"; empty if informational. */
  goal?: string;
  /** true = met, false = missed, undefined = informational. */
  met?: boolean;
}

// squall pins its AWS SDK versions and runs on Node 20 (README); the SDK's Node 22 notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const rows: BenchRow[] = [];
for (const f of files) {
  process.stderr.write(`bench: ${f} ...\n`);
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { run: () => Promise<BenchRow[]> };
  try {
    rows.push(...(await mod.run()));
  } catch (e) {
    rows.push({ bench: f, metric: 'error', value: e instanceof Error ? e.message : String(e), met: false });
  }
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const header = ['bench', 'metric', 'value', 'goal', 'met'];
const body = rows.map((r) => [r.bench, r.metric, r.value, r.goal ?? '', r.met === undefined ? '' : r.met ? 'yes' : 'NO']);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
process.stdout.write(`Machine: ${machine}\n\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
for (const b of body) process.stdout.write(`${line(b)}\n`);
writeFileSync(path.join(dir, 'results.json'), JSON.stringify({ machine, at: new Date().toISOString(), rows }, null, 2));
