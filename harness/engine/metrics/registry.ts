/**
 * Metrics and submetrics: k6's builtin metrics with their types and units (`metrics/builtin.go`,
 * k6-contract.md §2.2), custom metrics with k6's name rule, and submetric names parsed like
 * `metrics/metric.go: ParseMetricName` (first `{`, last `}`, pairs split at the first `:`, quotes
 * and spaces trimmed, the name kept exactly as written).
 */
import type { Threshold } from '../thresholds.ts';
import { type MetricType, type Sink, newSink } from './sinks.ts';

export type Contains = 'default' | 'time' | 'data';

export class Submetric {
  readonly sink: Sink;
  observed = false;
  thresholds: Threshold[] = [];
  constructor(
    readonly parent: Metric,
    /** `parent{suffix}` exactly as written. */
    readonly name: string,
    readonly suffix: string,
    readonly tags: Readonly<Record<string, string>>,
  ) {
    this.sink = newSink(parent.type);
  }
}

export class Metric {
  readonly sink: Sink;
  observed = false;
  thresholds: Threshold[] = [];
  readonly submetrics: Submetric[] = [];
  /** The constant start of this metric's NDJSON Point lines (up to the time value). */
  readonly pointPrefix: string;
  constructor(
    readonly id: number,
    readonly name: string,
    readonly type: MetricType,
    readonly contains: Contains,
  ) {
    this.sink = newSink(type);
    this.pointPrefix = `{"metric":${JSON.stringify(name)},"type":"Point","data":{"time":"`;
  }
}

/** k6 `metrics/registry.go`: 2 to 129 characters, letters, digits and underscores. */
const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

export const BUILTIN: ReadonlyArray<readonly [string, MetricType, Contains]> = [
  ['vus', 'gauge', 'default'],
  ['vus_max', 'gauge', 'default'],
  ['iterations', 'counter', 'default'],
  ['iteration_duration', 'trend', 'time'],
  ['dropped_iterations', 'counter', 'default'],
  ['data_received', 'counter', 'data'],
  ['data_sent', 'counter', 'data'],
  ['checks', 'rate', 'default'],
  ['group_duration', 'trend', 'time'],
  ['http_reqs', 'counter', 'default'],
  ['http_req_failed', 'rate', 'default'],
  ['http_req_duration', 'trend', 'time'],
  ['http_req_blocked', 'trend', 'time'],
  ['http_req_connecting', 'trend', 'time'],
  ['http_req_tls_handshaking', 'trend', 'time'],
  ['http_req_sending', 'trend', 'time'],
  ['http_req_waiting', 'trend', 'time'],
  ['http_req_receiving', 'trend', 'time'],
];

export function parseMetricName(expr: string): { name: string; suffix: string | undefined; tags: Record<string, string> } {
  const open = expr.indexOf('{');
  if (open < 0) return { name: expr, suffix: undefined, tags: {} };
  const name = expr.slice(0, open);
  const suffix = expr.endsWith('}') ? expr.slice(open + 1, -1) : expr.slice(open + 1);
  const tags: Record<string, string> = {};
  const strip = (s: string): string => s.trim().replace(/^["']+|["']+$/g, '');
  for (const pair of suffix.split(',')) {
    if (pair.trim() === '') continue;
    const c = pair.indexOf(':');
    const k = strip(c < 0 ? pair : pair.slice(0, c));
    tags[k] = c < 0 ? '' : strip(pair.slice(c + 1));
  }
  return { name, suffix, tags };
}

export class MetricRegistry {
  private readonly byName = new Map<string, Metric>();
  private next = 0;

  constructor() {
    for (const [n, t, c] of BUILTIN) this.create(n, t, c);
  }

  private create(name: string, type: MetricType, contains: Contains): Metric {
    const m = new Metric(this.next++, name, type, contains);
    this.byName.set(name, m);
    return m;
  }

  get(name: string): Metric | undefined {
    return this.byName.get(name);
  }

  /** Builtin lookup that cannot fail. */
  builtin(name: string): Metric {
    const m = this.byName.get(name);
    if (!m) throw new Error(`engine bug: no builtin metric ${name}`);
    return m;
  }

  /** Register (or get back) a custom metric; the errors are k6's rules, as thrown Error messages. */
  register(name: string, type: MetricType, contains: Contains): Metric {
    const old = this.byName.get(name);
    if (old) {
      if (old.type !== type || old.contains !== contains) {
        throw new Error(`metric "${name}" already exists as a ${old.type} (contains ${old.contains}); it cannot be re-registered as a ${type}`);
      }
      return old;
    }
    if (!NAME_RE.test(name)) {
      throw new Error(`invalid metric name "${name}": names must be 2-129 characters of letters, digits and '_', not starting with a digit`);
    }
    return this.create(name, type, contains);
  }

  submetric(parent: Metric, expr: string): Submetric {
    const found = parent.submetrics.find((s) => s.name === expr);
    if (found) return found;
    const { suffix, tags } = parseMetricName(expr);
    const sub = new Submetric(parent, expr, suffix ?? '', tags);
    parent.submetrics.push(sub);
    return sub;
  }

  all(): Iterable<Metric> {
    return this.byName.values();
  }
}
