/**
 * Consolidating a script's `export const options` with the command line into what the engine
 * runs, k6's way: CLI flags win over the script, the shortcuts `vus`/`duration`/`iterations`/
 * `stages` become one scenario named `default` (k6 `execution_config_shortcuts.go`,
 * k6-contract.md §4.2), and every problem is reported at once with its path, as exit 104.
 */
import { K6_EXIT, SquallError } from '../contracts/exit-codes.ts';
import { parseDuration } from './duration.ts';
import { parseScenario } from './executors/index.ts';
import type { BaseScenarioConfig } from './executors/types.ts';

export interface ThresholdSpec {
  readonly source: string;
  readonly abortOnFail: boolean;
  /** As written (for the NDJSON Metric line); null when not given. */
  readonly delayAbortEval: string | null;
  readonly delayAbortEvalMs: number;
}

export interface CliOverrides {
  vus?: number | undefined;
  duration?: string | undefined;
  iterations?: number | undefined;
  /** `--stage 30s:10` entries. */
  stages?: string[] | undefined;
  tags?: Record<string, string> | undefined;
  summaryTrendStats?: string[] | undefined;
  summaryTimeUnit?: string | undefined;
  userAgent?: string | undefined;
  maxRedirects?: number | undefined;
  discardResponseBodies?: boolean | undefined;
  insecureSkipTLSVerify?: boolean | undefined;
}

export interface ResolvedOptions {
  readonly scenarios: readonly BaseScenarioConfig[];
  /** Keyed by the threshold's metric expression as written (`http_req_duration{status:200}`). */
  readonly thresholds: ReadonlyMap<string, readonly ThresholdSpec[]>;
  readonly summaryTrendStats: readonly string[];
  readonly summaryTimeUnit: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly setupTimeoutMs: number;
  readonly teardownTimeoutMs: number;
  readonly maxRedirects: number;
  readonly discardResponseBodies: boolean;
  readonly userAgent: string;
  readonly noCookiesReset: boolean;
  /** The consolidated options object scripts see as `exec.test.options`. */
  readonly consolidated: Readonly<Record<string, unknown>>;
  /** Options the script sets that the engine ignores, one message each. */
  readonly warnings: readonly string[];
}

/** k6 `lib/options.go DefaultSummaryTrendStats`. */
export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
export const DEFAULT_USER_AGENT = 'squall-k6/0.1 (k6-compatible; https://k6.io/)';

const TREND_STAT = /^(avg|min|med|max|count|p\((\d+(\.\d+)?)\))$/;

export function validTrendStat(s: string): boolean {
  const m = TREND_STAT.exec(s);
  if (!m) return false;
  return m[2] === undefined || Number(m[2]) <= 100;
}

/** Options the engine acts on. */
const SUPPORTED_OPTIONS = new Set([
  'vus', 'duration', 'iterations', 'stages', 'scenarios', 'thresholds', 'summaryTrendStats', 'summaryTimeUnit', 'tags',
  'setupTimeout', 'teardownTimeout', 'maxRedirects', 'discardResponseBodies', 'userAgent', 'insecureSkipTLSVerify',
  'noCookiesReset',
]);
/** Options that only matter to k6 Cloud or the k6 binary's own reporting: ignored quietly. */
const QUIET_OPTIONS = new Set(['ext', 'cloud', 'noUsageReport', 'summaryMode', 'console', 'handleSummaryTimeout', 'linger', 'paused']);

function parseStageFlag(s: string, errors: string[]): { duration: string; target: number } | undefined {
  // k6 --stage DURATION:TARGET, e.g. "30s:10".
  const i = s.lastIndexOf(':');
  const dur = i < 0 ? s : s.slice(0, i);
  const target = i < 0 ? 0 : Number(s.slice(i + 1));
  if (parseDuration(dur) === undefined || !Number.isInteger(target) || target < 0) {
    errors.push(`--stage ${s}: write DURATION:TARGET, e.g. --stage 30s:10`);
    return undefined;
  }
  return { duration: dur, target };
}

function shortcutScenario(src: Record<string, unknown>, where: string, errors: string[]): Record<string, unknown> | undefined {
  const has = (k: string): boolean => src[k] !== undefined && src[k] !== null;
  const vus = has('vus') ? src.vus : undefined;
  if (has('stages')) {
    if (has('duration') || has('iterations')) errors.push(`${where}: "stages" cannot be combined with "duration" or "iterations"`);
    return { executor: 'ramping-vus', startVUs: vus ?? 1, stages: src.stages };
  }
  if (has('iterations')) {
    const out: Record<string, unknown> = { executor: 'shared-iterations', vus: vus ?? 1, iterations: src.iterations };
    if (has('duration')) out.maxDuration = src.duration;
    return out;
  }
  if (has('duration')) return { executor: 'constant-vus', vus: vus ?? 1, duration: src.duration };
  if (has('vus')) return { executor: 'shared-iterations', vus, iterations: vus };
  return undefined;
}

function parseThresholds(raw: unknown, errors: string[]): Map<string, ThresholdSpec[]> {
  const out = new Map<string, ThresholdSpec[]>();
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push('thresholds: must be an object { metric: [expressions] }');
    return out;
  }
  for (const [metric, list] of Object.entries(raw as Record<string, unknown>)) {
    const items = Array.isArray(list) ? list : [list];
    const specs: ThresholdSpec[] = [];
    items.forEach((it: unknown, i) => {
      const at = `thresholds["${metric}"][${i}]`;
      if (typeof it === 'string') {
        specs.push({ source: it, abortOnFail: false, delayAbortEval: null, delayAbortEvalMs: 0 });
      } else if (typeof it === 'object' && it !== null && typeof (it as { threshold?: unknown }).threshold === 'string') {
        const o = it as { threshold: string; abortOnFail?: unknown; delayAbortEval?: unknown };
        let delayMs = 0;
        if (o.delayAbortEval !== undefined && o.delayAbortEval !== null) {
          const d = parseDuration(o.delayAbortEval);
          if (d === undefined) errors.push(`${at}.delayAbortEval: not a duration: ${JSON.stringify(o.delayAbortEval)}`);
          else delayMs = d;
        }
        specs.push({
          source: o.threshold,
          abortOnFail: o.abortOnFail === true,
          delayAbortEval: o.delayAbortEval === undefined || o.delayAbortEval === null ? null : String(o.delayAbortEval),
          delayAbortEvalMs: delayMs,
        });
      } else {
        errors.push(`${at}: must be a string like "p(95)<200" or {threshold, abortOnFail, delayAbortEval}`);
      }
    });
    out.set(metric, specs);
  }
  return out;
}

/**
 * Resolve the options; throws a SquallError (exit 104, k6 InvalidConfig) listing every problem.
 */
export function resolveOptions(script: Record<string, unknown> | undefined, cli: CliOverrides): ResolvedOptions {
  const errors: string[] = [];
  const src: Record<string, unknown> = { ...(script ?? {}) };
  // k6 itself accepts options it does not know; squall says which ones it does not act on.
  const warnings: string[] = [];
  for (const k of Object.keys(src)) {
    if (!SUPPORTED_OPTIONS.has(k) && !QUIET_OPTIONS.has(k)) warnings.push(`options.${k} is not supported by squall's engine and is ignored; run the script with real k6 if the test depends on it`);
  }

  const cliStages = cli.stages?.map((s) => parseStageFlag(s, errors)).filter((s) => s !== undefined);
  const cliShort: Record<string, unknown> = {};
  if (cli.vus !== undefined) cliShort.vus = cli.vus;
  if (cli.duration !== undefined) cliShort.duration = cli.duration;
  if (cli.iterations !== undefined) cliShort.iterations = cli.iterations;
  if (cliStages && cliStages.length) cliShort.stages = cliStages;
  const cliHasShape = cliShort.duration !== undefined || cliShort.iterations !== undefined || cliShort.stages !== undefined;

  let scenariosRaw: Record<string, unknown>;
  if (cliHasShape) {
    // k6: shortcut flags on the command line replace the script's whole execution config.
    scenariosRaw = { default: shortcutScenario(cliShort, 'command line', errors) };
  } else {
    const scriptShape = shortcutScenario({ ...src, vus: cli.vus ?? src.vus }, 'options', errors);
    if (src.scenarios !== undefined && src.scenarios !== null) {
      if (scriptShape && (src.duration !== undefined || src.iterations !== undefined || src.stages !== undefined)) {
        errors.push('options: "scenarios" cannot be combined with the shortcuts "duration", "iterations" or "stages"');
      }
      if (typeof src.scenarios !== 'object' || Array.isArray(src.scenarios)) {
        errors.push('options.scenarios: must be an object { name: { executor, ... } }');
        scenariosRaw = {};
      } else scenariosRaw = src.scenarios as Record<string, unknown>;
    } else {
      // Nothing at all → 1 VU × 1 iteration (k6: per-vu-iterations).
      scenariosRaw = { default: scriptShape ?? { executor: 'per-vu-iterations', vus: 1, iterations: 1 } };
    }
  }
  const scenarios: BaseScenarioConfig[] = [];
  for (const [name, raw] of Object.entries(scenariosRaw)) {
    const sc = parseScenario(name, raw, errors);
    if (sc) scenarios.push(sc);
  }
  if (scenarios.length === 0 && errors.length === 0) errors.push('options.scenarios: needs at least one scenario');

  const thresholds = parseThresholds(src.thresholds, errors);
  const trendStats = cli.summaryTrendStats ?? (src.summaryTrendStats as string[] | undefined) ?? DEFAULT_TREND_STATS;
  if (!Array.isArray(trendStats)) errors.push('summaryTrendStats: must be a list like ["avg","p(95)"]');
  else for (const s of trendStats) if (!validTrendStat(String(s))) errors.push(`summaryTrendStats: "${s}" is not avg, min, med, max, count or p(N) with 0 ≤ N ≤ 100`);
  const timeUnit = cli.summaryTimeUnit ?? (src.summaryTimeUnit as string | undefined) ?? '';
  if (!['', 's', 'ms', 'us'].includes(timeUnit)) errors.push(`summaryTimeUnit: "${timeUnit}" must be one of s, ms, us`);

  const tags: Record<string, string> = {};
  if (src.tags !== undefined) {
    if (typeof src.tags !== 'object' || src.tags === null) errors.push('options.tags: must be an object of strings');
    else for (const [k, v] of Object.entries(src.tags)) tags[k] = String(v);
  }
  Object.assign(tags, cli.tags ?? {});

  const dur = (k: string, def: number): number => {
    if (src[k] === undefined) return def;
    const d = parseDuration(src[k]);
    if (d === undefined) errors.push(`options.${k}: not a duration: ${JSON.stringify(src[k])}`);
    return d ?? def;
  };
  const setupTimeoutMs = dur('setupTimeout', 60_000);
  const teardownTimeoutMs = dur('teardownTimeout', 60_000);
  const maxRedirects = cli.maxRedirects ?? (src.maxRedirects === undefined ? 10 : Number(src.maxRedirects));
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) errors.push('options.maxRedirects: must be a non-negative integer');

  if (errors.length) {
    throw new SquallError(`invalid options:\n  - ${errors.join('\n  - ')}`, {
      exitCode: K6_EXIT.invalidConfig,
      hint: 'fix the fields named above in the script\'s `export const options` or on the command line (k6 exit code 104)',
    });
  }
  const consolidated: Record<string, unknown> = { ...src, ...cliShort, tags, summaryTrendStats: trendStats };
  if (cli.insecureSkipTLSVerify !== undefined) consolidated.insecureSkipTLSVerify = cli.insecureSkipTLSVerify;
  if (cliHasShape) delete consolidated.scenarios;
  return {
    scenarios,
    thresholds,
    summaryTrendStats: trendStats,
    summaryTimeUnit: timeUnit,
    tags,
    setupTimeoutMs,
    teardownTimeoutMs,
    maxRedirects,
    discardResponseBodies: cli.discardResponseBodies ?? src.discardResponseBodies === true,
    userAgent: cli.userAgent ?? (typeof src.userAgent === 'string' ? src.userAgent : DEFAULT_USER_AGENT),
    noCookiesReset: src.noCookiesReset === true,
    consolidated,
    warnings,
  };
}
