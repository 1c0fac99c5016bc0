/**
 * Runtime body templates for generated scripts: `{{vu}}`, `{{iter}}`, `{{uuid}}`, `{{now}}`,
 * `{{seq}}`, `{{randomInt a b}}`. A template string is compiled once (in the init context) into
 * an array of literal parts and placeholder codes, so rendering one body is a loop of string
 * concatenations with no parsing and no closures. This module imports nothing from k6, so the
 * generator also runs it in Node to reject a bad template at generate time.
 *
 *   vu            the VU number (__VU, 1-based)
 *   iter          the VU's iteration number (__ITER, 0-based)
 *   uuid          a random version-4 UUID (Math.random: unique enough for ids, not for secrets)
 *   now           Date.now(), epoch milliseconds
 *   seq           bodies rendered so far by this VU, over all templates (0, 1, 2, ...); combine
 *                 with {{vu}} for a run-unique id: "{{vu}}-{{seq}}"
 *   randomInt a b a uniformly random integer in [a, b]
 */

const BODY_LITERAL = 0;
const BODY_VU = 1;
const BODY_ITER = 2;
const BODY_UUID = 3;
const BODY_NOW = 4;
const BODY_SEQ = 5;
const BODY_RANDOM_INT = 6;

let bodySeq = 0;

const BODY_HEX = '0123456789abcdef';

/** A random RFC 4122 version-4 UUID. */
export function uuidv4() {
  let s = '';
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) s += '-';
    else if (i === 14) s += '4';
    else if (i === 19) s += BODY_HEX.charAt(8 + Math.floor(Math.random() * 4));
    else s += BODY_HEX.charAt(Math.floor(Math.random() * 16));
  }
  return s;
}

/**
 * Compile a body template. Throws on an unknown placeholder or a malformed `randomInt`, naming it.
 * @param {string} template
 * @returns {{ source: string, ops: number[], lits: string[], args: number[], constant: boolean }}
 */
export function compileBody(template) {
  /** @type {number[]} */ const ops = [];
  /** @type {string[]} */ const lits = [];
  /** @type {number[]} */ const args = [];
  let pos = 0;
  let constant = true;
  while (pos < template.length) {
    let open = template.indexOf('{{', pos);
    if (open < 0) break;
    // `{{{vu}}`: the extra brace is literal text (e.g. JSON right before a placeholder).
    while (template.charCodeAt(open + 2) === 123) open++;
    const close = template.indexOf('}}', open + 2);
    if (close < 0) throw new Error('body template: "{{" at offset ' + open + ' is never closed: ' + template);
    if (open > pos) { ops.push(BODY_LITERAL); lits.push(template.slice(pos, open)); args.push(0, 0); }
    const expr = template.slice(open + 2, close).trim();
    const words = expr.split(/\s+/);
    let op = -1;
    let a = 0;
    let b = 0;
    if (expr === 'vu') op = BODY_VU;
    else if (expr === 'iter') op = BODY_ITER;
    else if (expr === 'uuid') op = BODY_UUID;
    else if (expr === 'now') op = BODY_NOW;
    else if (expr === 'seq') op = BODY_SEQ;
    else if (words[0] === 'randomInt') {
      a = Number(words[1]);
      b = Number(words[2]);
      if (words.length !== 3 || !Number.isInteger(a) || !Number.isInteger(b) || a > b) {
        throw new Error('body template: {{' + expr + '}} must be {{randomInt a b}} with integers a <= b');
      }
      op = BODY_RANDOM_INT;
    }
    if (op < 0) {
      throw new Error('body template: unknown placeholder {{' + expr + '}}; known: vu, iter, uuid, now, seq, randomInt a b');
    }
    ops.push(op); lits.push(''); args.push(a, b);
    constant = false;
    pos = close + 2;
  }
  if (pos < template.length) { ops.push(BODY_LITERAL); lits.push(template.slice(pos)); args.push(0, 0); }
  return { source: template, ops, lits, args, constant };
}

/**
 * Render a compiled template for one VU iteration.
 * @param {{ ops: number[], lits: string[], args: number[], constant: boolean, source: string }} t
 * @param {number} vu
 * @param {number} iter
 * @returns {string}
 */
export function renderBody(t, vu, iter) {
  bodySeq++;
  if (t.constant) return t.source;
  const ops = t.ops;
  let out = '';
  for (let i = 0; i < ops.length; i++) {
    switch (ops[i]) {
      case BODY_LITERAL: out += t.lits[i]; break;
      case BODY_VU: out += vu; break;
      case BODY_ITER: out += iter; break;
      case BODY_UUID: out += uuidv4(); break;
      case BODY_NOW: out += Date.now(); break;
      case BODY_SEQ: out += bodySeq - 1; break;
      default: {
        const a = t.args[2 * i] || 0;
        const b = t.args[2 * i + 1] || 0;
        out += a + Math.floor(Math.random() * (b - a + 1));
      }
    }
  }
  return out;
}
