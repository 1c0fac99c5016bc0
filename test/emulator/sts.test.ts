/**
 * The emulator's STS: GetCallerIdentity through the real SDK v3 client (so an `aws`-kind target
 * pointed at `squall emulator` passes squall's own preflight), signed and unsigned, and AWS's
 * error for anything else STS does not emulate.
 */
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambdaEmulator, type SquallEmulator } from '../../harness/emulator/index.ts';

let emu: SquallEmulator;
beforeAll(async () => {
  emu = await startLambdaEmulator({ credentials: { accessKeyId: 'AKIDSTS', secretAccessKey: 'secret-sts' } });
});
afterAll(async () => {
  await emu?.close();
});

const client = (secret: string) => new STSClient({ endpoint: emu.emulator.endpoint, maxAttempts: 1, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSTS', secretAccessKey: secret } });

describe('emulated STS', () => {
  it('GetCallerIdentity answers the emulated account', async () => {
    const sts = client('secret-sts');
    const r = await sts.send(new GetCallerIdentityCommand({}));
    expect(r).toMatchObject({ Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root', UserId: '000000000000' });
    sts.destroy();
  });
  it('a wrong signature is STS\'s SignatureDoesNotMatch', async () => {
    const sts = client('wrong');
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    sts.destroy();
  });
  it('an action it does not emulate is InvalidAction', async () => {
    const sts = client('secret-sts');
    await expect(sts.send(new GetSessionTokenCommand({}))).rejects.toMatchObject({ name: 'InvalidAction' });
    sts.destroy();
  });
});
