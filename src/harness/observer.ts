// Background observer: every sentinel event (PSUBSCRIBE *) with its time, and a poll of each
// data node's INFO replication so the report can show who was master when (events.jsonl). Each
// event is recorded with its text and the fields it says (history.ts EventFields).
import fs from 'node:fs';
import { RespClient } from '../resp/client.js';
import { addrString } from './control.js';
import type { Cluster, NodeState } from './cluster.js';
import { masterTimeline, parseEventText, type ClusterEvent } from './history.js';

export class Observer {
  readonly events: ClusterEvent[] = [];
  private fd: number;
  private subs = new Map<string, RespClient>();
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private polling = false;
  /** last observed role text per data node */
  readonly roles = new Map<string, string>();
  /** the master at the start: the first data node (the cluster starts it as the master) */
  private readonly initialMaster: string | undefined;
  onEvent: (e: ClusterEvent) => void = () => {};

  constructor(
    readonly cluster: Cluster,
    file: string,
    private readonly now: () => number,
    private readonly pollMs = 250,
  ) {
    this.fd = fs.openSync(file, 'a');
    const m = cluster.servers[0];
    this.initialMaster = m ? addrString(m.spec) : undefined;
  }

  /** The sentinels' master now (the initial master, then each distinct +switch-master), for progress lines. */
  get sentinelMaster(): string | undefined {
    return masterTimeline(this.events, this.initialMaster).at(Infinity);
  }

  record(source: string, event: string, text: string): void {
    const e: ClusterEvent = { time: this.now(), source, event, text, ...parseEventText(event, text) };
    this.events.push(e);
    fs.writeSync(this.fd, JSON.stringify(e) + '\n');
    this.onEvent(e);
  }

  start(): void {
    for (const s of this.cluster.sentinels) this.subscribe(s);
    const t = setInterval(() => void this.poll(), this.pollMs);
    t.unref();
    this.timers.push(t);
    void this.poll();
  }

  private subscribe(s: NodeState): void {
    if (this.stopped) return;
    RespClient.connect({ host: s.spec.host, port: s.spec.port, connectTimeoutMs: 1000 }).then(
      (c) => {
        if (this.stopped) return c.close();
        this.subs.set(s.spec.name, c);
        c.on('message', (channel: unknown, message: unknown) => {
          const ch = String(channel);
          if (ch === '__sentinel__:hello') return;
          this.record(s.spec.name, ch, String(message));
        });
        c.on('close', () => {
          this.subs.delete(s.spec.name);
          this.retry(s);
        });
        c.psubscribe('*');
      },
      () => this.retry(s),
    );
  }

  private retry(s: NodeState): void {
    if (this.stopped) return;
    const t = setTimeout(() => this.subscribe(s), 1000);
    t.unref();
  }

  private async poll(): Promise<void> {
    if (this.polling || this.stopped) return;
    this.polling = true;
    try {
      await Promise.all(
        this.cluster.servers.map(async (n) => {
          let text: string;
          if (n.status === 'killed' || n.status === 'stopped') text = 'down';
          else if (n.status === 'paused') text = 'paused';
          else {
            const r = await this.cluster.replication(n.spec, Math.max(200, this.pollMs * 2));
            if (!r) text = 'unreachable';
            else if (r.role === 'master') text = `master replicas=${r.onlineReplicas.length}`;
            else text = `replica of ${r.masterHost}:${r.masterPort} link=${r.linkUp ? 'up' : 'down'}`;
          }
          if (this.stopped) return;
          if (this.roles.get(n.spec.name) !== text) {
            this.roles.set(n.spec.name, text);
            this.record(n.spec.name, 'role', `${addrString(n.spec)} ${text}`);
          }
        }),
      );
    } finally {
      this.polling = false;
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const c of this.subs.values()) c.close();
    this.subs.clear();
    try {
      fs.closeSync(this.fd);
    } catch {
      /* closed */
    }
  }
}
