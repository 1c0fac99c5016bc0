/**
 * Typed view models: what the Handlebars templates receive. Templates never see the raw
 * experiment; every value a template inserts into JavaScript is prepared here, and every user
 * string arrives as a JSON literal (`…Json` fields), so a quote or a `</script>` in a header or a
 * body template cannot break or inject into the generated code. Templates insert them with `{{{ }}}`
 * (the Handlebars environment also runs with `noEscape`).
 */
import path from 'node:path';
import { dict } from '../contracts/dict.ts';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import type {
  ResolvedExperiment,
  ResolvedExecutor,
  ResolvedScenario,
  ThresholdSpec,
} from '../experiment/types.ts';
import { k6Duration } from './durations.ts';

/** k6 `options` as written into the script (k6's own field names and duration strings). */
export interface K6Options {
  scenarios: Record<string, Record<string, unknown>>;
  thresholds: Record<string, Array<string | { threshold: string; abortOnFail: boolean; delayAbortEval?: string }>>;
  summaryTrendStats: string[];
  tags: Record<string, string>;
}

interface ScenarioViewBase {
  /** Scenario name (the k6 `scenario` tag). */
  name: string;
  nameJson: string;
  /** Exported exec function name, a JS identifier unique in the script. */
  exec: string;
  /** Identifier prefix for this scenario's module-level constants. */
  ident: string;
  /** Seconds to `await sleep()` after each iteration (VU executors only), or 0. */
  thinkTimeSeconds: number;
  /** Tags added to squall's own metric samples (`scenario` is added by k6 itself). */
  tagsJson: string;
  executor: string;
}

export interface HttpScenarioView extends ScenarioViewBase {
  template: 'http';
  /** JS expression for the full URL (a function URL from __ENV, or a literal). */
  urlExpr: string;
  /** The function whose URL is used, as a JSON literal, or null for a literal URL. */
  functionJson: string | null;
  methodJson: string;
  headersJson: string;
  /** Body template as a JSON literal, or null for no body. */
  bodyJson: string | null;
  expectedStatusesArgs: string;
  checks: Array<{ nameJson: string; expr: string }>;
  retryAttempts: number;
}

export interface SqsProducerScenarioView extends ScenarioViewBase {
  template: 'sqs-producer';
  queueJson: string;
  batchSize: number;
  bodyJson: string;
  messageGroupIdJson: string | null;
  /** FIFO queue without content-based deduplication: each entry needs a MessageDeduplicationId. */
  needsDeduplicationId: boolean;
  poison: { ratio: number; kindJson: string } | null;
  maxMessageBytes: number;
}

export interface LambdaInvokeScenarioView extends ScenarioViewBase {
  template: 'lambda-invoke';
  functionJson: string;
  invocationTypeJson: string;
  /** 200 for RequestResponse, 202 for Event (aws-lambda-sqs-facts.md §5.2). */
  expectedStatus: number;
  payloadJson: string;
  retryAttempts: number;
}

export interface CustomScenarioView extends ScenarioViewBase {
  template: 'custom';
  /** Absolute path of the user's template. */
  path: string;
  /** The scenario's `vars`, raw (use the `json` helper to insert them as JS literals). */
  vars: Record<string, unknown>;
  varsJson: string;
}

export type ScenarioView = HttpScenarioView | SqsProducerScenarioView | LambdaInvokeScenarioView | CustomScenarioView;

/** An environment variable the script reads, for the script header and setup() validation. */
export interface EnvVarView {
  name: string;
  /** Why the script needs it. */
  purpose: string;
  /** setup() fails the run when it is missing. */
  required: boolean;
}

export interface ScriptView {
  experimentName: string;
  descriptionLines: string[];
  sourceFile: string;
  options: K6Options;
  optionsJson: string;
  scenarios: ScenarioView[];
  /** Some scenario calls SQS or Lambda APIs (needs credentials and endpoints). */
  usesAws: boolean;
  env: EnvVarView[];
  /** Function names whose URL must be present (setup() checks them), as JSON literals. */
  requiredFunctionUrlsJson: string;
}

/** k6 scenario keys (k6-contract.md §4.1); they also appear in comments and identifiers of the script. */
const K6_SCENARIO_NAME = /^[0-9a-zA-Z_-]+$/;

/** Text safe inside a `//` comment of the script (no line breaks). */
const commentSafe = (s: string): string => s.replace(/[\r\n\u2028\u2029]+/g, ' ');

const VU_EXECUTORS = new Set(['shared-iterations', 'per-vu-iterations', 'constant-vus', 'ramping-vus']);

/** The k6 scenario object for one resolved scenario (field names and defaults are k6's: k6-contract.md §4). */
export function k6ScenarioOptions(s: ResolvedScenario, exec: string): Record<string, unknown> {
  const e = s as ResolvedExecutor;
  const out: Record<string, unknown> = { executor: e.executor };
  switch (e.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      out.vus = e.vus;
      out.iterations = e.iterations;
      out.maxDuration = k6Duration(e.maxDurationMs);
      break;
    case 'constant-vus':
      out.vus = e.vus;
      out.duration = k6Duration(e.durationMs);
      break;
    case 'ramping-vus':
      out.startVUs = e.startVUs;
      out.stages = e.stages.map((st) => ({ duration: k6Duration(st.durationMs), target: st.target }));
      out.gracefulRampDown = k6Duration(e.gracefulRampDownMs);
      break;
    case 'constant-arrival-rate':
      out.rate = e.rate;
      out.timeUnit = k6Duration(e.timeUnitMs);
      out.duration = k6Duration(e.durationMs);
      out.preAllocatedVUs = e.preAllocatedVUs;
      out.maxVUs = e.maxVUs;
      break;
    case 'ramping-arrival-rate':
      out.startRate = e.startRate;
      out.timeUnit = k6Duration(e.timeUnitMs);
      out.stages = e.stages.map((st) => ({ duration: k6Duration(st.durationMs), target: st.target }));
      out.preAllocatedVUs = e.preAllocatedVUs;
      out.maxVUs = e.maxVUs;
      break;
    default: {
      const never: never = e;
      throw new SquallError(`unknown executor ${JSON.stringify((never as { executor: string }).executor)}`, {
        exitCode: EXIT.invalidInput,
      });
    }
  }
  out.startTime = k6Duration(s.startTimeMs);
  out.gracefulStop = k6Duration(s.gracefulStopMs);
  out.exec = exec;
  if (Object.keys(s.env).length > 0) out.env = { ...s.env };
  if (Object.keys(s.tags).length > 0) out.tags = { ...s.tags };
  return out;
}

/** k6 threshold entries: a plain string unless abortOnFail is set (k6-contract.md §3.2). */
export function k6Thresholds(t: Record<string, ThresholdSpec[]>): K6Options['thresholds'] {
  const out: K6Options['thresholds'] = {};
  for (const [metric, specs] of Object.entries(t)) {
    out[metric] = specs.map((spec) =>
      spec.abortOnFail
        ? {
            threshold: spec.threshold,
            abortOnFail: true,
            ...(spec.delayAbortEvalMs === null ? {} : { delayAbortEval: k6Duration(spec.delayAbortEvalMs) }),
          }
        : spec.threshold,
    );
  }
  return out;
}

/** A JS identifier from a scenario name (`^[0-9a-zA-Z_-]+$`), unique among `taken`. */
function identFor(name: string, taken: Set<string>): string {
  const base = `s_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}_${i}`;
  taken.add(id);
  return id;
}

const js = (v: unknown): string => JSON.stringify(v);

function checkExpr(c: { status?: number[]; bodyContains?: string; maxDurationMs?: number }): string {
  const parts: string[] = [];
  if (c.status !== undefined && c.status.length > 0) parts.push(`${js(c.status)}.indexOf(r.status) >= 0`);
  if (c.bodyContains !== undefined) parts.push(`typeof r.body === 'string' && r.body.indexOf(${js(c.bodyContains)}) >= 0`);
  if (c.maxDurationMs !== undefined) parts.push(`r.timings.duration <= ${c.maxDurationMs}`);
  return parts.length === 0 ? 'true' : parts.join(' && ');
}

/**
 * Build the view of one script. Refuses (exit 2) what k6 cannot run: `arrival: poisson`, and a
 * scenario naming a function or queue the system does not declare.
 */
export function buildScriptView(exp: ResolvedExperiment): ScriptView {
  const taken = new Set<string>();
  const scenarios: ScenarioView[] = [];
  const k6Scenarios: K6Options['scenarios'] = dict();
  const functionUrls = new Set<string>();
  let usesAws = false;
  const queuesUsed = new Set<string>();
  const invokedFunctions = new Set<string>();

  for (const [key, s] of Object.entries(exp.load.scenarios)) {
    const name = s.name || key;
    if (!K6_SCENARIO_NAME.test(name)) {
      throw new SquallError(`load.scenarios: scenario name ${JSON.stringify(name)} is not a valid k6 scenario name`, {
        exitCode: EXIT.invalidInput,
        hint: 'k6 scenario names may contain only letters, digits, "_" and "-" (k6 lib/executor base_config.go)',
      });
    }
    if (s.arrival === 'poisson') {
      throw new SquallError(
        `load.scenarios.${name}: arrival "poisson" is a simulator-only what-if; k6 has no Poisson executor, so no script can be generated for it`,
        { exitCode: EXIT.invalidInput, hint: `remove "arrival: poisson" from scenario "${name}" (k6's own arrival is the default), or keep it and use it with the simulator only` },
      );
    }
    const ident = identFor(name, taken);
    const exec = `${ident}_exec`;
    k6Scenarios[name] = k6ScenarioOptions(s, exec);
    const base: ScenarioViewBase = {
      name,
      nameJson: js(name),
      exec,
      ident,
      thinkTimeSeconds: VU_EXECUTORS.has(s.executor) ? s.thinkTimeMs / 1000 : 0,
      tagsJson: js({ ...s.tags }),
      executor: s.executor,
    };
    switch (s.template) {
      case 'http': {
        let urlExpr: string;
        let functionJson: string | null = null;
        if ('function' in s.url) {
          const fn = s.url.function;
          if (!exp.system.functions[fn]) throw unknownRef(name, 'url.function', 'function', fn, Object.keys(exp.system.functions));
          functionUrls.add(fn);
          functionJson = js(fn);
          const path = s.url.path === '' ? '' : s.url.path.startsWith('/') ? s.url.path : `/${s.url.path}`;
          urlExpr = `functionUrlFromEnv(__ENV, ${functionJson}) + ${js(path)}`;
        } else {
          urlExpr = js(s.url.literal);
        }
        scenarios.push({
          ...base,
          template: 'http',
          urlExpr,
          functionJson,
          methodJson: js(s.method.toUpperCase()),
          headersJson: js(s.headers),
          bodyJson: s.body === null ? null : js(s.body),
          expectedStatusesArgs: s.expectedStatuses.map(String).join(', '),
          checks: s.checks.map((c) => ({ nameJson: js(c.name), expr: checkExpr(c) })),
          retryAttempts: Math.max(1, s.retryOn429),
        });
        break;
      }
      case 'sqs-producer': {
        const q = exp.system.queues[s.queue];
        if (!q) throw unknownRef(name, 'queue', 'queue', s.queue, Object.keys(exp.system.queues));
        if (q.fifo && s.messageGroupId === null) {
          // SQS refuses every send to a FIFO queue without a group id (same check as experiment/validate.ts).
          throw new SquallError(`load.scenarios.${name}.messageGroupId: The request must contain the parameter MessageGroupId.`, {
            exitCode: EXIT.invalidInput,
            hint: `queue "${q.name}" is FIFO: set messageGroupId (a template such as "group-{{vu}}")`,
          });
        }
        usesAws = true;
        queuesUsed.add(s.queue);
        scenarios.push({
          ...base,
          template: 'sqs-producer',
          queueJson: js(s.queue),
          batchSize: s.batchSize,
          bodyJson: js(s.body),
          messageGroupIdJson: s.messageGroupId === null ? null : js(s.messageGroupId),
          needsDeduplicationId: q.fifo && !q.contentBasedDeduplication,
          poison: s.poison === null || s.poison.ratio <= 0 ? null : { ratio: s.poison.ratio, kindJson: js(s.poison.kind) },
          maxMessageBytes: q.maximumMessageSizeBytes,
        });
        break;
      }
      case 'lambda-invoke': {
        if (!exp.system.functions[s.function]) throw unknownRef(name, 'function', 'function', s.function, Object.keys(exp.system.functions));
        usesAws = true;
        invokedFunctions.add(s.function);
        scenarios.push({
          ...base,
          template: 'lambda-invoke',
          functionJson: js(s.function),
          invocationTypeJson: js(s.invocationType),
          expectedStatus: s.invocationType === 'Event' ? 202 : 200,
          payloadJson: js(s.payload),
          retryAttempts: Math.max(1, s.retryOn429),
        });
        break;
      }
      case 'custom':
        scenarios.push({ ...base, template: 'custom', path: s.path, vars: s.vars, varsJson: js(s.vars) });
        break;
    }
  }

  const options: K6Options = {
    scenarios: k6Scenarios,
    thresholds: k6Thresholds(exp.load.thresholds),
    summaryTrendStats: [...exp.load.summaryTrendStats],
    tags: { squall_experiment: exp.name },
  };
  return {
    experimentName: commentSafe(exp.name),
    descriptionLines: exp.description === '' ? [] : exp.description.split(/\r?\n/).map(commentSafe),
    // Relative to the working directory: a generated script carries no absolute path of the machine that wrote it.
    sourceFile: commentSafe(portablePath(exp.sourceFile)),
    options,
    optionsJson: JSON.stringify(options, null, 2),
    scenarios,
    usesAws,
    env: envList(exp, usesAws, [...functionUrls], [...queuesUsed], [...invokedFunctions]).map((e) => ({ ...e, purpose: commentSafe(e.purpose) })),
    requiredFunctionUrlsJson: js([...functionUrls]),
  };
}

function unknownRef(scenario: string, field: string, kind: string, value: string, known: string[]): SquallError {
  return new SquallError(`load.scenarios.${scenario}.${field}: no ${kind} named "${value}" in system.${kind === 'queue' ? 'queues' : 'functions'}`, {
    exitCode: EXIT.invalidInput,
    hint: known.length === 0 ? `declare it under system.${kind === 'queue' ? 'queues' : 'functions'}` : `known: ${known.join(', ')}`,
  });
}

/** `orders-api` → `ORDERS_API` (must match k6-scripts/aws.js `envSuffix`). */
export function envSuffix(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
}

function envList(exp: ResolvedExperiment, usesAws: boolean, functions: string[], queues: string[], invoked: string[]): EnvVarView[] {
  const env: EnvVarView[] = [];
  for (const fn of functions) {
    env.push({ name: `SQUALL_URL_${envSuffix(fn)}`, purpose: `function URL of "${fn}" (squall run sets it from the target)`, required: true });
  }
  if (usesAws) {
    env.push(
      { name: 'SQUALL_ENDPOINT', purpose: 'SQS + Lambda endpoint of the emulator or LocalStack; unset = real AWS', required: false },
      { name: 'SQUALL_SQS_ENDPOINT', purpose: 'SQS endpoint, overrides SQUALL_ENDPOINT', required: false },
      { name: 'SQUALL_LAMBDA_ENDPOINT', purpose: 'Lambda endpoint, overrides SQUALL_ENDPOINT', required: false },
      { name: 'AWS_REGION', purpose: `signing region (default ${exp.target.kind === 'aws' ? exp.target.region : 'us-east-1'})`, required: false },
      { name: 'AWS_ACCESS_KEY_ID', purpose: 'credentials (required for real AWS; "test" with a local endpoint)', required: false },
      { name: 'AWS_SECRET_ACCESS_KEY', purpose: 'credentials', required: false },
      { name: 'AWS_SESSION_TOKEN', purpose: 'temporary credentials', required: false },
      { name: 'SQUALL_ACCOUNT_ID', purpose: 'account id in built queue URLs (default 000000000000)', required: false },
    );
    for (const fn of invoked) {
      env.push({ name: `SQUALL_QUALIFIER_${envSuffix(fn)}`, purpose: `version or alias Invoke uses for "${fn}" (e.g. live, where provisioned concurrency is); unset = unqualified`, required: false });
    }
    for (const q of queues) {
      env.push({ name: `SQUALL_QUEUE_URL_${envSuffix(q)}`, purpose: `queue URL of "${q}" (default <sqs endpoint>/<account>/${q})`, required: false });
    }
  }
  env.push({ name: 'SQUALL_RUN_ID', purpose: 'run id carried by poison messages (default "local")', required: false });
  env.push({ name: 'SQUALL_START_URL', purpose: 'squall run only: setup() POSTs here when the load starts', required: false });
  return env;
}

/** `path` relative to the working directory, with forward slashes (the same header on every OS). */
function portablePath(file: string): string {
  if (!path.isAbsolute(file)) return file.split(path.sep).join('/');
  return (path.relative(process.cwd(), file) || path.basename(file)).split(path.sep).join('/');
}
