// A CPU-bound handler: a fixed amount of arithmetic (about 20 ms of one vCPU on a machine like
// squall's CI), no waiting. On Lambda its duration grows as memory shrinks below 1,769 MB (less
// than one vCPU) and stays flat above (one thread cannot use a second vCPU). Used by
// examples/tuning/power-tuning.yaml.
export async function handler(event) {
  const rounds = Number(event?.rounds ?? 12_000_000);
  let x = 1;
  // 32-bit integer arithmetic only: V8 compiles it one way. The same generator in floating point
  // (`% 2147483648`) ran 16 ms or 20 ms an invocation by which optimised code a worker ended up
  // with, which no memory model can predict.
  for (let i = 0; i < rounds; i++) x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
  return { rounds, x };
}
