/**
 * `squall generate`'s work, callable from the CLI and from `squall run`: render the script for a
 * resolved experiment and write the run-folder files this part owns: `script.js`,
 * `experiment.json` (the resolved experiment) and, on request, `k6-operator.yaml`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { k6OperatorManifest } from './k6-operator.ts';
import { renderScript, type RenderedScript } from './render.ts';

export interface GenerateOptions {
  outDir: string;
  /** Overrides the experiment's templatesDir (absolute or relative to the cwd). */
  templatesDir?: string | null;
  /** Also write `k6-operator.yaml` with this parallelism. */
  k6OperatorParallelism?: number | null;
}

export interface GenerateResult {
  rendered: RenderedScript;
  /** Absolute paths written, in order. */
  files: string[];
}

export function generateRunFiles(exp: ResolvedExperiment, opts: GenerateOptions): GenerateResult {
  const templatesDir = opts.templatesDir === undefined || opts.templatesDir === null ? exp.templatesDir : resolve(opts.templatesDir);
  const effective: ResolvedExperiment = { ...exp, templatesDir };
  const rendered = renderScript(effective, { templatesDir });
  const outDir = resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string): void => {
    const p = join(outDir, name);
    writeFileSync(p, text);
    files.push(p);
  };
  write('script.js', rendered.script);
  write('experiment.json', `${JSON.stringify(effective, null, 2)}\n`);
  if (opts.k6OperatorParallelism !== undefined && opts.k6OperatorParallelism !== null) {
    write('k6-operator.yaml', k6OperatorManifest(effective, rendered.view, rendered.script, opts.k6OperatorParallelism).yaml);
  }
  return { rendered, files };
}
