/**
 * The chaos contract: faults applied through the AWS SDK are journaled before they happen, undone
 * at the end of their window, undone by finish() whatever state the run is in, and undone after a
 * crash from the journal alone. Run against every AWS implementation we have (moto, the emulator).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  ListEventSourceMappingsCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../harness/contracts/clock.ts';
import { addFault } from '../../harness/chaos/function-faults.ts';
import { Journal, openResources, readJournal } from '../../harness/chaos/journal.ts';
import { ChaosTimeline, restoreFromJournal } from '../../harness/chaos/timeline.ts';
import type { ResolvedFault } from '../../harness/experiment/types.ts';
import type { TargetClients } from '../../harness/target/clients.ts';

export interface ChaosTarget {
  clients: TargetClients;
  /** A function `fn`, a queue `q` and a mapping q → fn exist; `fn` starts with reserved concurrency 7. */
  functionName: string;
  queueName: string;
  /** Where poison goes when `queueName` is consumed by a live mapping (default: queueName). */
  poisonQueueName?: string;
  close(): Promise<void>;
}

export function chaosContract(name: string, setup: () => Promise<ChaosTarget>): void {
  describe(`chaos contract: ${name}`, () => {
    let t: ChaosTarget;
    beforeAll(async () => {
      t = await setup();
    }, 60_000);
    afterAll(async () => {
      await t?.close();
    });

    const reserved = async () => (await t.clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: t.functionName }))).ReservedConcurrentExecutions ?? null;
    const mapping = async () => {
      const list = await t.clients.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: t.functionName }));
      return list.EventSourceMappings![0]!;
    };
    const journalFile = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'squall-chaos-')), 'chaos-journal.ndjson');

    it('applies a fault at its time, restores it at the end of its window, and journals both', async () => {
      await t.clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: t.functionName, ReservedConcurrentExecutions: 7 }));
      const clock = new ManualClock();
      const file = journalFile();
      const journal = new Journal(file);
      const faults: ResolvedFault[] = [{ id: 0, atMs: 1000, forMs: 2000, action: 'set-reserved-concurrency', function: t.functionName, value: 0 }];
      const tl = new ChaosTimeline({ faults, clients: t.clients, journal, clock, runId: 'run-1' });
      tl.start();
      clock.advance(999);
      await tl.settled();
      expect(await reserved()).toBe(7);
      clock.advance(1);
      await tl.settled();
      expect(await reserved()).toBe(0);
      clock.advance(2000);
      await tl.settled();
      expect(await reserved()).toBe(7);
      const report = await tl.finish();
      expect(report).toEqual({ restored: 0, failed: [] });
      journal.close();
      const events = readJournal(file).map((e) => e.event);
      expect(events).toEqual(['planned', 'applied', 'restored']);
      const planned = readJournal(file)[0]!;
      expect(planned).toMatchObject({ previous: { kind: 'reserved-concurrency', value: 7 } });
    });

    it('finish() restores every fault still in effect, newest first', async () => {
      await t.clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: t.functionName, ReservedConcurrentExecutions: 7 }));
      const before = await mapping();
      const clock = new ManualClock();
      const journal = new Journal(journalFile());
      const faults: ResolvedFault[] = [
        { id: 0, atMs: 0, forMs: null, action: 'set-reserved-concurrency', function: t.functionName, value: 3 },
        { id: 1, atMs: 10, forMs: null, action: 'set-reserved-concurrency', function: t.functionName, value: 1 },
        { id: 2, atMs: 20, forMs: 60_000, action: 'disable-event-source', eventSource: `${t.queueName}->${t.functionName}` },
      ];
      const tl = new ChaosTimeline({ faults, clients: t.clients, journal, clock, runId: 'run-2' });
      tl.start();
      clock.advance(30);
      await tl.settled();
      expect(await reserved()).toBe(1);
      expect((await mapping()).State).toMatch(/Disabl/);
      expect(tl.activeFaults()).toEqual([0, 1, 2]);
      const report = await tl.finish();
      journal.close();
      expect(report).toEqual({ restored: 3, failed: [] });
      expect(await reserved()).toBe(7);
      const after = await mapping();
      expect(after.State).toMatch(/Enabl/);
      expect(after.BatchSize).toBe(before.BatchSize);
    });

    it('after a crash, the journal alone puts everything back', async () => {
      await t.clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: t.functionName, ReservedConcurrentExecutions: 7 }));
      const clock = new ManualClock();
      const file = journalFile();
      const journal = new Journal(file);
      const faults: ResolvedFault[] = [
        { id: 0, atMs: 0, forMs: 5000, action: 'remove-reserved-concurrency', function: t.functionName },
        { id: 1, atMs: 0, forMs: 5000, action: 'update-event-source', eventSource: `${t.queueName}->${t.functionName}`, batchSize: 3, maximumConcurrency: null },
      ];
      const tl = new ChaosTimeline({ faults, clients: t.clients, journal, clock, runId: 'run-3' });
      tl.start();
      clock.advance(1);
      await tl.settled();
      expect(await reserved()).toBeNull();
      expect((await mapping()).BatchSize).toBe(3);
      // "kill -9": no finish(), the timeline object is simply dropped.
      journal.close();
      const again = new Journal(file);
      const report = await restoreFromJournal(file, t.clients, again);
      again.close();
      expect(report).toEqual({ pending: 2, restored: 2, failed: [] });
      expect(await reserved()).toBe(7);
      expect((await mapping()).BatchSize).toBe(10);
      // A second restore finds nothing left to do.
      expect((await restoreFromJournal(file, t.clients)).pending).toBe(0);
    });

    const setReserved = async (v: number | null) => {
      if (v === null) await t.clients.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: t.functionName }));
      else await t.clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: t.functionName, ReservedConcurrentExecutions: v }));
    };
    /** Step a ManualClock through `times`, recording the reserved concurrency read back after each. */
    const walk = async (tl: ChaosTimeline, clock: ManualClock, times: number[]) => {
      const seen: Array<number | null> = [];
      let now = 0;
      for (const at of times) {
        clock.advance(at - now);
        now = at;
        await tl.settled();
        seen.push(await reserved());
      }
      return seen;
    };

    it('nested windows on one function: the inner end returns to the outer fault, the outer end to the original', async () => {
      await setReserved(20);
      const clock = new ManualClock();
      const file = journalFile();
      const journal = new Journal(file);
      const faults: ResolvedFault[] = [
        { id: 0, atMs: 0, forMs: 3000, action: 'set-reserved-concurrency', function: t.functionName, value: 5 },
        { id: 1, atMs: 1000, forMs: 1000, action: 'set-reserved-concurrency', function: t.functionName, value: 0 },
      ];
      const tl = new ChaosTimeline({ faults, clients: t.clients, journal, clock, runId: 'nested' });
      tl.start();
      expect(await walk(tl, clock, [0, 1000, 2000, 3000])).toEqual([5, 0, 5, 20]);
      expect(await tl.finish()).toEqual({ restored: 0, failed: [] });
      journal.close();
      const planned = readJournal(file).filter((e) => e.event === 'planned');
      // Both faults record the value before squall's FIRST change, not the 5 the second one found.
      expect(planned.map((e) => (e.previous as { value: number }).value)).toEqual([20, 20]);
      expect(openResources(readJournal(file))).toEqual([]);
    });

    it('crossing windows on one function: the first end keeps the second fault, the second end restores the original', async () => {
      await setReserved(20);
      const clock = new ManualClock();
      const journal = new Journal(journalFile());
      const faults: ResolvedFault[] = [
        { id: 0, atMs: 0, forMs: 2000, action: 'set-reserved-concurrency', function: t.functionName, value: 5 },
        { id: 1, atMs: 1000, forMs: 2000, action: 'set-reserved-concurrency', function: t.functionName, value: 0 },
      ];
      const tl = new ChaosTimeline({ faults, clients: t.clients, journal, clock, runId: 'crossing' });
      tl.start();
      expect(await walk(tl, clock, [0, 1000, 2000, 3000])).toEqual([5, 0, 0, 20]);
      expect(await tl.finish()).toEqual({ restored: 0, failed: [] });
      journal.close();
    });

    it('"no reserved concurrency" is restored as none, not 0, by finish() and from the journal', async () => {
      await setReserved(null);
      const clock = new ManualClock();
      const file = journalFile();
      const journal = new Journal(file);
      const faults: ResolvedFault[] = [
        { id: 0, atMs: 0, forMs: null, action: 'set-reserved-concurrency', function: t.functionName, value: 0 },
        { id: 1, atMs: 10, forMs: null, action: 'set-reserved-concurrency', function: t.functionName, value: 2 },
      ];
      const tl = new ChaosTimeline({ faults, clients: t.clients, journal, clock, runId: 'none' });
      tl.start();
      expect(await walk(tl, clock, [0, 10])).toEqual([0, 2]);
      // crash: only the journal is left
      const report = await restoreFromJournal(file, t.clients, journal);
      journal.close();
      expect(report).toEqual({ pending: 2, restored: 2, failed: [] });
      expect(await reserved()).toBeNull();
      const restored = readJournal(file).filter((e) => e.event === 'restored');
      expect(restored.map((e) => e.event === 'restored' && e.readBack)).toEqual([
        { kind: 'reserved-concurrency', function: t.functionName, value: null },
        { kind: 'reserved-concurrency', function: t.functionName, value: null },
      ]);
    });

    it('an event source fault that sets a maximum concurrency is undone to "no maximum", read back', async () => {
      const before = await mapping();
      const clock = new ManualClock();
      const journal = new Journal(journalFile());
      const id = `${t.queueName}->${t.functionName}`;
      const faults: ResolvedFault[] = [
        { id: 0, atMs: 0, forMs: null, action: 'update-event-source', eventSource: id, batchSize: 4, maximumConcurrency: 2 },
        { id: 1, atMs: 5, forMs: 10, action: 'disable-event-source', eventSource: id },
      ];
      const tl = new ChaosTimeline({ faults, clients: t.clients, journal, clock, runId: 'esm' });
      tl.start();
      clock.advance(5);
      await tl.settled();
      const during = await mapping();
      expect([during.BatchSize, during.ScalingConfig?.MaximumConcurrency, during.State]).toEqual([4, 2, expect.stringMatching(/Disabl|Updating/)]);
      clock.advance(10);
      await tl.settled();
      // The inner disable ended: enabled again, the batch size and maximum of fault 0 still in force.
      const mid = await mapping();
      expect([mid.BatchSize, mid.ScalingConfig?.MaximumConcurrency, mid.State]).toEqual([4, 2, expect.stringMatching(/Enabl/)]);
      expect(await tl.finish()).toEqual({ restored: 1, failed: [] });
      journal.close();
      const after = await mapping();
      expect(after.BatchSize).toBe(before.BatchSize);
      expect(after.ScalingConfig?.MaximumConcurrency ?? null).toBe(before.ScalingConfig?.MaximumConcurrency ?? null);
      expect(after.State).toMatch(/Enabl/);
    });

    const environment = async () => {
      const c = await t.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: t.functionName }));
      const v = c.Environment?.Variables ?? {};
      return Object.keys(v).length ? v : null;
    };
    const setEnvironment = async (v: Record<string, string>) => {
      await t.clients.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: t.functionName, Environment: { Variables: v } }));
    };
    const latency: ResolvedFault = { id: 0, atMs: 0, forMs: 2000, action: 'inject-latency', function: '', latency: { kind: 'constant', ms: 300 }, percentage: 50 };
    const errors: ResolvedFault = { id: 1, atMs: 1000, forMs: 2000, action: 'inject-errors', function: '', percentage: 10, runHandler: false, errorType: 'SquallInjectedError' };

    it('function faults set SQUALL_FAULTS beside the other variables, stack, and end on the original environment exactly', async () => {
      await setEnvironment({ TABLE: 'orders', LOG_LEVEL: 'info' });
      const clock = new ManualClock();
      const file = journalFile();
      const journal = new Journal(file);
      const faults: ResolvedFault[] = [
        { ...latency, function: t.functionName },
        { ...errors, function: t.functionName },
      ];
      const tl = new ChaosTimeline({ faults, clients: t.clients, journal, clock, runId: 'env' });
      tl.start();
      const seen: Array<Record<string, string> | null> = [];
      let now = 0;
      for (const at of [0, 1000, 2000, 3000]) {
        clock.advance(at - now);
        now = at;
        await tl.settled();
        seen.push(await environment());
      }
      const onlyLatency = addFault(undefined, faults[0] as Extract<ResolvedFault, { action: 'inject-latency' }>);
      const both = addFault(onlyLatency, faults[1] as Extract<ResolvedFault, { action: 'inject-errors' }>);
      const onlyErrors = addFault(undefined, faults[1] as Extract<ResolvedFault, { action: 'inject-errors' }>);
      expect(seen).toEqual([
        { TABLE: 'orders', LOG_LEVEL: 'info', SQUALL_FAULTS: onlyLatency },
        { TABLE: 'orders', LOG_LEVEL: 'info', SQUALL_FAULTS: both },
        { TABLE: 'orders', LOG_LEVEL: 'info', SQUALL_FAULTS: onlyErrors },
        { TABLE: 'orders', LOG_LEVEL: 'info' },
      ]);
      expect(await tl.finish()).toEqual({ restored: 0, failed: [] });
      journal.close();
      const planned = readJournal(file).filter((e) => e.event === 'planned');
      expect(planned.map((e) => e.previous)).toEqual([
        { kind: 'function-environment', function: t.functionName, variables: { TABLE: 'orders', LOG_LEVEL: 'info' } },
        { kind: 'function-environment', function: t.functionName, variables: { TABLE: 'orders', LOG_LEVEL: 'info' } },
      ]);
    });

    it('"no environment" is put back as none, by finish() and from the journal after a crash', async () => {
      await setEnvironment({});
      expect(await environment()).toBeNull();
      const clock = new ManualClock();
      const file = journalFile();
      const journal = new Journal(file);
      const faults: ResolvedFault[] = [{ ...errors, id: 0, atMs: 0, forMs: null, function: t.functionName }];
      const tl = new ChaosTimeline({ faults, clients: t.clients, journal, clock, runId: 'env-none' });
      tl.start();
      clock.advance(1);
      await tl.settled();
      expect(Object.keys((await environment()) ?? {})).toEqual(['SQUALL_FAULTS']);
      // crash: only the journal is left
      const report = await restoreFromJournal(file, t.clients, journal);
      journal.close();
      expect(report).toEqual({ pending: 1, restored: 1, failed: [] });
      expect(await environment()).toBeNull();
      const back = readJournal(file).find((e) => e.event === 'restored');
      expect(back?.event === 'restored' && back.readBack).toEqual({ kind: 'function-environment', function: t.functionName, variables: null });
    });

    it('injects poison messages that carry the run id marker', async () => {
      const clock = new ManualClock();
      const journal = new Journal(journalFile());
      const faults: ResolvedFault[] = [{ id: 0, atMs: 0, forMs: 1000, action: 'inject-poison', queue: t.poisonQueueName ?? t.queueName, kind: 'invalid-json', count: 12, ratePerSecond: null }];
      const tl = new ChaosTimeline({ faults, clients: t.clients, journal, clock, runId: 'run-poison' });
      tl.start();
      clock.advance(1000);
      await tl.settled();
      await tl.finish();
      journal.close();
      const url = (await t.clients.sqs.send(new GetQueueUrlCommand({ QueueName: t.poisonQueueName ?? t.queueName }))).QueueUrl!;
      let seen = 0;
      for (let i = 0; i < 5 && seen < 12; i++) {
        const r = await t.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 60 }));
        for (const m of r.Messages ?? []) {
          expect(m.MessageAttributes?.['squall-poison']?.StringValue).toBe('run-poison');
          expect(() => JSON.parse(m.Body!)).toThrow();
          seen++;
        }
      }
      expect(seen).toBe(12);
      expect(tl.events.filter((e) => e.what === 'poison').length).toBeGreaterThan(1);
    });
  });
}
