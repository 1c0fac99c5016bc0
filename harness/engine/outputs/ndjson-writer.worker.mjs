// The writer thread of `--out json=FILE[.gz]` (see ndjson-threaded.ts): receives batches of
// binary samples (metric id, tag set id, value, epoch ms) plus the text of metrics and tag sets
// seen for the first time, turns them into k6's NDJSON lines and writes them, gzipped when the
// file ends in .gz. Plain JS: worker threads do not inherit the TypeScript loader.
import { createWriteStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createGzip, constants as zc } from 'node:zlib';

const HIGH_WATER = 4 * 1024 * 1024;
const { paths } = workerData;

// One sink per file, each fed the same bytes: a .gz file through gzip, any other as it is.
const outputs = paths.map((path) => {
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
  return { sink, closed };
});

/** metric id → { prefix: bytes up to the time, line: the Metric line (written before its first Point) }. */
const metrics = new Map();
/** tag set id → the bytes that end a Point line carrying it. */
const tags = new Map();

// Lines are assembled as bytes in one large buffer: no strings to build, join and re-encode.
const OUT = 1024 * 1024;
let out = Buffer.allocUnsafe(OUT);
let pos = 0;
const VALUE = Buffer.from('","value":', 'latin1');

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

function writeOne(sink, buf) {
  if (sink.write(buf)) return Promise.resolve();
  return new Promise((resolve) => sink.once('drain', resolve));
}

function write(buf) {
  return Promise.all(outputs.map((o) => writeOne(o.sink, buf)));
}

/** Hand the filled part of the buffer to the stream and start a new buffer. */
function takeOut() {
  const filled = out.subarray(0, pos);
  out = Buffer.allocUnsafe(OUT);
  pos = 0;
  return write(filled);
}

let queue = Promise.resolve();

parentPort.on('message', (msg) => {
  queue = queue.then(() => handle(msg));
});

async function handle(msg) {
  if (msg.type === 'batch') {
    for (const d of msg.metrics) metrics.set(d.id, { prefix: Buffer.from(d.prefix, 'utf8'), line: Buffer.from(d.line, 'utf8'), announced: false });
    for (const t of msg.tags) tags.set(t.id, Buffer.from(t.suffix, 'utf8'));
    const r = msg.records;
    for (let i = 0; i < msg.count * 4; i += 4) {
      const m = metrics.get(r[i]);
      const suffix = tags.get(r[i + 1]);
      const v = r[i + 2];
      const value = String(Number.isFinite(v) ? v : 0);
      const t = time(r[i + 3]);
      const need = (m.announced ? 0 : m.line.length) + m.prefix.length + t.length + VALUE.length + value.length + suffix.length;
      if (pos + need > out.length) {
        await takeOut();
        if (need > out.length) out = Buffer.allocUnsafe(need * 2);
      }
      if (!m.announced) {
        m.announced = true;
        out.set(m.line, pos);
        pos += m.line.length;
      }
      out.set(m.prefix, pos);
      pos += m.prefix.length;
      pos += out.latin1Write(t, pos);
      out.set(VALUE, pos);
      pos += VALUE.length;
      pos += out.latin1Write(value, pos);
      out.set(suffix, pos);
      pos += suffix.length;
    }
    // Leave the buffer filling across batches; the stream gets it when full or at close.
    parentPort.postMessage({ type: 'ack', buffer: r.buffer }, [r.buffer]);
  } else if (msg.type === 'sync') {
    // Time-based flush for a reader tailing an uncompressed file.
    if (pos > 0) await takeOut();
  } else if (msg.type === 'close') {
    if (pos > 0) await takeOut();
    for (const o of outputs) o.sink.end();
    await Promise.all(outputs.map((o) => o.closed));
    parentPort.postMessage({ type: 'closed' });
  }
}
