/** Per-VU instance of `k6`: small on purpose, since every VU compiles its own copy (see api/k6.ts). */
import { makeK6 } from '../api/k6.ts';
import { vuFor } from '../host.ts';

const m = makeK6(vuFor(import.meta.url));
export default m.default;
export const { check, group, sleep, fail, randomSeed } = m;
