/**
 * FunctionName as Lambda accepts it: a name, `name:qualifier`, a partial ARN
 * (`123456789012:function:name`) or a full ARN, validated against the model's pattern.
 * Whether a qualifier names a published version or alias is the function's business
 * (`LambdaFunction.hasQualifier`); an unknown one is "Function not found", as on AWS.
 */
import { EXPERIMENT_ALIAS } from '../../contracts/deployment.ts';
import { validationError, type LambdaError } from './errors.ts';

const PATTERN =
  /^(?:arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:function:|(?:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d:)?(?:\d{12}:)?(?:function:)?)([a-zA-Z0-9_-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/** The alias an experiment's function gets (version 1) so provisioned concurrency has a qualifier, as squall deploys to AWS. */
export const ALIAS = EXPERIMENT_ALIAS;

export interface FunctionRef {
  name: string;
  qualifier: string | null;
}

export function parseFunctionName(raw: string, maxLen = 256): FunctionRef | LambdaError {
  const m = raw.length <= maxLen ? PATTERN.exec(raw) : null;
  if (!m) {
    return validationError(
      raw,
      'functionName',
      raw.length > maxLen ? `Member must have length less than or equal to ${maxLen}` : 'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?',
    );
  }
  return { name: m[1]!, qualifier: m[2] ?? null };
}

/** Merge a qualifier from the name with the `Qualifier` query parameter; they must agree. */
export function resolveQualifier(ref: FunctionRef, query: string | null): string | null | LambdaError {
  const q = query === null || query === '' ? null : query;
  if (ref.qualifier !== null && q !== null && ref.qualifier !== q) {
    return validationError(q, 'qualifier', 'The derived qualifier from the function name does not match the specified qualifier.');
  }
  return ref.qualifier ?? q;
}
