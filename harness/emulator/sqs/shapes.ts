/**
 * SQS's request and response shapes, driven by the botocore service model
 * (`sqs-2012-11-05.model.json`, a documentation-stripped copy of the fact sheet's model). One walk
 * of the model does three jobs: it checks a JSON 1.0 input (required members, types, enums) and
 * decodes its blobs; it turns a Query request's flattened form parameters (`Attribute.1.Name`,
 * `SendMessageBatchRequestEntry.2.MessageBody`, …) into the same input object; and it writes an
 * output object as the Query protocol's XML. The model lost its Query serialization names when SQS
 * moved to JSON, so the few element names that differ from member names are listed here, as the
 * 2012-11-05 Query API spells them (e.g. `AttributeNames` → `AttributeName.N`).
 */
import { readFileSync } from 'node:fs';
import { SQS } from '../../contracts/aws-facts.ts';
import { SqsError, msg as err } from './errors.ts';

interface MemberRef {
  shape: string;
}
interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'blob' | 'timestamp' | 'double';
  required?: string[];
  members?: Record<string, MemberRef>;
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  enum?: string[];
}
interface Operation {
  name: string;
  input?: MemberRef;
  output?: MemberRef;
}
interface ServiceModel {
  metadata: Record<string, unknown>;
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

const model = JSON.parse(readFileSync(new URL('./sqs-2012-11-05.model.json', import.meta.url), 'utf8')) as ServiceModel;

export const OPERATIONS: ReadonlySet<string> = new Set(Object.keys(model.operations));

export function inputShapeOf(op: string): string | undefined {
  return model.operations[op]?.input?.shape;
}
export function outputShapeOf(op: string): string | undefined {
  return model.operations[op]?.output?.shape;
}
export function inputMembers(op: string): readonly string[] {
  const s = inputShapeOf(op);
  return s ? Object.keys(model.shapes[s]?.members ?? {}) : [];
}

/** Query element names that differ from the member names (2012-11-05 Query API). */
const QUERY_NAMES: Record<string, string> = {
  Attributes: 'Attribute',
  AttributeNames: 'AttributeName',
  MessageAttributeNames: 'MessageAttributeName',
  MessageSystemAttributeNames: 'MessageSystemAttributeName',
  MessageAttributes: 'MessageAttribute',
  MessageSystemAttributes: 'MessageSystemAttribute',
  tags: 'Tag',
  Tags: 'Tag',
  TagKeys: 'TagKey',
  AWSAccountIds: 'AWSAccountId',
  Actions: 'ActionName',
  StringListValues: 'StringListValue',
  BinaryListValues: 'BinaryListValue',
  QueueUrls: 'QueueUrl',
  queueUrls: 'QueueUrl',
};

function queryName(memberName: string, ref: MemberRef): string {
  const q = QUERY_NAMES[memberName];
  if (q) return q;
  const s = model.shapes[ref.shape];
  // Lists of structures are named after their entry shape: SendMessageBatchRequestEntry.N, Message, …
  if (s?.type === 'list' && s.member && model.shapes[s.member.shape]?.type === 'structure') return s.member.shape;
  return memberName;
}

/** Map entry key/value element names: tags use Key/Value, attributes Name/Value. */
function mapNames(shapeName: string): [string, string] {
  return shapeName === 'TagMap' ? ['Key', 'Value'] : ['Name', 'Value'];
}

/** Member lists per structure, computed once (the JSON walk runs on every request). */
const memberCache = new Map<string, Array<[string, MemberRef]>>();
function membersOf(shapeName: string): Array<[string, MemberRef]> {
  let m = memberCache.get(shapeName);
  if (!m) {
    m = Object.entries(model.shapes[shapeName]?.members ?? {});
    memberCache.set(shapeName, m);
  }
  return m;
}

/** Map keys come from the client: `__proto__` must stay a plain key, not swap the object's prototype. */
export function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'structure';
  return typeof v;
}

function serialization(path: string, expected: string, got: unknown): SqsError {
  return new SqsError('SerializationException', `Expected ${expected} for ${path}, got ${typeName(got)}.`);
}

/**
 * ReceiveMessage's deprecated `AttributeNames` is typed QueueAttributeName in the model, yet
 * clients have always put message system attributes there (`ApproximateReceiveCount`, …) and AWS
 * answers them; GetQueueAttributes still refuses them later, in the model.
 */
const SYSTEM_NAMES = new Set(model.shapes['MessageSystemAttributeName']?.enum ?? []);
function inEnum(shapeName: string, values: string[], v: string): boolean {
  return values.includes(v) || (shapeName === 'QueueAttributeName' && SYSTEM_NAMES.has(v));
}

function enumError(shapeName: string, path: string, v: string, allowed: string[]): SqsError {
  if (shapeName === 'QueueAttributeName' || shapeName === 'MessageSystemAttributeName' || shapeName === 'MessageSystemAttributeNameForSends') {
    return err.unknownAttribute(v);
  }
  return err.invalidValue(path, v, `Must be one of ${allowed.join(', ')}.`);
}

/**
 * Check a JSON input against the operation's input shape and decode blobs (base64 → Buffer).
 * Returns the decoded input or the `SqsError` AWS would send.
 */
export function decodeJsonInput(op: string, body: unknown): Record<string, unknown> | SqsError {
  const shapeName = inputShapeOf(op);
  if (!shapeName) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return serialization('the request body', 'a JSON object', body);
  // The fast walk accepts exactly what walkJson accepts; only on a refusal does walkJson run again
  // to name the member path in AWS's message (building paths for valid input cost ~10 % of a batch).
  const fast = decodeFast(compiled(shapeName), body);
  if (fast !== FAIL) return fast as Record<string, unknown>;
  const r = walkJson(shapeName, body, '');
  return r as Record<string, unknown> | SqsError;
}

/** The named walk alone (what `decodeJsonInput` falls back to); exported for the equivalence test. */
export function decodeJsonInputNamed(op: string, body: unknown): Record<string, unknown> | SqsError {
  const shapeName = inputShapeOf(op);
  if (!shapeName) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return serialization('the request body', 'a JSON object', body);
  return walkJson(shapeName, body, '') as Record<string, unknown> | SqsError;
}

/** A shape resolved once into direct references, so the hot walk does no lookups by name. */
interface Compiled {
  type: Shape['type'];
  name: string;
  members: Array<[string, Compiled]>;
  required: string[];
  member: Compiled | undefined;
  value: Compiled | undefined;
  enum: string[] | undefined;
}
const FAIL: unique symbol = Symbol('invalid');
const compiledCache = new Map<string, Compiled>();
function compiled(shapeName: string): Compiled {
  let c = compiledCache.get(shapeName);
  if (c) return c;
  const s = model.shapes[shapeName]!;
  c = { type: s.type, name: shapeName, members: [], required: s.required ?? [], member: undefined, value: undefined, enum: s.enum };
  // Cached before its parts, so a recursive shape would resolve to itself.
  compiledCache.set(shapeName, c);
  for (const [name, ref] of membersOf(shapeName)) c.members.push([name, compiled(ref.shape)]);
  if (s.member) c.member = compiled(s.member.shape);
  if (s.value) c.value = compiled(s.value.shape);
  return c;
}

function decodeFast(c: Compiled, v: unknown): unknown {
  switch (c.type) {
    case 'structure': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return FAIL;
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const ms = c.members;
      for (let i = 0; i < ms.length; i++) {
        const [name, ref] = ms[i]!;
        const x = src[name];
        if (x === undefined || x === null) continue;
        const r = decodeFast(ref, x);
        if (r === FAIL) return FAIL;
        out[name] = r;
      }
      for (const req of c.required) if (out[req] === undefined) return FAIL;
      return out;
    }
    case 'list': {
      if (!Array.isArray(v)) return FAIL;
      const out: unknown[] = [];
      const m = c.member!;
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x === null || x === undefined) continue;
        const r = decodeFast(m, x);
        if (r === FAIL) return FAIL;
        out.push(r);
      }
      return out;
    }
    case 'string':
      if (typeof v !== 'string') return FAIL;
      if (c.enum && !inEnum(c.name, c.enum, v)) return FAIL;
      return v;
    case 'integer':
    case 'long':
      if (typeof v !== 'number' || !Number.isInteger(v)) return FAIL;
      if (c.type === 'integer' && (v < INT_MIN || v > INT_MAX)) return FAIL;
      return v;
    case 'boolean':
      return typeof v === 'boolean' ? v : FAIL;
    default: {
      // Maps and blobs are rare on the hot path; the named walk handles them (and their errors).
      const r = walkJson(c.name, v, '');
      return r instanceof SqsError ? FAIL : r;
    }
  }
}

function walkJson(shapeName: string, v: unknown, path: string): unknown {
  const s = model.shapes[shapeName]!;
  switch (s.type) {
    case 'structure': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return serialization(path || 'the request', 'a structure', v);
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, ref] of membersOf(shapeName)) {
        const x = src[name];
        if (x === undefined || x === null) continue;
        const r = walkJson(ref.shape, x, path ? `${path}.${name}` : name);
        if (r instanceof SqsError) return r;
        out[name] = r;
      }
      for (const req of s.required ?? []) if (out[req] === undefined) return err.missing(req);
      return out;
    }
    case 'list': {
      if (!Array.isArray(v)) return serialization(path, 'a list', v);
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x === null || x === undefined) continue;
        const r = walkJson(s.member!.shape, x, `${path}.${i + 1}`);
        if (r instanceof SqsError) return r;
        out.push(r);
      }
      return out;
    }
    case 'map': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return serialization(path, 'a map', v);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (x === null || x === undefined) continue;
        const r = walkJson(s.value!.shape, x, `${path}.${k}`);
        if (r instanceof SqsError) return r;
        setKey(out, k, r);
      }
      return out;
    }
    case 'string':
      if (typeof v !== 'string') return serialization(path, 'a string', v);
      if (s.enum && !inEnum(shapeName, s.enum, v)) return enumError(shapeName, path, v, s.enum);
      return v;
    case 'integer':
    case 'long':
      if (typeof v !== 'number' || !Number.isInteger(v)) return serialization(path, 'an integer', v);
      if (s.type === 'integer' && (v < INT_MIN || v > INT_MAX)) return serialization(path, 'a 32-bit integer', v);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') return serialization(path, 'a boolean', v);
      return v;
    case 'blob':
      if (typeof v !== 'string' || !BASE64.test(v)) return serialization(path, 'base64 binary data', v);
      return Buffer.from(v, 'base64');
    default:
      return v;
  }
}

/**
 * Build an operation's input from Query parameters (already URL-decoded), with the same checks as
 * JSON input: integers and booleans parsed, blobs base64-decoded, required members present.
 */
export function decodeQueryInput(op: string, params: Map<string, string>): Record<string, unknown> | SqsError {
  const shapeName = inputShapeOf(op);
  if (!shapeName) return {};
  return walkQueryStruct(shapeName, new QueryParams(params), '');
}

/**
 * Query parameters indexed once per request: which numbered entries follow each prefix
 * (`Attribute` → {1, 2}) and which dotted prefixes exist. Without the index, every list and nested
 * structure rescans all keys, and a hostile request with many thousands of keys costs quadratic time.
 */
class QueryParams {
  private readonly lists = new Map<string, Set<number>>();
  private readonly prefixes = new Set<string>();
  constructor(private readonly params: Map<string, string>) {
    for (const k of params.keys()) {
      let dot = k.indexOf('.');
      while (dot >= 0) {
        const prefix = k.slice(0, dot);
        this.prefixes.add(prefix);
        const next = k.indexOf('.', dot + 1);
        const seg = k.slice(dot + 1, next < 0 ? undefined : next);
        if (/^[1-9]\d{0,5}$/.test(seg)) {
          let set = this.lists.get(prefix);
          if (!set) this.lists.set(prefix, (set = new Set()));
          set.add(Number(seg));
        }
        dot = next;
      }
    }
  }
  get(key: string): string | undefined {
    return this.params.get(key);
  }
  /** Entry numbers under `prefix`, in order. */
  indices(prefix: string): number[] {
    const set = this.lists.get(prefix);
    return set ? [...set].sort((a, b) => a - b) : [];
  }
  hasChildren(prefix: string): boolean {
    return this.prefixes.has(prefix);
  }
}

/** More numbered entries than any SQS list or map allows; refused before any per-entry work. */
const QUERY_LIST_MAX = 100;

function walkQueryStruct(shapeName: string, params: QueryParams, prefix: string): Record<string, unknown> | SqsError {
  const s = model.shapes[shapeName]!;
  const out: Record<string, unknown> = {};
  for (const [name, ref] of membersOf(shapeName)) {
    const key = prefix + queryName(name, ref);
    const r = walkQueryMember(ref.shape, params, key, name);
    if (r instanceof SqsError) return r;
    if (r !== undefined) out[name] = r;
  }
  for (const req of s.required ?? []) if (out[req] === undefined) return err.missing(req);
  return out;
}

function tooMany(key: string, n: number): SqsError {
  if (key.endsWith('BatchRequestEntry')) {
    return new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${SQS.batchMaxEntries}. You have sent ${n}.`);
  }
  return err.invalidValue(key, n, `At most ${QUERY_LIST_MAX} ${key} entries are allowed.`);
}

function walkQueryMember(shapeName: string, params: QueryParams, key: string, name: string): unknown {
  const s = model.shapes[shapeName]!;
  switch (s.type) {
    case 'structure':
      return params.hasChildren(key) ? walkQueryStruct(shapeName, params, `${key}.`) : undefined;
    case 'list': {
      const idx = params.indices(key);
      if (idx.length === 0) return undefined;
      if (idx.length > QUERY_LIST_MAX) return tooMany(key, idx.length);
      const out: unknown[] = [];
      for (const i of idx) {
        const r = walkQueryMember(s.member!.shape, params, `${key}.${i}`, name);
        if (r instanceof SqsError) return r;
        if (r !== undefined) out.push(r);
      }
      return out;
    }
    case 'map': {
      const idx = params.indices(key);
      if (idx.length === 0) return undefined;
      if (idx.length > QUERY_LIST_MAX) return tooMany(key, idx.length);
      const [kName, vName] = mapNames(shapeName);
      const out: Record<string, unknown> = {};
      for (const i of idx) {
        const k = params.get(`${key}.${i}.${kName}`);
        if (k === undefined) return err.missing(`${key}.${i}.${kName}`);
        const r = walkQueryMember(s.value!.shape, params, `${key}.${i}.${vName}`, name);
        if (r instanceof SqsError) return r;
        if (r !== undefined) setKey(out, k, r);
      }
      return out;
    }
    default: {
      const raw = params.get(key);
      if (raw === undefined) return undefined;
      switch (s.type) {
        case 'string':
          if (s.enum && !inEnum(shapeName, s.enum, raw)) return enumError(shapeName, key, raw, s.enum);
          return raw;
        case 'integer':
        case 'long': {
          if (!/^-?\d+$/.test(raw.trim())) return err.invalidValue(key, raw, `${key} must be an integer.`);
          const n = Number(raw.trim());
          if (s.type === 'integer' && (n < INT_MIN || n > INT_MAX)) return err.invalidValue(key, raw, `${key} must be a 32-bit integer.`);
          return n;
        }
        case 'boolean':
          if (raw !== 'true' && raw !== 'false') return err.invalidValue(key, raw, `${key} must be true or false.`);
          return raw === 'true';
        case 'blob':
          if (!BASE64.test(raw)) return err.invalidValue(key, raw, `${key} must be base64-encoded.`);
          return Buffer.from(raw, 'base64');
        default:
          return raw;
      }
    }
  }
}

// ---------------------------------------------------------------- XML output

const XML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' };
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => XML_ESC[c]!);
}

function scalarXml(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return xmlEscape(String(v));
}

function xmlValue(shapeName: string, v: unknown, out: string[]): void {
  const s = model.shapes[shapeName]!;
  if (s.type === 'structure') {
    const o = v as Record<string, unknown>;
    for (const [name, ref] of Object.entries(s.members ?? {})) {
      const x = o[name];
      if (x === undefined || x === null) continue;
      xmlMember(name, ref, x, out);
    }
    return;
  }
  out.push(scalarXml(v));
}

function xmlMember(name: string, ref: MemberRef, v: unknown, out: string[]): void {
  const s = model.shapes[ref.shape]!;
  const el = queryName(name, ref);
  if (s.type === 'list') {
    for (const item of v as unknown[]) {
      out.push(`<${el}>`);
      xmlValue(s.member!.shape, item, out);
      out.push(`</${el}>`);
    }
  } else if (s.type === 'map') {
    const [kName, vName] = mapNames(ref.shape);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out.push(`<${el}><${kName}>${xmlEscape(k)}</${kName}><${vName}>`);
      xmlValue(s.value!.shape, x, out);
      out.push(`</${vName}></${el}>`);
    }
  } else {
    out.push(`<${el}>`);
    xmlValue(ref.shape, v, out);
    out.push(`</${el}>`);
  }
}

export const QUERY_XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** The Query protocol's answer: `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…`. */
export function xmlResponse(op: string, output: Record<string, unknown>, requestId: string): string {
  const parts: string[] = [`<?xml version="1.0"?><${op}Response xmlns="${QUERY_XMLNS}">`];
  const shape = outputShapeOf(op);
  if (shape && Object.keys(model.shapes[shape]?.members ?? {}).length > 0) {
    parts.push(`<${op}Result>`);
    xmlValue(shape, output, parts);
    parts.push(`</${op}Result>`);
  }
  parts.push(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${op}Response>`);
  return parts.join('');
}
