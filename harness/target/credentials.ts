/**
 * The credentials of an `aws` target, resolved once through the AWS SDK's default chain (env,
 * shared profile, SSO, web identity for CI OIDC, instance and container roles) so that squall's
 * own SDK clients and the generated k6 script sign with the very same identity. Temporary
 * credentials carry an expiry; a run that would outlive them is refused before it starts.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { environmentError } from './aws-errors.ts';

export interface ResolvedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms at which temporary credentials stop working; null for long-term keys. */
  expiresAtMs: number | null;
}

export async function resolveCredentials(o: { region: string; profile: string | null; endpoint: string | null }): Promise<ResolvedCredentials> {
  // Any client's credential provider walks the same default chain; STS is the one preflight calls first.
  const sts = new STSClient({ region: o.region, ...(o.profile ? { profile: o.profile } : {}) });
  try {
    const provider = sts.config.credentials as unknown as () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>;
    const c = await provider();
    return {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
      expiresAtMs: c.expiration ? c.expiration.getTime() : null,
    };
  } catch (e) {
    throw environmentError(e, { action: 'resolve credentials', resource: o.profile ? `profile ${o.profile}` : 'the default credential chain', endpoint: o.endpoint, region: o.region });
  } finally {
    sts.destroy();
  }
}

/**
 * Refuses temporary credentials that expire before the run (load, tail and restore margin) ends:
 * a run whose credentials lapse mid-way could not restore its faults.
 */
export function checkExpiry(c: ResolvedCredentials, runMs: number, nowMs: number, marginMs = 5 * 60_000): void {
  if (c.expiresAtMs === null) return;
  const left = c.expiresAtMs - nowMs;
  if (left < runMs + marginMs) {
    const mins = (ms: number) => `${Math.max(0, Math.floor(ms / 60_000))} min`;
    throw new SquallError(`the AWS credentials expire in ${mins(left)}, but the run needs about ${mins(runMs + marginMs)} (load, tail and a ${mins(marginMs)} margin to restore faults)`, {
      exitCode: EXIT.environmentUnavailable,
      hint: 'refresh the session (`aws sso login`, a longer role session duration) or shorten the experiment',
    });
  }
}

/** The AWS_* variables that hand these credentials to the generated k6 script. */
export function credentialsEnv(c: ResolvedCredentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    ...(c.sessionToken ? { AWS_SESSION_TOKEN: c.sessionToken } : {}),
  };
}
