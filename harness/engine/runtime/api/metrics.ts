/**
 * The `k6/metrics` module per VU: Counter, Gauge, Rate, Trend. Construction registers the metric
 * (init context; re-registering a name with another type is an error, k6 `metrics/registry.go`);
 * `add` emits a sample with the VU's current tags plus the given ones.
 */
import type { Contains, Metric } from '../../metrics/registry.ts';
import type { MetricType } from '../../metrics/sinks.ts';
import type { VuContext } from '../vu.ts';

/** The module's API bound to one VU; its per-VU module instance (shims/metrics.ts) re-exports it. */
export function makeMetrics(vu: VuContext) {
  const run = vu.run;

  class BaseMetric {
    readonly name: string;
    private readonly metric: Metric;
    constructor(name: string, type: MetricType, contains: Contains) {
      if (!vu.inInit) throw new Error(`metrics must be created in the init context (top-level code), not inside a function: new ${type}("${name}")`);
      this.name = name;
      this.metric = run.metrics.registry.register(name, type, contains);
    }
    add(value: number | boolean, tags?: Record<string, string>): boolean {
      vu.assertNotInit(`${this.name}.add()`);
      const v = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
      if (Number.isNaN(v)) throw new Error(`${this.name}.add(${String(value)}): the value is not a number`);
      run.emit(this.metric, tags ? vu.tags.with(tags) : vu.tags, v);
      return true;
    }
  }

  class Counter extends BaseMetric {
    constructor(name: string) {
      super(name, 'counter', 'default');
    }
  }
  class Gauge extends BaseMetric {
    constructor(name: string) {
      super(name, 'gauge', 'default');
    }
  }
  class Rate extends BaseMetric {
    constructor(name: string) {
      super(name, 'rate', 'default');
    }
  }
  class Trend extends BaseMetric {
    constructor(name: string, isTime = false) {
      super(name, 'trend', isTime ? 'time' : 'default');
    }
  }

  const api = { Counter, Gauge, Rate, Trend };
  return { Counter, Gauge, Rate, Trend, default: api };
}
