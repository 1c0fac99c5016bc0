/**
 * `squall emulator`: the local AWS (Lambda, SQS, function URLs on one endpoint) on its own,
 * optionally built from an experiment's system. Prints the endpoint and what it created, then
 * serves until SIGINT/SIGTERM and stops cleanly (workers closed, exit 0).
 */
import { readFileSync } from 'node:fs';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { startLambdaEmulator } from '../emulator/index.ts';
import { loadExperiment } from '../experiment/load.ts';
import { EXPERIMENT_SCHEMA, type ResolvedExperiment } from '../experiment/types.ts';
import { defineCommand } from './command.ts';

interface Args {
  config?: string;
  resolved?: string;
  host: string;
  port: number;
  credentials?: string;
}

function parseCredentials(raw: string | undefined): { accessKeyId: string; secretAccessKey: string } | undefined {
  if (raw === undefined) return undefined;
  const i = raw.indexOf(':');
  if (i <= 0 || i === raw.length - 1) {
    throw new SquallError(`--credentials must be KEY:SECRET, got "${raw}"`, { exitCode: EXIT.invalidInput, hint: 'e.g. --credentials test:test; leave it out to accept unsigned requests' });
  }
  return { accessKeyId: raw.slice(0, i), secretAccessKey: raw.slice(i + 1) };
}

/** A run's experiment.json: already validated and resolved, so only its schema tag is checked. */
function readResolved(file: string): ResolvedExperiment {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SquallError(`--resolved ${file}: cannot read it as JSON (${e instanceof Error ? e.message : String(e)})`, {
      exitCode: EXIT.invalidInput,
      hint: 'pass the experiment.json a run wrote, or use --config with the experiment file',
    });
  }
  if ((v as { schema?: unknown } | null)?.schema !== EXPERIMENT_SCHEMA) {
    throw new SquallError(`--resolved ${file}: not a resolved experiment (schema is not ${EXPERIMENT_SCHEMA})`, {
      exitCode: EXIT.invalidInput,
      hint: 'use --config for experiment files; --resolved takes a run folder\'s experiment.json',
    });
  }
  return v as ResolvedExperiment;
}

export default defineCommand<Args>({
  command: 'emulator',
  describe: 'Run the local AWS emulator (Lambda, SQS, function URLs on one endpoint), optionally with an experiment’s system',
  builder: (y) =>
    y
      .option('config', { alias: 'c', type: 'string', describe: 'experiment file whose functions, queues and mappings to create' })
      .option('resolved', { type: 'string', describe: 'a resolved experiment (experiment.json of a run) instead of --config', conflicts: 'config' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
      .option('port', { alias: 'p', type: 'number', default: 4566, describe: 'port to listen on (0 = any free port)' })
      .option('credentials', { type: 'string', describe: 'KEY:SECRET; when set, every AWS API request must be SigV4-signed with them' })
      .example('$0 emulator', 'empty emulator on http://127.0.0.1:4566')
      .example('$0 emulator --config examples/experiments/quickstart.yaml --port 0', 'build the quick start system on a free port')
      .example('$0 emulator --resolved reports/quickstart/<run-id>/experiment.json', "a run's resolved experiment")
      .example('AWS_ENDPOINT_URL=http://127.0.0.1:4566 aws lambda list-functions', 'talk to it with any AWS client'),
  run: async (args) => {
    const port = args.port;
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new SquallError(`--port must be an integer 0–65535, got ${String(port)}`, { exitCode: EXIT.invalidInput, hint: 'use --port 0 for any free port' });
    }
    const credentials = parseCredentials(args.credentials);
    let experiment: ResolvedExperiment | undefined;
    if (args.config) {
      experiment = await loadExperiment(args.config, { onWarning: (d) => process.stderr.write(`warning: ${d.message}\n`) });
    } else if (args.resolved) {
      experiment = readResolved(args.resolved);
    }
    let emu;
    try {
      emu = await startLambdaEmulator({ host: args.host, port, ...(credentials ? { credentials } : {}), ...(experiment ? { experiment } : {}) });
    } catch (e) {
      const code = (e as { code?: string }).code;
      // The machine, not the input: another program holds the port, or this user may not bind it (exit 7).
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new SquallError(`cannot listen on ${args.host}:${port}: ${code === 'EADDRINUSE' ? 'the port is already in use by another program' : code === 'EACCES' ? 'permission denied' : 'the address is not on this machine'} (${code})`, {
          exitCode: EXIT.environmentUnavailable,
          hint: 'stop that program or pick another --port; --port 0 picks any free one',
        });
      }
      throw e;
    }
    const endpoint = emu.emulator.endpoint;
    const out = process.stdout;
    out.write(`squall emulator listening on ${endpoint}\n`);
    out.write(`  services: Lambda, SQS, function URLs (${endpoint}/_url/<function>/)\n`);
    out.write(`  health: ${endpoint}/_squall/health   metrics: ${endpoint}/_squall/metrics\n`);
    out.write(`  signatures: ${credentials ? `required (access key ${credentials.accessKeyId})` : 'not checked'}\n`);
    if (experiment) {
      const s = emu.system;
      out.write(`  experiment: ${experiment.name}\n`);
      for (const f of s.functions) out.write(`    function ${f}${s.urls[f] ? `  url ${s.urls[f]}` : ''}\n`);
      for (const [q, v] of Object.entries(s.queues)) out.write(`    queue ${q}  ${v.url}\n`);
      for (const [id, uuid] of Object.entries(s.mappings)) out.write(`    mapping ${id}  ${uuid}\n`);
    }
    out.write('Press Ctrl+C to stop.\n');
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      const on = (sig: NodeJS.Signals) => {
        process.off('SIGINT', on);
        process.off('SIGTERM', on);
        resolve(sig);
      };
      process.on('SIGINT', on);
      process.on('SIGTERM', on);
    });
    await emu.close();
    out.write(`squall emulator stopped (${signal})\n`);
    return EXIT.ok;
  },
});
