/** The target flags `squall run` and `squall plan` share (they override the experiment's `target`). */
import type { Argv } from 'yargs';

export function targetFlags<T>(y: Argv<T>) {
  return y
    .option('target', { choices: ['emulated', 'aws'] as const, describe: "override the experiment's target" })
    .option('region', { type: 'string', describe: 'AWS Region of an aws target (overrides target.region)' })
    .option('profile', { type: 'string', describe: 'shared-config profile for the AWS credential chain (overrides target.profile)' })
    .option('endpoint', { type: 'string', describe: 'AWS-compatible endpoint (LocalStack, moto) instead of AWS itself' });
}
