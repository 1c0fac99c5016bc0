/**
 * Input checks with AWS's wording: Smithy-style `ValidationException` for model constraints
 * (ranges, patterns, required members) and helpers to read JSON bodies that may be anything.
 * Hostile input ends here as an AWS error, never as an exception escaping the provider.
 */
import { invalidRequestContent, validationError, type LambdaError } from './errors.ts';

export type Json = Record<string, unknown>;

/** Parse a request body as a JSON object; empty body = `{}`. */
export function readJsonObject(body: Buffer): Json | LambdaError {
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    return invalidRequestContent('Could not parse request body into json: Could not parse payload into json: Unexpected character');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return invalidRequestContent('Could not parse request body into json: expected a JSON object');
  return v as Json;
}

/** An optional integer member within [min, max]; `undefined` when absent. */
export function optInt(o: Json, key: string, field: string, min: number | null, max: number | null): number | undefined | LambdaError {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) return validationError(v, field, 'Member must be an integer');
  if (min !== null && v < min) return validationError(v, field, `Member must have value greater than or equal to ${min}`);
  if (max !== null && v > max) return validationError(v, field, `Member must have value less than or equal to ${max}`);
  return v;
}

export function optString(o: Json, key: string, field: string, maxLen = 10000): string | undefined | LambdaError {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return validationError(v, field, 'Member must be a string');
  if (v.length > maxLen) return validationError(v, field, `Member must have length less than or equal to ${maxLen}`);
  return v;
}

export function optBool(o: Json, key: string, field: string): boolean | undefined | LambdaError {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') return validationError(v, field, 'Member must be a boolean');
  return v;
}

export function required<T>(v: T | undefined, field: string): T | LambdaError {
  if (v === undefined) return validationError(null, field, 'Member must not be null');
  return v;
}

export function isErr(v: unknown): v is LambdaError {
  return v instanceof Error && 'status' in v && 'code' in v;
}
