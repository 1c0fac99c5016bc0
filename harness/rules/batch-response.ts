/**
 * The verdict on one SQS batch's invocation (fact sheet §3.5): success deletes the batch, a
 * function error or a throttle fails the whole batch, and with ReportBatchItemFailures the
 * function's `batchItemFailures` names the messages to keep. A missing/null response or list,
 * or an empty list, is success; a list item with a null, empty or unknown `itemIdentifier` (or no
 * such key) fails the whole batch.
 */
export type BatchVerdict = { kind: 'success' } | { kind: 'partial'; failedIds: Set<string> } | { kind: 'failed'; throttled: boolean };

export function parseBatchItemFailures(value: unknown, batchIds: ReadonlySet<string>): BatchVerdict {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) return { kind: 'success' };
  const list = (value as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return { kind: 'success' };
  if (!Array.isArray(list)) return { kind: 'failed', throttled: false };
  if (list.length === 0) return { kind: 'success' };
  const failed = new Set<string>();
  for (const item of list) {
    const id = item !== null && typeof item === 'object' ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '' || !batchIds.has(id)) return { kind: 'failed', throttled: false };
    failed.add(id);
  }
  return { kind: 'partial', failedIds: failed };
}

