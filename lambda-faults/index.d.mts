/** Types of squall/lambda-faults (index.mjs): the SQUALL_FAULTS contract, for TypeScript users and squall itself. */

export declare const FAULTS_ENV: 'SQUALL_FAULTS';
export declare const INJECTED_ERROR_TYPE: 'SquallInjectedError';

/** squall's resolved duration distribution shape. */
export type LatencyDistribution =
  | { kind: 'constant'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'normal'; meanMs: number; stddevMs: number }
  | { kind: 'lognormal'; p50Ms: number; p99Ms: number }
  | { kind: 'exponential'; meanMs: number }
  | { kind: 'empirical'; percentiles: Array<{ p: number; ms: number }> };

export interface LatencyEntry {
  percentage: number;
  ms?: number;
  minMs?: number;
  maxMs?: number;
  distribution?: LatencyDistribution;
  timeout?: boolean;
}
export interface ErrorsEntry {
  percentage: number;
  runHandler?: boolean;
  errorType?: string;
  message?: string;
}
export interface StatusEntry {
  percentage: number;
  statusCode: number;
  body?: string;
}

/** The JSON in SQUALL_FAULTS: each part one entry, or a list of entries (overlapping faults). */
export interface FaultSpec {
  latency?: LatencyEntry | LatencyEntry[];
  errors?: ErrorsEntry | ErrorsEntry[];
  status?: StatusEntry | StatusEntry[];
}

export interface StatusResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface FaultDecision {
  latencyMs: number;
  error: { errorType: string; message: string; runHandler: boolean } | null;
  status: StatusResponse | null;
}

export interface ContextLike {
  getRemainingTimeInMillis?: () => number;
}

export declare class SquallInjectedError extends Error {
  constructor(message: string, errorType?: string);
}
export declare function readFaults(env?: Record<string, string | undefined>): FaultSpec | null;
export declare function parseFaults(raw: string): FaultSpec | null;
export declare function quantileMs(dist: LatencyDistribution, q: number): number;
export declare function latencyMs(latency: Partial<LatencyEntry>, context: ContextLike | undefined, random: () => number): number;
export declare function decideFaults(spec: FaultSpec, random: () => number, context?: ContextLike): FaultDecision;
export declare function withFaults<H extends (...args: never[]) => unknown>(
  handler: H,
  options?: { env?: Record<string, string | undefined>; random?: () => number; sleep?: (ms: number) => Promise<void> },
): (event: unknown, context: unknown) => Promise<unknown>;
