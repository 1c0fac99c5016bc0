// A CPU-bound handler: keeps its thread busy for 20 ms of one vCPU (it spins, it does not wait).
// On Lambda its duration grows as memory shrinks below 1,769 MB (less than one vCPU) and stays
// flat above (one thread cannot use a second vCPU). Used by examples/experiments/power-tuning.yaml.
export async function handler(event) {
  const busyMs = Number(event?.busyMs ?? 20);
  const until = performance.now() + busyMs;
  let x = 0;
  while (performance.now() < until) x = (x * 1103515245 + 12345) % 2147483648;
  return { spun: busyMs, x };
}
