/**
 * k6 execution segments: how one test is split between several instances (k6 processes, k6-operator
 * pods, or the embedded engine's `--workers N` processes) so that together they run exactly the whole
 * test and no instance needs to talk to another. Written from the rules in
 * shared/reference/k6-contract.md §6.1 (k6 `lib/execution_segment.go`, AGPL: nothing is copied, the
 * algorithm is re-derived from its description; the tests check it against k6's published test
 * vectors for striped offsets, scaling and re-segmentation).
 *
 * Vocabulary:
 * - a *segment* `from:to` is a slice (from, to] of the unit interval;
 * - a *sequence* `r0,r1,…,rn` is the list of all instances' boundaries, filled to 0..1;
 * - the *striping* of a sequence deals the positions 0…lcd−1 of one "cycle" to the segments (lcd =
 *   least common denominator of the segment lengths), largest segments first, so that every
 *   segment's positions are spread evenly through the cycle; global index k (a VU index, a
 *   shared-iteration number, an arrival-rate tick) belongs to the segment owning position k mod lcd.
 *   Every instance computes the same striping from the same sequence, so the parts always sum to
 *   the whole and every global index goes to exactly one instance.
 *
 * All arithmetic on fractions is exact (bigint numerator/denominator): floats would make two
 * instances disagree about a boundary and lose or duplicate a VU.
 */
import { K6_EXIT, SquallError } from '../contracts/exit-codes.ts';
import type { SegmentShare } from './executors/types.ts';

/** An exact non-negative rational number, always reduced, denominator > 0. */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint, den: bigint = 1n) {
    if (den === 0n) throw new RangeError('Rational with a zero denominator');
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num < 0n ? -num : num, den);
    this.num = g === 0n ? 0n : num / g;
    this.den = g === 0n ? 1n : den / g;
  }

  static readonly ZERO = new Rational(0n);
  static readonly ONE = new Rational(1n);

  add(o: Rational): Rational {
    return new Rational(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Rational): Rational {
    return new Rational(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Rational): Rational {
    return new Rational(this.num * o.num, this.den * o.den);
  }
  /** -1, 0 or 1. */
  cmp(o: Rational): number {
    const l = this.num * o.den;
    const r = o.num * this.den;
    return l < r ? -1 : l > r ? 1 : 0;
  }
  eq(o: Rational): boolean {
    return this.num === o.num && this.den === o.den;
  }
  /** Round half up, as k6's `roundUp` does for segment scaling (§6.1): floor(x + 1/2). */
  roundHalfUp(): bigint {
    return floorDiv(2n * this.num + this.den, 2n * this.den);
  }
  floor(): bigint {
    return floorDiv(this.num, this.den);
  }
  toNumber(): number {
    return Number(this.num) / Number(this.den);
  }
  /** `0`, `1`, or `n/d`: the form k6 accepts back on its command line. */
  toString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function lcm(a: bigint, b: bigint): bigint {
  return (a / gcd(a, b)) * b;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/**
 * A user-facing error about a segment flag or option: it names the flag, the value and the fix.
 * k6 rejects bad options with exit code 104, InvalidConfig (k6-contract §3.5).
 */
export class SegmentError extends SquallError {
  constructor(message: string) {
    super(message, { exitCode: K6_EXIT.invalidConfig, hint: 'see `k6 run --help` for --execution-segment and --execution-segment-sequence' });
    this.name = 'SegmentError';
  }
}

const FRACTION = /^(\d+)\s*\/\s*(\d+)$/;
const DECIMAL = /^(\d*)(?:\.(\d*))?$/;

/**
 * Parses one segment value the way k6's flags accept it (§6.1): a fraction `1/3`, a decimal `0.2`
 * or `.2`, a percentage `20%` (its number may itself be a decimal, `12.5%`), or an integer `0`/`1`.
 * `what` names the flag in the error message.
 */
export function parseRational(text: string, what = 'execution segment value'): Rational {
  const t = text.trim();
  const fail = (why: string) =>
    new SegmentError(`${what}: "${text}" is not a valid value (${why}); use a fraction like 1/3, a decimal like 0.25 or a percentage like 25%`);
  if (t === '') throw fail('it is empty');
  if (t.endsWith('%')) {
    const inner = t.slice(0, -1).trim();
    if (inner.endsWith('%') || inner.includes('/')) throw fail('a percentage must be a plain number before one %');
    return parseRational(inner, what).mul(new Rational(1n, 100n));
  }
  const f = FRACTION.exec(t);
  if (f) {
    const den = BigInt(f[2]!);
    if (den === 0n) throw fail('the denominator is 0');
    return new Rational(BigInt(f[1]!), den);
  }
  const d = DECIMAL.exec(t);
  if (d && (d[1] !== '' || (d[2] ?? '') !== '')) {
    const whole = d[1] === '' ? 0n : BigInt(d[1]!);
    const frac = d[2] ?? '';
    const scale = 10n ** BigInt(frac.length);
    return new Rational(whole * scale + (frac === '' ? 0n : BigInt(frac)), scale);
  }
  throw fail('not a number');
}

/** One instance's slice (from, to] of the test. */
export class ExecutionSegment {
  readonly from: Rational;
  readonly to: Rational;
  readonly length: Rational;

  constructor(from: Rational, to: Rational) {
    if (from.cmp(Rational.ZERO) < 0 || to.cmp(Rational.ONE) > 0) {
      throw new SegmentError(`execution segment ${from}:${to} is outside 0..1; both ends must lie between 0 and 1`);
    }
    if (from.cmp(to) >= 0) {
      throw new SegmentError(`execution segment ${from}:${to} is empty or reversed; its start must be less than its end, e.g. 0:1/2`);
    }
    this.from = from;
    this.to = to;
    this.length = to.sub(from);
  }

  static readonly FULL = new ExecutionSegment(Rational.ZERO, Rational.ONE);

  /**
   * `from:to`, or just `to` as shorthand for `0:to` (§6.1). An empty string is the whole test.
   * Throws SegmentError naming `--execution-segment`.
   */
  static parse(text: string): ExecutionSegment {
    const t = text.trim();
    if (t === '') return ExecutionSegment.FULL;
    const parts = t.split(':');
    if (parts.length > 2) {
      throw new SegmentError(`--execution-segment: "${text}" has more than one ':'; write from:to, e.g. 1/4:2/4`);
    }
    const what = '--execution-segment';
    return parts.length === 1
      ? new ExecutionSegment(Rational.ZERO, parseRational(parts[0]!, what))
      : new ExecutionSegment(parseRational(parts[0]!, what), parseRational(parts[1]!, what));
  }

  isFull(): boolean {
    return this.from.eq(Rational.ZERO) && this.to.eq(Rational.ONE);
  }

  equals(o: ExecutionSegment): boolean {
    return this.from.eq(o.from) && this.to.eq(o.to);
  }

  /**
   * This segment's share of `value` WITHOUT a sequence: round(value·to) − round(value·from), round
   * half up (§6.1). Adjacent segments telescope, so any set of segments tiling 0..1 sums exactly to
   * `value`; but unlike striping, which VU indices go where is not defined by this.
   */
  scale(value: number): number {
    if (this.isFull()) return value;
    const v = new Rational(BigInt(checkCount(value, 'value to scale')));
    return Number(v.mul(this.to).roundHalfUp() - v.mul(this.from).roundHalfUp());
  }

  /** `value · length`, exact: the arrival rate this segment carries on average (§6.1). */
  scaleRate(rate: Rational): Rational {
    return rate.mul(this.length);
  }

  toString(): string {
    return `${this.from}:${this.to}`;
  }
}

/** The boundaries of all instances' segments, filled to start at 0 and end at 1. */
export class ExecutionSegmentSequence {
  readonly points: readonly Rational[];
  readonly segments: readonly ExecutionSegment[];

  constructor(points: readonly Rational[]) {
    const filled = [...points];
    if (filled.length === 0 || !filled[0]!.eq(Rational.ZERO)) filled.unshift(Rational.ZERO);
    if (!filled[filled.length - 1]!.eq(Rational.ONE)) filled.push(Rational.ONE);
    const segments: ExecutionSegment[] = [];
    for (let i = 1; i < filled.length; i++) {
      const a = filled[i - 1]!;
      const b = filled[i]!;
      if (a.cmp(b) >= 0 || b.cmp(Rational.ONE) > 0) {
        throw new SegmentError(
          `--execution-segment-sequence: ${points.join(',')} is not strictly increasing within 0..1 (at ${a}, ${b}); list the boundaries in order, e.g. 0,1/3,2/3,1`,
        );
      }
      segments.push(new ExecutionSegment(a, b));
    }
    this.points = filled;
    this.segments = segments;
  }

  /** `r0,r1,…,rn` with at least two points (§6.1); an empty string means no sequence (null). */
  static parse(text: string): ExecutionSegmentSequence | null {
    const t = text.trim();
    if (t === '') return null;
    const parts = t.split(',');
    if (parts.length < 2) {
      throw new SegmentError(`--execution-segment-sequence: "${text}" has only one point; give at least two, e.g. 0,1/2,1`);
    }
    return new ExecutionSegmentSequence(parts.map((p) => parseRational(p, '--execution-segment-sequence')));
  }

  /** `0,1/n,2/n,…,1`: the sequence k6-operator passes to n runners (§6.2). */
  static evenly(n: number): ExecutionSegmentSequence {
    const count = checkCount(n, 'number of instances');
    if (count < 1) throw new SegmentError(`number of instances must be at least 1, got ${n}`);
    const pts: Rational[] = [];
    for (let i = 0; i <= count; i++) pts.push(new Rational(BigInt(i), BigInt(count)));
    return new ExecutionSegmentSequence(pts);
  }

  indexOf(segment: ExecutionSegment): number {
    return this.segments.findIndex((s) => s.equals(segment));
  }

  /** The least common denominator of the segment lengths: one striping cycle has this many positions. */
  lcd(): bigint {
    let d = 1n;
    for (const s of this.segments) d = lcm(d, s.length.den);
    return d;
  }

  toString(): string {
    return this.points.map(String).join(',');
  }
}

/**
 * Above this cycle length the per-position table would cost tens of MB; such sequences come from
 * decimals with many digits, and a coarser sequence expresses the same split.
 */
export const MAX_STRIPING_LCD = 10_000_000n;

/**
 * The deal of one cycle's positions to the segments of a sequence.
 *
 * Rule (re-derived from §6.1: "LCD of denominators, largest segments first"): segment s owns
 * n_s = length_s·lcd positions per cycle. Positions 0,1,2,… are dealt in order; position i goes to
 * the first segment, in order of decreasing n_s (ties by sequence order), that has not yet got
 * more than its proportional share, i.e. whose count c_s so far satisfies c_s·lcd ≤ i·n_s.
 * Since Σc_s = i = Σ i·n_s/lcd, some segment always qualifies; and a segment can only take a
 * position while c_s < n_s, so after lcd positions every segment holds exactly n_s.
 */
export class Striping {
  readonly sequence: ExecutionSegmentSequence;
  /** Positions per cycle. */
  readonly lcd: number;
  /** For each segment index, its positions within one cycle, ascending. */
  readonly positions: readonly Int32Array[];

  constructor(sequence: ExecutionSegmentSequence) {
    const lcdBig = sequence.lcd();
    if (lcdBig > MAX_STRIPING_LCD) {
      throw new SegmentError(
        `--execution-segment-sequence ${sequence}: its segments need a cycle of ${lcdBig} positions (more than ${MAX_STRIPING_LCD}); use simpler boundaries such as 0,1/3,2/3,1`,
      );
    }
    const lcd = Number(lcdBig);
    const segs = sequence.segments;
    const shares = segs.map((s) => Number((s.length.num * lcdBig) / s.length.den));
    const order = segs.map((_, i) => i).sort((a, b) => shares[b]! - shares[a]! || a - b);
    const counts = new Array<number>(segs.length).fill(0);
    const positions = shares.map((n) => new Int32Array(n));
    for (let i = 0; i < lcd; i++) {
      for (const s of order) {
        // c_s·lcd ≤ i·n_s, in exact integers (both sides < 2^53 because lcd ≤ 1e7).
        if (counts[s]! * lcd <= i * shares[s]!) {
          positions[s]![counts[s]!++] = i;
          break;
        }
      }
    }
    this.sequence = sequence;
    this.lcd = lcd;
    this.positions = positions;
  }
}

/**
 * One instance's view: its segment, the sequence it belongs to, and the striping of that sequence.
 * This is what an executor asks: how many of N things are mine, which global indices are mine.
 */
export class ExecutionTuple {
  readonly segment: ExecutionSegment;
  readonly sequence: ExecutionSegmentSequence;
  /** Index of `segment` in `sequence.segments`. */
  readonly index: number;
  readonly striping: Striping;
  /** Positions of one cycle owned by this instance (ascending). */
  private readonly mine: Int32Array;

  /**
   * Without a sequence, the sequence is filled from the segment alone (0, from, to, 1), so a lone
   * `--execution-segment` still stripes deterministically. A segment that is not one of the
   * sequence's segments is an error, since the instances would no longer tile the test.
   * `ownsNothing` is for forValue(): an instance whose share of a value is 0.
   */
  constructor(segment: ExecutionSegment = ExecutionSegment.FULL, sequence: ExecutionSegmentSequence | null = null, ownsNothing = false) {
    const seq = sequence ?? new ExecutionSegmentSequence([segment.from, segment.to]);
    const index = ownsNothing ? -1 : seq.indexOf(segment);
    if (index < 0 && !ownsNothing) {
      throw new SegmentError(
        `--execution-segment ${segment} is not one of the segments of --execution-segment-sequence ${seq}; pick one of ${seq.segments.map(String).join(' ')}`,
      );
    }
    this.segment = segment;
    this.sequence = seq;
    this.index = index;
    this.striping = new Striping(seq);
    this.mine = index < 0 ? new Int32Array(0) : this.striping.positions[index]!;
  }

  /**
   * The tuple re-segmented on `value` (k6's behaviour for shared-iterations, re-segmented on `vus`,
   * and for both arrival-rate executors, re-segmented on `maxVUs`): every instance's new segment
   * is its share of `value` divided by `value`, and instances with a share of 0 drop out. So work
   * (iterations, ticks) goes to instances in proportion to the VUs they really have, and an
   * instance with no VU gets no work it could only drop. Example: under 0,1/3,2/3,1 a value of 20
   * splits 7/7/6, so the new sequence is 0,7/20,7/10,1; a value of 2 splits 1/1/0, giving 0,1/2,1
   * and an instance 2/3:1 that owns nothing.
   */
  forValue(value: number): ExecutionTuple {
    const v = checkCount(value, 'value to re-segment on');
    const { positions, lcd } = this.striping;
    const shares = positions.map((p) => scaleOwned(p, lcd, v));
    if (this.index < 0 || shares[this.index] === 0) return new ExecutionTuple(this.segment, this.sequence, true);
    const points: Rational[] = [Rational.ZERO];
    let from = Rational.ZERO;
    let to = Rational.ZERO;
    let cum = 0;
    shares.forEach((share, i) => {
      if (share === 0) return;
      const before = cum;
      cum += share;
      const point = new Rational(BigInt(cum), BigInt(v));
      points.push(point);
      if (i === this.index) {
        from = new Rational(BigInt(before), BigInt(v));
        to = point;
      }
    });
    return new ExecutionTuple(new ExecutionSegment(from, to), new ExecutionSegmentSequence(points));
  }

  /** Parses the pair of k6 flags; empty strings mean "not given". */
  static fromFlags(segment: string | undefined, sequence: string | undefined): ExecutionTuple {
    return new ExecutionTuple(ExecutionSegment.parse(segment ?? ''), ExecutionSegmentSequence.parse(sequence ?? ''));
  }

  get lcd(): number {
    return this.striping.lcd;
  }

  /** Owned positions per cycle. */
  get perCycle(): number {
    return this.mine.length;
  }

  /**
   * How many of the global indices 0…value−1 this instance owns: its share of `value` VUs or
   * iterations. Summed over every segment of the sequence this is exactly `value`.
   */
  scale(value: number): number {
    return scaleOwned(this.mine, this.lcd, checkCount(value, 'value to scale'));
  }

  /** Does this instance own global index `k` (a VU index, a tick, a shared iteration)? */
  owns(globalIndex: number): boolean {
    if (this.mine.length === 0) return false;
    const pos = globalIndex % this.lcd;
    return countBelow(this.mine, pos + 1) - countBelow(this.mine, pos) === 1;
  }

  /**
   * The global index of this instance's `local`-th owned index (both 0-based). VU `idInTest` and
   * `iterationInTest` come from here, so they are unique across instances (§5.2). −1 when the
   * instance owns nothing.
   */
  globalIndex(local: number): number {
    const n = this.mine.length;
    if (n === 0) return -1;
    const cycle = Math.floor(local / n);
    return cycle * this.lcd + this.mine[local - cycle * n]!;
  }

  /** Inverse of globalIndex: which local index a global one is, or −1 if not owned. */
  localIndex(globalIndex: number): number {
    if (!this.owns(globalIndex)) return -1;
    const cycle = Math.floor(globalIndex / this.lcd);
    return cycle * this.mine.length + countBelow(this.mine, globalIndex - cycle * this.lcd);
  }

  /**
   * The arrival-rate stride: the first owned tick, then the gaps between successive owned ticks,
   * cycling (the last gap wraps into the next cycle). Instance ticks are start, start+gaps[0],
   * start+gaps[0]+gaps[1], … For a segment of 1/L of an evenly split test this is "every L-th
   * tick" (§6.1). `start` is −1 when the instance owns no tick at all.
   */
  stripedOffsets(): { start: number; gaps: readonly number[]; lcd: number } {
    const m = this.mine;
    if (m.length === 0) return { start: -1, gaps: [], lcd: this.lcd };
    const gaps: number[] = [];
    for (let i = 1; i < m.length; i++) gaps.push(m[i]! - m[i - 1]!);
    gaps.push(m[0]! + this.lcd - m[m.length - 1]!);
    return { start: m[0]!, gaps, lcd: this.lcd };
  }

  /** A cursor over this instance's global ticks (0-based), allocation-free per step. */
  ticks(): TickCursor {
    return new TickCursor(this.stripedOffsets());
  }

  /** The average rate this instance carries: rate · segment length, exact. */
  scaleRate(rate: Rational): Rational {
    return this.segment.scaleRate(rate);
  }

  /** The two k6 flags that reproduce this tuple in another process (empty for the whole test). */
  toFlags(): string[] {
    if (this.segment.isFull() && this.sequence.segments.length === 1) return [];
    return [`--execution-segment=${this.segment}`, `--execution-segment-sequence=${this.sequence}`];
  }
}

/**
 * Walks an instance's global arrival-rate ticks in order. With constant-arrival-rate, global tick
 * k is due at k·T (T = timeUnit/rate, first at 0; §4.3), so an instance fires at next()·T; with
 * ramping-arrival-rate, global event k+1 is due where the rate curve's area reaches k+1.
 */
export class TickCursor {
  private current: number;
  private gapIndex = 0;
  private readonly gaps: readonly number[];

  constructor(offsets: { start: number; gaps: readonly number[] }) {
    this.current = offsets.start;
    this.gaps = offsets.gaps;
  }

  /** True when the instance owns no tick at all (it must never fire). */
  get empty(): boolean {
    return this.current < 0;
  }

  /** The next owned global tick index, or −1 forever when empty. */
  next(): number {
    if (this.current < 0) return -1;
    const k = this.current;
    this.current += this.gaps[this.gapIndex]!;
    this.gapIndex = this.gapIndex + 1 === this.gaps.length ? 0 : this.gapIndex + 1;
    return k;
  }
}

/**
 * The N tuples of `--workers N`: worker i (1-based) gets `(i−1)/N:i/N` under the sequence
 * `0,1/N,…,1`, exactly what k6-operator gives runner i of N (§6.2), so a split made by squall and
 * one made by k6-operator put the same VUs and ticks on the same index.
 */
export function workerTuples(n: number): ExecutionTuple[] {
  const seq = ExecutionSegmentSequence.evenly(n);
  return seq.segments.map((s) => new ExecutionTuple(s, seq));
}

/** A stage of ramping-vus (target = VUs) or ramping-arrival-rate (target = iterations per timeUnit). */
export interface SegmentableStage {
  target: number;
}

/**
 * The fields of a k6 executor config that segmentation touches (§4.2); every other field passes
 * through unchanged. Kept structural so the engine's own config types fit without a dependency.
 * Pass configs with k6's defaults already applied (§4.2): a missing `iterations` stays missing
 * here, and a default filled in later on each instance would be counted once per instance.
 */
export interface SegmentableConfig {
  executor: string;
  vus?: number;
  iterations?: number;
  startVUs?: number;
  preAllocatedVUs?: number;
  maxVUs?: number;
  stages?: readonly SegmentableStage[];
}

export interface SegmentedScenario<T extends SegmentableConfig> {
  /** The config this instance runs. */
  config: T;
  /**
   * The tuple whose global indices this instance's iterations and ticks carry (`iterationInTest`,
   * tick numbers): re-segmented on `vus` for shared-iterations and on `maxVUs` for arrival-rate
   * executors (see ExecutionTuple.forValue), the instance's own tuple otherwise.
   */
  tuple: ExecutionTuple;
  /**
   * For arrival-rate executors: the global schedule stays the whole test's (rate and stage targets
   * are NOT scaled) and this cursor says which global ticks are this instance's. null otherwise.
   */
  ticks: TickCursor | null;
}

const ARRIVAL_RATE = new Set(['constant-arrival-rate', 'ramping-arrival-rate']);

/**
 * This instance's part of one scenario (§6.1): VUs, preAllocatedVUs, maxVUs, startVUs and
 * ramping-vus stage targets are striped by index; shared-iterations also scales `iterations`
 * (over the tuple re-segmented on `vus`, so iterations follow the VUs); per-vu-iterations scales
 * only `vus` (each VU still runs all its iterations); arrival-rate executors keep the global rate
 * and take their striped ticks (over the tuple re-segmented on `maxVUs`, which defaults to
 * `preAllocatedVUs`, §4.2). Summed over all instances, every scaled number is exactly the original.
 */
export function segmentScenario<T extends SegmentableConfig>(config: T, tuple: ExecutionTuple): SegmentedScenario<T> {
  const out: T = { ...config };
  const scale = (n: number | undefined) => (n === undefined ? undefined : tuple.scale(n));
  if (config.vus !== undefined) out.vus = scale(config.vus);
  if (config.preAllocatedVUs !== undefined) out.preAllocatedVUs = scale(config.preAllocatedVUs);
  if (config.maxVUs !== undefined) out.maxVUs = scale(config.maxVUs);
  if (config.startVUs !== undefined) out.startVUs = scale(config.startVUs);
  if (config.executor === 'ramping-vus' && config.stages !== undefined) {
    out.stages = config.stages.map((st) => ({ ...st, target: tuple.scale(st.target) }));
  }
  if (config.executor === 'shared-iterations') {
    const work = tuple.forValue(config.vus ?? 1); // k6's default vus is 1 (§4.2)
    if (config.iterations !== undefined) out.iterations = work.scale(config.iterations);
    return { config: out, tuple: work, ticks: null };
  }
  if (ARRIVAL_RATE.has(config.executor)) {
    const work = tuple.forValue(config.maxVUs ?? config.preAllocatedVUs ?? 0);
    return { config: out, tuple: work, ticks: work.ticks() };
  }
  return { config: out, tuple, ticks: null };
}

/**
 * The engine's executors' `SegmentShare` (executors/types.ts), built from a tuple; its `forValue`
 * is always there. `stripe.start` is −1 (with no offsets) when the instance owns no tick: it must
 * fire none. `vuIdOffset` gives the first id of this instance's contiguous block of `totalVUs` ids:
 * the shares of the segments before it in the sequence, so the blocks of all instances tile
 * 0…totalVUs−1 and ids are unique.
 */
export interface SegmentShareLike extends SegmentShare {
  forValue(value: number): SegmentShareLike;
}

export function segmentShare(tuple: ExecutionTuple): SegmentShareLike {
  const { start, gaps } = tuple.stripedOffsets();
  return {
    whole: tuple.segment.isFull() && tuple.index === 0 && tuple.sequence.segments.length === 1,
    length: tuple.index < 0 ? 0 : tuple.segment.length.toNumber(),
    scale: (v) => tuple.scale(v),
    stripe: { start, offsets: gaps },
    vuIdOffset: (total) => {
      if (tuple.index < 0) return 0;
      const { positions, lcd } = tuple.striping;
      let offset = 0;
      for (let i = 0; i < tuple.index; i++) offset += scaleOwned(positions[i]!, lcd, total);
      return offset;
    },
    forValue: (v) => segmentShare(tuple.forValue(v)),
  };
}

/** How many of the global indices 0…v−1 fall on the owned cycle positions `mine`. */
function scaleOwned(mine: Int32Array, lcd: number, v: number): number {
  const cycles = Math.floor(v / lcd);
  return cycles * mine.length + countBelow(mine, v - cycles * lcd);
}

/** Number of entries of the ascending array `a` that are < x. */
function countBelow(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkCount(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SegmentError(`${what} must be a whole number ≥ 0, got ${n}`);
  }
  return n;
}
