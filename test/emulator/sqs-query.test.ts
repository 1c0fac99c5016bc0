/**
 * The Query protocol (form-encoded requests, XML answers) that older SDKs and CLIs speak: the
 * requests are built by hand exactly as a Query client sends them, and the XML answers are parsed
 * with the element names the 2012-11-05 Query API uses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../harness/emulator/server.ts';
import type { Emulator } from '../../harness/emulator/server.ts';
import { md5OfMessageAttributes } from '../../harness/emulator/sqs/md5.ts';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.close();
});

async function post(params: Record<string, string>, path = '/'): Promise<{ status: number; xml: string; type: string | null }> {
  const res = await fetch(`${emu.endpoint}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  return { status: res.status, xml: await res.text(), type: res.headers.get('content-type') };
}

function all(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]!);
}
function one(xml: string, tag: string): string | undefined {
  return all(xml, tag)[0];
}
function unescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#xD;/g, '\r').replace(/&amp;/g, '&');
}

describe('Query protocol', () => {
  it('runs a queue through create, attributes, send, receive, batch delete', async () => {
    const created = await post({ Action: 'CreateQueue', QueueName: 'qp', 'Attribute.1.Name': 'VisibilityTimeout', 'Attribute.1.Value': '5', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
    expect(created.status).toBe(200);
    expect(created.type).toBe('text/xml');
    expect(created.xml).toContain('<CreateQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><CreateQueueResult>');
    const url = one(created.xml, 'QueueUrl')!;
    expect(url).toBe(`${emu.endpoint}/000000000000/qp`);
    expect(one(created.xml, 'RequestId')).toMatch(/^[0-9a-f-]{36}$/);

    const attrs = await post({ Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'VisibilityTimeout', 'AttributeName.2': 'QueueArn' });
    expect(all(attrs.xml, 'Attribute')).toEqual(['<Name>VisibilityTimeout</Name><Value>5</Value>', '<Name>QueueArn</Name><Value>arn:aws:sqs:us-east-1:000000000000:qp</Value>']);
    const tags = await post({ Action: 'ListQueueTags', QueueUrl: url });
    expect(all(tags.xml, 'Tag')).toEqual(['<Key>k</Key><Value>v</Value>']);

    const body = 'a <b> & "c" \u00e9';
    const sent = await post({
      Action: 'SendMessage',
      QueueUrl: url,
      MessageBody: body,
      'MessageAttribute.1.Name': 'squall-poison',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'run-1',
      'MessageAttribute.2.Name': 'b',
      'MessageAttribute.2.Value.DataType': 'Binary',
      'MessageAttribute.2.Value.BinaryValue': Buffer.from([9, 8, 7]).toString('base64'),
    });
    expect(sent.status).toBe(200);
    expect(one(sent.xml, 'MD5OfMessageAttributes')).toBe(
      md5OfMessageAttributes({ 'squall-poison': { DataType: 'String', StringValue: 'run-1' }, b: { DataType: 'Binary', BinaryValue: Buffer.from([9, 8, 7]) } }),
    );

    const got = await post({ Action: 'ReceiveMessage', QueueUrl: url, 'AttributeName.1': 'All', 'MessageAttributeName.1': 'All', MaxNumberOfMessages: '10' });
    const msgs = all(got.xml, 'Message');
    expect(msgs).toHaveLength(1);
    expect(unescape(one(msgs[0]!, 'Body')!)).toBe(body);
    expect(msgs[0]).toContain('<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>');
    expect(msgs[0]).toContain('<MessageAttribute><Name>squall-poison</Name><Value><StringValue>run-1</StringValue><DataType>String</DataType></Value></MessageAttribute>');
    expect(msgs[0]).toContain(`<BinaryValue>${Buffer.from([9, 8, 7]).toString('base64')}</BinaryValue>`);
    const handle = one(msgs[0]!, 'ReceiptHandle')!;

    const del = await post({ Action: 'DeleteMessageBatch', QueueUrl: url, 'DeleteMessageBatchRequestEntry.1.Id': 'x1', 'DeleteMessageBatchRequestEntry.1.ReceiptHandle': handle, 'DeleteMessageBatchRequestEntry.2.Id': 'x2', 'DeleteMessageBatchRequestEntry.2.ReceiptHandle': 'junk' });
    expect(del.status).toBe(200);
    expect(all(del.xml, 'DeleteMessageBatchResultEntry')).toEqual(['<Id>x1</Id>']);
    expect(one(del.xml, 'BatchResultErrorEntry')).toContain('<Code>ReceiptHandleIsInvalid</Code>');
    expect(one(del.xml, 'BatchResultErrorEntry')).toContain('<SenderFault>true</SenderFault>');
  });

  it('sends a batch and lists queues with GET, and answers to a queue-URL path', async () => {
    await post({ Action: 'CreateQueue', QueueName: 'qp-batch' });
    const r = await post(
      {
        Action: 'SendMessageBatch',
        'SendMessageBatchRequestEntry.1.Id': 'a',
        'SendMessageBatchRequestEntry.1.MessageBody': 'one',
        'SendMessageBatchRequestEntry.2.Id': 'b',
        'SendMessageBatchRequestEntry.2.MessageBody': 'two',
        'SendMessageBatchRequestEntry.2.DelaySeconds': '1',
      },
      '/000000000000/qp-batch',
    );
    expect(r.status).toBe(200);
    expect(all(r.xml, 'SendMessageBatchResultEntry').map((e) => one(e, 'Id'))).toEqual(['a', 'b']);
    const list = await fetch(`${emu.endpoint}/?Action=ListQueues&QueueNamePrefix=qp-`);
    expect(all(await list.text(), 'QueueUrl')).toEqual([`${emu.endpoint}/000000000000/qp-batch`]);
    const n = await post({ Action: 'GetQueueAttributes', 'AttributeName.1': 'All' }, '/000000000000/qp-batch');
    expect(n.xml).toContain('<Name>ApproximateNumberOfMessages</Name><Value>1</Value>');
    expect(n.xml).toContain('<Name>ApproximateNumberOfMessagesDelayed</Name><Value>1</Value>');
  });

  it('answers errors as ErrorResponse documents', async () => {
    const missing = await post({ Action: 'GetQueueUrl', QueueName: 'nope' });
    expect(missing.status).toBe(400);
    expect(missing.xml).toMatch(
      /^<\?xml version="1.0"\?><ErrorResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code><Message>The specified queue does not exist.<\/Message><Detail\/><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
    );
    const badAction = await post({ Action: 'Explode' });
    expect(badAction.status).toBe(400);
    expect(one(badAction.xml, 'Code')).toBe('InvalidAction');
    const notInt = await post({ Action: 'ReceiveMessage', QueueUrl: `${emu.endpoint}/000000000000/qp-batch`, MaxNumberOfMessages: 'ten' });
    expect(notInt.status).toBe(400);
    expect(one(notInt.xml, 'Code')).toBe('InvalidParameterValue');
    const noParam = await post({ Action: 'SendMessage', QueueUrl: `${emu.endpoint}/000000000000/qp-batch` });
    expect(one(noParam.xml, 'Code')).toBe('MissingParameter');
    expect(one(noParam.xml, 'Message')).toBe('The request must contain the parameter MessageBody.');
    const tooMany = await post({
      Action: 'SendMessageBatch',
      QueueUrl: `${emu.endpoint}/000000000000/qp-batch`,
      ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [[`SendMessageBatchRequestEntry.${i + 1}.Id`, `i${i}`], [`SendMessageBatchRequestEntry.${i + 1}.MessageBody`, 'x']]).flat()),
    });
    expect(one(tooMany.xml, 'Code')).toBe('AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
  });

  it('accepts JSON 1.0 POSTs to a queue-URL path, taking QueueUrl from the path', async () => {
    await post({ Action: 'CreateQueue', QueueName: 'qp-json-path' });
    const send = await fetch(`${emu.endpoint}/000000000000/qp-json-path`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
      body: JSON.stringify({ MessageBody: 'via path' }),
    });
    expect(send.status).toBe(200);
    const sent = (await send.json()) as { MessageId: string };
    const recv = await fetch(`${emu.endpoint}/000000000000/qp-json-path`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage' },
      body: JSON.stringify({ MessageSystemAttributeNames: ['SentTimestamp'], VisibilityTimeout: 0 }),
    });
    const got = (await recv.json()) as { Messages: Array<{ MessageId: string; Body: string; Attributes: Record<string, string> }> };
    expect(got.Messages[0]).toMatchObject({ MessageId: sent.MessageId, Body: 'via path' });
    expect(Object.keys(got.Messages[0]!.Attributes)).toEqual(['SentTimestamp']);
    // Query: MessageSystemAttributeName.N selects system attributes too.
    const q = await post({ Action: 'ReceiveMessage', 'MessageSystemAttributeName.1': 'ApproximateReceiveCount' }, '/000000000000/qp-json-path');
    expect(all(q.xml, 'Attribute')).toEqual(['<Name>ApproximateReceiveCount</Name><Value>2</Value>']);
  });
});
