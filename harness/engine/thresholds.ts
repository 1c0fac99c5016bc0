/**
 * k6 thresholds: the expression grammar (`metrics/thresholds_parser.go`: operator tokens tried in
 * the order <=, <, >=, >, ===, ==, !=; the first that leaves a non-empty right side wins), the
 * methods each metric type allows (`metrics/metric_type.go`), and evaluation against a sink with
 * k6's empty-sink rules (k6-contract.md §3.1–3.4): a missing value (empty rate, counter rate at 0 s)
 * passes.
 */
import type { ThresholdSpec } from './options.ts';
import type { MetricType, Sink } from './metrics/sinks.ts';
import { sinkValue } from './metrics/sinks.ts';

export type Operator = '<=' | '<' | '>=' | '>' | '===' | '==' | '!=';
const OPERATORS: readonly Operator[] = ['<=', '<', '>=', '>', '===', '==', '!='];

export interface ThresholdExpr {
  readonly method: string;
  readonly operator: Operator;
  readonly value: number;
}

const METHODS: Record<MetricType, RegExp> = {
  counter: /^(count|rate)$/,
  gauge: /^value$/,
  rate: /^rate$/,
  trend: /^(avg|min|max|med|p\(\d+(\.\d+)?\))$/,
};

/** Parse one expression; returns an error message instead of throwing. */
export function parseThresholdExpr(src: string): ThresholdExpr | string {
  for (const op of OPERATORS) {
    const i = src.indexOf(op);
    if (i < 0) continue;
    const left = src.slice(0, i).trim();
    const right = src.slice(i + op.length).trim();
    if (right === '') continue;
    if (right.startsWith('=')) continue;
    const value = Number(right);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(right) || !Number.isFinite(value)) {
      return `"${src}": "${right}" is not a number`;
    }
    const method = left.replace(/\s+/g, '');
    if (!/^(count|rate|value|avg|min|max|med|p\(\d+(\.\d+)?\))$/.test(method)) {
      return `"${src}": "${left}" is not an aggregation method (count, rate, value, avg, min, max, med, p(N))`;
    }
    const p = /^p\((.+)\)$/.exec(method);
    if (p && Number(p[1]) > 100) return `"${src}": percentile ${p[1]} is above 100`;
    return { method, operator: op, value };
  }
  return `"${src}": no comparison operator (write e.g. "p(95)<200")`;
}

export function methodAllowed(type: MetricType, method: string): boolean {
  return METHODS[type].test(method);
}

function compare(a: number, op: Operator, b: number): boolean {
  switch (op) {
    case '<=':
      return a <= b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    case '>':
      return a > b;
    case '===':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

/** One threshold attached to a metric or submetric, with its last result. */
export class Threshold {
  lastFailed = false;
  constructor(
    readonly spec: ThresholdSpec,
    readonly expr: ThresholdExpr,
  ) {}

  /** True when the threshold holds. A value k6 leaves out (empty rate, counter rate at 0 s) passes. */
  evaluate(sink: Sink, durationSec: number): boolean {
    const v = sinkValue(sink, this.expr.method, durationSec);
    const ok = v === undefined ? true : compare(v, this.expr.operator, this.expr.value);
    this.lastFailed = !ok;
    return ok;
  }
}
