// Reads a server's replication stream as a replica would (PSYNC ? -1), so tests can compare
// what tsredis propagates (rewritten argv, MULTI/EXEC wrapping, DELs of expired keys) with
// what real Redis propagates for the same commands.
import net from 'node:net';
import { parseReply } from './diff.js';

export class ReplStream {
  /** Commands received after the RDB payload, SELECT/PING/REPLCONF left out. */
  readonly commands: string[][] = [];
  private buf = '';
  private synced = false;
  private psyncSent = false;
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d) => this.onData(d.toString('latin1')));
    socket.on('error', () => {});
  }

  static async open(port: number): Promise<ReplStream> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.once('error', reject);
    });
    const r = new ReplStream(socket);
    // PSYNC is refused while a reply is pending: wait for REPLCONF's +OK first
    socket.write('*3\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n');
    const deadline = Date.now() + 15_000;
    while (!r.buf.includes('+OK\r\n')) {
      if (Date.now() > deadline) throw new Error(`no REPLCONF reply from port ${port}: ${JSON.stringify(r.buf)}`);
      await new Promise((res) => setTimeout(res, 5));
    }
    r.buf = '';
    r.psyncSent = true;
    socket.write('*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n');
    while (!r.synced) {
      if (Date.now() > deadline)
        throw new Error(`no full sync from port ${port}: ${JSON.stringify(r.buf.slice(0, 200))}`);
      await new Promise((res) => setTimeout(res, 10));
    }
    socket.write('*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n');
    return r;
  }

  private onData(s: string): void {
    this.buf += s;
    if (!this.psyncSent) return;
    if (!this.synced) {
      // +OK (REPLCONF), +FULLRESYNC ..., keepalive newlines, then $<len>\r\n<rdb> or $EOF:<mark>\r\n<rdb><mark>
      for (;;) {
        this.buf = this.buf.replace(/^\n+/, '');
        if (this.buf.startsWith('+')) {
          const nl = this.buf.indexOf('\r\n');
          if (nl === -1) return;
          this.buf = this.buf.slice(nl + 2);
          continue;
        }
        if (!this.buf.startsWith('$')) return;
        const nl = this.buf.indexOf('\r\n');
        if (nl === -1) return;
        const head = this.buf.slice(1, nl);
        if (head.startsWith('EOF:')) {
          const mark = head.slice(4);
          const end = this.buf.indexOf(mark, nl + 2);
          if (end === -1) return;
          this.buf = this.buf.slice(end + mark.length);
        } else {
          const len = Number(head);
          if (this.buf.length < nl + 2 + len) return;
          this.buf = this.buf.slice(nl + 2 + len);
        }
        this.synced = true;
        break;
      }
    }
    let pos = 0;
    for (;;) {
      while (this.buf[pos] === '\n') pos++;
      const r = parseReply(this.buf, pos);
      if (!r) break;
      pos = r.end;
      const argv = (r.node.items ?? []).map((n) => n.v ?? '');
      const name = argv[0]?.toLowerCase();
      if (name === 'select' || name === 'ping' || name === 'replconf') continue;
      this.commands.push(argv);
    }
    this.buf = this.buf.slice(pos);
  }

  /** Waits until a command equal to `argv` arrived; returns everything before it (and drops it all). */
  async until(argv: string[], timeoutMs = 5000): Promise<string[][]> {
    const want = JSON.stringify(argv);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.commands.findIndex((c) => JSON.stringify(c) === want);
      if (i !== -1) return this.commands.splice(0, i + 1).slice(0, i);
      if (Date.now() > deadline) throw new Error(`marker ${want} not propagated; got ${JSON.stringify(this.commands)}`);
      await new Promise((res) => setTimeout(res, 5));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

const MARKER = ['SET', '__marker__', '1'];

/**
 * Writes a marker through both servers and returns what each one's stream carried up to it
 * (real first): everything the test's commands propagated, and nothing after.
 */
export async function streamsUpToMarker(
  pair: { both(argv: readonly string[]): Promise<unknown> },
  real: ReplStream,
  ts: ReplStream,
): Promise<[string[][], string[][]]> {
  await pair.both(MARKER);
  return Promise.all([real.until(MARKER), ts.until(MARKER)]);
}
