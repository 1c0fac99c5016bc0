/**
 * Message-level rules shared by every send path: body characters, message attribute names and
 * values, FIFO ids, sequence numbers, and the receipt handle format (which encodes queue, message
 * and receive so a handle can be checked without a lookup table).
 */
import { SQS_API } from '../../contracts/aws-facts.ts';
import { SqsError, msg as err } from './errors.ts';

/** Body characters SQS accepts: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF [MODEL SendMessage doc]. */
export const INVALID_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** The same class without astral ranges (no `u` flag, about a third cheaper): no hit means valid. */
const PLAIN_OK_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/;

/** Whether `s` holds a character SQS refuses (a surrogate pair is fine when it forms a valid astral character). */
export function hasInvalidChars(s: string): boolean {
  return PLAIN_OK_CHARS.test(s) && INVALID_CHARS.test(s);
}
/** Attribute names: up to 256 of A-Z a-z 0-9 _ - . ; not starting/ending with '.', no '..', no AWS./Amazon. prefix [MODEL MessageAttributeValue]. */
const ATTR_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)(?!aws\.)(?!amazon\.)[A-Za-z0-9_.-]{1,256}$/i;
/** Queue names: 1–80 of alphanumerics, hyphens, underscores (a FIFO name adds `.fifo`) [MODEL CreateQueue]. */
export const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** A receipt handle starts like AWS's ("AQEB…") so log readers recognise it. */
const HANDLE_PREFIX = 'AQEB';

/** FIFO ids: 1–128 characters of a-z A-Z 0-9 and !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ [MODEL SendMessage doc]. */
export function checkFifoId(param: string, v: string): SqsError | undefined {
  if (v.length < 1 || v.length > SQS_API.fifoIdMaxLength || !/^[\x21-\x7e]+$/.test(v)) {
    return err.invalidValue(param, v, `${param} can only include alphanumeric and punctuation characters. 1 to ${SQS_API.fifoIdMaxLength} in length.`);
  }
  return undefined;
}

/** Message attribute rules: name, data type and value [MODEL MessageAttributeValue doc]. */
export function checkAttribute(name: string, v: { DataType: string; StringValue?: string; BinaryValue?: Uint8Array; StringListValues?: string[]; BinaryListValues?: Uint8Array[] }): SqsError | undefined {
  if (!ATTR_NAME.test(name)) {
    return err.invalidValue('MessageAttribute.Name', name, 'Message attribute name can only contain alphanumeric characters, hyphens, underscores and periods; must not start or end with a period, contain two consecutive periods, or start with AWS. or Amazon.; and be 1 to 256 characters long.').withMessage(
      `Message attribute name '${name}' is invalid.`,
    );
  }
  const dt = v.DataType;
  if (typeof dt !== 'string' || dt === '') return err.invalidValue('MessageAttributes', name, `The message attribute '${name}' must contain a non-empty message attribute type.`).withMessage(`The message attribute '${name}' must contain a non-empty message attribute type.`);
  const base = dt.split('.', 1)[0]!;
  if (dt.length > 256 || (base !== 'String' && base !== 'Number' && base !== 'Binary')) {
    return new SqsError('InvalidParameterValueException', `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
  }
  if (v.StringListValues !== undefined || v.BinaryListValues !== undefined) {
    return new SqsError('InvalidParameterValueException', `Message attribute list values in '${name}' are not supported.`);
  }
  if (base === 'Binary') {
    if (v.BinaryValue === undefined || v.StringValue !== undefined) {
      return new SqsError('InvalidParameterValueException', `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
    }
    if (v.BinaryValue.length === 0) return new SqsError('InvalidParameterValueException', `The message attribute '${name}' must contain a non-empty value of type 'Binary'.`);
    return undefined;
  }
  if (v.StringValue === undefined || v.BinaryValue !== undefined) {
    return new SqsError('InvalidParameterValueException', `The message attribute '${name}' with type '${base}' must use field 'String'.`);
  }
  if (v.StringValue === '') return new SqsError('InvalidParameterValueException', `The message attribute '${name}' must contain a non-empty value of type '${base}'.`);
  if (hasInvalidChars(v.StringValue)) return new SqsError('InvalidParameterValueException', `The message attribute '${name}' contains invalid characters.`);
  if (base === 'Number') {
    // Numbers: up to 38 significant digits, between -10^128 and 10^126 [MODEL MessageAttributeValue doc].
    const s = v.StringValue.trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) || s.replace(/[^0-9]/g, '').replace(/^0+/, '').length > 38) {
      return new SqsError('InvalidParameterValueException', `Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
  }
  return undefined;
}

export function sequenceNumber(n: number): string {
  // AWS sequence numbers are 128-bit decimal strings; 20 digits, increasing per queue.
  return `1${String(n).padStart(19, '0')}`;
}

// ---------------------------------------------------------------- receipt handles

export function encodeHandle(queue: number, num: number, serial: number): string {
  return HANDLE_PREFIX + Buffer.from(`${queue}:${num}:${serial}`, 'latin1').toString('base64url');
}

const HANDLE_BODY = /^(\d{1,15}):(\d{1,15}):(\d{1,15})$/;

export function decodeHandle(h: string): { queue: number; num: number; serial: number } | undefined {
  if (typeof h !== 'string' || !h.startsWith(HANDLE_PREFIX) || h.length > 200) return undefined;
  // Anything that does not decode to three integers is not one of ours (ReceiptHandleIsInvalid).
  const m = HANDLE_BODY.exec(Buffer.from(h.slice(HANDLE_PREFIX.length), 'base64url').toString('latin1'));
  if (!m) return undefined;
  return { queue: Number(m[1]), num: Number(m[2]), serial: Number(m[3]) };
}
