/**
 * Choosing a runner for `load.engine` (experiment schema): `k6` insists on the binary, `embedded`
 * on squall's engine, `auto` takes the k6 binary when one is found and the embedded engine else.
 */
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { EmbeddedRunner } from './embedded.ts';
import { K6BinaryRunner } from './k6-binary.ts';
import type { EngineChoice, Runner } from './types.ts';

export { EmbeddedRunner } from './embedded.ts';
export { K6BinaryRunner, findK6 } from './k6-binary.ts';
export { RUN_FILES } from './types.ts';
export type { Availability, EngineChoice, RunFiles, RunRecord, Runner, RunnerOptions, RunnerResult } from './types.ts';

export async function selectRunner(choice: EngineChoice, env: NodeJS.ProcessEnv = process.env): Promise<Runner> {
  const k6 = new K6BinaryRunner(env);
  const embedded = new EmbeddedRunner();
  if (choice === 'k6' || choice === 'auto') {
    const a = await k6.available();
    if (a.ok) return k6;
    if (choice === 'k6') {
      throw new SquallError(`load.engine is "k6" but ${a.reason ?? 'no k6 binary was found'}`, {
        exitCode: EXIT.invalidInput,
        hint: 'install k6 or set K6_BIN, or set load.engine to "embedded" or "auto"',
      });
    }
  }
  const a = await embedded.available();
  if (!a.ok) {
    throw new SquallError(`no runner can run this experiment: ${a.reason ?? 'the embedded engine is unavailable'}`, {
      exitCode: EXIT.invalidInput,
      hint: 'install k6 (or set K6_BIN) and set load.engine to "k6" or "auto"',
    });
  }
  return embedded;
}
