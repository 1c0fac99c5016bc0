/**
 * The VUs of one run: creating a VU means importing its own instance of the script (the loader
 * hooks give it its own module graph); a pool hands free VUs to scenarios.
 */
import { createRequire } from 'node:module';
import type { RunContext } from './run-context.ts';
import { VuContext } from './vu.ts';

const nativeImport = createRequire(import.meta.url)('./native-import.cjs') as (s: string) => Promise<Record<string, unknown>>;

/** Create VU `id` and run its init code (the script's top level). Errors propagate as thrown. */
export async function initVU(run: RunContext, id: number): Promise<VuContext> {
  const vu = new VuContext(id, run);
  run.vus[id] = vu;
  vu.module = await nativeImport(`${run.scriptUrl}?squall=${run.id}.${id}`);
  vu.inInit = false;
  return vu;
}

export class VuPool {
  private readonly free: VuContext[] = [];
  readonly all: VuContext[] = [];
  private nextId: number;

  constructor(
    private readonly run: RunContext,
    firstId: number,
  ) {
    this.nextId = firstId;
  }

  async add(count: number): Promise<void> {
    const created: VuContext[] = [];
    for (let i = 0; i < count; i++) created.push(await this.create());
    // A stack whose top is the lowest id: scenarios get VU 1, 2, 3 ... in order, as in k6.
    this.free.push(...created.reverse());
  }

  private async create(): Promise<VuContext> {
    const vu = await initVU(this.run, this.nextId++);
    this.all.push(vu);
    this.run.counters.vusInitialized = this.all.length;
    return vu;
  }

  take(): VuContext | undefined {
    return this.free.pop();
  }

  put(vu: VuContext): void {
    this.free.push(vu);
  }

  /** A new VU for an arrival-rate executor that ran out (k6 initializes them one at a time). */
  grow(): Promise<VuContext> {
    return this.create();
  }
}
