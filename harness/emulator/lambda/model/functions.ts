/**
 * Lambda's state and its one invoke pipeline. Every way in (Invoke, function URLs, asynchronous
 * retries, event source mappings) goes through `invoke`, so concurrency accounting, warm reuse,
 * cold starts, timeouts and metrics are identical for all of them:
 *
 *   acquire a concurrency lease (or throttle with AWS's Reason)
 *   → take the most recently used idle environment, or start a new one if the scaling-rate
 *     bucket has a token (cold start: init, then invoke)
 *   → run, release the lease, park the environment (idle expiry) or destroy it (timeout, crash).
 *
 * Provisioned concurrency pre-initialises environments per qualifier; they serve only
 * provisioned leases and never expire. All timing goes through the injected clock.
 */
import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '../../../contracts/clock.ts';
import { LAMBDA, LAMBDA_ASYNC, type ThrottleReason } from '../../../contracts/aws-facts.ts';
import type { Rng } from '../../../contracts/distributions.ts';
import type { DurationDistribution, ResolvedAccount, SyntheticBehaviour } from '../../../experiment/types.ts';
import type { Counter, Level, Metrics, PercentileRecorder } from '../../metrics.ts';
import { CodeStore } from '../code-package.ts';
import { functionArn } from '../errors.ts';
import { afterInvoke, expiredPrefix, idleExpiresAt } from '../../../rules/environments.ts';
import { durationScale, type CpuProfile } from '../../../rules/memory-cpu.ts';
import { ConcurrencyModel, SCALING_RATE_THROTTLE_REASON, type FunctionConcurrency, type LeaseKind } from './concurrency.ts';
import type { EnvironmentRuntime, InvokeOutcome, InvokeRequest } from './runtime.ts';
import { faultsOf, invokeWithFaults, withoutFaults, type FaultSpec } from './faults.ts';
import { SyntheticProgram, SyntheticRuntime } from './synthetic.ts';
import { WorkerRuntime } from './worker-runtime.ts';

export type FunctionCode =
  | { kind: 'handler'; file: string; export: string }
  /** A deployment package unpacked by the CodeStore; `handler` is Lambda's Handler string. */
  | { kind: 'package'; taskRoot: string; optRoot: string; handler: string; codeSha256: string; codeSize: number }
  | { kind: 'synthetic'; behaviour: SyntheticBehaviour };

export interface FunctionSpec {
  name: string;
  code: FunctionCode;
  memoryMB: number;
  timeoutSeconds: number;
  architecture: 'x86_64' | 'arm64';
  /** Init time added to each cold start (on top of real module init for handler code). */
  initMs: DurationDistribution;
  /** Shown by GetFunctionConfiguration. */
  runtime: string;
  handler: string;
  role: string;
  description: string;
  env: Record<string, string>;
  /** Delays before async retries after a function error (AWS ≈ 60 s, 120 s). */
  asyncRetryDelaysSeconds: number[];
  /** DeadLetterConfig.TargetArn: where discarded asynchronous events go (SQS here). */
  deadLetterTargetArn?: string;
  /** Layer versions (ARN and zip size), shown by GetFunctionConfiguration. */
  layers?: { arn: string; codeSize: number }[];
  /** How the duration scales with memory (experiment `cpu`); absent = it does not. */
  cpu?: CpuProfile | null;
}

export interface EventInvokeConfig {
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  onSuccess: string | null;
  onFailure: string | null;
  lastModifiedEpochMs: number;
}

export interface UrlConfig {
  qualifier: string | null;
  authType: 'NONE' | 'AWS_IAM';
  invokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
  cors: unknown;
  createdIso: string;
  modifiedIso: string;
}

export interface ProvisionedState {
  status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  statusReason: string | null;
  lastModifiedIso: string;
}

class Environment {
  lastUsed = 0;
  constructor(
    readonly runtime: EnvironmentRuntime,
    readonly provisionedQualifier: string | null,
    /** The version whose code this environment runs ($LATEST or a published number). */
    readonly version: string,
  ) {}
}

/** A published version: an immutable copy of the code and configuration at PublishVersion. */
export interface PublishedVersion {
  readonly version: string;
  readonly spec: FunctionSpec;
  readonly program: SyntheticProgram | null;
  readonly codeSha256: string;
  readonly lastModifiedIso: string;
  readonly revisionId: string;
  readonly description: string;
}

/** An alias: a name for a version, optionally with a second version taking a share of invokes (canary). */
export interface FunctionAlias {
  readonly name: string;
  functionVersion: string;
  description: string;
  /** AdditionalVersionWeights: version → share in [0, 1]; empty when there is no routing. */
  weights: Map<string, number>;
  revisionId: string;
}

interface FunctionMetrics {
  invocations: Counter;
  errors: Counter;
  throttles: Counter;
  coldStarts: Counter;
  concurrency: Level;
  durations: PercentileRecorder;
  throttleByReason: Map<ThrottleReason, Counter>;
  asyncEvents: Counter;
  asyncRetries: Counter;
  asyncDropped: Counter;
  /** Invocations on a qualifier with provisioned concurrency that ran on-demand (CloudWatch ProvisionedConcurrencySpilloverInvocations). */
  spillover: Map<string, Counter>;
  stopGauge: () => void;
}

export class LambdaFunction {
  readonly arn: string;
  lastModifiedIso: string;
  revisionId: string;
  codeSha256: string;
  readonly versions = new Map<string, PublishedVersion>();
  readonly aliases = new Map<string, FunctionAlias>();
  /** The number the next PublishVersion takes; never reused, as on AWS. */
  nextVersion = 1;
  eventInvokeConfig: EventInvokeConfig | null = null;
  urlConfig: UrlConfig | null = null;
  readonly provisionedState = new Map<string, ProvisionedState>();
  /** Idle on-demand environments, oldest first; the end is the most recently used. */
  readonly idle: Environment[] = [];
  readonly idleProvisioned = new Map<string, Environment[]>();
  /** Provisioned environments alive per qualifier (idle + busy + initialising). */
  readonly provisionedAlive = new Map<string, number>();
  onDemandAlive = 0;
  sweepTimer: TimerHandle | null = null;
  program: SyntheticProgram | null;
  readonly rng: Rng;
  deleted = false;
  /** UpdateFunctionConfiguration/UpdateFunctionCode answer InProgress, then settle to Successful as on AWS. */
  lastUpdateStatus: 'InProgress' | 'Successful' = 'Successful';
  /** $LATEST's function faults (SQUALL_FAULTS parsed once per configuration), null when none. */
  faults: FaultSpec | null;

  constructor(
    public spec: FunctionSpec,
    readonly concurrency: FunctionConcurrency,
    readonly metrics: FunctionMetrics,
    rng: Rng,
    nowIso: string,
  ) {
    this.arn = functionArn(spec.name);
    this.lastModifiedIso = nowIso;
    this.revisionId = crypto.randomUUID();
    this.codeSha256 = codeSha256(spec);
    this.rng = rng;
    this.program = spec.code.kind === 'synthetic' ? new SyntheticProgram(spec.code.behaviour, spec.initMs, spec.timeoutSeconds, rng, durationScale(spec.cpu ?? null, spec.memoryMB)) : null;
    this.faults = faultsOf(spec.env);
  }

  get name(): string {
    return this.spec.name;
  }

  /** Whether `q` names something invocable: $LATEST, a published version or an alias. */
  hasQualifier(q: string): boolean {
    return q === '$LATEST' || this.versions.has(q) || this.aliases.has(q);
  }

  /** The version a qualifier points at (an alias's primary version); null when it names nothing. */
  versionOf(q: string | null): string | null {
    if (q === null || q === '$LATEST') return '$LATEST';
    if (this.versions.has(q)) return q;
    return this.aliases.get(q)?.functionVersion ?? null;
  }

  aliveEnvironments(): number {
    let n = this.onDemandAlive;
    for (const v of this.provisionedAlive.values()) n += v;
    return n;
  }
}

/** CodeSha256 as AWS shows it: base64 of a SHA-256 over the code (here: what identifies the code). */
export function codeSha256(spec: FunctionSpec): string {
  if (spec.code.kind === 'package') return spec.code.codeSha256;
  const h = createHash('sha256');
  h.update(JSON.stringify(spec.code));
  return h.digest('base64');
}

/** What an invoke ends with: a throttle reason, or the outcome of running the code. */
export type InvokeDone = (throttle: ThrottleReason | null, outcome: InvokeOutcome | null, initMs: number, executedVersion: string) => void;

export interface LambdaModelOptions {
  clock: Clock;
  metrics: Metrics;
  account: ResolvedAccount;
  rng: Rng;
}

export const DEFAULT_ACCOUNT: ResolvedAccount = {
  concurrencyLimit: LAMBDA.accountConcurrencyLimit,
  unreservedMinimum: LAMBDA.unreservedConcurrencyMinimum,
  scalingRate: { environments: LAMBDA.scalingBucketCapacity, perSeconds: LAMBDA.scalingBucketCapacity / LAMBDA.scalingRefillPerSecond },
  idleExpirySeconds: LAMBDA.idleExpirySecondsDefault,
};

export function defaultSpec(name: string, code: FunctionCode): FunctionSpec {
  return {
    name,
    code,
    memoryMB: LAMBDA.memoryDefaultMB,
    timeoutSeconds: LAMBDA.timeoutDefaultSeconds,
    architecture: 'x86_64',
    initMs: { kind: 'constant', ms: 0 },
    runtime: 'nodejs20.x',
    handler: code.kind === 'handler' ? `index.${code.export}` : 'index.handler',
    role: `arn:aws:iam::000000000000:role/squall-emulated`,
    description: '',
    env: {},
    asyncRetryDelaysSeconds: [...LAMBDA_ASYNC.retryDelaysSeconds],
  };
}

export class LambdaModel {
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly concurrency: ConcurrencyModel;
  /** Unpacked deployment packages (one temporary directory per emulator). */
  readonly packages = new CodeStore();
  account: ResolvedAccount;
  private readonly fns = new Map<string, LambdaFunction>();
  private readonly rng: Rng;
  private closed = false;

  constructor(opts: LambdaModelOptions) {
    this.clock = opts.clock;
    this.metrics = opts.metrics;
    this.account = opts.account;
    this.rng = opts.rng;
    this.concurrency = new ConcurrencyModel(opts.clock, opts.account);
  }

  configureAccount(account: ResolvedAccount): void {
    this.account = account;
    this.concurrency.configureAccount(account);
  }

  nowIso(): string {
    // AWS's FunctionConfiguration.LastModified format: 2026-01-01T00:00:00.000+0000.
    return new Date(this.clock.epochMs()).toISOString().replace('Z', '+0000');
  }

  get(name: string): LambdaFunction | undefined {
    return this.fns.get(name);
  }

  list(): LambdaFunction[] {
    return [...this.fns.values()];
  }

  create(spec: FunctionSpec): LambdaFunction {
    const labels = { function: spec.name };
    const m = this.metrics;
    const fn = new LambdaFunction(
      spec,
      this.concurrency.register(spec.name),
      {
        invocations: m.counter('lambda.invocations', labels),
        errors: m.counter('lambda.errors', labels),
        throttles: m.counter('lambda.throttles', labels),
        coldStarts: m.counter('lambda.cold_starts', labels),
        concurrency: m.level('lambda.concurrency', labels),
        durations: m.percentiles({ 'lambda.duration_p50_ms': 50, 'lambda.duration_p95_ms': 95 }, labels),
        throttleByReason: new Map(),
        asyncEvents: m.counter('lambda.async_events', labels),
        asyncRetries: m.counter('lambda.async_retries', labels),
        asyncDropped: m.counter('lambda.async_dropped', labels),
        spillover: new Map(),
        stopGauge: () => {},
      },
      this.rng.fork(`function:${spec.name}`),
      this.nowIso(),
    );
    fn.metrics.stopGauge = m.gauge('lambda.environments', labels, () => fn.aliveEnvironments());
    this.fns.set(spec.name, fn);
    return fn;
  }

  /** Replace code/config (UpdateFunctionConfiguration); existing environments are recycled like AWS does on update. */
  update(fn: LambdaFunction, spec: FunctionSpec): void {
    fn.spec = spec;
    fn.faults = faultsOf(spec.env);
    fn.program = spec.code.kind === 'synthetic' ? new SyntheticProgram(spec.code.behaviour, spec.initMs, spec.timeoutSeconds, fn.rng, durationScale(spec.cpu ?? null, spec.memoryMB)) : null;
    fn.lastModifiedIso = this.nowIso();
    fn.revisionId = crypto.randomUUID();
    fn.codeSha256 = codeSha256(spec);
    // Published versions are immutable: only $LATEST's environments are recycled.
    this.drainIdle(fn, '$LATEST');
  }

  /** PublishVersion: freeze $LATEST as the next number (or return the last one if nothing changed, as AWS does). */
  publishVersion(fn: LambdaFunction, description: string | undefined): PublishedVersion {
    const last = fn.versions.get(String(fn.nextVersion - 1));
    if (last && last.codeSha256 === fn.codeSha256 && JSON.stringify(last.spec) === JSON.stringify(fn.spec)) return last;
    const version = String(fn.nextVersion++);
    const spec: FunctionSpec = structuredClone(fn.spec);
    const v: PublishedVersion = {
      version,
      spec,
      program: spec.code.kind === 'synthetic' ? new SyntheticProgram(spec.code.behaviour, spec.initMs, spec.timeoutSeconds, fn.rng) : null,
      codeSha256: fn.codeSha256,
      lastModifiedIso: this.nowIso(),
      revisionId: crypto.randomUUID(),
      description: description ?? spec.description,
    };
    fn.versions.set(version, v);
    return v;
  }

  /** The spec and program a version runs. */
  private code(fn: LambdaFunction, version: string): { spec: FunctionSpec; program: SyntheticProgram | null } {
    const v = version === '$LATEST' ? undefined : fn.versions.get(version);
    return v ? { spec: v.spec, program: v.program } : { spec: fn.spec, program: fn.program };
  }

  /**
   * The version an invoke on `qualifier` runs: an alias with AdditionalVersionWeights sends each
   * invoke to the additional version with its weight's probability (Lambda's weighted alias).
   */
  routeVersion(fn: LambdaFunction, qualifier: string | null): string {
    if (qualifier === null || qualifier === '$LATEST') return '$LATEST';
    const alias = fn.aliases.get(qualifier);
    if (!alias) return fn.versions.has(qualifier) ? qualifier : '$LATEST';
    if (alias.weights.size > 0) {
      let u = fn.rng.next();
      for (const [v, w] of alias.weights) {
        if (u < w) return v;
        u -= w;
      }
    }
    return alias.functionVersion;
  }

  delete(fn: LambdaFunction): void {
    fn.deleted = true;
    this.drainIdle(fn);
    for (const q of [...fn.provisionedAlive.keys()]) this.deleteProvisioned(fn, q);
    fn.metrics.stopGauge();
    this.concurrency.unregister(fn.name);
    this.fns.delete(fn.name);
  }

  /** Stop every idle on-demand environment of `fn`, or of one version (the next invoke is a cold start). */
  drainIdle(fn: LambdaFunction, version?: string): void {
    const keep: Environment[] = [];
    for (const env of fn.idle.splice(0)) {
      if (version !== undefined && env.version !== version) {
        keep.push(env);
        continue;
      }
      this.dispose(env.runtime);
      fn.onDemandAlive--;
    }
    fn.idle.push(...keep);
    if (keep.length === 0 && fn.sweepTimer) {
      this.clock.clearTimer(fn.sweepTimer);
      fn.sweepTimer = null;
    }
  }

  /** The most recently used idle on-demand environment running `version`. */
  private takeIdle(fn: LambdaFunction, version: string): Environment | undefined {
    const idle = fn.idle;
    for (let i = idle.length - 1; i >= 0; i--) {
      if (idle[i]!.version === version) return i === idle.length - 1 ? idle.pop() : idle.splice(i, 1)[0];
    }
    return undefined;
  }

  /** Every runtime not yet disposed, so `close` can stop busy workers too. */
  private readonly live = new Set<EnvironmentRuntime>();

  private dispose(r: EnvironmentRuntime): void {
    this.live.delete(r);
    r.dispose();
  }

  private newRuntime(fn: LambdaFunction, version: string): EnvironmentRuntime {
    const r = this.makeRuntime(fn, version);
    this.live.add(r);
    return r;
  }

  private makeRuntime(fn: LambdaFunction, version: string): EnvironmentRuntime {
    const { spec: s, program } = this.code(fn, version);
    if (s.code.kind === 'synthetic') return new SyntheticRuntime(program!, this.clock);
    const pkg = s.code.kind === 'package' ? s.code : null;
    return new WorkerRuntime(
      {
        file: s.code.kind === 'handler' ? s.code.file : '',
        export: s.code.kind === 'handler' ? s.code.export : '',
        ...(pkg ? { taskRoot: pkg.taskRoot, handler: pkg.handler } : {}),
        functionVersion: version,
        functionName: s.name,
        functionArn: fn.arn,
        memoryMB: s.memoryMB,
        timeoutSeconds: s.timeoutSeconds,
        initMs: s.initMs,
        env: {
          ...withoutFaults(s.env),
          AWS_LAMBDA_FUNCTION_NAME: s.name,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(s.memoryMB),
          AWS_LAMBDA_FUNCTION_VERSION: version,
          AWS_REGION: 'us-east-1',
          ...(pkg
            ? {
                LAMBDA_TASK_ROOT: pkg.taskRoot,
                _HANDLER: pkg.handler,
                AWS_EXECUTION_ENV: `AWS_Lambda_${s.runtime}`,
                AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${s.name}`,
                NODE_PATH: [`${pkg.optRoot}/nodejs/node${s.runtime.replace(/^nodejs(\d+)\.x$/, '$1')}/node_modules`, `${pkg.optRoot}/nodejs/node_modules`, pkg.taskRoot].join(':'),
              }
            : {}),
        },
      },
      this.clock,
      fn.rng,
    );
  }

  // -------------------------------------------------------------------------------------------
  // The invoke pipeline

  invoke(fn: LambdaFunction, qualifier: string | null, req: InvokeRequest, done: InvokeDone): void {
    const m = fn.metrics;
    // Only a qualified invoke of real code needs the qualified ARN; the synthetic hot path allocates nothing.
    if (qualifier !== null && fn.spec.code.kind !== 'synthetic' && req.invokedFunctionArn === undefined) req = { ...req, invokedFunctionArn: functionArn(fn.name, qualifier) };
    const version = fn.versions.size === 0 ? '$LATEST' : this.routeVersion(fn, qualifier);
    // A canary invoke runs the additional version, which the alias's provisioned environments do not hold.
    const leaseQualifier = qualifier !== null && version !== (fn.versionOf(qualifier) ?? '$LATEST') ? null : qualifier;
    const lease = this.concurrency.acquire(fn.concurrency, leaseQualifier);
    if (lease !== 'provisioned' && lease !== 'on-demand') {
      this.countThrottle(fn, lease);
      done(lease, null, -1, version);
      return;
    }
    if (lease === 'on-demand' && qualifier !== null && fn.concurrency.provisioned.has(qualifier)) this.countSpillover(fn, qualifier);
    let env: Environment | undefined;
    if (lease === 'provisioned') env = fn.idleProvisioned.get(leaseQualifier!)?.pop();
    else env = this.takeIdle(fn, version);
    if (env) {
      m.concurrency.add(1);
      this.run(fn, env, lease, leaseQualifier, req, -1, done);
      return;
    }
    if (lease === 'on-demand' && !fn.concurrency.bucket.take()) {
      this.concurrency.release(fn.concurrency, lease, leaseQualifier);
      this.countThrottle(fn, SCALING_RATE_THROTTLE_REASON);
      done(SCALING_RATE_THROTTLE_REASON, null, -1, version);
      return;
    }
    qualifier = leaseQualifier;
    // A provisioned lease without an idle provisioned environment cannot happen (busy < allocated
    // means one is idle); treat it as on-demand capacity so the invariant breaking never hangs a caller.
    const created = new Environment(this.newRuntime(fn, version), null, version);
    fn.onDemandAlive++;
    m.coldStarts.add(1);
    m.concurrency.add(1);
    created.runtime.init((failure, initMs) => {
      if (failure) {
        m.invocations.add(1);
        m.errors.add(1);
        this.finish(fn, created, lease, qualifier, failure);
        done(null, failure, initMs, version);
        return;
      }
      this.run(fn, created, lease, qualifier, req, initMs, done);
    });
  }

  private countSpillover(fn: LambdaFunction, qualifier: string): void {
    let c = fn.metrics.spillover.get(qualifier);
    if (!c) {
      c = this.metrics.counter('lambda.provisioned_spillover', { function: fn.name, qualifier });
      fn.metrics.spillover.set(qualifier, c);
    }
    c.add(1);
  }

  private countThrottle(fn: LambdaFunction, reason: ThrottleReason): void {
    const m = fn.metrics;
    m.throttles.add(1);
    let c = m.throttleByReason.get(reason);
    if (!c) {
      c = this.metrics.counter('lambda.throttles_by_reason', { function: fn.name, reason });
      m.throttleByReason.set(reason, c);
    }
    c.add(1);
  }

  private run(fn: LambdaFunction, env: Environment, lease: LeaseKind, qualifier: string | null, req: InvokeRequest, initMs: number, done: InvokeDone): void {
    const m = fn.metrics;
    m.invocations.add(1);
    // Function faults (SQUALL_FAULTS in the version's environment) wrap every invoke path alike.
    const faults = env.version === '$LATEST' ? fn.faults : faultsOf(this.code(fn, env.version).spec.env);
    if (faults !== null) {
      this.runWithFaults(fn, env, lease, qualifier, req, initMs, done, faults);
      return;
    }
    env.runtime.invoke(req, (o) => {
      m.durations.record(o.durationMs);
      if (o.functionError) m.errors.add(1);
      this.finish(fn, env, lease, qualifier, o);
      done(null, o, initMs, env.version);
    });
  }

  /** The same as run's invoke, with the faults in force around it (kept apart: run is the hot path). */
  private runWithFaults(fn: LambdaFunction, env: Environment, lease: LeaseKind, qualifier: string | null, req: InvokeRequest, initMs: number, done: InvokeDone, faults: FaultSpec): void {
    const m = fn.metrics;
    invokeWithFaults(faults, env.runtime, req, this.code(fn, env.version).spec.timeoutSeconds, this.clock, () => fn.rng.next(), (o) => {
      m.durations.record(o.durationMs);
      if (o.functionError) m.errors.add(1);
      this.finish(fn, env, lease, qualifier, o);
      done(null, o, initMs, env.version);
    });
  }

  private finish(fn: LambdaFunction, env: Environment, lease: LeaseKind, qualifier: string | null, o: InvokeOutcome): void {
    fn.metrics.concurrency.add(-1);
    this.concurrency.release(fn.concurrency, lease, qualifier);
    const pq = env.provisionedQualifier;
    if (afterInvoke(o.fatal) === 'reset' || fn.deleted || this.closed) {
      this.dispose(env.runtime);
      if (pq !== null) {
        this.decProvisioned(fn, pq);
        // AWS replaces a failed provisioned environment; keep the allocation at the requested level.
        const slots = fn.concurrency.provisioned.get(pq);
        if (slots && !fn.deleted && !this.closed) {
          slots.allocated--;
          this.allocateProvisioned(fn, pq);
        }
      } else fn.onDemandAlive--;
      return;
    }
    env.lastUsed = this.clock.now();
    if (pq !== null) {
      const slots = fn.concurrency.provisioned.get(pq);
      if (!slots || (fn.provisionedAlive.get(pq) ?? 0) > slots.requested) {
        // Provisioned concurrency was lowered while this environment was busy.
        this.dispose(env.runtime);
        this.decProvisioned(fn, pq);
        if (slots && slots.allocated > slots.requested) slots.allocated = slots.requested;
        return;
      }
      let list = fn.idleProvisioned.get(pq);
      if (!list) fn.idleProvisioned.set(pq, (list = []));
      list.push(env);
      return;
    }
    fn.idle.push(env);
    if (!fn.sweepTimer) this.scheduleSweep(fn);
  }

  private decProvisioned(fn: LambdaFunction, q: string): void {
    fn.provisionedAlive.set(q, Math.max(0, (fn.provisionedAlive.get(q) ?? 0) - 1));
  }

  /** One timer per function: reclaim idle environments older than the idle expiry, oldest first. */
  private scheduleSweep(fn: LambdaFunction): void {
    const oldest = fn.idle[0];
    if (!oldest || this.closed) return;
    const ttl = this.account.idleExpirySeconds * 1000;
    fn.sweepTimer = this.clock.setTimer(
      () => {
        fn.sweepTimer = null;
        const now = this.clock.now();
        const k = expiredPrefix((i) => fn.idle[i]!.lastUsed, fn.idle.length, now, ttl);
        for (const env of fn.idle.splice(0, k)) {
          this.dispose(env.runtime);
          fn.onDemandAlive--;
        }
        this.scheduleSweep(fn);
      },
      Math.max(1, idleExpiresAt(oldest.lastUsed, ttl) - this.clock.now()),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Provisioned concurrency

  setProvisioned(fn: LambdaFunction, qualifier: string, value: number): ProvisionedState {
    const slots = this.concurrency.setProvisioned(fn.concurrency, qualifier, value);
    const state: ProvisionedState = { status: 'IN_PROGRESS', statusReason: null, lastModifiedIso: this.nowIso() };
    fn.provisionedState.set(qualifier, state);
    // Lowered: drop idle provisioned environments above the new level (busy ones go on release).
    const list = fn.idleProvisioned.get(qualifier) ?? [];
    while ((fn.provisionedAlive.get(qualifier) ?? 0) > value && list.length > 0) {
      this.dispose(list.shift()!.runtime);
      this.decProvisioned(fn, qualifier);
    }
    if (slots.allocated > value) slots.allocated = value;
    this.allocateProvisioned(fn, qualifier);
    return state;
  }

  /** Start environments until `requested` are alive; each counts as allocated once its init is done. */
  private allocateProvisioned(fn: LambdaFunction, qualifier: string): void {
    const slots = fn.concurrency.provisioned.get(qualifier);
    const state = fn.provisionedState.get(qualifier);
    if (!slots || !state) return;
    const alive = fn.provisionedAlive.get(qualifier) ?? 0;
    if (alive >= slots.requested && slots.allocated >= slots.requested) {
      state.status = 'READY';
      return;
    }
    const version = fn.versionOf(qualifier) ?? '$LATEST';
    for (let i = alive; i < slots.requested; i++) {
      const env = new Environment(this.newRuntime(fn, version), qualifier, version);
      fn.provisionedAlive.set(qualifier, (fn.provisionedAlive.get(qualifier) ?? 0) + 1);
      env.runtime.init((failure) => {
        const current = fn.concurrency.provisioned.get(qualifier);
        // Lowered while this environment was starting: it is surplus, never allocated.
        if (current !== slots || fn.deleted || this.closed || slots.allocated >= slots.requested) {
          this.dispose(env.runtime);
          this.decProvisioned(fn, qualifier);
          return;
        }
        if (failure) {
          this.dispose(env.runtime);
          this.decProvisioned(fn, qualifier);
          state.status = 'FAILED';
          state.statusReason = `FUNCTION_ERROR_INIT_FAILURE: ${failure.payload.slice(0, 200)}`;
          return;
        }
        slots.allocated++;
        env.lastUsed = this.clock.now();
        let list = fn.idleProvisioned.get(qualifier);
        if (!list) fn.idleProvisioned.set(qualifier, (list = []));
        list.push(env);
        if (slots.allocated >= slots.requested && state.status === 'IN_PROGRESS') state.status = 'READY';
      });
    }
  }

  deleteProvisioned(fn: LambdaFunction, qualifier: string): void {
    this.concurrency.deleteProvisioned(fn.concurrency, qualifier);
    fn.provisionedState.delete(qualifier);
    for (const env of fn.idleProvisioned.get(qualifier) ?? []) {
      this.dispose(env.runtime);
      this.decProvisioned(fn, qualifier);
    }
    fn.idleProvisioned.delete(qualifier);
  }

  /** Stop every environment (workers included) and all timers. */
  close(): void {
    this.closed = true;
    for (const fn of this.fns.values()) {
      this.drainIdle(fn);
      for (const list of fn.idleProvisioned.values()) for (const env of list) this.dispose(env.runtime);
      fn.idleProvisioned.clear();
    }
    // Busy environments too: a worker mid-invocation must not keep the process alive.
    for (const r of [...this.live]) this.dispose(r);
    this.packages.close();
  }

  /** Environments alive (idle, busy or initialising) across all functions. */
  liveRuntimes(): number {
    return this.live.size;
  }
}
