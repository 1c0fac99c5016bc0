/**
 * The per-function scaling rate as a continuous-refill token bucket (fact sheet §1.4): capacity
 * 1,000 environments, refilled continuously at 1,000 per 10 s, never above capacity ("unused
 * scaling rate does not accumulate"); one token per *new* execution environment, warm reuse
 * takes none. Clock-free: every call is handed the time, so the emulator's clock and the
 * simulator's virtual time drive the same arithmetic.
 */
import type { ResolvedAccount } from '../experiment/types.ts';

export interface BucketShape {
  capacity: number;
  refillPerMs: number;
}

export function bucketShape(scalingRate: ResolvedAccount['scalingRate']): BucketShape {
  return { capacity: scalingRate.environments, refillPerMs: scalingRate.environments / (scalingRate.perSeconds * 1000) };
}

export class TokenBucket {
  private tokens: number;
  private at: number;
  constructor(
    private shape: BucketShape,
    now: number,
  ) {
    this.tokens = shape.capacity;
    this.at = now;
  }
  private refill(now: number): number {
    const t = this.tokens + (now - this.at) * this.shape.refillPerMs;
    return t > this.shape.capacity ? this.shape.capacity : t;
  }
  /** Take one token for a new environment at `now`; false when the bucket is empty (a throttle). */
  take(now: number): boolean {
    this.tokens = this.refill(now);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
  /** Whole tokens available at `now`. */
  available(now: number): number {
    return Math.floor(this.refill(now));
  }
  reconfigure(shape: BucketShape): void {
    this.shape = shape;
    if (this.tokens > shape.capacity) this.tokens = shape.capacity;
  }
}
