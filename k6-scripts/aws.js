/**
 * Where a generated script sends its AWS calls and with which credentials, read from `__ENV` so
 * one script serves squall's emulator, LocalStack/moto and real AWS:
 *
 *   SQUALL_ENDPOINT          one endpoint for SQS and Lambda (emulator, LocalStack); unset = AWS
 *   SQUALL_SQS_ENDPOINT      overrides SQUALL_ENDPOINT for SQS only
 *   SQUALL_LAMBDA_ENDPOINT   overrides SQUALL_ENDPOINT for Lambda only
 *   AWS_REGION / AWS_DEFAULT_REGION   signing region and AWS endpoints (default us-east-1)
 *   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN   credentials (required for AWS;
 *                            with an endpoint set and none given, `test`/`test` like LocalStack)
 *   SQUALL_ACCOUNT_ID        account in queue URLs built when SQUALL_QUEUE_URL_<Q> is unset
 *   SQUALL_QUEUE_URL_<Q>     queue URL per queue (Q = queue name in UPPER_SNAKE)
 *   SQUALL_URL_<F>           function URL per function (F = function name in UPPER_SNAKE)
 *   SQUALL_QUALIFIER_<F>     version/alias for Invoke of a function (e.g. live); unset = unqualified
 *   SQUALL_RUN_ID            run id carried by poison messages (marker attribute)
 *   SQUALL_START_URL         squall run only: setup() POSTs there when the load starts
 */
import { normalizeUrl } from './sigv4.js';

/**
 * `orders-api` → `ORDERS_API`: the suffix of the per-resource environment variables.
 * @param {string} name
 * @returns {string}
 */
export function envSuffix(name) {
  return name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase();
}

/** @param {string} s */
function trimSlash(s) {
  return s.endsWith('/') ? s.slice(0, -1) : s;
}

/**
 * @param {Record<string, string | undefined>} env
 * @param {{ region?: string, endpoint?: string | null, emulated?: boolean }} [defaults] what the
 *   experiment's target says (region, LocalStack endpoint; `emulated`: the experiment targets squall's
 *   emulator, so an unset endpoint is an error rather than a silent switch to real AWS)
 * @returns {{ region: string, accessKeyId: string, secretAccessKey: string, sessionToken: string | null,
 *   sqsEndpoint: string, lambdaEndpoint: string, accountId: string, runId: string, local: boolean }}
 */
export function awsConfigFromEnv(env, defaults) {
  const d = defaults || {};
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || d.region || 'us-east-1';
  const common = env.SQUALL_ENDPOINT || d.endpoint || '';
  const sqs = env.SQUALL_SQS_ENDPOINT || common;
  const lambda = env.SQUALL_LAMBDA_ENDPOINT || common;
  const local = common !== '' || sqs !== '' || lambda !== '';
  if (d.emulated === true && (sqs === '' || lambda === '')) {
    throw new Error('this experiment targets squall\'s emulator: set SQUALL_ENDPOINT to its endpoint ' +
      '(squall run does; with real k6 pass -e SQUALL_ENDPOINT=http://127.0.0.1:4566)');
  }
  let accessKeyId = env.AWS_ACCESS_KEY_ID || '';
  let secretAccessKey = env.AWS_SECRET_ACCESS_KEY || '';
  if (accessKeyId === '' || secretAccessKey === '') {
    if (!local) {
      throw new Error('AWS credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
        '(and AWS_SESSION_TOKEN for temporary credentials), or SQUALL_ENDPOINT for a local target');
    }
    // LocalStack's and moto's conventional dummy credentials; squall's emulator accepts any
    // signature unless it was started with credentials.
    accessKeyId = 'test';
    secretAccessKey = 'test';
  }
  return {
    region,
    accessKeyId,
    secretAccessKey,
    sessionToken: env.AWS_SESSION_TOKEN || null,
    sqsEndpoint: trimSlash(normalizeUrl(sqs || 'https://sqs.' + region + '.amazonaws.com')),
    lambdaEndpoint: trimSlash(normalizeUrl(lambda || 'https://lambda.' + region + '.amazonaws.com')),
    accountId: env.SQUALL_ACCOUNT_ID || '000000000000',
    runId: env.SQUALL_RUN_ID || 'local',
    local,
  };
}

/**
 * Queue URL for a queue name: SQUALL_QUEUE_URL_<Q>, else `<sqs endpoint>/<account>/<name>`.
 * @param {Record<string, string | undefined>} env
 * @param {{ sqsEndpoint: string, accountId: string }} aws
 * @param {string} queueName
 * @returns {string}
 */
export function queueUrlFromEnv(env, aws, queueName) {
  const explicit = env['SQUALL_QUEUE_URL_' + envSuffix(queueName)];
  if (explicit) return explicit;
  return aws.sqsEndpoint + '/' + aws.accountId + '/' + queueName;
}

/**
 * Qualifier (version or alias) to invoke a function with, from SQUALL_QUALIFIER_<F>, or null.
 * Provisioned concurrency lives on an alias (squall uses `live` in aws mode), and only invokes of
 * that alias use it.
 * @param {Record<string, string | undefined>} env
 * @param {string} functionName
 * @returns {string | null}
 */
export function qualifierFromEnv(env, functionName) {
  return env['SQUALL_QUALIFIER_' + envSuffix(functionName)] || null;
}

/**
 * Function URL base (no trailing slash) from SQUALL_URL_<F>; throws naming the variable.
 * @param {Record<string, string | undefined>} env
 * @param {string} functionName
 * @returns {string}
 */
export function functionUrlFromEnv(env, functionName) {
  const key = 'SQUALL_URL_' + envSuffix(functionName);
  const url = env[key];
  if (!url) {
    throw new Error('function URL for "' + functionName + '" unknown: set ' + key +
      ' (squall run sets it from the target; with real k6 pass -e ' + key + '=https://...)');
  }
  return trimSlash(normalizeUrl(url));
}
