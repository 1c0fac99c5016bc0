#!/usr/bin/env node
// squall runs its TypeScript sources directly through tsx (ts-node cannot load .ts under ESM on
// Node 20; see README "Stack"). Registering here keeps `npx squall` working right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
