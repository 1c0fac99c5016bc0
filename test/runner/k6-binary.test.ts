import { K6BinaryRunner } from '../../harness/runner/k6-binary.ts';
import { runnerContract } from './runner.contract.ts';

// Runs the shared contract against a real k6 when one is installed (K6_BIN or PATH); skipped with
// the finder's own reason otherwise. A fake k6 would prove nothing about k6's files.
const availability = await new K6BinaryRunner().available();

runnerContract('k6-binary', () => new K6BinaryRunner(), availability.ok ? null : (availability.reason ?? 'no k6 binary'));
