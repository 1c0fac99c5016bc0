// A slow function that fails sometimes: it waits `delayMs` from the event (default 50–250 ms,
// uniform) and throws with probability `failRate` from the event or the FAIL_RATE environment
// variable (default 0.1). `{"hang":true}` never returns, to show a timeout; `{"hog":true}` keeps
// allocating until the function's memory size is exhausted. Use it to see errors, retries of
// asynchronous events, timeouts and out-of-memory failures in a run.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function handler(event, context) {
  if (event?.hang === true) await new Promise(() => {});
  if (event?.hog === true) {
    const hoard = [];
    for (;;) hoard.push(new Array(1e6).fill(hoard.length));
  }
  const delayMs = Number.isFinite(event?.delayMs) ? event.delayMs : 50 + Math.random() * 200;
  await sleep(delayMs);
  const failRate = Number.isFinite(event?.failRate) ? event.failRate : Number(process.env.FAIL_RATE ?? 0.1);
  if (Math.random() < failRate) {
    throw new Error(`flaky failure after ${Math.round(delayMs)} ms (request ${context.awsRequestId})`);
  }
  const result = { ok: true, delayMs: Math.round(delayMs), remainingMs: context.getRemainingTimeInMillis() };
  if (event?.echoContext === true) result.clientContext = context.clientContext ?? null;
  return result;
}
