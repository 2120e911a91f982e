// A small RESP client over one TCP connection: pipelined request/reply FIFO plus pub/sub
// messages. The sentinel's links, the replica's master link and tests use it; workloads use
// ioredis instead (that is what applications run).
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { ReplyParser, RespError, RespPush, encodeCommand, type RespValue } from './reply-parser.js';

export interface RespClientOptions {
  host: string;
  port: number;
  /** Source address for the outgoing connection (bind-source-addr). */
  localAddress?: string;
  connectTimeoutMs?: number;
}

interface Pending {
  resolve: (v: RespValue) => void;
  reject: (e: Error) => void;
}

/**
 * Events: 'message' (channel, message, pattern?) for pub/sub; 'push' (items) for other
 * RESP3 pushes; 'close' once the connection is gone.
 */
export class RespClient extends EventEmitter {
  readonly socket: net.Socket;
  private readonly parser = new ReplyParser();
  private readonly pending: Pending[] = [];
  private closed = false;
  private subscribed = false;

  private constructor(socket: net.Socket) {
    super();
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (d) => this.onData(d));
    socket.on('error', () => {});
    socket.on('close', () => this.onClose());
  }

  static connect(opts: RespClientOptions): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${opts.host}:${opts.port} timed out`));
      }, opts.connectTimeoutMs ?? 2000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RespClient(socket));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a command; resolves with the reply (a RespError is resolved, not thrown). */
  call(...args: (string | number | Buffer)[]): Promise<RespValue> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  /** Like call() but rejects when the server answers with an error. */
  async callOk(...args: (string | number | Buffer)[]): Promise<RespValue> {
    const r = await this.call(...args);
    if (r instanceof RespError) throw new Error(r.message);
    return r;
  }

  /** Sends without waiting for (or expecting) a reply, e.g. REPLCONF ACK. */
  sendRaw(data: Buffer | string): void {
    if (!this.closed) this.socket.write(data);
  }

  /** Puts the connection in subscriber mode; replies to (P)SUBSCRIBE become events. */
  subscribe(...channels: string[]): void {
    this.subscribed = true;
    this.sendRaw(encodeCommand(['SUBSCRIBE', ...channels]));
  }

  psubscribe(...patterns: string[]): void {
    this.subscribed = true;
    this.sendRaw(encodeCommand(['PSUBSCRIBE', ...patterns]));
  }

  close(): void {
    if (!this.closed) this.socket.destroy();
  }

  private onData(d: Buffer): void {
    this.parser.feed(d);
    for (;;) {
      let v: RespValue | undefined;
      try {
        v = this.parser.next();
      } catch (e) {
        this.socket.destroy(e as Error);
        return;
      }
      if (v === undefined) return;
      if (v instanceof RespPush || (this.subscribed && Array.isArray(v))) {
        const items = v instanceof RespPush ? v.items : v;
        const kind = typeof items[0] === 'string' ? (items[0] as string).toLowerCase() : '';
        if (kind === 'message') this.emit('message', items[1], items[2]);
        else if (kind === 'pmessage') this.emit('message', items[2], items[3], items[1]);
        else if (kind === 'subscribe' || kind === 'psubscribe' || kind === 'unsubscribe' || kind === 'punsubscribe') {
          this.emit('subscription', kind, items[1], items[2]);
        } else if (v instanceof RespPush) this.emit('push', items);
        else this.deliver(v);
        continue;
      }
      this.deliver(v);
    }
  }

  private deliver(v: RespValue): void {
    const p = this.pending.shift();
    if (p) p.resolve(v);
  }

  private onClose(): void {
    this.closed = true;
    const err = new Error('connection closed');
    for (const p of this.pending.splice(0)) p.reject(err);
    this.emit('close');
  }
}
