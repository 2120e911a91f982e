// Incremental parser for what clients send a server: RESP multibulk requests and inline
// commands. Arguments come out as "binary strings" (latin1: one char per byte), which keeps
// values byte-exact while letting the keyspace use plain JS strings as Map keys.
//
// Limits and error texts follow Redis 7.0.15 networking.c (processInlineBuffer /
// processMultibulkBuffer); the caller replies `-ERR <message>` and closes the connection.

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
const BIG_ARG = 32 * 1024; // bulks at least this large are gathered from chunks without re-copying

export class ProtocolError extends Error {}

export interface ParserLimits {
  /** proto-max-bulk-len (bytes); not applied to a master link. */
  maxBulkLen: number;
  /** The connection has not authenticated yet while a password is required. */
  authRequired(): boolean;
  /** The connection is our master's replication link (no bulk length limit). */
  isMaster?: boolean;
}

export class RequestParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  // state of a multibulk request being parsed
  private mbLeft = 0;
  private args: string[] = [];
  private argc = 0;
  private bulkLen = -1;
  private bigParts: Buffer[] | null = null;
  private bigHave = 0;
  /** Bytes consumed by the last command returned by next() (offset accounting on replicas). */
  lastCommandBytes = 0;
  private cmdStart = 0; // consumed-bytes counter at the start of the current command
  private consumed = 0; // total bytes consumed so far

  constructor(private readonly limits: ParserLimits) {}

  feed(chunk: Buffer): void {
    if (this.bigParts) {
      this.bigParts.push(chunk);
      this.bigHave += chunk.length;
      return;
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    }
  }

  /** Unparsed bytes still buffered (for query-buffer accounting). */
  get pendingBytes(): number {
    return this.buf.length - this.pos + this.bigHave;
  }

  /**
   * Returns the next complete command, or null when more bytes are needed.
   * Throws ProtocolError (message without the "ERR " prefix) on malformed input.
   */
  next(): string[] | null {
    for (;;) {
      if (this.bigParts) {
        if (!this.finishBigBulk()) return null;
        if (this.mbLeft === 0) return this.complete();
        continue;
      }
      if (this.mbLeft === 0) {
        if (this.pos >= this.buf.length) return null;
        this.cmdStart = this.consumed;
        if (this.buf[this.pos] === 0x2a /* '*' */) {
          const r = this.readMultibulkHeader();
          if (r === null) return null;
          if (r <= 0) continue; // empty request: skipped, as Redis does
          this.mbLeft = r;
          this.args = new Array<string>(Math.min(r, 1024)); // as Redis: preallocate, capped
          this.argc = 0;
        } else {
          const inline = this.readInline();
          if (inline === null) return null;
          if (inline.length === 0) continue;
          return this.finishCommand(inline);
        }
      }
      // read bulks
      while (this.mbLeft > 0) {
        if (this.bulkLen === -1) {
          const nl = findCR(this.buf, this.pos);
          if (nl === -1) {
            if (this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big bulk count string');
            return null;
          }
          if (nl + 1 >= this.buf.length) return null; // need the \n too
          if (this.buf[this.pos] !== 0x24 /* '$' */) {
            throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(this.buf[this.pos]!)}'`);
          }
          const n = parseStrictInt(this.buf, this.pos + 1, nl);
          if (n === null || n < 0 || (!this.limits.isMaster && n > this.limits.maxBulkLen)) {
            throw new ProtocolError('Protocol error: invalid bulk length');
          }
          if (n > 16384 && this.limits.authRequired()) throw new ProtocolError('Protocol error: unauthenticated bulk length');
          this.advance(nl + 2 - this.pos);
          this.bulkLen = n;
          if (n >= BIG_ARG && this.buf.length - this.pos < n + 2) {
            // gather the rest of a large argument as chunks instead of re-concatenating
            const rest = this.buf.subarray(this.pos);
            this.bigParts = [rest];
            this.bigHave = rest.length;
            this.buf = Buffer.alloc(0);
            this.pos = 0;
            return this.next();
          }
        }
        if (this.buf.length - this.pos < this.bulkLen + 2) return null;
        const arg =
          this.argc === 0 && this.bulkLen <= MAX_INTERNED
            ? internName(this.buf, this.pos, this.bulkLen)
            : this.buf.latin1Slice(this.pos, this.pos + this.bulkLen);
        this.args[this.argc++] = arg;
        this.advance(this.bulkLen + 2);
        this.bulkLen = -1;
        this.mbLeft--;
      }
      return this.complete();
    }
  }

  private complete(): string[] {
    const args = this.args;
    this.args = [];
    return this.finishCommand(args);
  }

  private finishCommand(args: string[]): string[] {
    this.lastCommandBytes = this.consumed - this.cmdStart;
    return args;
  }

  private finishBigBulk(): boolean {
    const need = this.bulkLen + 2;
    if (this.bigHave < need) return false;
    const all = Buffer.concat(this.bigParts!, this.bigHave);
    this.bigParts = null;
    this.bigHave = 0;
    this.args[this.argc++] = all.latin1Slice(0, this.bulkLen);
    this.buf = all;
    this.pos = 0;
    this.advance(need);
    this.bulkLen = -1;
    this.mbLeft--;
    return true;
  }

  private advance(n: number): void {
    this.pos += n;
    this.consumed += n;
  }

  /** Parses `*<n>\r\n`; returns n, or null when the line is incomplete. */
  private readMultibulkHeader(): number | null {
    const nl = findCR(this.buf, this.pos);
    if (nl === -1) {
      if (this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big mbulk count string');
      return null;
    }
    if (nl + 1 >= this.buf.length) return null;
    const n = parseStrictInt(this.buf, this.pos + 1, nl);
    if (n === null || n > 2147483647) throw new ProtocolError('Protocol error: invalid multibulk length');
    if (n > 10 && this.limits.authRequired()) throw new ProtocolError('Protocol error: unauthenticated multibulk length');
    this.advance(nl + 2 - this.pos);
    return n;
  }

  /** Parses one inline command line; [] for an empty line; null when incomplete. */
  private readInline(): string[] | null {
    const nl = this.buf.indexOf(10, this.pos);
    if (nl === -1) {
      if (this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big inline request');
      return null;
    }
    let end = nl;
    if (end > this.pos && this.buf[end - 1] === 13) end--;
    const line = this.buf.latin1Slice(this.pos, end);
    this.advance(nl + 1 - this.pos);
    const args = splitArgs(line);
    if (args === null) throw new ProtocolError('Protocol error: unbalanced quotes in request');
    return args;
  }
}

// Command names repeat on every request: the first argument is looked up in a small table of
// strings already made, so the hot path neither allocates it nor re-hashes it for the command lookup.
const MAX_INTERNED = 24;
const interned = new Map<number, string>();

function internName(buf: Buffer, at: number, len: number): string {
  let h = len;
  for (let i = at; i < at + len; i++) h = (Math.imul(h, 31) + buf[i]!) | 0;
  const known = interned.get(h);
  if (known !== undefined && known.length === len) {
    let i = 0;
    while (i < len && known.charCodeAt(i) === buf[at + i]) i++;
    if (i === len) return known;
  }
  const s = buf.latin1Slice(at, at + len);
  if (interned.size < 4096) interned.set(h, s); // bounded: garbage names cannot grow it forever
  return s;
}

/**
 * Index of the next '\r' at or after `from`, or -1. Length lines ("$3", "*2") are a few bytes:
 * a JS loop beats Buffer#indexOf's call into C++ there; longer runs fall back to indexOf.
 */
function findCR(buf: Buffer, from: number): number {
  const end = Math.min(buf.length, from + 24);
  for (let i = from; i < end; i++) if (buf[i] === 13) return i;
  return end < buf.length ? buf.indexOf(13, end) : -1;
}

/** string2ll as Redis does it: optional '-', digits, no '+', no leading zeros, no spaces. */
function parseStrictInt(buf: Buffer, start: number, end: number): number | null {
  if (start >= end) return null;
  let i = start;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
    if (i >= end) return null;
  }
  if (buf[i] === 0x30 && end - i > 1) return null;
  let n = 0;
  for (; i < end; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  if (end - start > 19) return null;
  return neg ? -n : n;
}

/**
 * sdssplitargs: splits a line into arguments with Redis's quoting rules ("..." with
 * \n \r \t \b \a \\ \" \xHH escapes, '...' with only \'). Returns null on unbalanced quotes.
 * Shared with the config-file parser.
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f';
  for (;;) {
    while (i < n && isSpace(line[i]!)) i++;
    if (i >= n) return out;
    let cur = '';
    let inq = false; // double quotes
    let insq = false; // single quotes
    let done = false;
    while (!done) {
      const c = line[i];
      if (inq) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === 'x' && isHex(line[i + 2]) && isHex(line[i + 3])) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i];
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          // closing quote must be followed by a space or nothing
          if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
          done = true;
        } else {
          cur += c;
        }
      } else if (insq) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1]!)) return null;
          done = true;
        } else {
          cur += c;
        }
      } else {
        if (c === undefined || isSpace(c)) done = true;
        else if (c === '"') inq = true;
        else if (c === "'") insq = true;
        else cur += c;
      }
      if (i < n) i++;
    }
    out.push(cur);
  }
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}
