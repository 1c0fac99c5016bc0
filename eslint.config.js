// Lint: typescript-eslint's type-aware rules on the TypeScript tree (what the compiler cannot
// see: a promise nobody awaits or catches, a promise where a callback's return is ignored, an
// await on a non-promise, names nobody uses). `npm run lint` runs it with zero warnings allowed;
// `npm test` runs it after the typecheck.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'reports/**', 'dist/**', 'k6-scripts/**', 'templates/**', 'examples/functions/**', 'bin/**', 'eslint.config.js'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `any` is left where squall meets untyped JavaScript (k6 scripts, yargs' command list); strict TS covers the rest.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
