/** Bytes from what k6's crypto and encoding functions accept: a string (UTF-8) or binary data. */
export type BytesInput = string | ArrayBuffer | ArrayBufferView;

export function toBuffer(i: BytesInput): Buffer {
  if (typeof i === 'string') return Buffer.from(i, 'utf8');
  if (i instanceof ArrayBuffer) return Buffer.from(i);
  return Buffer.from(i.buffer, i.byteOffset, i.byteLength);
}

/** A Buffer's bytes as a standalone ArrayBuffer (k6 returns ArrayBuffers for binary results). */
export function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
