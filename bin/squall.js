#!/usr/bin/env node
// squall runs its TypeScript sources directly through tsx (ts-node cannot load .ts under ESM on
// Node 20; see README "Stack"). Registering here keeps `npx squall` working right after `npm ci`.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every process that releases after January 2027 need Node 22; squall pins
// its SDK versions in package-lock.json and runs on Node 20 (README "Stack decisions").
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
// A child of `squall run` (load generator, emulator) dies with it, even after a kill -9 of the run.
if (process.env.SQUALL_SUPERVISOR_PID) (await import('../harness/runner/watchdog.ts')).watchSupervisor();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
