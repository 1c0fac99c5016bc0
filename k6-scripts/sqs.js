/**
 * SQS over `k6/http` in the AWS JSON 1.0 protocol, the one @aws-sdk/client-sqs speaks since
 * 3.446.0 (aws-lambda-sqs-facts.md §5.1): `POST /` on the SQS endpoint, `content-type:
 * application/x-amz-json-1.0`, `x-amz-target: AmazonSQS.<Operation>`, `x-amzn-query-mode: true`
 * (newer SDKs send it for awsQueryCompatible services), a JSON body with the model's member names,
 * SigV4 with signing name `sqs`. Request building is split from sending so tests can compare the
 * bytes with what the SDK sends.
 */
import http from 'k6/http';
import { signAwsRequest } from './sigv4.js';

/**
 * The signed request for one SQS operation.
 * @param {{ region: string, accessKeyId: string, secretAccessKey: string, sessionToken: string | null, sqsEndpoint: string }} aws
 * @param {string} operation e.g. `SendMessageBatch`
 * @param {object} input the operation's input members, e.g. `{ QueueUrl, Entries }`
 * @param {number} [nowMs]
 * @returns {{ method: string, url: string, body: string, headers: Record<string,string> }}
 */
export function sqsRequest(aws, operation, input, nowMs) {
  const url = aws.sqsEndpoint + '/';
  const body = JSON.stringify(input);
  const headers = signAwsRequest(
    {
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.' + operation,
        'x-amzn-query-mode': 'true',
      },
      body,
    },
    {
      region: aws.region, service: 'sqs', accessKeyId: aws.accessKeyId,
      secretAccessKey: aws.secretAccessKey, sessionToken: aws.sessionToken, nowMs,
    },
  );
  return { method: 'POST', url, body, headers };
}

/**
 * Send one SQS operation; returns k6's response (status 200 on success, 400 + JSON `__type` on an
 * AWS error). `tags` go on the request's k6 metrics.
 * @param {{ region: string, accessKeyId: string, secretAccessKey: string, sessionToken: string | null, sqsEndpoint: string }} aws
 * @param {string} operation
 * @param {object} input
 * @param {{ tags?: Record<string,string>, responseCallback?: any }} params k6 request params (headers are set here)
 */
export async function sqsCall(aws, operation, input, params) {
  const r = sqsRequest(aws, operation, input);
  return await http.post(r.url, r.body, { headers: r.headers, tags: params.tags, responseCallback: params.responseCallback });
}

/**
 * SendMessageBatch (≤ 10 entries, each and the sum ≤ the queue's MaximumMessageSize: facts §4).
 * @param {object} aws
 * @param {string} queueUrl
 * @param {Array<{ Id: string, MessageBody: string, MessageAttributes?: object, MessageGroupId?: string, MessageDeduplicationId?: string }>} entries
 * @param {{ tags?: Record<string,string>, responseCallback?: any }} params
 */
export async function sendMessageBatch(aws, queueUrl, entries, params) {
  return await sqsCall(/** @type {any} */ (aws), 'SendMessageBatch', { QueueUrl: queueUrl, Entries: entries }, params);
}

/**
 * SendMessage.
 * @param {object} aws
 * @param {string} queueUrl
 * @param {{ MessageBody: string, MessageAttributes?: object, MessageGroupId?: string, MessageDeduplicationId?: string }} message
 * @param {{ tags?: Record<string,string>, responseCallback?: any }} params
 */
export async function sendMessage(aws, queueUrl, message, params) {
  return await sqsCall(/** @type {any} */ (aws), 'SendMessage', Object.assign({ QueueUrl: queueUrl }, message), params);
}

/**
 * Which entries of a SendMessageBatch response SQS accepted: `{ ok, failed }` entry ids.
 * A non-200 response fails every entry (`requested` is the count sent).
 * @param {{ status: number, body: unknown }} res
 * @param {number} requested
 * @returns {{ ok: number, failed: number, failedIds: string[] }}
 */
export function batchOutcome(res, requested) {
  if (res.status !== 200 || typeof res.body !== 'string') return { ok: 0, failed: requested, failedIds: [] };
  let parsed;
  try {
    parsed = JSON.parse(res.body);
  } catch (e) {
    return { ok: 0, failed: requested, failedIds: [] };
  }
  const successful = Array.isArray(parsed.Successful) ? parsed.Successful.length : 0;
  const failedList = Array.isArray(parsed.Failed) ? parsed.Failed : [];
  /** @type {string[]} */
  const failedIds = [];
  for (const f of failedList) failedIds.push(String(f.Id));
  return { ok: successful, failed: failedList.length, failedIds };
}
