/**
 * `squall generate <experiment> --out DIR`: the k6 script for an experiment, plus the resolved
 * experiment and, with `--k6-operator N`, a k6-operator manifest. Also accepts a run folder's
 * `experiment.json` (an already resolved experiment) to regenerate its script.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { loadExperiment } from '../experiment/load.ts';
import { formatDiagnostic } from '../experiment/validate.ts';
import { EXPERIMENT_SCHEMA, type ResolvedExperiment } from '../experiment/types.ts';
import { generateRunFiles } from '../generate/generate.ts';
import { defineCommand } from './command.ts';

interface GenerateArgs {
  experiment: string;
  out: string;
  templates: string | undefined;
  'k6-operator': number | undefined;
  check: boolean;
}

/** A resolved experiment (a run folder's experiment.json) is used as is; anything else goes through the loader. */
async function readExperiment(file: string): Promise<ResolvedExperiment> {
  if (file.endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      parsed = null;
    }
    if (parsed !== null && typeof parsed === 'object' && (parsed as { schema?: unknown }).schema === EXPERIMENT_SCHEMA) {
      return parsed as ResolvedExperiment;
    }
  }
  return loadExperiment(file, { onWarning: (d) => process.stderr.write(`${formatDiagnostic(d)}\n`) });
}

export default defineCommand<GenerateArgs>({
  command: 'generate <experiment>',
  describe: 'Write the k6 script for an experiment (script.js, experiment.json; optionally a k6-operator manifest)',
  builder: (y) =>
    y
      .positional('experiment', { type: 'string', demandOption: true, describe: 'experiment file (YAML, JSON, TypeScript) or a run folder\'s experiment.json' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output folder (created if missing)' })
      .option('templates', { type: 'string', describe: 'folder of .hbs templates overriding the built-ins by file name (script.hbs, http.hbs, sqs-producer.hbs, lambda-invoke.hbs); wins over the experiment\'s templatesDir' })
      .option('k6-operator', { type: 'number', describe: 'also write k6-operator.yaml: a ConfigMap with the script and a TestRun (k6.io/v1alpha1) with parallelism N' })
      .option('check', { type: 'boolean', default: false, describe: 'type-check the script against @types/k6 (as tsc would) and fail on any diagnostic' })
      .example('$0 generate examples/experiments/quickstart.yaml --out out/quickstart', 'write out/quickstart/script.js and experiment.json')
      .example('k6 run -e SQUALL_ENDPOINT=http://127.0.0.1:4566 -e SQUALL_URL_ORDERS_API=http://127.0.0.1:4566/_url/orders-api out/quickstart/script.js', 'run the generated script with real k6 against the emulator')
      .example('$0 generate exp.yaml --out out/exp --templates my-templates/', 'use your own templates (same file names override the built-ins)')
      .example('$0 generate exp.yaml --out out/exp --k6-operator 4', 'also write a k6-operator TestRun with 4 runner pods') as never,
  run: async (args) => {
    const n = args['k6-operator'];
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) {
      throw new SquallError(`--k6-operator must be a whole number of runner pods >= 1, got ${String(n)}`, {
        exitCode: EXIT.invalidInput,
        hint: 'e.g. --k6-operator 4',
      });
    }
    const exp = await readExperiment(args.experiment);
    const result = generateRunFiles(exp, { outDir: args.out, templatesDir: args.templates ?? null, k6OperatorParallelism: n ?? null });
    for (const f of result.files) process.stdout.write(`wrote ${relative(process.cwd(), f) || f}\n`);
    const view = result.rendered.view;
    process.stdout.write(
      `${view.scenarios.length} scenario(s): ${view.scenarios.map((s) => `${s.name} (${s.template}, ${s.executor})`).join(', ')}; ` +
        `${Object.keys(view.options.thresholds).length} threshold metric(s)\n`,
    );
    const required = view.env.filter((e) => e.required).map((e) => e.name);
    if (required.length > 0) process.stdout.write(`needs environment: ${required.join(', ')} (squall run sets them; with k6 use -e NAME=value)\n`);
    if (args.check) {
      // Loaded only here: the TypeScript compiler is a development dependency.
      const { typecheckK6Script } = await import('../generate/typecheck.ts');
      const diags = typecheckK6Script(result.files[0]!);
      for (const d of diags) process.stderr.write(`${d.file}:${d.line ?? '?'}: ${d.message}\n`);
      if (diags.length > 0) return EXIT.internalError;
      process.stdout.write('type-check against @types/k6: ok\n');
    }
    return EXIT.ok;
  },
});
