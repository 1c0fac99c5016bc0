/**
 * Closed forms shown beside the simulation and used to test it (fact sheet §7.3): Little's law,
 * Erlang B for a concurrency-limited synchronous function under Poisson arrivals, and a
 * renewal-argument estimate of the cold-start probability with idle expiry. The pricing model
 * lives in pricing.ts and is re-exported here.
 */
export { lambdaCost, tieredDurationUsd, invocationGbSeconds, MONTH_SECONDS } from './pricing.ts';

/** Little's law: mean concurrency = arrival rate (per s) × mean duration (s). */
export function littleConcurrency(arrivalsPerSecond: number, meanDurationMs: number): number {
  return (arrivalsPerSecond * meanDurationMs) / 1000;
}

/**
 * Erlang-B blocking probability B(c, a) by the stable recursion B(0)=1,
 * B(k) = a·B(k−1) / (k + a·B(k−1)); a = λ·E[S] in erlangs, c = concurrency cap.
 * Insensitive to the service-time distribution (M/G/c/c).
 */
export function erlangB(servers: number, offeredErlangs: number): number {
  if (servers <= 0) return 1;
  if (offeredErlangs <= 0) return 0;
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (offeredErlangs * b) / (k + offeredErlangs * b);
  return b;
}

/** Carried concurrency of an M/G/c/c system: a·(1 − B). */
export function erlangCarried(servers: number, offeredErlangs: number): number {
  return offeredErlangs * (1 - erlangB(servers, offeredErlangs));
}

/**
 * Cold-start probability for Poisson arrivals when concurrency rarely exceeds one (λ·E[S] ≪ 1):
 * a request is cold iff the gap since the previous request's end exceeds the idle expiry, so
 * P(cold) ≈ exp(−λ·expiry). This is the single-environment limit of the semi-Markov model of
 * Mahmoudi & Khazaei (§7.2): λ large ⇒ P(cold) → 0; λ·expiry ≪ 1 ⇒ P(cold) → 1.
 */
export function coldStartProbabilityLowLoad(arrivalsPerSecond: number, idleExpirySeconds: number): number {
  return Math.exp(-arrivalsPerSecond * idleExpirySeconds);
}
