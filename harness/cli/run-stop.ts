/**
 * Wires the stop conditions into one run: which live sources to read (the emulator's metrics; a
 * live, uncompressed side copy of the load's points, only when a condition needs a client series),
 * what to do when one fires (journal first, then restore every fault at once, then stop the load
 * unless the condition says `then: continue`), and the k6 abortOnFail notice from the load's logs.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Journal } from '../chaos/journal.ts';
import { abortOnFailMetric, isClientSeries, StopConditionWatcher, type LiveSeriesSource, type StopFired } from '../chaos/stop-conditions.ts';
import type { ChaosTimeline, RestoreReport } from '../chaos/timeline.ts';
import type { Clock } from '../contracts/clock.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { emulatorMetricsSource, LiveK6Points } from '../observe/live.ts';
import { AlarmWatcher } from '../chaos/alarms.ts';
import type { TargetClients } from '../target/clients.ts';

/** The uncompressed side output the load writes while it runs; removed after the run. */
export const LIVE_POINTS_FILE = 'k6-live.ndjson';

export interface StopWiring {
  /** Extra `k6 run` flags (the live points output), empty when no condition reads client series. */
  extraArgs: string[];
  /** The signal the runner obeys: the user's interrupt, or a fired condition with `then: stop-load`. */
  loadSignal: AbortSignal | undefined;
  /** Feed the load generator's stderr here: k6 logs the abortOnFail stop there. */
  onLoadOutput(chunk: Buffer): void;
  /** The load's scenarios started at this epoch: evaluation begins. */
  start(loadStartEpochMs: number): void;
  /**
   * Stop evaluating, wait for a reaction in progress, remove the live file; what fired, if anything.
   * `summaryFile` (k6-summary.json) gives a k6 abortOnFail threshold its value.
   */
  finish(summaryFile?: string): Promise<{ fired: StopFired | null; restore: RestoreReport | null }>;
}

export function wireStopConditions(o: {
  experiment: ResolvedExperiment;
  runDir: string;
  clock: Clock;
  journal: Journal;
  timeline: () => ChaosTimeline | null;
  emulatorEndpoint: string | null;
  signal: AbortSignal | undefined;
  log: (line: string) => void;
  /** The target's clients: CloudWatch alarm conditions are read through them (aws only). */
  clients?: TargetClients | null;
}): StopWiring {
  const conditions = o.experiment.chaos.stopConditions;
  const alarms = o.experiment.chaos.alarms ?? [];
  const stopLoad = new AbortController();
  const loadSignal = o.signal ? AbortSignal.any([o.signal, stopLoad.signal]) : stopLoad.signal;
  const sources: LiveSeriesSource[] = [];
  let loadStart = 0;
  let live: LiveK6Points | null = null;
  const livePath = path.join(o.runDir, LIVE_POINTS_FILE);
  if (conditions.some((c) => isClientSeries(c.series))) {
    live = new LiveK6Points(livePath, () => loadStart);
    sources.push(live);
  }
  if (o.emulatorEndpoint && conditions.some((c) => !isClientSeries(c.series))) sources.push(emulatorMetricsSource(o.emulatorEndpoint));
  if (o.experiment.target.kind === 'aws' && conditions.some((c) => !isClientSeries(c.series))) {
    o.log('warning: stop conditions on system series are not evaluated on an aws target yet (CloudWatch lags by minutes); only client series (http.*, k6.*) and k6 abortOnFail thresholds are watched');
  }
  let restore: RestoreReport | null = null;
  const watcher = new StopConditionWatcher({
    conditions,
    sources,
    clock: o.clock,
    onWarning: (m) => o.log(`warning: ${m}`),
    onFire: async (f) => {
      o.log(`stop condition fired +${(f.atMs / 1000).toFixed(1)}s: ${f.condition}${f.value !== null ? ` (value ${f.value})` : ''}; restoring every fault${f.then === 'stop-load' ? ' and stopping the load' : ', the load continues'}`);
      o.journal.write({ event: 'stop-condition', condition: f.condition, index: f.index, atMs: f.atMs, value: f.value, then: f.then, at: f.at });
      // Stop the load first: SIGTERM returns at once, while the restore waits on the target's API.
      // (A k6 abortOnFail stop is already ending the load: a SIGTERM now would turn its exit 99 into 105.)
      if (f.then === 'stop-load' && f.index !== null) stopLoad.abort();
      const tl = o.timeline();
      if (tl) restore = await tl.finish();
    },
  });
  let alarmWatch: AlarmWatcher | null = null;
  if (alarms.length && o.experiment.target.kind === 'aws' && o.clients) {
    alarmWatch = new AlarmWatcher({
      conditions: alarms,
      clients: o.clients,
      clock: o.clock,
      onWarning: (m) => o.log(`warning: ${m}`),
      onAlarm: (c) => watcher.externalFired({ index: c.index, condition: `CloudWatch alarm ${c.alarm} in ALARM`, value: null, then: c.then }),
    });
  } else if (alarms.length) {
    o.log('warning: CloudWatch alarm stop conditions are evaluated on an aws target only; ignored on the emulator');
  }
  let stderrTail = '';
  return {
    extraArgs: live ? ['--out', `json=${livePath}`] : [],
    loadSignal,
    onLoadOutput(chunk) {
      // Lines may arrive split across chunks: keep the unfinished end.
      const text = stderrTail + chunk.toString('utf8');
      const metric = abortOnFailMetric(text);
      stderrTail = text.slice(Math.max(0, text.lastIndexOf('\n') + 1)).slice(-4096);
      if (metric) watcher.thresholdAborted(metric);
    },
    start(epoch) {
      loadStart = epoch;
      watcher.start(epoch);
      alarmWatch?.start();
    },
    async finish(summaryFile) {
      await alarmWatch?.stop();
      watcher.stop();
      await watcher.settled();
      live?.close();
      rmSync(livePath, { force: true });
      const fired = watcher.fired;
      if (fired && fired.index === null && fired.value === null && summaryFile) fired.value = abortedThresholdValue(summaryFile, fired.condition);
      return { fired, restore };
    },
  };
}

/**
 * The value of the failed abortOnFail threshold, from the summary k6 wrote: the statistic its
 * expression names (`rate<0.01` → `values.rate`, `p(95)<500` → `values["p(95)"]`). Null when the
 * summary is missing or says nothing failed.
 */
export function abortedThresholdValue(summaryFile: string, condition: string): number | null {
  const metric = /^k6 threshold on (\S+) /.exec(condition)?.[1];
  if (!metric) return null;
  try {
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { metrics?: Record<string, { values?: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }> };
    const m = summary.metrics?.[metric];
    const failed = Object.entries(m?.thresholds ?? {}).find(([, r]) => !r.ok)?.[0];
    const stat = failed ? /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)/.exec(failed)?.[1] : undefined;
    const v = stat !== undefined ? m?.values?.[stat] : undefined;
    return typeof v === 'number' ? v : null;
  } catch {
    return null;
  }
}
