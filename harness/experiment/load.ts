/**
 * The experiment part's entry points: `checkExperimentFile` returns every diagnostic (for
 * `squall validate`), `loadExperiment` returns the resolved experiment or throws one SquallError
 * (exit 2) listing every error, for commands that need a valid experiment to go on.
 */
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { readExperimentSource } from './source.ts';
import type { ResolvedExperiment } from './types.ts';
import { formatDiagnostic, validateExperiment, type Diagnostic, type ValidationResult } from './validate.ts';

export async function checkExperimentFile(file: string): Promise<ValidationResult> {
  const src = await readExperimentSource(file);
  return validateExperiment(src);
}

export async function loadExperiment(file: string, opts: { onWarning?: (d: Diagnostic) => void } = {}): Promise<ResolvedExperiment> {
  const result = await checkExperimentFile(file);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  for (const w of result.diagnostics.filter((d) => d.severity === 'warning')) opts.onWarning?.(w);
  if (result.unreadable) throw new SquallError(errors.map((d) => d.message).join('; '), { exitCode: EXIT.invalidInput });
  if (errors.length || !result.experiment) {
    throw new SquallError(
      `${file} is not a valid experiment (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${errors.map(formatDiagnostic).join('\n')}`,
      { exitCode: EXIT.invalidInput, hint: `fix the fields above; \`squall validate ${file}\` re-checks the file` },
    );
  }
  return result.experiment;
}
