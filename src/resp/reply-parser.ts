// Incremental parser for what a server sends back (RESP2 and RESP3). Used by our own
// client links: replica -> master, sentinel -> servers/sentinels, and tests.
// Strings come out as latin1 "binary strings".

export class RespError {
  constructor(readonly message: string) {}
  toString(): string {
    return this.message;
  }
}

/** A RESP3 push frame (`>`), e.g. pub/sub messages. */
export class RespPush {
  constructor(readonly items: RespValue[]) {}
}

/** RESP3 map, kept as ordered pairs. RESP3 sets arrive as plain arrays. */
export class RespMap {
  constructor(readonly entries: [RespValue, RespValue][]) {}
  get(key: string): RespValue | undefined {
    for (const [k, v] of this.entries) if (k === key) return v;
    return undefined;
  }
}

export type RespValue = string | number | bigint | boolean | null | RespError | RespPush | RespMap | RespValue[];

const NEED_MORE = Symbol('need-more');

export class ReplyParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  feed(chunk: Buffer): void {
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    }
    this.pos = 0;
  }

  /** Next complete reply, or undefined when more bytes are needed. */
  next(): RespValue | undefined {
    const start = this.pos;
    const v = this.parse();
    if (v === NEED_MORE) {
      this.pos = start;
      return undefined;
    }
    return v;
  }

  private line(): string | typeof NEED_MORE {
    const nl = this.buf.indexOf('\r\n', this.pos, 'latin1');
    if (nl === -1) return NEED_MORE;
    const s = this.buf.latin1Slice(this.pos, nl);
    this.pos = nl + 2;
    return s;
  }

  private parse(): RespValue | typeof NEED_MORE {
    if (this.pos >= this.buf.length) return NEED_MORE;
    const t = String.fromCharCode(this.buf[this.pos]!);
    this.pos++;
    const l = this.line();
    if (l === NEED_MORE) return NEED_MORE;
    switch (t) {
      case '+':
        return l;
      case '-':
      case '!':
        if (t === '!') return this.blob(Number(l), true);
        return new RespError(l);
      case ':': {
        const n = Number(l);
        return Number.isSafeInteger(n) ? n : BigInt(l);
      }
      case '(':
        return BigInt(l);
      case ',':
        return l === 'inf' ? Infinity : l === '-inf' ? -Infinity : Number(l);
      case '#':
        return l === 't';
      case '_':
        return null;
      case '$':
      case '=': {
        const n = Number(l);
        if (n < 0) return null;
        const s = this.blob(n, false);
        if (s === NEED_MORE || t === '$') return s;
        return (s as string).slice(4); // verbatim: drop "txt:"
      }
      case '*':
      case '~':
      case '>': {
        const n = Number(l);
        if (n < 0) return null;
        const arr: RespValue[] = [];
        for (let i = 0; i < n; i++) {
          const v = this.parse();
          if (v === NEED_MORE) return NEED_MORE;
          arr.push(v);
        }
        return t === '>' ? new RespPush(arr) : arr;
      }
      case '%':
      case '|': {
        const n = Number(l);
        const entries: [RespValue, RespValue][] = [];
        for (let i = 0; i < n; i++) {
          const k = this.parse();
          if (k === NEED_MORE) return NEED_MORE;
          const v = this.parse();
          if (v === NEED_MORE) return NEED_MORE;
          entries.push([k, v]);
        }
        if (t === '|') return this.parse(); // attribute: skip, return the value it annotates
        return new RespMap(entries);
      }
      default:
        throw new Error(`RESP protocol error: unexpected type byte ${JSON.stringify(t)}`);
    }
  }

  private blob(n: number, isError: boolean): RespValue | typeof NEED_MORE {
    if (this.buf.length - this.pos < n + 2) return NEED_MORE;
    const s = this.buf.latin1Slice(this.pos, this.pos + n);
    this.pos += n + 2;
    return isError ? new RespError(s) : s;
  }
}

/** Encodes a command as a RESP multibulk request (args as latin1 binary strings or UTF-8 text). */
export function encodeCommand(args: readonly (string | number | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from('*' + args.length + '\r\n', 'latin1')];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'latin1');
    parts.push(Buffer.from('$' + b.length + '\r\n', 'latin1'), b, CRLF);
  }
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n');
