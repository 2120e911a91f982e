// The replication backlog: a ring buffer holding the last `size` bytes of the replication
// stream, so that a replica that lost its link can continue from its offset (PSYNC).
// Offsets are Redis's: the first byte of the stream is offset 1, `offset` below is the
// offset of the oldest byte still held.

export class Backlog {
  private buf: Buffer;
  /** Bytes held (repl_backlog_histlen). */
  histlen = 0;
  /** Position in `buf` where the next byte is written. */
  private idx = 0;
  /** Stream offset of the oldest byte held (repl_backlog_first_byte_offset). */
  offset: number;

  /** `endOffset` is master_repl_offset at creation: the next byte written is endOffset+1. */
  constructor(
    public size: number,
    endOffset: number,
  ) {
    this.buf = Buffer.allocUnsafe(size);
    this.offset = endOffset + 1;
  }

  append(data: Buffer): void {
    const size = this.size;
    let src = data;
    if (src.length >= size) {
      // only the tail fits: the ring restarts at 0 holding exactly `size` bytes
      src.copy(this.buf, 0, src.length - size);
      this.idx = 0;
      this.offset += this.histlen + src.length - size;
      this.histlen = size;
      return;
    }
    const first = Math.min(src.length, size - this.idx);
    src.copy(this.buf, this.idx, 0, first);
    if (first < src.length) src.copy(this.buf, 0, first);
    this.idx = (this.idx + src.length) % size;
    const newHist = this.histlen + src.length;
    if (newHist > size) {
      this.offset += newHist - size;
      this.histlen = size;
    } else {
      this.histlen = newHist;
    }
  }

  /** True when the bytes from `offset` (inclusive) to the end are all held. */
  covers(offset: number): boolean {
    return offset >= this.offset && offset <= this.offset + this.histlen;
  }

  /** The bytes from stream offset `from` to the end. */
  readFrom(from: number): Buffer {
    const skip = from - this.offset;
    const len = this.histlen - skip;
    if (len <= 0) return Buffer.alloc(0);
    const size = this.size;
    // index of the oldest byte in the ring
    const start = (this.idx - this.histlen + size * 2) % size;
    const pos = (start + skip) % size;
    if (pos + len <= size) return Buffer.from(this.buf.subarray(pos, pos + len));
    return Buffer.concat([this.buf.subarray(pos, size), this.buf.subarray(0, len - (size - pos))]);
  }

  /** CONFIG SET repl-backlog-size: keeps the newest bytes that still fit. */
  resize(size: number): void {
    if (size === this.size) return;
    const keep = Math.min(this.histlen, size);
    const data = this.readFrom(this.offset + this.histlen - keep);
    const endOffset = this.offset + this.histlen - 1;
    this.size = size;
    this.buf = Buffer.allocUnsafe(size);
    this.idx = 0;
    this.histlen = 0;
    this.offset = endOffset + 1;
    if (data.length > 0) {
      this.offset = endOffset + 1 - data.length;
      data.copy(this.buf, 0);
      this.histlen = data.length;
      this.idx = data.length % size;
    }
  }
}
