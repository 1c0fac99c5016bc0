/** Per-VU instance of `k6/timers`: small on purpose, since every VU compiles its own copy (see api/timers.ts). */
import { makeTimers } from '../api/timers.ts';
import { vuFor } from '../host.ts';

const m = makeTimers(vuFor(import.meta.url));
export default m.default;
export const { setTimeout, setInterval, clearTimeout, clearInterval } = m;
