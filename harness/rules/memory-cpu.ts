/**
 * Memory is CPU on Lambda: a function gets vCPUs in proportion to its memory (one vCPU at
 * 1,769 MB, at most six). A duration splits into a CPU part, which stretches or shrinks with the
 * CPU the function can use, and a part spent waiting (I/O), which does not. A handler that runs on
 * one thread (Node.js) can use at most one vCPU, so it gains nothing past 1,769 MB. The emulator
 * (synthetic durations and measured handler busy time) and the simulator both scale with these
 * functions, so a `--sweep memoryMB` moves duration, concurrency and cost together.
 */
import { LAMBDA } from '../contracts/aws-facts.ts';

/**
 * vCPUs a function has at `memoryMB`: in proportion to memory (fractional below 1,769 MB), capped
 * at AWS's six (the proportional rule gives 5.79 at 10,240 MB; AWS says "up to 6").
 */
export function vcpus(memoryMB: number): number {
  return Math.min(LAMBDA.vcpuMax, memoryMB / LAMBDA.memoryPerVcpuMB);
}

/** CPU a handler can use at `memoryMB`, in vCPUs: never more than its threads. */
export function usableCpu(memoryMB: number, threads = 1): number {
  return Math.min(vcpus(memoryMB), Math.max(1, threads));
}

export interface CpuProfile {
  /** Share of the duration that is CPU work at `referenceMemoryMB`, in [0, 1]. */
  fraction: number;
  /** Memory at which the declared (or calibrated) duration was measured. */
  referenceMemoryMB: number;
  /** Threads the handler keeps busy (1 for a Node.js handler). */
  threads: number;
}

/**
 * Factor by which a duration measured at the profile's reference memory changes at `memoryMB`:
 * the waiting part stays, the CPU part scales by usable CPU then over usable CPU now. A linear
 * factor, so a whole distribution scales by it.
 */
export function durationScale(cpu: CpuProfile | null, memoryMB: number): number {
  if (!cpu || cpu.fraction <= 0) return 1;
  const ratio = usableCpu(cpu.referenceMemoryMB, cpu.threads) / usableCpu(memoryMB, cpu.threads);
  return 1 - cpu.fraction + cpu.fraction * ratio;
}

/**
 * Extra time a handler measured on the host must wait at `memoryMB`: its busy (CPU) time ran on
 * a whole host core, which stands for one vCPU (1,769 MB); below that the CPU part stretches by
 * 1 / vCPUs. Above one vCPU a single thread runs no faster, so nothing is added or taken away.
 */
export function measuredCpuStretchMs(busyMs: number, memoryMB: number, threads = 1): number {
  const usable = usableCpu(memoryMB, threads);
  return usable >= 1 ? 0 : busyMs * (1 / usable - 1);
}
