/**
 * `--target/--region/--profile/--endpoint` on top of the experiment's `target`. Switching an
 * emulated experiment to `aws` still needs the experiment's own `accountAllowlist`: the list of
 * accounts squall may touch is never a command-line afterthought.
 */
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';

export interface TargetFlags {
  target?: 'emulated' | 'aws' | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  endpoint?: string | undefined;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export function applyTargetOverrides(exp: ResolvedExperiment, f: TargetFlags, env: NodeJS.ProcessEnv = process.env): ResolvedExperiment {
  const kind = f.target ?? exp.target.kind;
  const awsFlags = (['region', 'profile', 'endpoint'] as const).filter((k) => f[k] !== undefined);
  if (kind === 'emulated') {
    if (awsFlags.length) {
      throw new SquallError(`--${awsFlags[0]} is for an aws target, but the run's target is emulated`, { exitCode: EXIT.invalidInput, hint: 'add --target aws, or drop the flag' });
    }
    return exp.target.kind === 'emulated' ? exp : { ...exp, target: { kind: 'emulated' } };
  }
  const base = exp.target.kind === 'aws' ? exp.target : null;
  if (!base) {
    throw new SquallError(`${exp.sourceFile}: --target aws needs target.accountAllowlist in the experiment (the account ids squall may touch)`, {
      exitCode: EXIT.invalidInput,
      hint: "add `target: { kind: aws, region: <region>, accountAllowlist: ['<12-digit account id>'] }` to the experiment",
    });
  }
  const region = f.region ?? base.region ?? env.AWS_REGION;
  if (!region || !REGION.test(region)) {
    throw new SquallError(`--region ${JSON.stringify(region)} is not an AWS Region`, { exitCode: EXIT.invalidInput, hint: 'use a Region code like us-east-1 or eu-west-1' });
  }
  if (f.endpoint !== undefined && !/^https?:\/\/[^/]+/.test(f.endpoint)) {
    throw new SquallError(`--endpoint ${JSON.stringify(f.endpoint)} is not a URL`, { exitCode: EXIT.invalidInput, hint: 'use a URL like http://127.0.0.1:4566' });
  }
  return {
    ...exp,
    target: {
      ...base,
      region,
      profile: f.profile ?? base.profile,
      endpoint: f.endpoint ?? base.endpoint,
    },
  };
}
