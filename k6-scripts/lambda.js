/**
 * Lambda Invoke over `k6/http`, REST-JSON as the SDK sends it (aws-lambda-sqs-facts.md §5.2):
 * `POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=]`, the payload as the raw
 * body (`content-type: application/octet-stream`), `X-Amz-Invocation-Type: RequestResponse | Event`,
 * SigV4 with signing name `lambda`. Answers: 200 (RequestResponse; `X-Amz-Function-Error` when the
 * function failed), 202 (Event), 429 `TooManyRequestsException` when throttled.
 */
import http from 'k6/http';
import { awsUriEscape, signAwsRequest } from './sigv4.js';

/**
 * The signed Invoke request.
 * @param {{ region: string, accessKeyId: string, secretAccessKey: string, sessionToken: string | null, lambdaEndpoint: string }} aws
 * @param {string} functionName name, partial or full ARN
 * @param {string} payload JSON text
 * @param {'RequestResponse' | 'Event'} invocationType
 * @param {string | null} qualifier version or alias, or null
 * @param {number} [nowMs]
 * @returns {{ method: string, url: string, body: string, headers: Record<string,string> }}
 */
export function invokeRequest(aws, functionName, payload, invocationType, qualifier, nowMs) {
  const url = aws.lambdaEndpoint + '/2015-03-31/functions/' + awsUriEscape(functionName) + '/invocations' +
    (qualifier ? '?Qualifier=' + awsUriEscape(qualifier) : '');
  const headers = signAwsRequest(
    {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/octet-stream', 'x-amz-invocation-type': invocationType },
      body: payload,
    },
    {
      region: aws.region, service: 'lambda', accessKeyId: aws.accessKeyId,
      secretAccessKey: aws.secretAccessKey, sessionToken: aws.sessionToken, nowMs,
    },
  );
  return { method: 'POST', url, body: payload, headers };
}

/**
 * Invoke a function; returns k6's response.
 * @param {{ region: string, accessKeyId: string, secretAccessKey: string, sessionToken: string | null, lambdaEndpoint: string }} aws
 * @param {string} functionName
 * @param {string} payload
 * @param {'RequestResponse' | 'Event'} invocationType
 * @param {{ tags?: Record<string,string>, responseCallback?: any }} params k6 request params (headers are set here)
 * @param {string | null} [qualifier] version or alias
 */
export async function invoke(aws, functionName, payload, invocationType, params, qualifier) {
  const r = invokeRequest(aws, functionName, payload, invocationType, qualifier || null);
  return await http.post(r.url, r.body, { headers: r.headers, tags: params.tags, responseCallback: params.responseCallback });
}

/**
 * True when Lambda ran the function and it failed (HTTP 200 with `X-Amz-Function-Error`).
 * @param {{ headers?: Record<string, string> }} res
 * @returns {boolean}
 */
export function isFunctionError(res) {
  const h = res.headers;
  return h !== undefined && h !== null &&
    (h['X-Amz-Function-Error'] !== undefined || h['x-amz-function-error'] !== undefined);
}
