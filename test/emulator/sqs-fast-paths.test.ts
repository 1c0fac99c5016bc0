/**
 * The SendMessageBatch hot path's shortcuts decide exactly as the plain code they stand in for:
 * the precompiled JSON walk against the named walk (same input, same error), the hand-written
 * SendMessageBatch answer against JSON.stringify (same bytes), the character prefilter against
 * SQS's full character class, and counter-made ids (unique, UUID-shaped).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageId, requestId } from '../../harness/emulator/ids.ts';
import { INVALID_CHARS, hasInvalidChars } from '../../harness/emulator/sqs/message-rules.ts';
import { sendMessageBatchJson } from '../../harness/emulator/sqs/service.ts';
import { decodeJsonInput, decodeJsonInputNamed } from '../../harness/emulator/sqs/shapes.ts';

// Values of every JSON type, so members get the wrong type as often as the right one.
const anyValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constant('aGVsbG8='),
  fc.constant('not base64!'),
  fc.constant(2 ** 40),
);
const attribute = fc.record(
  { DataType: fc.oneof(fc.constantFrom('String', 'Number', 'Binary', 'Bogus'), anyValue), StringValue: anyValue, BinaryValue: anyValue },
  { requiredKeys: [] },
);
const entry = fc.record(
  {
    Id: fc.oneof(fc.constantFrom('m0', 'm1', 'bad id'), anyValue),
    MessageBody: fc.oneof(fc.string({ maxLength: 20 }), anyValue),
    DelaySeconds: anyValue,
    MessageAttributes: fc.oneof(fc.dictionary(fc.constantFrom('a', 'b', '__proto__'), attribute, { maxKeys: 3 }), anyValue),
    MessageGroupId: anyValue,
    Extra: anyValue,
  },
  { requiredKeys: [] },
);
const body = fc.record(
  { QueueUrl: fc.oneof(fc.constant('http://127.0.0.1/000000000000/q'), anyValue), Entries: fc.oneof(fc.array(fc.oneof(entry, anyValue), { maxLength: 4 }), anyValue) },
  { requiredKeys: [] },
);
const receive = fc.record(
  {
    QueueUrl: fc.oneof(fc.constant('http://127.0.0.1/000000000000/q'), anyValue),
    MaxNumberOfMessages: anyValue,
    AttributeNames: fc.oneof(fc.array(fc.oneof(fc.constantFrom('All', 'ApproximateReceiveCount', 'Policy', 'Nope'), anyValue), { maxLength: 3 }), anyValue),
  },
  { requiredKeys: [] },
);

const same = (op: string, input: unknown) => {
  const fast = decodeJsonInput(op, input);
  const named = decodeJsonInputNamed(op, input);
  expect(fast).toEqual(named);
};

describe('SQS hot-path shortcuts', () => {
  it('the precompiled JSON walk accepts, decodes and refuses exactly as the named walk', () => {
    fc.assert(fc.property(body, (b) => same('SendMessageBatch', b)), { numRuns: 2000, seed: 14 });
    fc.assert(fc.property(entry, (e) => same('SendMessage', { QueueUrl: 'http://127.0.0.1/000000000000/q', ...(e as object) })), { numRuns: 1000, seed: 15 });
    fc.assert(fc.property(receive, (r) => same('ReceiveMessage', r)), { numRuns: 1000, seed: 16 });
  });

  it('the hand-written SendMessageBatch answer is byte for byte what JSON.stringify writes', () => {
    const idChars = fc.string({ unit: fc.constantFrom(...'abcXYZ019_-'), minLength: 1, maxLength: 80 });
    const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
    const success = fc.record(
      { Id: idChars, MessageId: hex(36), MD5OfMessageBody: hex(32), MD5OfMessageAttributes: hex(32), MD5OfMessageSystemAttributes: hex(32), SequenceNumber: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 20, maxLength: 20 }) },
      { requiredKeys: ['Id', 'MessageId', 'MD5OfMessageBody'] },
    );
    const failure = fc.record({ Id: idChars, SenderFault: fc.boolean(), Code: fc.string(), Message: fc.string({ unit: 'binary', maxLength: 30 }) });
    fc.assert(
      fc.property(fc.array(success, { maxLength: 10 }), fc.array(failure, { maxLength: 10 }), (Successful, Failed) => {
        const out = { Successful, Failed };
        expect(sendMessageBatchJson(out)).toBe(JSON.stringify(out));
      }),
      { numRuns: 1000, seed: 18 },
    );
  });

  it('the character prefilter agrees with the full class on any string', () => {
    const chars = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ maxLength: 40 }));
    fc.assert(fc.property(chars, (s) => hasInvalidChars(s) === INVALID_CHARS.test(s)), { numRuns: 5000, seed: 17 });
    for (const s of ['ok', '\u0000', '\uFFFE', '\uD83D\uDE00', '\uD83D', 'a\uDE00b', '\t\n\r ']) expect(hasInvalidChars(s)).toBe(INVALID_CHARS.test(s));
  });

  it('message and request ids are unique and UUID-shaped, across the counter carrying into every hex digit', () => {
    const seen = new Set<string>();
    const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (let i = 0; i < 70_000; i++) {
      const id = i % 7 === 0 ? requestId() : messageId();
      expect(UUID.test(id)).toBe(true);
      seen.add(id);
    }
    expect(seen.size).toBe(70_000);
  });
});
