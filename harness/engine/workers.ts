/**
 * `--workers N`: the parent spawns N Node processes; child i runs execution segment (i−1)/N:i/N of
 * sequence 0,1/N,…,1 (segments.ts, the same split k6-operator makes) and streams back its NDJSON
 * lines through a pipe (fd 4) and, at the end, snapshots of its sinks (HDR histograms included)
 * and of its group/check tree over IPC. The parent merges them into one summary and one NDJSON
 * stream. Children run their own setup/teardown and thresholds on their own share, as k6
 * instances of a distributed test do (k6-contract.md §6.1); the parent's final thresholds and
 * summary use the merged metrics.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import type { GroupsSnapshot } from './metrics/groups.ts';
import type { SinkSnapshot } from './metrics/sinks.ts';
import type { CliOverrides } from './options.ts';

/** What the parent sends a child (JSON over IPC). */
export interface WorkerConfig {
  script: string;
  cwd: string;
  cli: CliOverrides;
  env: Record<string, string>;
  includeSystemEnv: boolean;
  noThresholds: boolean;
  noSetup: boolean;
  noTeardown: boolean;
  segment: string;
  sequence: string;
  wantPoints: boolean;
}

export interface WorkerProgress {
  completed: number;
  interrupted: number;
  vusActive: number;
  vusMax: number;
}

export interface WorkerDone {
  snapshot: Record<string, SinkSnapshot>;
  types: Record<string, { type: string; contains: string }>;
  groups: GroupsSnapshot;
  runErrorCode: number | undefined;
  runErrorMessage: string | undefined;
  markedFailed: string | undefined;
  setupDataJson: string | undefined;
  droppedIterations: number;
  schedulingLagP99Ms: number | undefined;
}

export type WorkerMessage =
  | { type: 'progress'; progress: WorkerProgress }
  | { type: 'done'; done: WorkerDone }
  | { type: 'fatal'; message: string; hint: string | undefined; exitCode: number };

export interface WorkerOutcome {
  index: number;
  done: WorkerDone | undefined;
  fatal: { message: string; hint: string | undefined; exitCode: number } | undefined;
  exitCode: number | null;
}

export interface SpawnOptions {
  n: number;
  config: Omit<WorkerConfig, 'segment' | 'sequence'>;
  onLines: (text: string) => void;
  onProgress: (index: number, p: WorkerProgress) => void;
}

export class WorkerGroup {
  private readonly children: ChildProcess[] = [];

  stop(): void {
    for (const c of this.children) if (c.connected) c.send({ type: 'stop' });
  }

  async run(o: SpawnOptions): Promise<WorkerOutcome[]> {
    const entry = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
    const seq = Array.from({ length: o.n + 1 }, (_, i) => (i === 0 ? '0' : i === o.n ? '1' : `${i}/${o.n}`));
    const jobs = Array.from({ length: o.n }, (_, i) => {
      // tsx by absolute URL: the child's working directory is the user's, not this project.
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
      const child = spawn(process.execPath, ['--import', tsx, entry], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
        cwd: o.config.cwd,
        env: process.env,
      });
      this.children.push(child);
      const outcome: WorkerOutcome = { index: i + 1, done: undefined, fatal: undefined, exitCode: null };
      let rest = '';
      const pts = child.stdio[4] as Readable | null;
      pts?.setEncoding('utf8');
      pts?.on('data', (chunk: string) => {
        const text = rest + chunk;
        const cut = text.lastIndexOf('\n');
        if (cut < 0) {
          rest = text;
          return;
        }
        rest = text.slice(cut + 1);
        o.onLines(text.slice(0, cut + 1));
      });
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') o.onProgress(i + 1, m.progress);
        else if (m.type === 'done') outcome.done = m.done;
        else if (m.type === 'fatal') outcome.fatal = { message: m.message, hint: m.hint, exitCode: m.exitCode };
      });
      const cfg: WorkerConfig = { ...o.config, segment: `${seq[i]}:${seq[i + 1]}`, sequence: seq.join(',') };
      child.send(cfg);
      const exited = new Promise<void>((res) => child.on('exit', (code) => {
        outcome.exitCode = code;
        res();
      }));
      const drained = pts ? new Promise<void>((res) => pts.on('end', () => res())) : Promise.resolve();
      return Promise.all([exited, drained]).then(() => {
        if (rest) o.onLines(`${rest}\n`);
        return outcome;
      });
    });
    return Promise.all(jobs);
  }
}
