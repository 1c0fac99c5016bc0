/**
 * When the load really started, for a run whose script never signalled it: the earliest
 * iteration's first request start (its end time minus its duration) in the k6 points file.
 */
/** Epoch ms at which the first iteration's first request started (end time − duration). */
export async function firstIterationStart(pointsFile: string): Promise<number | null> {
  const { createReadStream } = await import('node:fs');
  const { createGunzip } = await import('node:zlib');
  const { createInterface } = await import('node:readline');
  const input = createReadStream(pointsFile);
  const lines = createInterface({ input: pointsFile.endsWith('.gz') ? input.pipe(createGunzip()) : input, crlfDelay: Infinity });
  let best: number | null = null;
  for await (const line of lines) {
    if (!line.includes('"http_req_duration"') && !line.includes('"iteration_duration"')) continue;
    try {
      const o = JSON.parse(line) as { type: string; metric: string; data: { time: string; value: number; tags?: Record<string, string> } };
      if (o.type !== 'Point' || !o.data.tags?.scenario) continue;
      const start = Date.parse(o.data.time) - o.data.value;
      if (best === null || start < best) best = start;
    } catch {
      // skip torn lines
    }
  }
  return best === null ? null : Math.round(best);
}
