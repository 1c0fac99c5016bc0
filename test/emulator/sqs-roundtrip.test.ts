/**
 * Property: any valid message — unicode body, up to 10 attributes of every type with custom type
 * suffixes — round-trips exactly through the emulator, whichever protocol sends it and whichever
 * receives it, with the body and attribute digests the SDK and AWS compute. Poison markers
 * (`squall-poison`) are just one such attribute.
 */
import { ReceiveMessageCommand, SQSClient, SendMessageCommand, CreateQueueCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../harness/emulator/server.ts';
import type { Emulator } from '../../harness/emulator/server.ts';
import { md5OfMessageAttributes } from '../../harness/emulator/sqs/md5.ts';

let emu: Emulator;
let sqs: SQSClient;
let url: string;

beforeAll(async () => {
  emu = await startEmulator();
  sqs = new SQSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  url = (await sqs.send(new CreateQueueCommand({ QueueName: 'roundtrip' }))).QueueUrl!;
});
afterAll(async () => {
  sqs.destroy();
  await emu.close();
});

/** Characters SQS allows in bodies and string values (no controls but tab/LF/CR, no lone surrogates). */
const sqsChar = fc.oneof(
  fc.constantFrom('\t', '\n', '\r', '<', '&', '"', "'", ']]>', '\u00e9', '\u4e2d', '\u{1F30A}', '\uE000', '\uFFFD'),
  // eslint-disable-next-line no-control-regex -- these control characters are exactly what SQS refuses in a body.
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(c)),
);
const sqsText = (min: number, max: number) => fc.array(sqsChar, { minLength: min, maxLength: max }).map((a) => a.join(''));
const attrName = fc
  .stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,30}[A-Za-z0-9_-]$/)
  .filter((n) => !n.includes('..') && !/^(aws|amazon)\./i.test(n));
const attrValue: fc.Arbitrary<MessageAttributeValue> = fc.oneof(
  fc.record({ DataType: fc.constantFrom('String', 'String.json', 'String.x_y'), StringValue: sqsText(1, 40) }),
  fc.record({ DataType: fc.constantFrom('Number', 'Number.int'), StringValue: fc.oneof(fc.integer().map(String), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).map((d) => d.toFixed(4))) }),
  fc.record({ DataType: fc.constantFrom('Binary', 'Binary.gz'), BinaryValue: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
);
const message = fc.record({
  body: sqsText(1, 200),
  attributes: fc.dictionary(attrName, attrValue, { minKeys: 0, maxKeys: 10 }),
});

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

function unxml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#xD;/g, '\r').replace(/&amp;/g, '&');
}

async function receiveJson(): Promise<{ body: string; attributes: Record<string, MessageAttributeValue>; md5: string | undefined; handle: string }> {
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }));
  const m = r.Messages![0]!;
  return { body: m.Body!, attributes: m.MessageAttributes ?? {}, md5: m.MD5OfMessageAttributes, handle: m.ReceiptHandle! };
}

async function receiveQuery(): Promise<{ body: string; attributes: Record<string, MessageAttributeValue>; md5: string | undefined; handle: string }> {
  const res = await fetch(`${emu.endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ Action: 'ReceiveMessage', QueueUrl: url, 'MessageAttributeName.1': 'All' }) });
  const xml = await res.text();
  const body = unxml(/<Body>([\s\S]*?)<\/Body>/.exec(xml)![1]!);
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const a of xml.matchAll(/<MessageAttribute><Name>([\s\S]*?)<\/Name><Value>([\s\S]*?)<\/Value><\/MessageAttribute>/g)) {
    const v = a[2]!;
    const dt = unxml(/<DataType>([\s\S]*?)<\/DataType>/.exec(v)![1]!);
    const sv = /<StringValue>([\s\S]*?)<\/StringValue>/.exec(v);
    const bv = /<BinaryValue>([\s\S]*?)<\/BinaryValue>/.exec(v);
    attributes[unxml(a[1]!)] = sv ? { DataType: dt, StringValue: unxml(sv[1]!) } : { DataType: dt, BinaryValue: new Uint8Array(Buffer.from(bv![1]!, 'base64')) };
  }
  return { body, attributes, md5: /<MD5OfMessageAttributes>(\w+)<\/MD5OfMessageAttributes>/.exec(xml)?.[1], handle: unxml(/<ReceiptHandle>([\s\S]*?)<\/ReceiptHandle>/.exec(xml)![1]!) };
}

async function sendQuery(body: string, attributes: Record<string, MessageAttributeValue>): Promise<string | undefined> {
  const p: Record<string, string> = { Action: 'SendMessage', QueueUrl: url, MessageBody: body };
  Object.entries(attributes).forEach(([name, v], i) => {
    p[`MessageAttribute.${i + 1}.Name`] = name;
    p[`MessageAttribute.${i + 1}.Value.DataType`] = v.DataType!;
    if (v.StringValue !== undefined) p[`MessageAttribute.${i + 1}.Value.StringValue`] = v.StringValue;
    if (v.BinaryValue !== undefined) p[`MessageAttribute.${i + 1}.Value.BinaryValue`] = Buffer.from(v.BinaryValue).toString('base64');
  });
  const res = await fetch(`${emu.endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(p) });
  const xml = await res.text();
  expect(res.status, xml).toBe(200);
  return /<MD5OfMessageAttributes>(\w+)<\/MD5OfMessageAttributes>/.exec(xml)?.[1];
}

const norm = (a: Record<string, MessageAttributeValue>) =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v.BinaryValue ? { DataType: v.DataType, BinaryValue: Buffer.from(v.BinaryValue).toString('base64') } : { DataType: v.DataType, StringValue: v.StringValue }]));

describe('round trip', () => {
  it('any valid message survives every protocol pairing exactly, with AWS digests', async () => {
    await fc.assert(
      fc.asyncProperty(message, fc.constantFrom('json', 'query'), fc.constantFrom('json', 'query'), async ({ body, attributes }, sendVia, receiveVia) => {
        const expectedMd5 = Object.keys(attributes).length ? md5OfMessageAttributes(attributes as never) : undefined;
        let sentMd5: string | undefined;
        if (sendVia === 'json') {
          const r = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: Object.keys(attributes).length ? attributes : undefined }));
          expect(r.MD5OfMessageBody).toBe(createHash('md5').update(body, 'utf8').digest('hex'));
          sentMd5 = r.MD5OfMessageAttributes;
        } else {
          sentMd5 = await sendQuery(body, attributes);
        }
        expect(sentMd5).toBe(expectedMd5);
        const got = receiveVia === 'json' ? await receiveJson() : await receiveQuery();
        expect(got.body).toBe(body);
        expect(norm(got.attributes)).toEqual(norm(attributes));
        expect(got.md5).toBe(expectedMd5);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.handle }));
      }),
      { numRuns: 60 },
    );
  });
});
