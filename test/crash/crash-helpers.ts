/**
 * What the crash tests share: start the real CLI (`node bin/squall.js …`) as a child in its own
 * process group (as a shell would), signal or kill -9 that whole group, find every process that
 * belongs to a run (its run folder is on their command line), and read a target's configuration
 * back through the AWS SDK.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GetEventSourceMappingCommand, GetFunctionConcurrencyCommand, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import type { TargetClients } from '../../harness/target/clients.ts';

export const root = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(root, 'bin/squall.js');

export interface CliRun {
  child: ChildProcess;
  pgid: number;
  stdout(): string;
  stderr(): string;
  /** The run folder, once the CLI has printed it. */
  runDir: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliRun {
  // detached: the CLI leads its own group, like a shell's foreground job; signals go to -pgid.
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? root,
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  let resolveDir!: (d: string) => void;
  let rejectDir!: (e: Error) => void;
  const runDir = new Promise<string>((res, rej) => ((resolveDir = res), (rejectDir = rej)));
  runDir.catch(() => {}); // observed by the tests that await it
  child.once('exit', (code) => rejectDir(new Error(`squall exited (${code}) before printing its run folder:\n${out}${err}`)));
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
    const m = /^run \S+ → (.+)$/m.exec(out);
    if (m) resolveDir(path.resolve(opts.cwd ?? root, m[1]!));
  });
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, pgid: child.pid!, stdout: () => out, stderr: () => err, runDir, exit };
}

export function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // already gone
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of live processes whose command line names `needle` (a run folder), other than zombies. */
export function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!cmd.includes(needle)) continue;
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue;
      out.push(Number(d));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Waits until neither the CLI's group nor any process of the run is left; returns what is left after `ms`. */
export async function leftovers(pgid: number, runDir: string, ms = 5000): Promise<{ group: boolean; pids: number[] }> {
  const until = Date.now() + ms;
  for (;;) {
    const group = groupAlive(pgid);
    const pids = processesMentioning(runDir);
    if ((!group && pids.length === 0) || Date.now() > until) return { group, pids };
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitFor<T>(what: string, f: () => T | undefined | null | false, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Config {
  reserved: number | null;
  mapping: { enabled: boolean; batchSize: number | undefined; maximumConcurrency: number | null };
}

/** The configuration chaos may change, read back: reserved concurrency (null = none) and the mapping. */
export async function readConfig(c: TargetClients, fn: string): Promise<Config> {
  const reserved = (await c.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: fn }))).ReservedConcurrentExecutions ?? null;
  const list = await c.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn }));
  let m = list.EventSourceMappings![0]!;
  for (let i = 0; i < 50 && !/^(Enabled|Disabled)$/.test(m.State ?? ''); i++) {
    await new Promise((r) => setTimeout(r, 20));
    m = await c.lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }));
  }
  return { reserved, mapping: { enabled: m.State === 'Enabled', batchSize: m.BatchSize, maximumConcurrency: m.ScalingConfig?.MaximumConcurrency ?? null } };
}

export function journalEvents(runDir: string): Array<{ event: string; faultId?: number; readBack?: unknown }> {
  const f = path.join(runDir, 'chaos-journal.ndjson');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { event: string }];
      } catch {
        return [];
      }
    });
}

/** A small seeded PRNG (mulberry32): the kill instants are random but the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tiny aws-kind experiment on one function + queue + mapping: overlapping (crossing and nested) faults. */
export function crashExperiment(o: { name: string; endpoint: string; account: string; fn: string; queue: string; durationS?: number }): string {
  return `
name: ${o.name}
seed: 1
target: { kind: aws, region: us-east-1, endpoint: '${o.endpoint}', accountAllowlist: ['${o.account}'] }
system:
  functions:
    ${o.fn}:
      synthetic: { duration: 10ms }
  queues:
    ${o.queue}: {}
    ${o.queue}-load: {}
  eventSources:
    - { queue: ${o.queue}, function: ${o.fn}, batchSize: 10 }
load:
  scenarios:
    producer:
      template: sqs-producer
      # Not the mapped queue: moto would try to run the function (in docker) for every message.
      queue: ${o.queue}-load
      executor: constant-arrival-rate
      rate: 4
      timeUnit: 1s
      duration: ${o.durationS ?? 6}s
      preAllocatedVUs: 2
chaos:
  faults:
    - { at: 0.2s, for: 2s, action: set-reserved-concurrency, function: ${o.fn}, value: 5 }
    - { at: 1s, for: 2s, action: set-reserved-concurrency, function: ${o.fn}, value: 0 }
    - { at: 0.5s, for: 1s, action: disable-event-source, eventSource: ${o.queue}->${o.fn} }
    - { at: 1.5s, for: 3.5s, action: update-event-source, eventSource: ${o.queue}->${o.fn}, batchSize: 3, maximumConcurrency: 2 }
`;
}
