// The replication backlog, laid out as Redis 7.0 lays it out: a list of replication buffer
// blocks (16 KB requests, 20,440 usable bytes once jemalloc rounds them up), trimmed a whole
// block at a time and only while what remains still holds repl-backlog-size bytes. So
// repl_backlog_histlen and repl_backlog_first_byte_offset — and whether an offset can still
// be served to a PSYNC — match a real master fed the same stream.
// Offsets are Redis's: the first byte of the stream is offset 1; `offset` is the offset of the
// oldest byte still held.

const CHUNK = 16 * 1024; // PROTO_REPLY_CHUNK_BYTES
const BLOCK_HEADER = 40; // sizeof(replBufBlock)

/** jemalloc's size class for an allocation of n bytes (> 16 KB: four classes per doubling). */
function sizeClass(n: number): number {
  const k = 31 - Math.clz32(n - 1);
  const step = 2 ** (k - 2);
  return Math.ceil(n / step) * step;
}

const BLOCK_SIZE = sizeClass(CHUNK + BLOCK_HEADER) - BLOCK_HEADER; // 20,440

interface Block {
  buf: Buffer;
  used: number;
}

export class Backlog {
  private blocks: Block[] = [];
  /** Bytes held (repl_backlog_histlen). */
  histlen = 0;
  /** Stream offset of the oldest byte held (repl_backlog_first_byte_offset). */
  offset: number;

  /** `endOffset` is master_repl_offset at creation: the next byte written is endOffset+1. */
  constructor(
    public size: number,
    endOffset: number,
  ) {
    this.offset = endOffset + 1;
  }

  /**
   * feedReplicationBuffer(): fills the tail block, then as many new standard blocks as needed
   * (7.0.15 never makes a larger block, even for a large argument).
   */
  append(data: Buffer): void {
    let pos = 0;
    const len = data.length;
    while (pos < len) {
      let tail = this.blocks[this.blocks.length - 1];
      if (!tail || tail.used === tail.buf.length) {
        tail = { buf: Buffer.allocUnsafe(BLOCK_SIZE), used: 0 };
        this.blocks.push(tail);
      }
      const copy = Math.min(tail.buf.length - tail.used, len - pos);
      data.copy(tail.buf, tail.used, pos, pos + copy);
      tail.used += copy;
      pos += copy;
    }
    this.histlen += len;
    this.trim();
  }

  /**
   * Offset of the oldest byte a replica still waiting for its RDB will be sent from (minus
   * one): Redis's replica references the block holding it, which then cannot be trimmed.
   */
  pinnedOffset: () => number = () => Infinity;

  /** incrementalTrimReplicationBacklog: drop whole blocks while size bytes would remain. */
  private trim(): void {
    let pin = -1;
    while (this.histlen > this.size && this.blocks.length > 1) {
      const first = this.blocks[0]!;
      if (this.histlen - first.buf.length <= this.size) break;
      if (pin === -1) pin = this.pinnedOffset();
      if (this.offset + first.buf.length - 1 >= pin) break;
      this.blocks.shift();
      this.histlen -= first.buf.length;
      this.offset += first.buf.length;
    }
  }

  /** True when the bytes from `offset` (inclusive) to the end are all held. */
  covers(offset: number): boolean {
    return offset >= this.offset && offset <= this.offset + this.histlen;
  }

  /** The bytes from stream offset `from` to the end. */
  readFrom(from: number): Buffer {
    let skip = from - this.offset;
    const parts: Buffer[] = [];
    for (const b of this.blocks) {
      if (skip >= b.used) {
        skip -= b.used;
        continue;
      }
      parts.push(b.buf.subarray(skip, b.used));
      skip = 0;
    }
    return Buffer.concat(parts);
  }

  /** CONFIG SET repl-backlog-size: later trimming keeps the new size. */
  resize(size: number): void {
    this.size = size;
    this.trim();
  }
}
