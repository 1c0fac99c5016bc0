/**
 * The function faults in force on one simulated function (inject-latency, inject-errors,
 * override-status), with the semantics of lambda-faults/index.mjs that the emulator and a wrapped
 * handler on AWS share: each entry applies to its percentage of invocations, drawn independently;
 * latencies add up and count against the timeout; any errors hit fails the invocation (before the
 * handler unless every hit entry runs it); the first status hit replaces a successful response.
 */
import { durationSampler, type Rng } from '../contracts/distributions.ts';
import type { FunctionFaultAction } from '../experiment/types.ts';

/** What faults do to one invocation: `error` is 0 (none), ERROR_BEFORE or ERROR_AFTER the handler. */
export const ERROR_NONE = 0;
export const ERROR_BEFORE = 1;
export const ERROR_AFTER = 2;

interface Entry {
  id: number;
  fault: FunctionFaultAction;
  sample: ((rng: Rng) => number) | null;
}

export class FunctionFaults {
  private readonly entries: Entry[] = [];
  /** Any fault in force: the hot path checks only this. */
  active = false;
  // The last decision, read right after decide() (no allocation per invocation).
  latencyMs = 0;
  error = ERROR_NONE;
  status = 0;

  add(id: number, fault: FunctionFaultAction): void {
    this.entries.push({ id, fault, sample: fault.action === 'inject-latency' ? durationSampler(fault.latency) : null });
    this.active = true;
  }

  remove(id: number): void {
    const i = this.entries.findIndex((e) => e.id === id);
    if (i >= 0) this.entries.splice(i, 1);
    this.active = this.entries.length > 0;
  }

  /** Draw this invocation's faults from `rng`; the result is in latencyMs, error and status. */
  decide(rng: Rng): void {
    let latency = 0;
    let error = ERROR_NONE;
    let status = 0;
    for (const e of this.entries) {
      const f = e.fault;
      if (f.percentage <= 0 || rng.next() * 100 >= f.percentage) continue;
      if (f.action === 'inject-latency') latency += Math.max(0, e.sample!(rng));
      else if (f.action === 'inject-errors') error = error === ERROR_BEFORE || !f.runHandler ? ERROR_BEFORE : ERROR_AFTER;
      else if (status === 0) status = f.statusCode;
    }
    this.latencyMs = latency;
    this.error = error;
    this.status = status;
  }
}
