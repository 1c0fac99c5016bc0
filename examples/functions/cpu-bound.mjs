// A CPU-bound handler: a fixed amount of arithmetic (about 20 ms of one vCPU on a machine like
// squall's CI), no waiting. On Lambda its duration grows as memory shrinks below 1,769 MB (less
// than one vCPU) and stays flat above (one thread cannot use a second vCPU). Used by
// examples/tuning/power-tuning.yaml.
export async function handler(event) {
  const rounds = Number(event?.rounds ?? 1_000_000);
  let x = 1;
  for (let i = 0; i < rounds; i++) x = (x * 1103515245 + 12345) % 2147483648;
  return { rounds, x };
}
