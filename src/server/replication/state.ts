// Replication identity and the stream itself: replid / replid2 / second_repl_offset,
// master_repl_offset and the backlog. Both roles use it: a master feeds it with its own
// writes, a replica with the bytes it applied from its master (so that it can serve its own
// replicas and keep PSYNC2 history across promotions).
import crypto from 'node:crypto';
import { Backlog } from './backlog.js';

export const ZERO_REPLID = '0000000000000000000000000000000000000000';

export function randomReplId(): string {
  return crypto.randomBytes(20).toString('hex');
}

export class ReplState {
  replid = randomReplId();
  replid2 = ZERO_REPLID;
  secondReplOffset = -1;
  /** master_repl_offset: bytes ever fed to the stream (including what is still pending). */
  masterReplOffset = 0;
  backlog: Backlog | null = null;
  /** Stream bytes fed but not yet written out (batched per event-loop turn). */
  private pending: (string | Buffer)[] = [];
  private pendingBytes = 0;
  private flushQueued = false;
  /** Set by the master side: lowest start offset of replicas still waiting for their RDB. */
  pinnedOffset: () => number = () => Infinity;
  /** Receives every flushed chunk of the stream (the master side writes it to replicas). */
  onChunk: (chunk: Buffer) => void = () => {};

  constructor(private backlogSize: () => number) {}

  changeReplicationId(): void {
    this.replid = randomReplId();
  }

  clearReplicationId2(): void {
    this.replid2 = ZERO_REPLID;
    this.secondReplOffset = -1;
  }

  /** Promotion: the old history stays valid as replid2 up to the current offset. */
  shiftReplicationId(): void {
    this.replid2 = this.replid;
    this.secondReplOffset = this.masterReplOffset + 1;
    this.changeReplicationId();
  }

  createBacklog(): void {
    this.flush();
    this.backlog = new Backlog(this.backlogSize(), this.masterReplOffset);
    this.backlog.pinnedOffset = () => this.pinnedOffset();
  }

  freeBacklog(): void {
    this.flush();
    this.backlog = null;
  }

  /** Appends stream bytes (a latin1 string or a Buffer); offsets advance at once. */
  feed(data: string | Buffer): void {
    if (data.length === 0) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.masterReplOffset += data.length;
    if (!this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(() => this.flush());
    }
  }

  /** Writes pending bytes to the backlog and to replicas. */
  flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0) return;
    const parts = this.pending;
    const total = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    let chunk: Buffer;
    if (parts.length === 1) chunk = typeof parts[0] === 'string' ? Buffer.from(parts[0], 'latin1') : parts[0]!;
    else {
      chunk = Buffer.allocUnsafe(total);
      let at = 0;
      for (const p of parts) {
        if (typeof p === 'string') at += chunk.latin1Write(p, at);
        else {
          p.copy(chunk, at);
          at += p.length;
        }
      }
    }
    this.backlog?.append(chunk);
    this.onChunk(chunk);
  }

  /** PSYNC: can we continue a replica that has history `replid` up to `offset`-1? */
  canContinue(replid: string, offset: number): 'ok' | 'id' | 'id2-offset' | 'backlog' {
    const idLower = replid.toLowerCase();
    if (idLower !== this.replid && (idLower !== this.replid2 || offset > this.secondReplOffset)) {
      return idLower !== this.replid && idLower !== this.replid2 ? 'id' : 'id2-offset';
    }
    this.flush();
    if (!this.backlog || !this.backlog.covers(offset)) return 'backlog';
    return 'ok';
  }
}
