/**
 * Crash tests against moto_server used as an `aws` target: the real CLI runs tiny experiments with
 * overlapping faults and is killed (kill -9 of its whole process group at seeded random instants,
 * inside and between fault windows), interrupted (Ctrl-C once and twice, SIGTERM), cut off from
 * its stdout, restarted after a crash, and restored against an endpoint that does not answer.
 * After each, the target's configuration is read back and must equal the original — "no reserved
 * concurrency" distinct from 0 — and no process of the run may be left.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, DeleteFunctionConcurrencyCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, openResources, readJournal } from '../../harness/chaos/journal.ts';
import { restoreFromJournal } from '../../harness/chaos/timeline.ts';
import { createClients, type TargetClients } from '../../harness/target/clients.ts';
import { external } from '../helpers/external.ts';
import { EMPTY_ZIP, freePort, motoCreateRole, startMoto, type Moto } from '../helpers/moto.ts';
import { crashExperiment, journalEvents, leftovers, readConfig, seeded, signalGroup, startCli, waitFor, type Config } from './crash-helpers.ts';

const MOTO_ACCOUNT = '123456789012';
const moto_ = external('moto_server', 'the crash tests against moto');
const KILLS = 20;
const PARALLEL = 4;

let moto: Moto;
let clients: TargetClients;
let role: string;
const work = mkdtempSync(path.join(os.tmpdir(), 'squall-crash-'));
let n = 0;

/** A fresh function + queue + mapping (so runs can go in parallel), with its original configuration. */
async function target(reserved: number | null): Promise<{ fn: string; queue: string; file: string; reports: string; original: Config }> {
  const i = n++;
  const fn = `fn${i}`;
  const queue = `q${i}`;
  await clients.lambda.send(new CreateFunctionCommand({ FunctionName: fn, Role: role, Runtime: 'nodejs20.x', Handler: 'i.h', Code: { ZipFile: EMPTY_ZIP } }));
  if (reserved !== null) await clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: fn, ReservedConcurrentExecutions: reserved }));
  else await clients.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: fn }));
  const url = (await clients.sqs.send(new CreateQueueCommand({ QueueName: queue }))).QueueUrl!;
  const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await clients.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: arn, BatchSize: 10 }));
  await clients.sqs.send(new CreateQueueCommand({ QueueName: `${queue}-load` }));
  const dir = path.join(work, `t${i}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `crash-${i}.yaml`);
  writeFileSync(file, crashExperiment({ name: `crash-${i}`, endpoint: moto.endpoint, account: MOTO_ACCOUNT, fn, queue }));
  const original = await readConfig(clients, fn);
  expect(original.reserved).toBe(reserved);
  return { fn, queue, file, reports: path.join(dir, 'reports'), original };
}

function run(file: string, reports: string, extra: string[] = []) {
  // --metrics-wait 0s: moto has no CloudWatch points to wait for.
  return startCli(['run', file, '--reports', reports, '--tail', '0s', '--yes', '--metrics-wait', '0s', ...extra]);
}

/** `squall restore`, asynchronously: a spawnSync would stall the other runs' kill timers. */
async function restoreCli(runDir: string, extra: string[] = []): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = startCli(['restore', runDir, ...extra]);
  const { code } = await r.exit;
  return { status: code, stdout: r.stdout(), stderr: r.stderr() };
}

async function expectNothingLeft(pgid: number, runDir: string): Promise<void> {
  const left = await leftovers(pgid, runDir);
  expect(left, `processes left by ${runDir}`).toEqual({ group: false, pids: [] });
}

describe.skipIf(!moto_.available)('crash tests: moto_server as an aws target', () => {
  beforeAll(async () => {
    moto = await startMoto();
    clients = createClients({ endpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    role = await motoCreateRole(moto.endpoint, 'crash');
  }, 60_000);
  afterAll(async () => {
    clients?.destroy();
    await moto?.stop();
  });

  it('a run to its end with crossing and nested faults leaves the original configuration, status done', async () => {
    const t = await target(20);
    const r = run(t.file, t.reports);
    const runDir = await r.runDir;
    const { code } = await r.exit;
    expect(r.stderr()).not.toMatch(/internal error|EPIPE/);
    expect(code, r.stdout() + r.stderr()).not.toBe(5);
    expect(await readConfig(clients, t.fn)).toEqual(t.original);
    expect(openResources(readJournal(path.join(runDir, 'chaos-journal.ndjson')))).toEqual([]);
    const status = JSON.parse(readFileSync(path.join(runDir, 'status.json'), 'utf8')) as { phase: string; ended: { exitCode: number } };
    expect(status.phase).toBe('done');
    expect(status.ended.exitCode).toBe(code);
    await expectNothingLeft(r.pgid, runDir);
  }, 90_000);

  it(`kill -9 of the whole group at ${KILLS} seeded instants, then restore from the journal: the original every time, no process left`, async () => {
    const rand = seeded(20261207);
    const kills = Array.from({ length: KILLS }, (_, i) => ({ i, reserved: i % 3 === 0 ? null : 20, delayMs: Math.round(-500 + rand() * 6000) }));
    let withOpenFaults = 0;
    const one = async (k: (typeof kills)[number]) => {
      const t = await target(k.reserved);
      const r = run(t.file, t.reports);
      const runDir = await r.runDir;
      const journal = path.join(runDir, 'chaos-journal.ndjson');
      // The instant counts from the first fault's planned line: −0.5 s (before any fault) to 5.5 s
      // (windows crossing, nested, between, after the last).
      await waitFor('the first fault', () => journalEvents(runDir).some((e) => e.event === 'planned') || r.child.exitCode !== null, 60_000);
      if (k.delayMs > 0) await new Promise((res) => setTimeout(res, k.delayMs));
      signalGroup(r.pgid, 'SIGKILL');
      await r.exit;
      await expectNothingLeft(r.pgid, runDir);
      const open = existsSync(journal) ? openResources(readJournal(journal)) : [];
      if (open.length) withOpenFaults++;
      if (k.i % 4 === 0) {
        const res = await restoreCli(runDir);
        expect(res.stderr).not.toMatch(/internal error/);
        expect(res.status, res.stdout + res.stderr).toBe(0);
      } else {
        // The command's own code path without a CLI start-up each time (the suite must stay fast).
        const j = new Journal(journal);
        const rep = await restoreFromJournal(journal, clients, j);
        j.close();
        expect(rep.failed).toEqual([]);
      }
      expect(await readConfig(clients, t.fn), `kill ${k.i} at +${k.delayMs} ms`).toEqual(t.original);
    };
    for (let b = 0; b < kills.length; b += PARALLEL) await Promise.all(kills.slice(b, b + PARALLEL).map(one));
    // The instants really hit applied faults (not only before or after them).
    expect(withOpenFaults).toBeGreaterThanOrEqual(KILLS / 2);
  }, 400_000);

  /** Start a run and wait until its first fault is applied (so a signal finds something to restore). */
  async function runningWithFault(reserved: number | null) {
    const t = await target(reserved);
    const r = run(t.file, t.reports);
    const runDir = await r.runDir;
    await waitFor('the first fault applied', () => journalEvents(runDir).some((e) => e.event === 'applied') || r.child.exitCode !== null, 60_000);
    await new Promise((res) => setTimeout(res, 900)); // crossing windows in force
    return { t, r, runDir };
  }

  function status(runDir: string): { phase: string; ended: { exitCode: number; reason: string } | null } {
    return JSON.parse(readFileSync(path.join(runDir, 'status.json'), 'utf8')) as { phase: string; ended: { exitCode: number; reason: string } | null };
  }

  describe.concurrent('signals and output', () => {
    it('Ctrl-C once (SIGINT to the group): load stopped, every fault restored, partial run written, exit 130', async () => {
      const { t, r, runDir } = await runningWithFault(null);
      signalGroup(r.pgid, 'SIGINT');
      const { code } = await r.exit;
      expect(r.stderr()).not.toMatch(/internal error|ECONNREFUSED/);
      expect(code, r.stdout() + r.stderr()).toBe(130);
      expect(await readConfig(clients, t.fn)).toEqual(t.original);
      expect(openResources(readJournal(path.join(runDir, 'chaos-journal.ndjson')))).toEqual([]);
      expect(status(runDir).ended?.exitCode).toBe(130);
      expect(existsSync(path.join(runDir, 'k6-run.json'))).toBe(true);
      await expectNothingLeft(r.pgid, runDir);
    }, 90_000);

    it('Ctrl-C twice: restore only, exit 130 because everything is back', async () => {
      const { t, r, runDir } = await runningWithFault(20);
      signalGroup(r.pgid, 'SIGINT');
      // The second press after squall has seen the first (as a person would, reading the prompt).
      await waitFor('the first signal noticed', () => r.stderr().includes('press again'), 20_000);
      signalGroup(r.pgid, 'SIGINT');
      const { code } = await r.exit;
      expect(r.stderr()).toContain('restoring only');
      expect(code, r.stdout() + r.stderr()).toBe(130);
      expect(await readConfig(clients, t.fn)).toEqual(t.original);
      expect(openResources(readJournal(path.join(runDir, 'chaos-journal.ndjson')))).toEqual([]);
      await expectNothingLeft(r.pgid, runDir);
    }, 90_000);

    it('SIGTERM: the same as one Ctrl-C', async () => {
      const { t, r, runDir } = await runningWithFault(20);
      signalGroup(r.pgid, 'SIGTERM');
      const { code } = await r.exit;
      expect(code, r.stdout() + r.stderr()).toBe(130);
      expect(await readConfig(clients, t.fn)).toEqual(t.original);
      await expectNothingLeft(r.pgid, runDir);
    }, 90_000);

    it('a closed stdout (`| head -5`) never aborts the run or its restore', async () => {
      const t = await target(null);
      const r = run(t.file, t.reports);
      const runDir = await r.runDir;
      let lines = 0;
      r.child.stdout!.on('data', (b: Buffer) => {
        lines += b.toString().split('\n').length - 1;
        if (lines >= 5) r.child.stdout!.destroy(); // what head does after 5 lines
      });
      const { code } = await r.exit;
      expect(r.stderr()).not.toMatch(/EPIPE|internal error/);
      expect([0, 3, 4, 6]).toContain(code);
      expect(await readConfig(clients, t.fn)).toEqual(t.original);
      expect(status(runDir).ended?.exitCode).toBe(code);
      await expectNothingLeft(r.pgid, runDir);
    }, 90_000);
  });

  it('a second run after a crash refuses (exit 5, the restore command, no new folder); --restore-first restores, then runs', async () => {
    const { t, r, runDir } = await runningWithFault(null);
    signalGroup(r.pgid, 'SIGKILL');
    await r.exit;
    await expectNothingLeft(r.pgid, runDir);
    expect(openResources(readJournal(path.join(runDir, 'chaos-journal.ndjson'))).length).toBeGreaterThan(0);
    const runs = () => readdirSync(path.dirname(runDir)).length;
    const before = runs();

    const again = run(t.file, t.reports);
    const refused = await again.exit;
    expect(refused.code, again.stdout() + again.stderr()).toBe(5);
    expect(again.stderr()).toContain(`squall restore ${runDir}`);
    expect(again.stderr()).toContain('--restore-first');
    expect(runs()).toBe(before);
    // Still faulted: the refusal touched nothing.
    expect(await readConfig(clients, t.fn)).not.toEqual(t.original);

    const first = run(t.file, t.reports, ['--restore-first']);
    const secondDir = await first.runDir;
    const done = await first.exit;
    expect(first.stdout()).toMatch(/restore-first: run \S+: \d+ of \d+ fault\(s\) restored \(read back\)/);
    expect(done.code, first.stdout() + first.stderr()).not.toBe(5);
    expect(openResources(readJournal(path.join(runDir, 'chaos-journal.ndjson')))).toEqual([]);
    // The second run took the true original, not the crashed run's faults, and put it back.
    const planned = readJournal(path.join(secondDir, 'chaos-journal.ndjson')).find((e) => e.event === 'planned' && e.resource?.startsWith('reserved'));
    expect(planned).toMatchObject({ previous: { value: null } });
    expect(await readConfig(clients, t.fn)).toEqual(t.original);
  }, 150_000);

  it('restore against an endpoint that is down says what is left (exit 5); the real endpoint then restores', async () => {
    const { t, r, runDir } = await runningWithFault(20);
    signalGroup(r.pgid, 'SIGKILL');
    await r.exit;
    await expectNothingLeft(r.pgid, runDir);
    const dead = `http://127.0.0.1:${await freePort()}`;
    const down = await restoreCli(runDir, ['--endpoint', dead, '--deadline', '2s']);
    expect(down.stderr).not.toMatch(/internal error/);
    expect(down.status, down.stdout + down.stderr).toBe(5);
    expect(down.stderr).toContain('reserved-concurrency:' + t.fn);
    expect(down.stderr).toContain(`squall restore ${runDir}`);
    const up = await restoreCli(runDir);
    expect(up.status, up.stdout + up.stderr).toBe(0);
    expect(await readConfig(clients, t.fn)).toEqual(t.original);
  }, 120_000);

  it('a target that fails before the load leaves no run folder; nothing was changed', async () => {
    const t = await target(20);
    // The experiment says the function has a URL; the target has none: found while preparing.
    writeFileSync(t.file, readFileSync(t.file, 'utf8').replace('synthetic: { duration: 10ms }', 'synthetic: { duration: 10ms }\n      url: true'));
    const r = run(t.file, t.reports);
    const { code } = await r.exit;
    expect(code, r.stdout() + r.stderr()).not.toBe(0);
    expect(r.stderr()).not.toMatch(/internal error/);
    const expDir = path.join(t.reports, path.basename(t.file, '.yaml'));
    expect(existsSync(expDir) ? readdirSync(expDir) : []).toEqual([]);
    expect(await readConfig(clients, t.fn)).toEqual(t.original);
  }, 60_000);
});
