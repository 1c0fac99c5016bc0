/**
 * `defineExperiment` for TypeScript experiment files: an identity function that gives the file
 * full types and editor completion (`export default defineExperiment({ ... })`). Validation is the
 * same as for YAML: the loader runs the schema and every cross-field rule on the default export.
 */
import type { ExperimentInput } from './schema.ts';

export function defineExperiment<const T extends ExperimentInput>(experiment: T): T {
  return experiment;
}

export type { ExperimentInput };
