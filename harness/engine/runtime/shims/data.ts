/** Per-VU instance of `k6/data`: small on purpose, since every VU compiles its own copy (see api/data.ts). */
import { makeData } from '../api/data.ts';
import { vuFor } from '../host.ts';

const m = makeData(vuFor(import.meta.url));
export default m.default;
export const { SharedArray } = m;
