// An SQS batch consumer that takes about 200 ms per batch (as if it called a slow downstream API)
// and processes every record. Used by examples/experiments/throttle-dlq-trap.yaml.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function handler(event) {
  const records = event?.Records ?? [];
  await sleep(190 + Math.random() * 20);
  return { processed: records.length };
}
