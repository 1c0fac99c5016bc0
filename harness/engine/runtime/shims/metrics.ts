/** Per-VU instance of `k6/metrics`: small on purpose, since every VU compiles its own copy (see api/metrics.ts). */
import { makeMetrics } from '../api/metrics.ts';
import { vuFor } from '../host.ts';

const m = makeMetrics(vuFor(import.meta.url));
export default m.default;
export const { Counter, Gauge, Rate, Trend } = m;
