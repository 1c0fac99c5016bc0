// An I/O-bound handler: waits 50 ms on a downstream call and barely uses the CPU, so memory
// changes its price but not its duration. Used by examples/experiments/power-tuning.yaml.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function handler(event) {
  await sleep(Number(event?.waitMs ?? 50));
  return { waited: true };
}
