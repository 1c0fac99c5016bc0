/**
 * Turns what the AWS SDK throws into a person's error: missing or expired credentials, an endpoint
 * that does not answer, a denied action, a resource that is not there. Each becomes a SquallError
 * with the environment exit code and a hint naming the fix, so that nothing about the target's
 * environment ever surfaces as "internal error … a bug in squall". This is the one place that
 * knows AWS's error codes: cli/errors.ts asks `classify` about any error a command did not expect.
 */
import { EXIT, isSquallError, SquallError } from '../contracts/exit-codes.ts';

interface SdkLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

/** What one SDK call was for, so the message can name the action and the resource. */
export interface CallContext {
  /** IAM action, e.g. `lambda:GetFunctionConfiguration`. */
  action: string;
  /** The resource as a person names it (function, queue, mapping id) or its ARN. */
  resource: string;
  /** The endpoint override, or null for AWS itself. */
  endpoint: string | null;
  region: string;
}

export type ErrorCause = 'credentials' | 'expired-credentials' | 'unreachable' | 'denied' | 'not-found' | 'unsupported' | 'other';

/** AWS's error codes for a request whose signer, key or permissions it rejects (IAM, STS, Lambda, SQS, CloudWatch). */
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'AuthorizationErrorException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'AuthFailure',
  'InvalidAccessKeyId',
  'KMSAccessDeniedException',
]);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'NonExistentQueue', 'ResourceNotFound', 'NotFoundException']);
const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function codeOf(e: SdkLikeError): string {
  return e.Code ?? e.name ?? '';
}

/** The network error code anywhere on the cause chain (Node puts it on `cause` for fetch). */
function networkCode(e: unknown, depth = 0): string | null {
  if (!e || typeof e !== 'object' || depth > 4) return null;
  const x = e as SdkLikeError;
  if (x.code && NETWORK.has(x.code)) return x.code;
  if (x.name === 'TimeoutError') return 'timeout';
  for (const n of NETWORK) if (x.message?.includes(n)) return n;
  return networkCode(x.cause, depth + 1);
}

export function classify(e: unknown): ErrorCause {
  const x = (e ?? {}) as SdkLikeError;
  const code = codeOf(x);
  // Some SDK paths put AWS's code on `code` (Node's own errors use it for ECONNREFUSED and the like).
  const alt = typeof x.code === 'string' ? x.code : '';
  if (code === 'CredentialsProviderError' || /could not load credentials|credential.*not found|Unable to locate credentials/i.test(x.message ?? '')) return 'credentials';
  if (EXPIRED.has(code) || EXPIRED.has(alt)) return 'expired-credentials';
  if (networkCode(e)) return 'unreachable';
  if (DENIED.has(code) || DENIED.has(alt) || x.$metadata?.httpStatusCode === 403) return 'denied';
  if (NOT_FOUND.has(code)) return 'not-found';
  // An AWS-compatible endpoint without this API answers with an HTML 404 page or an unknown operation.
  const status = x.$metadata?.httpStatusCode ?? x.$response?.statusCode;
  if ((code === 'SyntaxError' && (status === 404 || status === undefined)) || code === 'UnknownOperationException' || code === 'InvalidAction' || code === 'NotImplemented') return 'unsupported';
  return 'other';
}

/** The SDK error as a SquallError with the environment exit code, its cause and its fix. */
export function environmentError(e: unknown, ctx: CallContext): SquallError {
  if (isSquallError(e)) return e;
  const x = (e ?? {}) as SdkLikeError;
  const where = ctx.endpoint ? `the endpoint ${ctx.endpoint}` : `AWS (${ctx.region})`;
  const detail = `${codeOf(x) || 'Error'}: ${x.message ?? String(e)}`;
  switch (classify(e)) {
    case 'credentials':
      return new SquallError(`no AWS credentials found (${x.message ?? 'credential chain exhausted'})`, {
        exitCode: EXIT.environmentUnavailable,
        hint: 'squall uses the AWS SDK default chain: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE (or --profile), run `aws sso login`, or run where an instance/OIDC role is available',
        cause: e,
      });
    case 'expired-credentials':
      return new SquallError(`the AWS credentials have expired (${detail})`, {
        exitCode: EXIT.environmentUnavailable,
        hint: 'refresh them (`aws sso login`, a new session token, or re-run the CI role assumption) and run again',
        cause: e,
      });
    case 'unreachable':
      return new SquallError(`${where} did not answer ${ctx.action} (${networkCode(e)})`, {
        exitCode: EXIT.environmentUnavailable,
        hint: ctx.endpoint ? `start the service behind ${ctx.endpoint} or fix target.endpoint / --endpoint` : 'check the network, a proxy, or the region name',
        cause: e,
      });
    case 'denied':
      return new SquallError(`${ctx.action} on ${ctx.resource} was denied (${detail})`, {
        exitCode: EXIT.environmentUnavailable,
        hint: 'give the identity the permissions `squall plan <experiment> --iam` prints (least privilege for this experiment)',
        cause: e,
      });
    case 'not-found':
      return new SquallError(`${ctx.resource} does not exist on ${where} (${ctx.action}: ${codeOf(x)})`, {
        exitCode: EXIT.environmentUnavailable,
        hint: 'on an aws target the experiment names resources that are already deployed: deploy it, or fix its name (or ARN) in the experiment, or check the region',
        cause: e,
      });
    case 'unsupported':
      return new SquallError(`${where} does not implement ${ctx.action}`, {
        exitCode: EXIT.environmentUnavailable,
        hint: 'use a target that implements this API (AWS itself, or a newer emulator), or drop the part of the experiment that needs it',
        cause: e,
      });
    case 'other':
      return new SquallError(`${ctx.action} on ${ctx.resource} failed on ${where} (${detail})`, {
        exitCode: EXIT.environmentUnavailable,
        hint: 'the target refused the call; check the resource and the region, then run again',
        cause: e,
      });
  }
}

/** Runs one SDK call; any failure becomes an environment error naming the action and resource. */
export async function call<T>(ctx: CallContext, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw environmentError(e, ctx);
  }
}
