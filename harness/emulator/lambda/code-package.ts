/**
 * Deployment packages as Lambda takes them: a .zip (Code.ZipFile, a published layer, or a local
 * file named by an experiment) is read with a small reader over node:zlib's inflateRaw (stored and
 * deflated entries, CRC-checked, no ZIP64), and unpacked once per distinct content into a
 * directory laid out like an execution environment: `task/` is /var/task, `opt/` is /opt with the
 * layers unpacked in order (a later layer overwrites an earlier one, as on Lambda).
 *
 * Module resolution as on Lambda: the function's own node_modules first, then the layers'
 * /opt/nodejs/node_modules. Lambda puts the latter on NODE_PATH, which only `require` reads; here a
 * `node_modules` link next to `task/` points at `opt/nodejs/node_modules`, so Node's own lookup
 * (it walks up parent directories, for `require` and `import` alike) finds layer packages after
 * the function's, with no loader hook in the hot path.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { LAMBDA_ACCOUNT_LIMITS } from '../../contracts/aws-facts.ts';

export interface ZipEntry {
  name: string;
  data: Buffer;
  /** Unix mode from the external attributes (0 when the archive was made elsewhere). */
  mode: number;
}

/** AWS's answer to a package it cannot read (CreateFunction/UpdateFunctionCode). */
export const UNZIP_ERROR = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

/** The entries of a .zip archive, or a reason it is not one this reader (and Lambda) accepts. */
export function readZip(buf: Buffer): ZipEntry[] | string {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return 'no end of central directory record';
  const count = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) return 'ZIP64 archives are not supported';
  const out: ZipEntry[] = [];
  let p = cdOffset;
  let total = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) return 'corrupt central directory';
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (flags & 1) return `${name}: encrypted entries are not supported`;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) return `${name}: corrupt local header`;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compSize);
    if (raw.length !== compSize) return `${name}: truncated`;
    total += size;
    if (total > LAMBDA_ACCOUNT_LIMITS.codeSizeUnzippedBytes) return `unzipped size is over ${LAMBDA_ACCOUNT_LIMITS.codeSizeUnzippedBytes} bytes`;
    let data: Buffer;
    try {
      if (method === 0) data = Buffer.from(raw);
      else if (method === 8) data = zlib.inflateRawSync(raw);
      else return `${name}: compression method ${method} is not supported`;
    } catch {
      return `${name}: corrupt data`;
    }
    if (data.length !== size || zlib.crc32(data) >>> 0 !== crc >>> 0) return `${name}: CRC or size mismatch`;
    out.push({ name, data, mode: (external >>> 16) & 0xffff });
  }
  return out;
}

/** Unpack `entries` under `dir`, refusing any path that would land outside it. */
export function extract(entries: ZipEntry[], dir: string): string | null {
  const root = path.resolve(dir);
  for (const e of entries) {
    const target = path.resolve(root, e.name);
    if (target !== root && !target.startsWith(root + path.sep)) return `${e.name}: path leaves the package`;
    if (e.name.endsWith('/')) {
      fs.mkdirSync(target, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if ((e.mode & 0o170000) === 0o120000) {
      // A symbolic link (node_modules/.bin); only links that stay inside the package are kept.
      const link = e.data.toString('utf8');
      const resolved = path.resolve(path.dirname(target), link);
      if (!path.isAbsolute(link) && resolved.startsWith(root + path.sep)) {
        fs.rmSync(target, { force: true });
        fs.symlinkSync(link, target);
      }
      continue;
    }
    fs.writeFileSync(target, e.data, { mode: e.mode & 0o777 ? e.mode & 0o777 : 0o644 });
  }
  return null;
}

export interface UnpackedCode {
  /** /var/task */
  taskRoot: string;
  /** /opt */
  optRoot: string;
  codeSha256: string;
  codeSize: number;
}

/** One temporary directory per emulator holding every unpacked package; removed on close. */
export class CodeStore {
  private root: string | null = null;
  private readonly unpacked = new Map<string, UnpackedCode>();
  /** Function zips by CodeSha256, to unpack the same code again with other layers. */
  private readonly zips = new Map<string, Buffer>();

  zipOf(codeSha256: string): Buffer | undefined {
    return this.zips.get(codeSha256);
  }

  private base(): string {
    this.root ??= fs.mkdtempSync(path.join(os.tmpdir(), 'squall-lambda-'));
    return this.root;
  }

  /** Unpack a function zip with its layers (zips, in order); the same content is unpacked once. */
  unpack(zip: Buffer, layers: Buffer[]): UnpackedCode | string {
    const h = createHash('sha256');
    h.update(zip);
    const codeSha256 = h.digest('base64');
    this.zips.set(codeSha256, zip);
    const key = createHash('sha256').update(codeSha256);
    for (const l of layers) key.update(createHash('sha256').update(l).digest());
    const id = key.digest('hex').slice(0, 24);
    const known = this.unpacked.get(id);
    if (known) return known;
    const entries = readZip(zip);
    if (typeof entries === 'string') return entries;
    const dir = path.join(this.base(), id);
    const taskRoot = path.join(dir, 'task');
    const optRoot = path.join(dir, 'opt');
    fs.mkdirSync(taskRoot, { recursive: true });
    fs.mkdirSync(path.join(optRoot, 'nodejs', 'node_modules'), { recursive: true });
    let problem = extract(entries, taskRoot);
    for (const l of layers) {
      if (problem) break;
      const le = readZip(l);
      problem = typeof le === 'string' ? `layer: ${le}` : extract(le, optRoot);
    }
    if (problem) {
      fs.rmSync(dir, { recursive: true, force: true });
      return problem;
    }
    fs.symlinkSync(path.join('opt', 'nodejs', 'node_modules'), path.join(dir, 'node_modules'));
    const out: UnpackedCode = { taskRoot, optRoot, codeSha256, codeSize: zip.length };
    this.unpacked.set(id, out);
    return out;
  }

  close(): void {
    if (this.root) fs.rmSync(this.root, { recursive: true, force: true });
    this.root = null;
    this.unpacked.clear();
    this.zips.clear();
  }
}
