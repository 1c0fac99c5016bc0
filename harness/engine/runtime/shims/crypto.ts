/**
 * `k6/crypto`: hashes, HMAC and randomBytes over node:crypto. Output encodings as k6: "hex",
 * "base64", "base64url", "base64rawurl", "binary" (an ArrayBuffer). Shared by all VUs (stateless).
 */
import { type BytesInput, toArrayBuffer, toBuffer } from './bytes.ts';
import { createHash as nodeHash, createHmac as nodeHmac, randomBytes as nodeRandom } from 'node:crypto';

const ALG: Record<string, string> = {
  md4: 'md4', md5: 'md5', sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
  sha512_224: 'sha512-224', sha512_256: 'sha512-256', ripemd160: 'ripemd160',
};

function alg(name: string): string {
  const a = ALG[name];
  if (!a) throw new Error(`k6/crypto: unsupported hash algorithm "${name}" (use one of ${Object.keys(ALG).join(', ')})`);
  return a;
}


function encode(b: Buffer, enc: string | undefined): string | ArrayBuffer {
  switch (enc ?? 'hex') {
    case 'hex':
      return b.toString('hex');
    case 'base64':
      return b.toString('base64');
    case 'base64url':
      return b.toString('base64url') + '='.repeat((4 - (b.toString('base64url').length % 4)) % 4);
    case 'base64rawurl':
      return b.toString('base64url');
    case 'binary':
      return toArrayBuffer(b);
    default:
      throw new Error(`k6/crypto: unsupported output encoding "${enc}" (hex, base64, base64url, base64rawurl, binary)`);
  }
}

function hasher(name: string) {
  return (input: BytesInput, enc?: string): string | ArrayBuffer => encode(nodeHash(alg(name)).update(toBuffer(input)).digest(), enc);
}

export const md4 = hasher('md4');
export const md5 = hasher('md5');
export const sha1 = hasher('sha1');
export const sha256 = hasher('sha256');
export const sha384 = hasher('sha384');
export const sha512 = hasher('sha512');
export const sha512_224 = hasher('sha512_224');
export const sha512_256 = hasher('sha512_256');
export const ripemd160 = hasher('ripemd160');

export function hmac(algorithm: string, secret: BytesInput, data: BytesInput, enc?: string): string | ArrayBuffer {
  return encode(nodeHmac(alg(algorithm), toBuffer(secret)).update(toBuffer(data)).digest(), enc);
}

export function createHash(algorithm: string) {
  const h = nodeHash(alg(algorithm));
  return {
    update(d: BytesInput) {
      h.update(toBuffer(d));
      return this;
    },
    digest: (enc?: string) => encode(h.digest(), enc),
  };
}

export function createHMAC(algorithm: string, secret: BytesInput) {
  const h = nodeHmac(alg(algorithm), toBuffer(secret));
  return {
    update(d: BytesInput) {
      h.update(toBuffer(d));
      return this;
    },
    digest: (enc?: string) => encode(h.digest(), enc),
  };
}

export function randomBytes(n: number): ArrayBuffer {
  const b = nodeRandom(n);
  return toArrayBuffer(b);
}

export default { md4, md5, sha1, sha256, sha384, sha512, sha512_224, sha512_256, ripemd160, hmac, createHash, createHMAC, randomBytes };
