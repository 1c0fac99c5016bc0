/** Per-VU instance of `k6/execution`: small on purpose, since every VU compiles its own copy (see api/execution.ts). */
import { makeExecution } from '../api/execution.ts';
import { vuFor } from '../host.ts';

const m = makeExecution(vuFor(import.meta.url));
export default m.default;
export const { scenario, instance, test, vu, AbortedByScript } = m;
