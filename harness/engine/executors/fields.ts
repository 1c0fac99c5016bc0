/**
 * Reading executor fields from a script's `options.scenarios` entry, k6-style: strict types, every
 * problem collected with its path (`scenarios.<name>.<field>`), so one run reports all of them.
 */
import { parseDuration } from '../duration.ts';
import type { Stage } from './types.ts';

export class FieldReader {
  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly path: string,
    private readonly errors: string[],
  ) {}

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  error(key: string, message: string): void {
    this.errors.push(`${this.path}.${key}: ${message}`);
  }

  int(key: string, def: number | undefined, min = 0): number {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (def === undefined) {
        this.error(key, 'is required');
        return 0;
      }
      return def;
    }
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      this.error(key, `must be an integer, got ${JSON.stringify(v)}`);
      return def ?? 0;
    }
    if (v < min) {
      this.error(key, `must be at least ${min}, got ${v}`);
      return def ?? min;
    }
    return v;
  }

  duration(key: string, def: number | undefined, minMs = 0): number {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (def === undefined) {
        this.error(key, 'is required (a duration like "30s")');
        return 0;
      }
      return def;
    }
    const ms = parseDuration(v);
    if (ms === undefined) {
      this.error(key, `is not a duration: ${JSON.stringify(v)} (write e.g. "30s", "1m30s", "500ms")`);
      return def ?? 0;
    }
    if (ms < minMs) {
      this.error(key, `must be at least ${minMs / 1000}s, got ${JSON.stringify(v)}`);
      return def ?? minMs;
    }
    return ms;
  }

  stages(key: string, required: boolean): Stage[] {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (required) this.error(key, 'is required: a list of {duration, target}');
      return [];
    }
    if (!Array.isArray(v)) {
      this.error(key, 'must be a list of {duration, target}');
      return [];
    }
    if (v.length === 0 && required) this.error(key, 'needs at least one stage');
    const out: Stage[] = [];
    v.forEach((s: unknown, i) => {
      const where = `${key}[${i}]`;
      if (typeof s !== 'object' || s === null) {
        this.error(where, 'must be {duration, target}');
        return;
      }
      const st = s as Record<string, unknown>;
      const durationMs = parseDuration(st.duration);
      if (durationMs === undefined || durationMs < 0) this.error(`${where}.duration`, `is not a duration: ${JSON.stringify(st.duration)}`);
      const target = st.target ?? 0;
      if (typeof target !== 'number' || !Number.isInteger(target) || target < 0) {
        this.error(`${where}.target`, `must be a non-negative integer, got ${JSON.stringify(st.target)}`);
      }
      for (const k of Object.keys(st)) if (k !== 'duration' && k !== 'target') this.error(`${where}.${k}`, 'unknown field');
      out.push({ durationMs: durationMs ?? 0, target: typeof target === 'number' ? target : 0 });
    });
    return out;
  }
}

/** Wait for every promise in `loops`, or until `deadline` resolves, whichever is first. */
export async function raceDeadline(loops: Promise<unknown>[], deadline: Promise<void>): Promise<void> {
  await Promise.race([Promise.all(loops), deadline]);
}

/** Count of running iterations with a promise for "all of them ended". */
export class InFlight {
  private n = 0;
  private waiters: (() => void)[] = [];
  get count(): number {
    return this.n;
  }
  add(): void {
    this.n++;
  }
  done(): void {
    this.n--;
    if (this.n === 0 && this.waiters.length) {
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }
  idle(): Promise<void> {
    if (this.n === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }
}

/** Global tick indices this instance takes, by k6's striping (every tick for the whole test). */
export function* stripedTicks(stripe: { start: number; offsets: readonly number[] }): Generator<number> {
  if (stripe.start < 0) return; // this instance owns no tick at all
  let k = stripe.start;
  let j = 0;
  const offs = stripe.offsets.length ? stripe.offsets : [1];
  for (;;) {
    yield k;
    k += offs[j] as number;
    j = (j + 1) % offs.length;
  }
}
