/**
 * `k6/encoding`: b64encode/b64decode with k6's encodings "std" (default), "rawstd", "url",
 * "rawurl"; b64decode returns an ArrayBuffer unless the format is "s" (string). Stateless, shared.
 */
import { type BytesInput, toArrayBuffer, toBuffer } from './bytes.ts';


export function b64encode(input: BytesInput, encoding?: string): string {
  const b = toBuffer(input);
  switch (encoding ?? 'std') {
    case 'std':
      return b.toString('base64');
    case 'rawstd':
      return b.toString('base64').replace(/=+$/, '');
    case 'url': {
      const s = b.toString('base64url');
      return s + '='.repeat((4 - (s.length % 4)) % 4);
    }
    case 'rawurl':
      return b.toString('base64url');
    default:
      throw new Error(`b64encode: unknown encoding "${encoding}" (std, rawstd, url, rawurl)`);
  }
}

export function b64decode(input: string, encoding?: string, format?: string): string | ArrayBuffer {
  const enc = encoding ?? 'std';
  if (!['std', 'rawstd', 'url', 'rawurl'].includes(enc)) throw new Error(`b64decode: unknown encoding "${encoding}" (std, rawstd, url, rawurl)`);
  const b = Buffer.from(input, enc === 'url' || enc === 'rawurl' ? 'base64url' : 'base64');
  if (format === 's') return b.toString('utf8');
  return toArrayBuffer(b);
}

export default { b64encode, b64decode };
