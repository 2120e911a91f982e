// Received replication stream bytes waiting to be attributed to parsed commands.

/** FIFO of received chunks; take(n) returns the next n bytes without re-copying the rest. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private pos = 0;

  push(b: Buffer): void {
    this.chunks.push(b);
  }

  take(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length - this.pos >= n) {
      const out = first.subarray(this.pos, this.pos + n);
      this.pos += n;
      if (this.pos === first.length) {
        this.chunks.shift();
        this.pos = 0;
      }
      return out;
    }
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0 && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const avail = c.length - this.pos;
      const k = Math.min(avail, left);
      parts.push(c.subarray(this.pos, this.pos + k));
      left -= k;
      this.pos += k;
      if (this.pos === c.length) {
        this.chunks.shift();
        this.pos = 0;
      }
    }
    return Buffer.concat(parts, n - left);
  }
}
