/**
 * Every exit code squall uses, in one table. `squall k6 run` uses k6's own codes (k6
 * `errext/exitcodes/codes.go`, copied in shared/reference/k6-contract.md §3.5) so CI scripts
 * written for k6 keep working; squall's own commands use the low numbers.
 */
export const EXIT = {
  ok: 0,
  internalError: 1,
  invalidInput: 2,
  thresholdsFailed: 3,
  predictionMismatch: 4,
  restoreFailed: 5,
  messagesLost: 6,
  /** The environment or the target, not squall: no credentials, endpoint unreachable, port in use, access denied, disk full, a missing program. */
  environmentUnavailable: 7,
  interrupted: 130,
} as const;

/** k6's exit codes, returned by `squall k6 run` exactly as real k6 returns them. */
export const K6_EXIT = {
  ok: 0,
  cloudTestRunFailed: 97,
  cloudFailedToGetProgress: 98,
  thresholdsHaveFailed: 99,
  setupTimeout: 100,
  teardownTimeout: 101,
  genericTimeout: 102,
  genericEngine: 103,
  invalidConfig: 104,
  externalAbort: 105,
  cannotStartRESTAPI: 106,
  scriptException: 107,
  scriptAborted: 108,
  goPanic: 109,
  markedAsFailed: 110,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT] | (typeof K6_EXIT)[keyof typeof K6_EXIT];

/** An error meant for a user: it carries the exit code and a hint on how to fix the cause. */
export class SquallError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, opts: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SquallError';
    this.exitCode = opts.exitCode ?? EXIT.internalError;
    this.hint = opts.hint;
  }
}

export function isSquallError(e: unknown): e is SquallError {
  return e instanceof SquallError;
}
