/**
 * Generated scripts against squall's own emulator started WITH credentials, so every SQS and
 * Lambda call from the k6 library must carry a SigV4 signature the emulator's verifier accepts
 * (and a wrong secret is refused with AWS's 403, counted, not thrown). The scenario code runs in
 * Node through the k6 shims (real HTTP over 127.0.0.1).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLambdaEmulator, type SquallEmulator } from '../../harness/emulator/index.ts';
import { renderScript } from '../../harness/generate/render.ts';
import { importK6Script, metricSum, resetShim, setK6Globals, shim } from '../k6-scripts/k6-shim.ts';
import { executors, experiment, httpTemplate, lambdaTemplate, scenario, sqsTemplate } from './builders.ts';

const credentials = { accessKeyId: 'AKIDSQUALL', secretAccessKey: 'squall-secret' };
const exp = experiment([
  scenario('api', { ...httpTemplate, checks: [{ name: 'status 200', status: [200] }] } as never, executors['constant-vus']),
  scenario('producer', { ...sqsTemplate, poison: { ratio: 0.2, kind: 'marker' } } as never, executors['constant-arrival-rate']),
  scenario('invoke', { ...lambdaTemplate, invocationType: 'RequestResponse' } as never, executors['per-vu-iterations']),
]);
exp.system.queues = { orders: exp.system.queues['orders']! };

let emu: SquallEmulator;
let mod: Record<string, any>;
let env: Record<string, string>;
const exec = (name: string) => renderScript(exp).view.scenarios.find((s) => s.name === name)!.exec;

beforeAll(async () => {
  emu = await startLambdaEmulator({ experiment: exp, credentials });
  mod = await importK6Script(renderScript(exp).script);
  env = {
    SQUALL_ENDPOINT: emu.emulator.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    SQUALL_URL_ORDERS_API: emu.system.urls['orders-api']!,
    SQUALL_QUEUE_URL_ORDERS: emu.system.queues['orders']!.url,
    SQUALL_RUN_ID: 'run-emu',
  };
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(() => resetShim());

describe('generated script → squall emulator (SigV4 verified)', () => {
  it('setup() passes with the environment squall run provides', async () => {
    setK6Globals(env);
    // setup() may be sync or async (k6 awaits it): call it through an async wrapper.
    await expect((async () => mod.setup())()).resolves.toBeUndefined();
  });

  it('http scenario reaches the function URL and gets 200', async () => {
    setK6Globals(env, 1, 0);
    await mod[exec('api')]();
    expect(shim.checks.find((c) => c.name === 'status 200')).toEqual({ name: 'status 200', ok: true });
  });

  it('sqs-producer batches are accepted: 10 messages per iteration, 2 of them poison', async () => {
    setK6Globals(env, 1, 0);
    await mod[exec('producer')]();
    expect(shim.checks).toEqual([{ name: 'sqs: batch accepted', ok: true }]);
    expect(metricSum('squall_messages_sent')).toBe(10);
    expect(metricSum('squall_poison_sent')).toBe(2);
    expect(metricSum('squall_messages_failed')).toBe(0);
  });

  it('lambda-invoke (RequestResponse) is accepted with 200 and no function error', async () => {
    setK6Globals(env, 2, 1);
    await mod[exec('invoke')]();
    expect(shim.checks).toEqual([
      { name: 'lambda: invoke accepted', ok: true },
      { name: 'lambda: no function error', ok: true },
    ]);
  });

  it('a wrong secret gets AWS\'s 403 from the emulator: counted as failed, never thrown', async () => {
    const fresh = await importK6Script(renderScript(exp).script);
    setK6Globals({ ...env, AWS_SECRET_ACCESS_KEY: 'wrong' }, 1, 0);
    await fresh[exec('producer')]();
    expect(metricSum('squall_messages_failed')).toBe(10);
    expect(metricSum('squall_messages_sent')).toBe(0);
    expect(shim.checks).toEqual([{ name: 'sqs: batch accepted', ok: false }]);
  });
});
