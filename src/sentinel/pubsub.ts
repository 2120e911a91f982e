// Pub/sub of the sentinel: clients SUBSCRIBE / PSUBSCRIBE to event channels (+switch-master ...);
// PUBLISH only takes hello messages (`__sentinel__:hello`) from other sentinels.
import { cmd, type CommandSpec } from '../server/command.js';
import { CommandError } from '../server/db.js';
import type { Client } from '../server/client.js';
import type { Server } from '../server/server.js';
import { HELLO_CHANNEL } from './instance.js';
import type { Sentinel } from './sentinel.js';
import { processHello } from './hello.js';

/** Redis's stringmatchlen: * ? [abc] [^a-z] and backslash escapes. */
export function globMatch(pattern: string, s: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[\\s\\S]*';
    else if (ch === '?') re += '[\\s\\S]';
    else if (ch === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, end);
      let neg = false;
      if (body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      re += '[' + (neg ? '^' : '') + body.replace(/\\(.)/g, '$1').replace(/[\]\\]/g, '\\$&') + ']';
      i = end;
    } else re += escapeRe(ch);
  }
  try {
    return new RegExp(re + '$').test(s);
  } catch {
    return false;
  }
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export class PubSub {
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();

  constructor(server: Server) {
    server.clientCloseListeners.push((c) => {
      for (const ch of c.channels) this.channels.get(ch)?.delete(c);
      for (const p of c.patterns) this.patterns.get(p)?.delete(c);
    });
  }

  publish(channel: string, message: string): number {
    let n = 0;
    const subs = this.channels.get(channel);
    if (subs) {
      for (const c of subs) {
        c.reply.pushHeader(3);
        c.reply.bulk('message');
        c.reply.bulk(channel);
        c.reply.bulk(message);
        c.flushSoon();
        n++;
      }
    }
    for (const [p, clients] of this.patterns) {
      if (clients.size === 0 || !globMatch(p, channel)) continue;
      for (const c of clients) {
        c.reply.pushHeader(4);
        c.reply.bulk('pmessage');
        c.reply.bulk(p);
        c.reply.bulk(channel);
        c.reply.bulk(message);
        c.flushSoon();
        n++;
      }
    }
    return n;
  }

  private confirm(c: Client, kind: string, name: string | null): void {
    c.reply.pushHeader(3);
    c.reply.bulk(kind);
    c.reply.bulkOrNull(name);
    c.reply.int(c.subscriptionCount);
  }

  commands(st: Sentinel): CommandSpec[] {
    const flags = ['pubsub', 'noscript', 'loading', 'stale', 'sentinel'] as const;
    return [
      cmd('subscribe', -2, [...flags], 0, 0, 0, (c, argv) => {
        for (const ch of argv.slice(1)) {
          if (!c.channels.has(ch)) {
            c.channels.add(ch);
            let s = this.channels.get(ch);
            if (!s) this.channels.set(ch, (s = new Set()));
            s.add(c);
          }
          this.confirm(c, 'subscribe', ch);
        }
      }),
      cmd('unsubscribe', -1, [...flags], 0, 0, 0, (c, argv) => {
        const list = argv.length > 1 ? argv.slice(1) : [...c.channels];
        if (list.length === 0) return this.confirm(c, 'unsubscribe', null);
        for (const ch of list) {
          c.channels.delete(ch);
          this.channels.get(ch)?.delete(c);
          this.confirm(c, 'unsubscribe', ch);
        }
      }),
      cmd('psubscribe', -2, [...flags], 0, 0, 0, (c, argv) => {
        for (const p of argv.slice(1)) {
          if (!c.patterns.has(p)) {
            c.patterns.add(p);
            let s = this.patterns.get(p);
            if (!s) this.patterns.set(p, (s = new Set()));
            s.add(c);
          }
          this.confirm(c, 'psubscribe', p);
        }
      }),
      cmd('punsubscribe', -1, [...flags], 0, 0, 0, (c, argv) => {
        const list = argv.length > 1 ? argv.slice(1) : [...c.patterns];
        if (list.length === 0) return this.confirm(c, 'punsubscribe', null);
        for (const p of list) {
          c.patterns.delete(p);
          this.patterns.get(p)?.delete(c);
          this.confirm(c, 'punsubscribe', p);
        }
      }),
      cmd('publish', 3, ['pubsub', 'loading', 'stale', 'fast', 'sentinel'], 0, 0, 0, (c, argv) => {
        if (argv[1] !== HELLO_CHANNEL)
          throw new CommandError('ERR Only HELLO messages are accepted by Sentinel instances.');
        if (!argv[2]!.includes(st.myid)) processHello(st, argv[2]!);
        c.reply.int(1);
      }),
    ];
  }
}
