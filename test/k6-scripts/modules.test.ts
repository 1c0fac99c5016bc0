/**
 * The library files themselves, as plain ES modules a k6 script can import directly (not only
 * inlined): they type-check against @types/k6 alone, and they keep the restricted style the
 * inliner relies on (one-line imports, unique top-level names, `export` only on declarations).
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inlinedLibrary, LIBRARY_DIR } from '../../harness/generate/library.ts';
import { typecheckK6Script } from '../../harness/generate/typecheck.ts';

describe('k6-scripts/*.js', () => {
  const files = readdirSync(LIBRARY_DIR).filter((f) => f.endsWith('.js')).sort();

  it('are the expected modules', () => {
    expect(LIBRARY_DIR).toBe(resolve(import.meta.dirname, '../../k6-scripts'));
    expect(files).toEqual(['aws.js', 'body.js', 'lambda.js', 'metrics.js', 'poison.js', 'producer.js', 'retry.js', 'sigv4.js', 'sqs.js']);
  });

  it('type-check against @types/k6 as standalone modules', () => {
    const diags = typecheckK6Script(files.map((f) => join(LIBRARY_DIR, f)));
    expect(diags.map((d) => `${d.file}:${d.line}: ${d.message}`)).toEqual([]);
  });

  it('inline in dependency order with merged k6 imports', () => {
    const lib = inlinedLibrary();
    const pos = (f: string) => lib.modules.indexOf(f);
    expect(pos('sigv4.js')).toBeLessThan(pos('aws.js'));
    expect(pos('sigv4.js')).toBeLessThan(pos('sqs.js'));
    expect(pos('metrics.js')).toBeLessThan(pos('retry.js'));
    expect(pos('sqs.js')).toBeLessThan(pos('producer.js'));
    expect(lib.imports.defaults.get('k6/crypto')).toBe('crypto');
    expect(lib.imports.defaults.get('k6/http')).toBe('http');
    expect([...(lib.imports.named.get('k6/metrics') ?? [])].sort()).toEqual(['Counter', 'Rate']);
    expect(lib.code).not.toMatch(/^\s*(import|export) /m);
    for (const name of ['signAwsRequest', 'produceMessages', 'compileBody', 'awsConfigFromEnv', 'poisonMessage']) expect(lib.names.has(name)).toBe(true);
  });
});
