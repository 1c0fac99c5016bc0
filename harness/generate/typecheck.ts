/**
 * Type-checks a generated k6 script against @types/k6 with the TypeScript compiler API, the way
 * a k6 user's editor would see it: plain ES2022, only k6's declarations (no DOM, no Node), so a
 * script using an API real k6 lacks (e.g. a global setTimeout: k6-contract.md §7) fails here.
 * Used by the tests for every template and example, and by `squall generate --check`.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TYPE_ROOTS = [resolve(ROOT, 'node_modules/@types')];

export interface ScriptDiagnostic {
  file: string;
  line: number | null;
  message: string;
}

/** Diagnostics of the script file(s) (empty = they type-check); several files share one program. */
export function typecheckK6Script(paths: string | string[]): ScriptDiagnostic[] {
  if (!existsSync(resolve(TYPE_ROOTS[0]!, 'k6'))) throw new Error('@types/k6 is not installed');
  const options: ts.CompilerOptions = {
    allowJs: true,
    checkJs: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: ['k6'],
    typeRoots: TYPE_ROOTS,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
  };
  const program = ts.createProgram(Array.isArray(paths) ? paths : [paths], options);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file && d.start !== undefined) {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      return { file: d.file.fileName, line: line + 1, message };
    }
    return { file: '', line: null, message };
  });
}
