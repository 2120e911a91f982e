// Test-only fault debug-replica-drop-every N (no Redis feature, see config.ts): a replica skips
// every Nth write command of its master's stream (inside MULTI/EXEC: the commands in it). A
// skipped write is not applied and not passed on, though its bytes count in the replica's offset,
// so the master's WAIT and REPLCONF ACK take it as received. Our backlog and sub-replicas get a
// same-length no-op in its place, so every offset stays byte-exact.
import type { Server } from '../server.js';
import { encodeCommand } from '../../resp/reply-parser.js';
import type { ByteQueue } from './byte-queue.js';

/**
 * A stream command of exactly `len` bytes that changes nothing. null: no such filler (the write
 * is then applied).
 */
function noopCommandOfLength(len: number): Buffer | null {
  const bare: Record<number, string> = { 14: 'PING', 16: 'DBSIZE', 17: 'UNWATCH', 18: 'LASTSAVE', 19: 'RANDOMKEY' };
  if (bare[len]) return encodeCommand([bare[len]!]);
  // `*2 $<n> <name> $<d> <pad>`: 4 + (6 + name) + (5 + digits + pad) bytes
  for (const name of ['PING', 'EXISTS']) {
    for (let digits = 1; digits <= 10; digits++) {
      const pad = len - 15 - name.length - digits;
      if (pad >= 0 && String(pad).length === digits) return encodeCommand([name, 'x'.repeat(pad)]);
    }
  }
  return null;
}

/** An argv for the log: printable args as they are, others quoted, long ones cut. */
function argvForLog(argv: string[]): string {
  return argv
    .map((a) => (a.length > 128 ? `${a.slice(0, 128)}...(${a.length - 128} more bytes)` : a))
    .map((a) => (/^[!-~]+$/.test(a) && !a.includes('"') ? a : JSON.stringify(a)))
    .join(' ');
}

/**
 * The replica's side of the switch. The replica asks `skips` for each parsed stream command;
 * once a block (a command outside MULTI, or a whole transaction) is complete and `hasSkipped`,
 * it feeds that block through `feedBlock` instead of passing the raw bytes on.
 */
export class DebugStreamDrop {
  /** Write commands of the master stream counted so far (across links). */
  private streamWrites = 0;
  /** [start, length] of the skipped commands in the current block. */
  private skipped: [number, number][] = [];

  constructor(private readonly server: Server) {}

  /** Whether the command (`bytes` long, at `offsetInBlock` of the current block) is skipped; logs a skip. */
  skips(argv: string[], bytes: number, offsetInBlock: number): boolean {
    const every = this.server.config.int('debug-replica-drop-every');
    if (every <= 0) return false;
    let cmd = this.server.commands.get(argv[0]!);
    if (cmd?.subIndex && argv.length >= 2) cmd = cmd.subIndex.get(argv[1]!.toLowerCase());
    if (!cmd?.isWrite || noopCommandOfLength(bytes) === null) return false;
    this.streamWrites++;
    if (this.streamWrites % every !== 0) return false;
    this.server.log.warning(
      `DEBUG replica-drop-every: skipped write #${this.streamWrites} of the master stream: ${argvForLog(argv)}`,
    );
    this.skipped.push([offsetInBlock, bytes]);
    return true;
  }

  /** The current block has a skipped command. */
  get hasSkipped(): boolean {
    return this.skipped.length > 0;
  }

  /** Takes the block's `blockBytes` from `raw` and feeds them on, each skipped command replaced by a no-op of its length. */
  feedBlock(raw: ByteQueue, blockBytes: number, feed: (data: Buffer) => void): void {
    let pos = 0;
    for (const [start, len] of this.skipped) {
      if (start > pos) feed(raw.take(start - pos));
      raw.take(len);
      feed(noopCommandOfLength(len)!);
      pos = start + len;
    }
    if (blockBytes > pos) feed(raw.take(blockBytes - pos));
    this.skipped = [];
  }

  /** The block's bytes were dropped (new link, or the link was lost mid-block). */
  forgetBlock(): void {
    this.skipped = [];
  }
}
