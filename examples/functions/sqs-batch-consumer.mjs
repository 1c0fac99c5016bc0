// An SQS batch consumer for an event source mapping with ReportBatchItemFailures: it processes
// every record and names the poison ones in `batchItemFailures` — records carrying squall's
// `squall-poison` message attribute, or whose body is not JSON — so only those return to the
// queue (and, after maxReceiveCount receives, reach the dead-letter queue).
export const POISON_ATTRIBUTE = 'squall-poison';

export async function handler(event) {
  const batchItemFailures = [];
  let processed = 0;
  for (const record of event?.Records ?? []) {
    const poisoned = record.messageAttributes && Object.prototype.hasOwnProperty.call(record.messageAttributes, POISON_ATTRIBUTE);
    let parsed = null;
    try {
      parsed = JSON.parse(record.body);
    } catch {
      parsed = null;
    }
    if (poisoned || parsed === null) {
      console.log(`poison record ${record.messageId}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    processed++;
  }
  console.log(`processed ${processed}, failed ${batchItemFailures.length}`);
  return { batchItemFailures };
}
