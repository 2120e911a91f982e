// Incremental parser for what clients send a server: RESP multibulk requests and inline
// commands. Arguments come out as "binary strings" (latin1: one char per byte), which keeps
// values byte-exact while letting the keyspace use plain JS strings as Map keys.
//
// Limits and error texts follow Redis 7.0.15 networking.c (processInlineBuffer /
// processMultibulkBuffer); the caller replies `-ERR <message>` and closes the connection.
// A bulk longer than V8's longest string (MAX_ARG_LEN) but within proto-max-bulk-len is
// discarded as it arrives and its command answered with Redis's "string exceeds maximum
// allowed size" error (UnholdableArgument): the server neither buffers it nor dies on it.

import { constants as bufferConstants } from 'node:buffer';

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
const BIG_ARG = 32 * 1024; // bulks at least this large are received straight into their own buffer
/** proto-max-bulk-len cannot be set below 1 MB: bulk headers under it skip the limit lookup. */
const MIN_BULK_LIMIT = 1024 * 1024;
/**
 * The longest string V8 can make (2^29-24 chars on 64-bit): Redis accepts bulks up to
 * proto-max-bulk-len (512 MB by default), a few bytes more than that.
 */
export const MAX_ARG_LEN = bufferConstants.MAX_STRING_LENGTH;

export class ProtocolError extends Error {}

/**
 * Thrown by next() once a whole command has been consumed when one of its bulks was too long
 * for a JS string: the command is dropped (its bytes were discarded as they arrived, never
 * buffered) and the connection stays in step, so the caller answers with an error and goes on.
 */
export class UnholdableArgument extends Error {
  constructor() {
    super('string exceeds maximum allowed size (proto-max-bulk-len)');
  }
}

export interface ParserLimits {
  /** proto-max-bulk-len (bytes); not applied to a master link. Read at each bulk over 1 MB. */
  readonly maxBulkLen: number;
  /** The connection has not authenticated yet while a password is required. */
  authRequired(): boolean;
  /** The connection is our master's replication link (no bulk length limit). */
  readonly isMaster?: boolean;
}

/** next()'s internal answer when the buffered bytes end inside a command. */
const NEED_MORE = null;

export class RequestParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Chunks fed after `buf` that no parse has needed yet (merged lazily: no copy per chunk). */
  private tail: Buffer[] = [];
  private tailBytes = 0;
  // state of a multibulk request being parsed
  private mbLeft = 0;
  private args: string[] = [];
  private argc = 0;
  private bulkLen = -1;
  /** A large bulk (and its CRLF) being received straight into a buffer of its exact size. */
  private big: Buffer | null = null;
  private bigHave = 0;
  /** A bulk too long for a string: bytes (with its CRLF) still to discard, and discarded so far. */
  private skipping = false;
  private skipLeft = 0;
  private skipped = 0;
  /** The command being parsed had an argument too long to hold. */
  private unholdable = false;
  /** Bytes consumed by the last command returned by next() (offset accounting on replicas). */
  lastCommandBytes = 0;
  private cmdStart = 0; // consumed-bytes counter at the start of the current command
  private consumed = 0; // total bytes consumed so far

  constructor(private readonly limits: ParserLimits) {}

  feed(chunk: Buffer): void {
    if (this.big !== null || this.skipping) {
      chunk = this.absorb(chunk);
      if (chunk.length === 0) return;
    }
    if (this.pos >= this.buf.length && this.tailBytes === 0) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.tail.push(chunk);
      this.tailBytes += chunk.length;
    }
  }

  /** Routes bytes to the large bulk being received or discarded; returns what is left over. */
  private absorb(chunk: Buffer): Buffer {
    if (this.big !== null) {
      const take = Math.min(chunk.length, this.big.length - this.bigHave);
      if (take === 0) return chunk;
      chunk.copy(this.big, this.bigHave, 0, take);
      this.bigHave += take;
      return chunk.subarray(take);
    }
    if (this.skipping) {
      const take = Math.min(chunk.length, this.skipLeft);
      this.skipLeft -= take;
      this.skipped += take;
      return chunk.subarray(take);
    }
    return chunk;
  }

  /** Unparsed bytes still held (Redis's query buffer length, for client-query-buffer-limit). */
  get pendingBytes(): number {
    return this.buf.length - this.pos + this.tailBytes + this.bigHave + (this.skipping ? this.skipped : 0);
  }

  /** The first `n` bytes of the query buffer (the log line of a client closed for its size). */
  pendingHead(n: number): Buffer {
    if (this.big !== null) return this.big.subarray(0, Math.min(n, this.bigHave));
    const parts = [this.buf.subarray(this.pos), ...this.tail];
    return Buffer.concat(parts).subarray(0, n);
  }

  /** Moves the fed-but-unmerged chunks into `buf`; false when there were none. */
  private mergeTail(): boolean {
    if (this.tailBytes === 0) return false;
    const rest = this.buf.subarray(this.pos);
    this.buf = Buffer.concat(rest.length > 0 ? [rest, ...this.tail] : this.tail);
    this.pos = 0;
    this.tail = [];
    this.tailBytes = 0;
    return true;
  }

  /**
   * Returns the next complete command, or null when more bytes are needed.
   * Throws ProtocolError (message without the "ERR " prefix) on malformed input, and
   * UnholdableArgument after consuming a command one of whose bulks no string can hold.
   */
  next(): string[] | null {
    for (;;) {
      const cmd = this.parse();
      if (cmd !== NEED_MORE) return cmd;
      if (this.big !== null || this.skipping || !this.mergeTail()) return null;
    }
  }

  private parse(): string[] | null {
    for (;;) {
      if (this.big !== null) {
        if (this.bigHave < this.big.length) return NEED_MORE;
        this.finishBigBulk();
        if (this.mbLeft === 0) return this.complete();
      } else if (this.skipping) {
        if (this.skipLeft > 0) return NEED_MORE;
        this.finishSkippedBulk();
        if (this.mbLeft === 0) return this.complete();
      }
      if (this.mbLeft === 0) {
        if (this.pos >= this.buf.length) return NEED_MORE;
        this.cmdStart = this.consumed;
        if (this.buf[this.pos] === 0x2a /* '*' */) {
          const r = this.readMultibulkHeader();
          if (r === null) return NEED_MORE;
          if (r <= 0) continue; // empty request: skipped, as Redis does
          this.mbLeft = r;
          this.args = new Array<string>(Math.min(r, 1024)); // as Redis: preallocate, capped
          this.argc = 0;
        } else {
          const inline = this.readInline();
          if (inline === null) return NEED_MORE;
          if (inline.length === 0) continue;
          return this.finishCommand(inline);
        }
      }
      // read bulks
      while (this.mbLeft > 0) {
        if (this.bulkLen === -1) {
          const nl = findCR(this.buf, this.pos);
          if (nl === -1) {
            if (this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE)
              throw new ProtocolError('Protocol error: too big bulk count string');
            return NEED_MORE;
          }
          if (nl + 1 >= this.buf.length) return NEED_MORE; // need the \n too
          if (this.buf[this.pos] !== 0x24 /* '$' */) {
            throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(this.buf[this.pos]!)}'`);
          }
          const n = parseStrictInt(this.buf, this.pos + 1, nl);
          if (n === null || n < 0 || (n > MIN_BULK_LIMIT && !this.limits.isMaster && n > this.limits.maxBulkLen)) {
            throw new ProtocolError('Protocol error: invalid bulk length');
          }
          if (n > 16384 && this.limits.authRequired())
            throw new ProtocolError('Protocol error: unauthenticated bulk length');
          this.advance(nl + 2 - this.pos);
          this.bulkLen = n;
          if (n >= BIG_ARG && this.buf.length - this.pos < n + 2) {
            this.startLargeBulk(n);
            break; // parse() goes on once the bulk is in (or discarded)
          }
        }
        if (this.buf.length - this.pos < this.bulkLen + 2) return NEED_MORE;
        const arg =
          this.argc === 0 && this.bulkLen <= MAX_INTERNED
            ? internName(this.buf, this.pos, this.bulkLen)
            : this.buf.latin1Slice(this.pos, this.pos + this.bulkLen);
        this.args[this.argc++] = arg;
        this.advance(this.bulkLen + 2);
        this.bulkLen = -1;
        this.mbLeft--;
      }
      if (this.mbLeft === 0) return this.complete();
    }
  }

  /**
   * A bulk of `n` bytes not yet all here: it is received into a buffer of its size (Redis's
   * sdsMakeRoomForNonGreedy), or discarded as it arrives when no string could hold it.
   */
  private startLargeBulk(n: number): void {
    const held = [this.buf.subarray(this.pos), ...this.tail];
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.tail = [];
    this.tailBytes = 0;
    if (n <= MAX_ARG_LEN) {
      try {
        this.big = Buffer.allocUnsafe(n + 2);
        this.bigHave = 0;
      } catch {
        this.big = null; // no memory for it now: treated as a bulk no string can hold
      }
    }
    if (this.big === null) {
      this.skipping = true;
      this.skipLeft = n + 2;
      this.skipped = 0;
    }
    for (const part of held) {
      const rest = this.absorb(part);
      if (rest.length > 0) this.feed(rest);
    }
  }

  private complete(): string[] {
    const args = this.args;
    this.args = [];
    if (this.unholdable) {
      this.unholdable = false;
      this.lastCommandBytes = this.consumed - this.cmdStart;
      throw new UnholdableArgument();
    }
    return this.finishCommand(args);
  }

  private finishCommand(args: string[]): string[] {
    this.lastCommandBytes = this.consumed - this.cmdStart;
    return args;
  }

  private finishBigBulk(): void {
    const big = this.big!;
    this.big = null;
    this.bigHave = 0;
    this.args[this.argc++] = big.latin1Slice(0, this.bulkLen);
    this.consumed += big.length;
    this.bulkLen = -1;
    this.mbLeft--;
  }

  private finishSkippedBulk(): void {
    this.skipping = false;
    this.consumed += this.skipped;
    this.skipped = 0;
    this.unholdable = true;
    this.args[this.argc++] = '';
    this.bulkLen = -1;
    this.mbLeft--;
  }

  private advance(n: number): void {
    this.pos += n;
    this.consumed += n;
  }

  /** Parses `*<n>\r\n`; returns n, or null when the line is incomplete. */
  private readMultibulkHeader(): number | null {
    const nl = findCR(this.buf, this.pos);
    if (nl === -1) {
      if (this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE)
        throw new ProtocolError('Protocol error: too big mbulk count string');
      return null;
    }
    if (nl + 1 >= this.buf.length) return null;
    const n = parseStrictInt(this.buf, this.pos + 1, nl);
    if (n === null || n > 2147483647) throw new ProtocolError('Protocol error: invalid multibulk length');
    if (n > 10 && this.limits.authRequired())
      throw new ProtocolError('Protocol error: unauthenticated multibulk length');
    this.advance(nl + 2 - this.pos);
    return n;
  }

  /** Parses one inline command line; [] for an empty line; null when incomplete. */
  private readInline(): string[] | null {
    const nl = this.buf.indexOf(10, this.pos);
    if (nl === -1) {
      if (this.buf.length - this.pos > PROTO_INLINE_MAX_SIZE)
        throw new ProtocolError('Protocol error: too big inline request');
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
