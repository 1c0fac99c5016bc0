/**
 * SQS's errors (the contract layer): one code per AWS error, with its JSON 1.0 shape name, its
 * legacy awsQuery code (the `x-amzn-query-error` header and the Query protocol's `<Code>`), HTTP
 * status and fault. Shapes and the legacy-code mapping follow the fact sheet §5.1 (botocore model
 * error shapes; LocalStack's `SqsJsonResponseSerializer` mapping; the AWS doc example
 * `x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender`).
 *
 * `SqsError` deliberately does not extend `Error`: an SQS error is an answer, not a bug, and the
 * batch paths return them per entry, so no stack trace is captured for them.
 */

interface ErrorDef {
  /** Legacy awsQuery code. */
  query: string;
  status: number;
  /** Namespace of `__type`: the SQS model, or the AWS front end for protocol/auth errors. */
  ns: 'com.amazonaws.sqs' | 'com.amazon.coral.service';
  fault: 'Sender' | 'Receiver';
}

const sqsPrefixed = (query: string): ErrorDef => ({ query: `AWS.SimpleQueueService.${query}`, status: 400, ns: 'com.amazonaws.sqs', fault: 'Sender' });
const same = (query: string): ErrorDef => ({ query, status: 400, ns: 'com.amazonaws.sqs', fault: 'Sender' });
const front = (query: string, status: number, fault: 'Sender' | 'Receiver' = 'Sender'): ErrorDef => ({ query, status, ns: 'com.amazon.coral.service', fault });

export const SQS_ERRORS = {
  // Model error shapes [MODEL], legacy codes per §5.1.
  QueueDoesNotExist: sqsPrefixed('NonExistentQueue'),
  QueueNameExists: same('QueueAlreadyExists'),
  InvalidParameterValueException: same('InvalidParameterValue'),
  MissingRequiredParameterException: same('MissingParameter'),
  AccessDeniedException: same('AccessDenied'),
  BatchEntryIdsNotDistinct: sqsPrefixed('BatchEntryIdsNotDistinct'),
  BatchRequestTooLong: sqsPrefixed('BatchRequestTooLong'),
  EmptyBatchRequest: sqsPrefixed('EmptyBatchRequest'),
  InvalidBatchEntryId: sqsPrefixed('InvalidBatchEntryId'),
  MessageNotInflight: sqsPrefixed('MessageNotInflight'),
  PurgeQueueInProgress: sqsPrefixed('PurgeQueueInProgress'),
  QueueDeletedRecently: sqsPrefixed('QueueDeletedRecently'),
  TooManyEntriesInBatchRequest: sqsPrefixed('TooManyEntriesInBatchRequest'),
  UnsupportedOperation: sqsPrefixed('UnsupportedOperation'),
  OverLimit: same('OverLimit'),
  ReceiptHandleIsInvalid: same('ReceiptHandleIsInvalid'),
  RequestThrottled: same('RequestThrottled'),
  InvalidAttributeName: same('InvalidAttributeName'),
  InvalidAttributeValue: same('InvalidAttributeValue'),
  InvalidMessageContents: same('InvalidMessageContents'),
  InvalidAddress: same('InvalidAddress'),
  InvalidIdFormat: same('InvalidIdFormat'),
  InvalidSecurity: same('InvalidSecurity'),
  ResourceNotFoundException: same('ResourceNotFoundException'),
  // Front-end errors: unknown operation, unreadable body, authentication.
  UnknownOperationException: front('InvalidAction', 400),
  // A Query request without Action: "MissingAction" 400 [AWS API reference, Common Errors].
  MissingAction: front('MissingAction', 400),
  SerializationException: front('MalformedQueryString', 400),
  InvalidClientTokenId: front('InvalidClientTokenId', 403),
  SignatureDoesNotMatch: front('SignatureDoesNotMatch', 403),
  MissingAuthenticationToken: front('MissingAuthenticationToken', 403),
  IncompleteSignature: front('IncompleteSignature', 403),
  RequestEntityTooLarge: front('RequestEntityTooLarge', 413),
  InternalFailure: front('InternalFailure', 500, 'Receiver'),
} as const satisfies Record<string, ErrorDef>;

export type SqsErrorCode = keyof typeof SQS_ERRORS;

export class SqsError {
  readonly def: ErrorDef;
  constructor(
    readonly code: SqsErrorCode,
    readonly message: string,
  ) {
    this.def = SQS_ERRORS[code];
  }
  /** The same error with AWS's exact wording where the generic builder's differs. */
  withMessage(message: string): SqsError {
    return new SqsError(this.code, message);
  }
  get status(): number {
    return this.def.status;
  }
  /** `com.amazonaws.sqs#QueueDoesNotExist` */
  get jsonType(): string {
    return `${this.def.ns}#${this.code}`;
  }
  /** The legacy code used by the Query protocol and the `x-amzn-query-error` header. */
  get queryCode(): string {
    return this.def.query;
  }
  get fault(): 'Sender' | 'Receiver' {
    return this.def.fault;
  }
}

export function isSqsError(x: unknown): x is SqsError {
  return x instanceof SqsError;
}

/** AWS's wording for the common cases, so every layer says them the same way. */
export const msg = {
  queueDoesNotExist: () => new SqsError('QueueDoesNotExist', 'The specified queue does not exist.'),
  missing: (param: string) => new SqsError('MissingRequiredParameterException', `The request must contain the parameter ${param}.`),
  invalidValue: (param: string, value: unknown, reason: string) =>
    new SqsError('InvalidParameterValueException', `Value ${String(value)} for parameter ${param} is invalid. Reason: ${reason}`),
  invalidAttributeValue: (name: string, reason?: string) =>
    new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`),
  unknownAttribute: (name: string) => new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`),
  invalidReceiptHandle: (h: string) => new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${h}" is not a valid receipt handle.`),
};
