// The writer thread of `--out json=FILE[.gz]` (see ndjson-threaded.ts): receives batches of
// binary samples (metric id, tag set id, value, epoch ms) plus the text of metrics and tag sets
// seen for the first time, turns them into k6's NDJSON lines and writes them, gzipped when the
// file ends in .gz. Plain JS: worker threads do not inherit the TypeScript loader.
import { createWriteStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createGzip, constants as zc } from 'node:zlib';

const HIGH_WATER = 16 * 1024 * 1024;
const CHUNK = 256 * 1024;
const { path } = workerData;

const file = createWriteStream(path, { highWaterMark: HIGH_WATER });
let sink = file;
if (path.endsWith('.gz')) {
  const gz = createGzip({ level: 1, memLevel: 9, chunkSize: 64 * 1024, strategy: zc.Z_DEFAULT_STRATEGY, highWaterMark: HIGH_WATER });
  gz.pipe(file);
  sink = gz;
}
const closed = new Promise((resolve, reject) => {
  file.on('close', resolve);
  file.on('error', reject);
});

/** metric id → { prefix, line } (line: the Metric line, written before its first Point). */
const metrics = new Map();
/** tag set id → the end of a Point line carrying it. */
const tags = new Map();

// RFC 3339 UTC with microseconds, the second's prefix cached.
let sec = Number.NaN;
let secPrefix = '';
let lastMs = Number.NaN;
let last = '';
function time(epochMs) {
  if (epochMs === lastMs) return last;
  lastMs = epochMs;
  const s = Math.floor(epochMs / 1000);
  if (s !== sec) {
    sec = s;
    secPrefix = `${new Date(s * 1000).toISOString().slice(0, 19)}.`;
  }
  last = `${secPrefix}${String(Math.floor((epochMs - s * 1000) * 1000)).padStart(6, '0')}Z`;
  return last;
}

function write(text) {
  if (sink.write(text)) return Promise.resolve();
  return new Promise((resolve) => sink.once('drain', resolve));
}

let queue = Promise.resolve();

parentPort.on('message', (msg) => {
  queue = queue.then(() => handle(msg));
});

async function handle(msg) {
  if (msg.type === 'batch') {
    for (const d of msg.metrics) metrics.set(d.id, { prefix: d.prefix, line: d.line, announced: false });
    for (const t of msg.tags) tags.set(t.id, t.suffix);
    const r = msg.records;
    let buf = '';
    for (let i = 0; i < msg.count * 4; i += 4) {
      const m = metrics.get(r[i]);
      if (!m.announced) {
        m.announced = true;
        buf += m.line;
      }
      const v = r[i + 2];
      buf += `${m.prefix}${time(r[i + 3])}","value":${Number.isFinite(v) ? v : 0}${tags.get(r[i + 1])}`;
      if (buf.length >= CHUNK) {
        await write(buf);
        buf = '';
      }
    }
    if (buf) await write(buf);
    parentPort.postMessage({ type: 'ack', buffer: r.buffer }, [r.buffer]);
  } else if (msg.type === 'close') {
    sink.end();
    await closed;
    parentPort.postMessage({ type: 'closed' });
  }
}
