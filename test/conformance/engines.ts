/**
 * The conformance suite's two engines: one scripted experiment (arrivals at exact k6
 * constant-arrival-rate times, constant synthetic durations, faults at exact times) driven
 * through the emulator's models on a stepping manual clock (no HTTP), and through the simulator.
 * Both return per-second series by name and labels, so the suite can demand identical values
 * where the world is deterministic.
 */
import { ManualClock } from '../../harness/contracts/clock.ts';
import { createRng } from '../../harness/contracts/distributions.ts';
import type { Series } from '../../harness/contracts/series.ts';
import { EsmManager, type Mapping } from '../../harness/emulator/lambda/model/esm.ts';
import { defaultSpec, LambdaModel, type LambdaFunction } from '../../harness/emulator/lambda/model/functions.ts';
import { Metrics } from '../../harness/emulator/metrics.ts';
import { bindSqsMetrics } from '../../harness/emulator/sqs/metrics.ts';
import { SqsModel } from '../../harness/emulator/sqs/model.ts';
import { withFault } from '../../harness/chaos/function-faults.ts';
import { POISON_MARKER_ATTRIBUTE } from '../../harness/experiment/resolve.ts';
import type { FunctionFaultAction, ResolvedExperiment, ResolvedScenario } from '../../harness/experiment/types.ts';
import { constantArrivalAt, constantArrivalPeriodNs } from '../../harness/rules/arrival-rate.ts';
import { simulate } from '../../harness/simulator/simulate.ts';

/** Series the suite compares (the deterministic ones both engines publish). */
export const COMPARED = [
  'lambda.invocations',
  'lambda.throttles',
  'lambda.throttles_by_reason',
  'lambda.cold_starts',
  'lambda.concurrency',
  'lambda.errors',
  'esm.pollers',
  'esm.batches',
  'esm.failed_batches',
  'esm.concurrency',
  'sqs.sent',
  'sqs.deleted',
  'sqs.moved_to_dlq',
] as const;

/** Per-second values keyed `name{label=value,…}`, over `seconds` steps (missing steps are 0). */
export type SeriesTable = Record<string, number[]>;

function key(s: Series): string {
  const labels = Object.entries(s.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${s.name}{${labels}}`;
}

function table(series: Series[], seconds: number): SeriesTable {
  const out: SeriesTable = {};
  for (const s of series) {
    if (!(COMPARED as readonly string[]).includes(s.name)) continue;
    const v = Array.from({ length: seconds }, (_, i) => s.values[i] ?? 0);
    // A series that is zero throughout is the same as one never published (CloudWatch's sparse dimensions).
    if (v.every((x) => x === 0)) continue;
    out[key(s)] = v;
  }
  return out;
}

/**
 * k6 constant-arrival-rate: iteration i starts at startTime + i · T while before the duration's
 * end, T = timeUnit / rate truncated to whole nanoseconds as k6 does (rules/arrival-rate.ts, which
 * the simulator's schedule uses too: 1000/6 ms is 166.666666, and a float period drifts off it).
 */
function arrivalTimes(sc: ResolvedScenario): number[] {
  if (sc.executor !== 'constant-arrival-rate') throw new Error(`conformance: scenario ${sc.name}: only constant-arrival-rate is scripted`);
  const periodNs = constantArrivalPeriodNs(sc.rate, sc.timeUnitMs);
  const out: number[] = [];
  for (let i = 0; constantArrivalAt(i, periodNs) < sc.durationMs; i++) out.push(sc.startTimeMs + constantArrivalAt(i, periodNs));
  return out;
}

export function runSimulator(exp: ResolvedExperiment, seconds: number): SeriesTable {
  const r = simulate(exp, { drainLimitMs: seconds * 1000, idealEsmTiming: true });
  return table(r.series.series, seconds);
}

/** A manual clock that fires one timer at a time, so each timer's promise continuations run before the next timer. */
class SteppingClock extends ManualClock {
  private readonly due: Array<{ at: number; seq: number; fn: () => void; id: number }> = [];
  private n = 0;
  override setTimer(fn: () => void, ms: number): { id: number } {
    const id = ++this.n;
    this.due.push({ at: this.now() + Math.max(0, ms), seq: id, fn, id });
    return { id };
  }
  override clearTimer(h: { id: number }): void {
    const i = this.due.findIndex((d) => d.id === h.id);
    if (i >= 0) this.due.splice(i, 1);
  }
  /** Open-loop arrivals, in time order: at equal times they go after timers, as in the simulator's loop. */
  readonly arrivals: Array<{ at: number; fn: () => void }> = [];
  private nextArrival = 0;
  /** Fire the earliest timer (or arrival) due by `end` (ties in scheduling order); false when none is. */
  fireNext(end: number): boolean {
    let best = -1;
    for (let i = 0; i < this.due.length; i++) {
      const d = this.due[i]!;
      if (d.at <= end && (best < 0 || d.at < this.due[best]!.at || (d.at === this.due[best]!.at && d.seq < this.due[best]!.seq))) best = i;
    }
    const a = this.arrivals[this.nextArrival];
    if (a && a.at <= end && (best < 0 || a.at < this.due[best]!.at)) {
      this.nextArrival++;
      super.advance(a.at - this.now());
      a.fn();
      return true;
    }
    if (best < 0) return false;
    const [d] = this.due.splice(best, 1);
    super.advance(d!.at - this.now());
    d!.fn();
    return true;
  }
}

const flush = () => new Promise<void>((r) => setImmediate(r));

export async function runEmulator(exp: ResolvedExperiment, seconds: number): Promise<SeriesTable> {
  const clock = new SteppingClock();
  const metrics = new Metrics(clock);
  metrics.start();
  const lambda = new LambdaModel({ clock, metrics, account: exp.system.account, rng: createRng(exp.seed) });
  const sqs = new SqsModel({ clock, accountId: '000000000000', region: 'us-east-1' });
  const unbind = bindSqsMetrics(sqs, metrics);
  const esm = new EsmManager(lambda, sqs);
  const sys = exp.system;
  const queues = Object.values(sys.queues);
  const dlqs = new Set(queues.map((q) => q.redrive?.deadLetterQueue).filter(Boolean));
  for (const q of [...queues.filter((q) => dlqs.has(q.name)), ...queues.filter((q) => !dlqs.has(q.name))]) {
    const attrs: Record<string, string> = { VisibilityTimeout: String(q.visibilityTimeoutSeconds), DelaySeconds: String(q.delaySeconds) };
    if (q.redrive) attrs.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: sqs.getQueue(q.redrive.deadLetterQueue)!.arn, maxReceiveCount: q.redrive.maxReceiveCount });
    sqs.createQueue(q.name, attrs);
  }
  const fns = new Map<string, LambdaFunction>();
  const qualifier = (f: LambdaFunction) => (f.concurrency.provisioned.size > 0 ? 'live' : null);
  for (const f of Object.values(sys.functions)) {
    const s = f.synthetic!;
    const fn = lambda.create({
      ...defaultSpec(f.name, { kind: 'synthetic', behaviour: { duration: s.duration, errorRate: s.errorRate, poison: s.poison, response: s.response } }),
      initMs: f.coldStart.initMs,
      timeoutSeconds: f.timeoutSeconds,
      memoryMB: f.memoryMB,
    });
    if (f.reservedConcurrency !== null) lambda.concurrency.setReserved(fn.concurrency, f.reservedConcurrency);
    if (f.provisionedConcurrency > 0) lambda.setProvisioned(fn, 'live', f.provisionedConcurrency);
    fns.set(f.name, fn);
  }
  const mappings = new Map<string, Mapping>();
  for (const es of sys.eventSources) {
    const fn = fns.get(es.function)!;
    const mp = esm.create(sqs.getQueue(es.queue)!, fn, qualifier(fn), {
      batchSize: es.batchSize,
      maximumBatchingWindowSeconds: es.maximumBatchingWindowSeconds,
      reportBatchItemFailures: es.reportBatchItemFailures,
      maximumConcurrency: es.maximumConcurrency,
      enabled: es.enabled,
    });
    mappings.set(es.id, mp);
  }
  // Function faults in force per function, in the order applied: the environment squall would write.
  const inForce = new Map<string, FunctionFaultAction[]>();
  // Faults first, then load: at equal times the simulator applies the fault before the request.
  for (const f of exp.chaos.faults) {
    const apply = (restore: boolean) => {
      if (f.action === 'inject-latency' || f.action === 'inject-errors' || f.action === 'override-status') {
        // As UpdateFunctionConfiguration does it (the provider's path): a new environment, idle environments stopped.
        const fn = fns.get(f.function)!;
        const stack = (inForce.get(f.function) ?? []).filter((x) => x !== f);
        if (!restore) stack.push(f);
        inForce.set(f.function, stack);
        lambda.update(fn, { ...fn.spec, env: stack.reduce<Record<string, string>>((env, x) => withFault(env, x), {}) });
      } else if (f.action === 'set-reserved-concurrency') {
        const fn = fns.get(f.function)!;
        lambda.concurrency.setReserved(fn.concurrency, restore ? sys.functions[f.function]!.reservedConcurrency : f.value);
      } else if (f.action === 'disable-event-source' || f.action === 'enable-event-source') {
        const mp = mappings.get(f.eventSource)!;
        esm.update(mp, { ...mp.config, enabled: (f.action === 'enable-event-source') !== restore });
      } else throw new Error(`conformance: fault ${f.action} is not scripted`);
    };
    clock.setTimer(() => apply(false), f.atMs);
    if (f.forMs !== null) clock.setTimer(() => apply(true), f.atMs + f.forMs);
  }
  let requests = 0;
  let poisonAcc = 0;
  for (const sc of Object.values(exp.load.scenarios)) {
    for (const t of arrivalTimes(sc)) {
      clock.arrivals.push({ at: t, fn: () => {
        if (sc.template === 'lambda-invoke') {
          const fn = fns.get(sc.function)!;
          lambda.invoke(fn, qualifier(fn), { requestId: `r${++requests}`, payload: '{}', event: {}, logTail: false, clientContext: null }, () => {});
        } else if (sc.template === 'sqs-producer') {
          const q = sqs.getQueue(sc.queue)!;
          // k6-scripts/poison.js's accumulator picks how many entries are poison; the first ones are.
          let poison = 0;
          if (sc.poison)
            for (let i = 0; i < sc.batchSize; i++) {
              poisonAcc += sc.poison.ratio;
              if (poisonAcc >= 1 - 1e-9) {
                poisonAcc -= 1;
                poison++;
              }
            }
          const entries = Array.from({ length: sc.batchSize }, (_, i) =>
            i < poison ? { body: sc.body, messageAttributes: { [POISON_MARKER_ATTRIBUTE]: { DataType: 'String', StringValue: 'conformance' } } } : { body: sc.body },
          );
          // One SendMessageBatch per 10 entries, as k6-scripts/producer.js sends them.
          for (let i = 0; i < entries.length; i += 10) sqs.sendBatch(q, entries.slice(i, i + 10));
        } else throw new Error(`conformance: template ${sc.template} is not scripted`);
      } });
    }
  }
  clock.arrivals.sort((a, b) => a.at - b.at);
  const end = seconds * 1000;
  await flush();
  while (clock.fireNext(end)) await flush();
  clock.advance(end - clock.now());
  const snap = metrics.snapshot();
  esm.close();
  unbind();
  metrics.stop();
  return table(snap.series, seconds);
}
