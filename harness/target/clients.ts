/**
 * What a run talks to: AWS SDK v3 clients for the emulator, LocalStack/moto or real AWS. Chaos
 * reaches a target only through these clients, exactly as a user's own tooling would.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { EMULATED_ACCOUNT } from '../contracts/aws-facts.ts';
import type { ResolvedTarget } from '../experiment/types.ts';

export interface TargetClients {
  lambda: LambdaClient;
  sqs: SQSClient;
  sts: STSClient;
  cloudwatch: CloudWatchClient;
  region: string;
  /** Endpoint override (emulator, LocalStack, moto) or null for real AWS. */
  endpoint: string | null;
  destroy(): void;
}

export interface ClientOptions {
  endpoint?: string | null;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A named profile of the shared config/credentials files (`target.profile`). */
  profile?: string | null;
  /** SDK retries: chaos wants few (a fault applied late is worse than a clear error). */
  maxAttempts?: number;
  /** TCP connect timeout (ms): an endpoint that never accepts fails fast instead of hanging. */
  connectionTimeoutMs?: number;
  /** Per-request timeout (ms): a listener that accepts and never answers fails instead of hanging. */
  requestTimeoutMs?: number;
}

/** Defaults for every squall client; a control-plane call that takes longer is failing. */
export const CLIENT_TIMEOUTS = { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 } as const;

/** Credentials the emulator accepts when it is not verifying signatures. */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'squall', secretAccessKey: 'squall-local-secret' } as const;

export function createClients(opts: ClientOptions): TargetClients {
  const region = opts.region ?? EMULATED_ACCOUNT.region;
  const common = {
    region,
    maxAttempts: opts.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: opts.connectionTimeoutMs ?? CLIENT_TIMEOUTS.connectionTimeoutMs,
      requestTimeout: opts.requestTimeoutMs ?? CLIENT_TIMEOUTS.requestTimeoutMs,
      // Without it the SDK only logs a warning and keeps waiting.
      throwOnRequestTimeout: true,
    },
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    // Explicit credentials win; else the SDK's default chain, reading the named profile if given.
    ...(opts.credentials ? { credentials: opts.credentials } : opts.profile ? { profile: opts.profile } : {}),
  };
  const lambda = new LambdaClient(common);
  const sqs = new SQSClient(common);
  const sts = new STSClient(common);
  const cloudwatch = new CloudWatchClient(common);
  return {
    lambda,
    sqs,
    sts,
    cloudwatch,
    region,
    endpoint: opts.endpoint ?? null,
    destroy() {
      lambda.destroy();
      sqs.destroy();
      sts.destroy();
      cloudwatch.destroy();
    },
  };
}

/** Clients for a resolved target; for `emulated`, the emulator's endpoint must be given. */
export function clientsForTarget(target: ResolvedTarget, emulatorEndpoint?: string): TargetClients {
  if (target.kind === 'emulated') {
    if (!emulatorEndpoint) throw new Error('an emulated target needs the emulator endpoint');
    return createClients({ endpoint: emulatorEndpoint, credentials: EMULATOR_CREDENTIALS });
  }
  return createClients({ endpoint: target.endpoint, region: target.region, profile: target.profile });
}
