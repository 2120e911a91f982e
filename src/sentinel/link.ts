// The connections a sentinel keeps to one instance (Redis's instanceLink): a command link to
// every instance, plus a pub/sub link (subscribed to the hello channel) to masters and replicas.
// Timestamps drive down detection: act_ping_time is the oldest unanswered PING, last_avail_time
// the last valid reply.
import { RespClient } from '../resp/client.js';
import { RespError, type RespValue } from '../resp/reply-parser.js';
import { HELLO_CHANNEL } from './instance.js';

export interface LinkOptions {
  host: string;
  port: number;
  localAddress?: string;
  /** [user, pass] or [pass] for AUTH, or null. */
  auth: string[] | null;
  clientName: string;
  pubsubName: string | null;
  onHello: (payload: string) => void;
  onCommandLinkUp: () => void;
  onPingReply: (r: RespValue) => void;
}

export class InstanceLink {
  cc: RespClient | null = null;
  pc: RespClient | null = null;
  /** true until both needed connections are started (Redis clears it at connect time). */
  disconnected = true;
  pendingCommands = 0;
  ccConnTime = 0;
  pcConnTime = 0;
  pcLastActivity = 0;
  lastAvailTime = Date.now();
  lastPingTime = 0;
  lastPongTime = Date.now();
  actPingTime = 0;
  lastReconnTime = 0;
  private connectingCc = false;
  private connectingPc = false;
  /** sentinelInstanceMapCommand: the name to send a command under (SENTINEL SET rename-command). */
  mapCommand: (name: string) => string = (n) => n;
  /** bumps on every reset so that late callbacks of old sockets are ignored */
  private generation = 0;

  /** Starts the missing connections (at most once per `minInterval` ms). */
  reconnect(opts: LinkOptions, needPubsub: boolean, minInterval: number, now = Date.now()): void {
    if (!this.disconnected || opts.port === 0) return;
    if (now - this.lastReconnTime < minInterval) return;
    this.lastReconnTime = now;
    const gen = this.generation;
    if (!this.cc && !this.connectingCc) {
      this.connectingCc = true;
      // Redis queues the first PING before the connection completes: the wait counts as down time
      this.notePingSent(now);
      RespClient.connect({
        host: opts.host,
        port: opts.port,
        localAddress: opts.localAddress,
        connectTimeoutMs: 1000,
      }).then(
        (c) => {
          this.connectingCc = false;
          if (gen !== this.generation) return c.close();
          this.cc = c;
          this.ccConnTime = Date.now();
          c.on('close', () => this.lost(c, false));
          if (opts.auth) void this.send('AUTH', ...opts.auth);
          void this.send('CLIENT', 'SETNAME', opts.clientName);
          this.ping(opts.onPingReply);
          opts.onCommandLinkUp();
        },
        () => {
          this.connectingCc = false;
          if (gen === this.generation) this.disconnected = true;
        },
      );
    }
    if (needPubsub && !this.pc && !this.connectingPc) {
      this.connectingPc = true;
      RespClient.connect({
        host: opts.host,
        port: opts.port,
        localAddress: opts.localAddress,
        connectTimeoutMs: 1000,
      }).then(
        (c) => {
          this.connectingPc = false;
          if (gen !== this.generation) return c.close();
          this.pc = c;
          this.pcConnTime = this.pcLastActivity = Date.now();
          c.on('close', () => this.lost(c, true));
          if (opts.auth) c.call(this.mapCommand('AUTH'), ...opts.auth).catch(() => {});
          if (opts.pubsubName) c.call(this.mapCommand('CLIENT'), 'SETNAME', opts.pubsubName).catch(() => {});
          c.on('message', (channel: string, msg: string) => {
            this.pcLastActivity = Date.now();
            if (channel === HELLO_CHANNEL) opts.onHello(msg);
          });
          c.on('subscription', () => (this.pcLastActivity = Date.now()));
          // an error reply to SUBSCRIBE (e.g. NOAUTH) drops the link, as hiredis does with it
          void c.call(this.mapCommand('SUBSCRIBE'), HELLO_CHANNEL).then(
            (r) => {
              if (r instanceof RespError) {
                if (this.pc === c) this.closePubsub();
                else c.close();
              } else if (!c.isClosed) c.subscribe(HELLO_CHANNEL);
            },
            () => {},
          );
        },
        () => {
          this.connectingPc = false;
          if (gen === this.generation) this.disconnected = true;
        },
      );
    }
    this.disconnected = false;
  }

  private lost(c: RespClient, pubsub: boolean): void {
    if (pubsub) {
      if (this.pc !== c) return;
      this.pc = null;
      if (Date.now() - this.pcConnTime > 100) this.lastReconnTime = 0;
    } else {
      if (this.cc !== c) return;
      this.cc = null;
      this.pendingCommands = 0;
      // a link that worked and was closed under us (CLIENT KILL on a role change) is retried at once
      if (Date.now() - this.ccConnTime > 100) this.lastReconnTime = 0;
    }
    this.disconnected = true;
  }

  /** Sends a command on the command link; resolves with the reply, or null when the link is down. */
  send(...args: (string | number)[]): Promise<RespValue | null> {
    const cc = this.cc;
    if (!cc || cc.isClosed) return Promise.resolve(null);
    this.pendingCommands++;
    return cc.call(this.mapCommand(String(args[0])), ...args.slice(1)).then(
      (r) => {
        if (this.cc === cc) this.pendingCommands = Math.max(0, this.pendingCommands - 1);
        return r;
      },
      () => null,
    );
  }

  notePingSent(now = Date.now()): void {
    this.lastPingTime = now;
    if (this.actPingTime === 0) this.actPingTime = now;
  }

  ping(onReply: (r: RespValue) => void): boolean {
    if (!this.cc) return false;
    this.notePingSent();
    void this.send('PING').then((r) => {
      if (r === null) return;
      const text = r instanceof RespError ? r.message : typeof r === 'string' ? r : '';
      if (text.startsWith('PONG') || text.startsWith('LOADING') || text.startsWith('MASTERDOWN')) {
        this.lastAvailTime = Date.now();
        this.actPingTime = 0;
      }
      this.lastPongTime = Date.now();
      onReply(r);
    });
    return true;
  }

  /** Closes both connections (e.g. the address changed, or the link looks stuck). */
  close(): void {
    this.generation++;
    this.connectingCc = this.connectingPc = false;
    this.cc?.close();
    this.pc?.close();
    this.cc = this.pc = null;
    this.pendingCommands = 0;
    this.disconnected = true;
  }

  closePubsub(): void {
    this.pc?.close();
    this.pc = null;
    this.disconnected = true;
  }

  /**
   * A fresh start for a new address: no ping outstanding, availability counted from now.
   * Real 7.0 keeps the old master's stale timestamps here, which flags a healthy freshly
   * promoted master as down right after a switch.
   */
  resetTimes(now = Date.now()): void {
    this.actPingTime = 0;
    this.lastAvailTime = now;
    this.lastPongTime = now;
    this.lastPingTime = 0;
    this.lastReconnTime = 0;
  }
}
