/**
 * The kinds of events on the simulator's agenda (an event is a kind plus two integers, see
 * event-queue.ts). One list, so the loop in simulation.ts and the drivers agree on the numbers.
 */
/** (1 is unused: open-loop arrivals are kept outside the heap, one per scenario.) */
export const E_VU_START = 2;
export const E_VU_PLAN = 3;
export const E_INVOKE_DONE = 4;
export const E_CLIENT_RETRY = 5;
export const E_ASYNC_ATTEMPT = 6;
export const E_SQS_PROMOTE = 7;
export const E_SQS_VT = 8;
export const E_ESM_TICK = 9;
export const E_ESM_WINDOW = 10;
export const E_ESM_WAKE = 11;
export const E_FAULT = 12;
export const E_POISON = 13;
export const E_LOAD_END = 14;
export const E_SCENARIO_END = 15;
/** A throttled ESM batch retries its invoke (a = batch id). */
export const E_ESM_RETRY = 16;

/** A received ESM batch's first invoke reaches Lambda after the dispatch hop (a = batch id). */
export const E_ESM_DISPATCH = 17;
/** A cold start's INIT ended; its invoke runs now (a = invocation id). */
export const E_INIT_DONE = 18;
