/**
 * Lambda's errors as they go on the wire (contract layer): one factory per AWS error code, with
 * the HTTP status from the service model and the member casing of its shape (`message` on most,
 * `Message` on ResourceNotFoundException and ServiceException). The protocol layer serialises a
 * `LambdaError` as a JSON body plus the `x-amzn-ErrorType` header the AWS SDK reads first
 * (reference §5.2).
 */
import { EMULATED_ACCOUNT } from '../../contracts/aws-facts.ts';
import type { ThrottleReason } from '../../contracts/aws-facts.ts';

export class LambdaError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra members of the error shape (Reason, retryAfterSeconds …). */
  readonly extra: Record<string, unknown>;
  readonly messageKey: 'message' | 'Message';
  readonly type: 'User' | 'Service' | null;
  constructor(
    code: string,
    status: number,
    message: string,
    opts: { extra?: Record<string, unknown>; messageKey?: 'message' | 'Message'; type?: 'User' | 'Service' | null } = {},
  ) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.extra = opts.extra ?? {};
    this.messageKey = opts.messageKey ?? 'message';
    this.type = opts.type === undefined ? 'User' : opts.type;
  }
  /** The JSON body AWS sends: `Type`, the message member, then the shape's other members. */
  body(): string {
    const o: Record<string, unknown> = {};
    if (this.type) o.Type = this.type;
    o[this.messageKey] = this.message;
    Object.assign(o, this.extra);
    return JSON.stringify(o);
  }
}

export function isLambdaError(e: unknown): e is LambdaError {
  return e instanceof LambdaError;
}

const { region, accountId } = EMULATED_ACCOUNT;

export function functionArn(name: string, qualifier?: string | null): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
}

/** 404 with the text AWS uses: "Function not found: arn:…[:qualifier]" (reference §5.2). */
export function functionNotFound(name: string, qualifier?: string | null): LambdaError {
  return new LambdaError('ResourceNotFoundException', 404, `Function not found: ${functionArn(name, qualifier)}`, {
    messageKey: 'Message',
  });
}

export function resourceNotFound(message: string): LambdaError {
  return new LambdaError('ResourceNotFoundException', 404, message, { messageKey: 'Message' });
}

export function invalidParameter(message: string): LambdaError {
  return new LambdaError('InvalidParameterValueException', 400, message);
}

export function resourceConflict(message: string): LambdaError {
  return new LambdaError('ResourceConflictException', 409, message);
}

export function invalidRequestContent(message: string): LambdaError {
  return new LambdaError('InvalidRequestContentException', 400, message);
}

/**
 * 413 for an oversized request. The model names the shape `RequestTooLargeException`, but AWS
 * sends the code `RequestEntityTooLargeException` on the wire, and the SDK names the error by
 * the wire code (reference §5.2 "Oversized payload").
 */
export function requestTooLarge(message: string): LambdaError {
  return new LambdaError('RequestEntityTooLargeException', 413, message);
}

/** Smithy constraint failures: "1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: …". */
export function validationError(value: unknown, field: string, constraint: string): LambdaError {
  const shown = value === undefined || value === null ? 'null' : typeof value === 'string' ? value : JSON.stringify(value);
  return new LambdaError(
    'ValidationException',
    400,
    `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`,
    { type: null },
  );
}

/**
 * 429 for a throttled invoke: `{"Reason":…,"Type":"User","message":"Rate Exceeded."}` as recorded
 * against AWS for reserved concurrency 0 (reference §1.2, §1.5).
 */
export function tooManyRequests(reason: ThrottleReason): LambdaError {
  return new LambdaError('TooManyRequestsException', 429, 'Rate Exceeded.', { extra: { Reason: reason } });
}

export function provisionedConfigNotFound(): LambdaError {
  return new LambdaError('ProvisionedConcurrencyConfigNotFoundException', 404, 'No Provisioned Concurrency Config found for this function');
}

export function serviceException(message: string): LambdaError {
  return new LambdaError('ServiceException', 500, message, { messageKey: 'Message', type: 'Service' });
}

export function unknownOperation(method: string, path: string): LambdaError {
  return new LambdaError('UnknownOperationException', 404, `Unknown operation ${method} ${path}`, { type: null });
}
