import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EmbeddedRunner } from '../../harness/runner/embedded.ts';
import { runnerContract } from './runner.contract.ts';

// The engine is written in parallel; its programmatic entry landing is the sign it can run scripts.
const engineReady = existsSync(fileURLToPath(new URL('../../harness/engine/run.ts', import.meta.url)));

runnerContract('embedded', () => new EmbeddedRunner(), engineReady ? null : 'the embedded engine has not landed (harness/engine/run.ts is missing)');
