// Jepsen/Knossos history.edn: a reader for the EDN subset histories use (maps, vectors, lists,
// sets, keywords, symbols, strings, characters, numbers, nil, booleans, comments, #_ discards,
// tagged literals such as #jepsen.history.Op{...} or #inst "...") and a writer that Knossos and
// Elle can read back. Keywords read as plain strings (":ok" -> "ok"), sets and lists as arrays.
import type { Op, OpType, ProcessId } from '../history.js';

export type EdnValue = null | boolean | number | string | EdnValue[] | { [k: string]: EdnValue };

const DELIMS = new Set([...'()[]{}",;'].concat([' ', '\t', '\n', '\r', '\f']));

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  fail(msg: string): never {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    const col = this.pos - before.lastIndexOf('\n');
    throw new Error(`EDN: ${msg} at line ${line}, column ${col}`);
  }

  /** Skips whitespace, commas, comments and #_ discarded forms. */
  skip(): void {
    const t = this.text;
    for (;;) {
      const c = t[this.pos];
      if (c === undefined) return;
      if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === ',' || c === '\f') this.pos++;
      else if (c === ';') {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl + 1;
      } else if (c === '#' && t[this.pos + 1] === '_') {
        this.pos += 2;
        this.read();
      } else return;
    }
  }

  atEnd(): boolean {
    this.skip();
    return this.pos >= this.text.length;
  }

  read(): EdnValue {
    this.skip();
    const t = this.text;
    const c = t[this.pos];
    if (c === undefined) this.fail('unexpected end of input');
    if (c === '[' || c === '(') return (this.pos++, this.seq(c === '[' ? ']' : ')'));
    if (c === '{') {
      this.pos++;
      const items = this.seq('}');
      if (items.length % 2) this.fail('map with an odd number of forms');
      const o: Record<string, EdnValue> = {};
      for (let i = 0; i < items.length; i += 2) o[keyText(items[i]!)] = items[i + 1]!;
      return o;
    }
    if (c === '"') return this.string();
    if (c === '\\') return this.char();
    if (c === '#') {
      const d = t[this.pos + 1];
      if (d === '{') return ((this.pos += 2), this.seq('}'));
      if (d === '#') {
        this.pos += 2;
        const s = this.token();
        if (s === 'Inf') return Infinity;
        if (s === '-Inf') return -Infinity;
        if (s === 'NaN') return NaN;
        this.fail(`unknown symbolic value ##${s}`);
      }
      this.pos++;
      this.token(); // tag: the tagged value stands for itself (records read as maps)
      return this.read();
    }
    if (c === ')' || c === ']' || c === '}') this.fail(`unexpected '${c}'`);
    return atom(this.token(), this);
  }

  seq(close: string): EdnValue[] {
    const out: EdnValue[] = [];
    for (;;) {
      this.skip();
      if (this.pos >= this.text.length) this.fail(`missing '${close}'`);
      if (this.text[this.pos] === close) {
        this.pos++;
        return out;
      }
      out.push(this.read());
    }
  }

  token(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !DELIMS.has(this.text[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail('empty token');
    return this.text.slice(start, this.pos);
  }

  string(): string {
    const t = this.text;
    let out = '';
    let i = this.pos + 1;
    let from = i;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 34 /* " */) {
        this.pos = i + 1;
        return out + t.slice(from, i);
      }
      if (c !== 92 /* \ */) continue;
      out += t.slice(from, i);
      const e = t[i + 1];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', b: '\b', f: '\f' };
      if (e !== undefined && e in simple) (out += simple[e]), (i += 1);
      else if (e === 'u') (out += String.fromCharCode(parseInt(t.slice(i + 2, i + 6), 16))), (i += 5);
      else (this.pos = i), this.fail(`bad escape \\${e}`);
      from = i + 1;
    }
    return this.fail('unterminated string');
  }

  char(): string {
    this.pos++;
    const start = this.pos;
    this.pos++; // the character itself may be a delimiter: \( \space
    while (this.pos < this.text.length && !DELIMS.has(this.text[this.pos]!)) this.pos++;
    const name = this.text.slice(start, this.pos);
    const named: Record<string, string> = {
      newline: '\n',
      space: ' ',
      tab: '\t',
      return: '\r',
      backspace: '\b',
      formfeed: '\f',
    };
    if (name in named) return named[name]!;
    if (name.length > 1 && name[0] === 'u') return String.fromCharCode(parseInt(name.slice(1), 16));
    return name;
  }
}

const NUMBER = /^[+-]?(\d+)(\.\d*)?([eE][+-]?\d+)?[MN]?$/;
const RATIO = /^[+-]?\d+\/\d+$/;

function atom(tok: string, r: Reader): EdnValue {
  if (tok === 'nil') return null;
  if (tok === 'true') return true;
  if (tok === 'false') return false;
  if (tok[0] === ':') return tok.replace(/^::?/, '');
  if (NUMBER.test(tok)) return Number(tok.replace(/[MN]$/, ''));
  if (/^[+-]?0[xX][0-9a-fA-F]+N?$/.test(tok)) return Number(tok.replace(/N$/, ''));
  if (RATIO.test(tok)) {
    const [a, b] = tok.split('/');
    return Number(a) / Number(b);
  }
  if (/^[+-]?\d/.test(tok)) r.fail(`bad number '${tok}'`);
  return tok; // a symbol
}

function keyText(k: EdnValue): string {
  return typeof k === 'string' ? k : JSON.stringify(k);
}

/** Parses EDN text: all top-level forms. */
export function parseEdn(text: string): EdnValue[] {
  const r = new Reader(text);
  const out: EdnValue[] = [];
  while (!r.atEnd()) out.push(r.read());
  return out;
}

/**
 * Parses a history.edn: a vector (or list) of op maps, or op maps one after another (one per
 * line, as Jepsen's store writes them). Missing indexes are numbered by position.
 */
export function parseEdnOps(text: string): Op[] {
  const forms = parseEdn(text);
  const maps = forms.length === 1 && Array.isArray(forms[0]) ? forms[0] : forms;
  return maps.map((m, i) => {
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new Error(`EDN history: op ${i} is not a map`);
    const type = String(m.type) as OpType;
    if (!['invoke', 'ok', 'fail', 'info'].includes(type))
      throw new Error(`EDN history: op ${i} has bad :type ${String(m.type)}`);
    const process: ProcessId = typeof m.process === 'number' ? m.process : 'nemesis';
    const op: Op = {
      index: typeof m.index === 'number' ? m.index : i,
      time: typeof m.time === 'number' ? m.time : 0,
      type,
      process,
      f: m.f === null || m.f === undefined ? '' : String(m.f),
      value: m.value === undefined ? null : m.value,
    };
    if (m.error !== undefined && m.error !== null) op.error = typeof m.error === 'string' ? m.error : ednText(m.error);
    if (typeof m.node === 'string') op.node = m.node;
    return op;
  });
}

// ---------------------------------------------------------------------------- writer

const KEYWORD = /^[A-Za-z*+!_?<>=-][A-Za-z0-9*+!_?<>=./-]*$/;
const MICRO_FS = new Set(['append', 'r', 'w', 'read', 'write']);

function str(s: string): string {
  return (
    '"' +
    s.replace(/[\\"\n\t\r]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c]!) +
    '"'
  );
}

/** EDN text of a JSON-like value; strings stay strings, object keys become keywords. */
export function writeEdn(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '##NaN';
    if (!Number.isFinite(v)) return v > 0 ? '##Inf' : '##-Inf';
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString() + 'N';
  if (typeof v === 'string') return str(v);
  if (Array.isArray(v)) return '[' + v.map(writeEdn).join(' ') + ']';
  if (typeof v === 'object')
    return (
      '{' +
      Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => `${KEYWORD.test(k) ? ':' + k : str(k)} ${writeEdn(x)}`)
        .join(', ') +
      '}'
    );
  return str(String(v));
}

function ednText(v: EdnValue): string {
  return typeof v === 'string' ? v : writeEdn(v);
}

function kw(s: string): string {
  return KEYWORD.test(s) ? ':' + s : str(s);
}

/** A value in Jepsen's spelling: list-append/multi-register micro-op names are keywords. */
function writeValue(op: Op): string {
  const v = op.value;
  if (op.f === 'txn' && Array.isArray(v))
    return (
      '[' +
      v
        .map((m) =>
          Array.isArray(m) && typeof m[0] === 'string' && MICRO_FS.has(m[0])
            ? '[' + [kw(m[0]), ...m.slice(1).map(writeEdn)].join(' ') + ']'
            : writeEdn(m),
        )
        .join(' ') +
      ']'
    );
  return writeEdn(v);
}

/** One op as an EDN map, in Jepsen's field order. */
export function writeEdnOp(op: Op): string {
  const parts = [
    `:index ${op.index}`,
    `:time ${op.time}`,
    `:type ${kw(op.type)}`,
    `:process ${typeof op.process === 'number' ? op.process : kw(op.process)}`,
    `:f ${kw(op.f)}`,
    `:value ${writeValue(op)}`,
  ];
  if (op.error !== undefined) parts.push(`:error ${str(op.error)}`);
  if (op.node !== undefined) parts.push(`:node ${str(op.node)}`);
  return '{' + parts.join(', ') + '}';
}

/** A history as a vector of op maps, one per line. */
export function writeEdnOps(ops: readonly Op[]): string {
  if (ops.length === 0) return '[]\n';
  return '[' + ops.map(writeEdnOp).join('\n ') + ']\n';
}
