/**
 * SQS on the emulator against its two peers, in one run, two ways.
 * (a) Server-bound: autocannon (its own process) posts SendMessageBatch (10 messages, AWS JSON 1.0)
 * over 50 keep-alive connections for a bounded time; the figure is messages accepted per second.
 * This measures the server, not the client: 8 SDK clients saturate before any server does (the
 * null server reaches only ~12× moto with them), so the client-bound method could never show the
 * emulator's distance from moto.
 * (b) Full cycles: 8 real @aws-sdk/client-sqs clients each loop SendMessageBatch (10) →
 * ReceiveMessage (10) → DeleteMessageBatch, and the figure is messages fully cycled (sent,
 * received, deleted) per second.
 * Peers: `moto_server` (started and stopped here) — goal emulator ≥ 50× moto; and a null server,
 * a tiny node:http server that parses the same JSON requests and returns canned valid SQS answers
 * with correct MD5s — goal emulator ≥ 0.5× null. The emulator and the null server each run in
 * their own child process, like moto, so the clients never share their CPU with the server; each
 * peer gets two 2.5 s rounds in mirrored order, so drifting load on a shared machine hits all alike.
 * Server CPU per message (from /proc) is reported too: unlike throughput, the machine's load does
 * not move it much. Everything talks only to 127.0.0.1 and stops by itself (about 30 s).
 *
 * Run as a child with SQUALL_SQS_BENCH_ROLE=emulator|null, this file is the server under test.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { external } from '../test/helpers/external.ts';
import { startMoto } from '../test/helpers/moto.ts';
import type { BenchRow } from './run.ts';

const BENCH = 'emulator-sqs';
const SELF = fileURLToPath(import.meta.url);
const CLIENTS = 8;
const RUN_MS = 5_000;
const WARMUP_MS = 500;
const WARM_PEER_MS = 1_500;
const BODY = 'x'.repeat(100);

// ------------------------------------------------------------------ child roles

function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** The null peer: parses each JSON request and answers with canned, valid SQS responses. */
async function serveNull(): Promise<string> {
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? '').slice('AmazonSQS.'.length);
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      let out: unknown = {};
      if (op === 'CreateQueue' || op === 'GetQueueUrl') out = { QueueUrl: `http://127.0.0.1/000000000000/${String(input['QueueName'])}` };
      else if (op === 'SendMessageBatch') {
        const entries = input['Entries'] as Array<{ Id: string; MessageBody: string }>;
        out = { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`, MD5OfMessageBody: md5(e.MessageBody) })), Failed: [] };
      } else if (op === 'ReceiveMessage') {
        const max = Number(input['MaxNumberOfMessages'] ?? 1);
        out = {
          Messages: Array.from({ length: max }, () => {
            const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
            return { MessageId: id, ReceiptHandle: `AQEB${id}`, MD5OfBody: md5(BODY), Body: BODY };
          }),
        };
      } else if (op === 'DeleteMessageBatch') {
        out = { Successful: (input['Entries'] as Array<{ Id: string }>).map((e) => ({ Id: e.Id })), Failed: [] };
      }
      const body = JSON.stringify(out);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'null', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

if (process.env['SQUALL_SQS_BENCH_ROLE']) {
  const role = process.env['SQUALL_SQS_BENCH_ROLE'];
  let url: string;
  if (role === 'null') url = await serveNull();
  else {
    const { startEmulator } = await import('../harness/emulator/server.ts');
    url = (await startEmulator()).endpoint;
  }
  process.stdout.write(`url=${url}\n`);
  // Keep running until the parent kills us (the http server holds the loop open).
}

// ------------------------------------------------------------------ load

interface Peer {
  url: string;
  pid: number | undefined;
  stop: () => void;
}

/**
 * CPU seconds a process has used (user + system) from /proc (Linux; NaN elsewhere). The machine is
 * shared, so besides throughput the bench reports server CPU per message, which load does not skew.
 */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (index 11, 12 after the command name), in clock ticks (100 Hz).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function startChild(role: 'emulator' | 'null'): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF], { env: { ...process.env, SQUALL_SQS_BENCH_ROLE: role }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${role} server did not start within 20 s`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /url=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, pid: child.pid, stop: () => child.kill('SIGTERM') });
      }
    });
    child.once('error', reject);
  });
}

async function startMotoPeer(): Promise<Peer> {
  const m = await startMoto();
  return { url: m.endpoint, pid: m.pid, stop: () => void m.stop() };
}

const AUTOCANNON_BIN = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));
const BLAST_SECONDS = 3;

/** Messages per second SendMessageBatch takes from autocannon's 50 connections, and the server's CPU per 1,000 messages. */
async function blast(peer: Peer): Promise<{ msgsPerS: number; cpuMsPer1k: number; errors: number }> {
  const sqs = new SQSClient({ endpoint: peer.url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 1 });
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'blast' }))).QueueUrl!;
  sqs.destroy();
  const body = JSON.stringify({ QueueUrl: queueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: BODY })) });
  const headers = [
    'content-type=application/x-amz-json-1.0',
    'x-amz-target=AmazonSQS.SendMessageBatch',
    // Unsigned to the emulator (started without credentials); moto reads the region from here.
    'authorization=AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
  ];
  const cpu0 = cpuSeconds(peer.pid);
  const j = await new Promise<{ requests: { average: number; total: number }; errors: number; non2xx: number; duration: number }>((resolve, reject) => {
    const args = [AUTOCANNON_BIN, '-c', '50', '-d', String(BLAST_SECONDS), '-j', '-m', 'POST', '-b', body, ...headers.flatMap((h) => ['-H', h]), peer.url + '/'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`autocannon exited ${code}`))));
  });
  const cpu = cpuSeconds(peer.pid) - cpu0;
  const msgs = j.requests.total * 10;
  // autocannon reports duration in seconds.
  return { msgsPerS: msgs / j.duration, cpuMsPer1k: (cpu * 1e6) / Math.max(msgs, 1), errors: j.errors + j.non2xx };
}

/** 8 clients cycling send-batch / receive / delete-batch; returns messages cycled per second. */
interface Tally {
  cycled: number;
  elapsedMs: number;
  cpuSeconds: number;
  errors: number;
}

/** 8 clients cycling send-batch / receive / delete-batch for `ms`; adds what they did to `t`. */
async function cycle(endpoint: string, ms: number, serverPid: number | undefined, t: Tally): Promise<void> {
  const clients = Array.from(
    { length: CLIENTS },
    () => new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 1 }),
  );
  const urls = await Promise.all(clients.map((c, i) => c.send(new CreateQueueCommand({ QueueName: `bench-${i}` })).then((r) => r.QueueUrl!)));
  const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: BODY }));
  let cycled = 0;
  let errors = 0;
  let measuring = false;
  let stop = false;
  const loop = async (c: SQSClient, url: string) => {
    while (!stop) {
      try {
        await c.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
        const r = await c.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
        const msgs = r.Messages ?? [];
        if (msgs.length) {
          const d = await c.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: msgs.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
          if (measuring) cycled += d.Successful?.length ?? 0;
        }
      } catch {
        errors++;
      }
    }
  };
  const running = clients.map((c, i) => loop(c, urls[i]!));
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  measuring = true;
  const cpu0 = cpuSeconds(serverPid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  measuring = false;
  const elapsed = performance.now() - t0;
  const cpu = cpuSeconds(serverPid) - cpu0;
  stop = true;
  await Promise.all(running);
  for (const c of clients) c.destroy();
  t.cycled += cycled;
  t.elapsedMs += elapsed;
  t.cpuSeconds += cpu;
  t.errors += errors;
}

export async function run(): Promise<BenchRow[]> {
  // Absent moto_server: external() prints the one skip line (or throws under SQUALL_REQUIRE_MOTO=1).
  if (!external('moto_server', 'the emulator-vs-moto_server SQS bench').available) return [];
  const rows: BenchRow[] = [];
  const fmt = (x: number) => x.toFixed(0);
  const peers: Record<'null' | 'emulator' | 'moto', Peer | undefined> = { null: undefined, emulator: undefined, moto: undefined };
  const tallies = { null: tally(), emulator: tally(), moto: tally() };
  const blasts: Record<'null' | 'emulator' | 'moto', { msgsPerS: number; cpuMsPer1k: number; errors: number }[]> = { null: [], emulator: [], moto: [] };
  try {
    peers.null = await startChild('null');
    peers.emulator = await startChild('emulator');
    peers.moto = await startMotoPeer();
    // Warm every peer first (JIT, connection pools): a cold first round would favour the peer measured last.
    for (const name of ['null', 'emulator', 'moto'] as const) await cycle(peers[name]!.url, WARM_PEER_MS, undefined, tally());
    // Two rounds in mirrored order (A B C, C B A), so drifting load on a shared machine hits every peer alike.
    for (const order of [['null', 'emulator', 'moto'], ['moto', 'emulator', 'null']] as const) {
      for (const name of order) await cycle(peers[name]!.url, RUN_MS / 2, peers[name]!.pid, tallies[name]);
    }
    // Server-bound: the same mirrored order, one autocannon round each way.
    for (const order of [['null', 'emulator', 'moto'], ['moto', 'emulator', 'null']] as const) {
      for (const name of order) blasts[name].push(await blast(peers[name]!));
    }
  } finally {
    for (const p of Object.values(peers)) p?.stop();
  }
  const rate = (t: Tally) => (t.cycled / t.elapsedMs) * 1000;
  const cpuPer1k = (t: Tally) => (t.cycled ? (t.cpuSeconds * 1e6) / t.cycled : NaN);
  const emu = tallies.emulator;
  const nul = tallies.null;
  const mot = tallies.moto;
  const best = (name: 'null' | 'emulator' | 'moto') => Math.max(...blasts[name].map((b) => b.msgsPerS));
  const cpuOf = (name: 'null' | 'emulator' | 'moto') => blasts[name].reduce((a, b) => a + b.cpuMsPer1k, 0) / blasts[name].length;
  const errs = (name: 'null' | 'emulator' | 'moto') => blasts[name].reduce((a, b) => a + b.errors, 0);
  rows.push({ bench: BENCH, metric: `(a) SendMessageBatch msgs/s, autocannon 50 conn, best of 2 × ${BLAST_SECONDS} s (emulator / null / moto)`, value: `${fmt(best('emulator'))} / ${fmt(best('null'))} / ${fmt(best('moto'))}` });
  const sbNull = best('emulator') / best('null');
  rows.push({ bench: BENCH, metric: '(a) emulator / null server (server-bound)', value: `${sbNull.toFixed(2)}×`, goal: '≥ 0.5×', met: sbNull >= 0.5 });
  rows.push({ bench: BENCH, metric: '(a) emulator / moto_server (server-bound)', value: `${(best('emulator') / Math.max(best('moto'), 1e-9)).toFixed(0)}×`, goal: '≥ 50×', met: best('emulator') >= 50 * best('moto') });
  rows.push({ bench: BENCH, metric: '(a) server CPU ms per 1,000 messages (emulator / null / moto)', value: `${cpuOf('emulator').toFixed(1)} / ${cpuOf('null').toFixed(1)} / ${cpuOf('moto').toFixed(1)}` });
  rows.push({ bench: BENCH, metric: '(a) errors + non-2xx (emulator / null / moto)', value: `${errs('emulator')} / ${errs('null')} / ${errs('moto')}`, met: errs('emulator') === 0 && errs('null') === 0 });
  rows.push({ bench: BENCH, metric: '(b) emulator msgs/s (8 SDK clients, batch 10 send/receive/delete)', value: fmt(rate(emu)) });
  rows.push({ bench: BENCH, metric: '(b) null server msgs/s (same clients, canned answers)', value: fmt(rate(nul)) });
  rows.push({ bench: BENCH, metric: '(b) moto_server msgs/s (same clients)', value: fmt(rate(mot)) });
  const vsMoto = rate(emu) / Math.max(rate(mot), 1e-9);
  const vsNull = rate(emu) / rate(nul);
  rows.push({ bench: BENCH, metric: '(b) emulator / moto_server (client-bound: 8 SDK clients)', value: `${vsMoto.toFixed(1)}×` });
  rows.push({ bench: BENCH, metric: '(b) emulator / null server', value: `${vsNull.toFixed(2)}×`, goal: '≥ 0.5×', met: vsNull >= 0.5 });
  rows.push({ bench: BENCH, metric: '(b) null server / moto_server (ceiling of this client-bound method)', value: `${(rate(nul) / Math.max(rate(mot), 1e-9)).toFixed(1)}×` });
  rows.push({
    bench: BENCH,
    metric: '(b) server CPU ms per 1,000 messages (emulator / null / moto)',
    value: `${cpuPer1k(emu).toFixed(1)} / ${cpuPer1k(nul).toFixed(1)} / ${cpuPer1k(mot).toFixed(1)}`,
  });
  rows.push({ bench: BENCH, metric: '(b) moto CPU / emulator CPU per message', value: `${(cpuPer1k(mot) / cpuPer1k(emu)).toFixed(1)}×` });
  rows.push({ bench: BENCH, metric: '(b) client errors (emulator / null / moto)', value: `${emu.errors} / ${nul.errors} / ${mot.errors}`, met: emu.errors === 0 && nul.errors === 0 });
  return rows;
}

function tally(): Tally {
  return { cycled: 0, elapsedMs: 0, cpuSeconds: 0, errors: 0 };
}
