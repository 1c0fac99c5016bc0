/**
 * Records keyed by names people choose (scenarios, functions, queues, mappings). They have no
 * prototype, so a legal name such as `__proto__` (k6 scenario names and Lambda function names may
 * be exactly that) is an ordinary key instead of silently replacing the object's prototype.
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
