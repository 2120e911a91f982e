// Pub/sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH, the shard variants
// (SSUBSCRIBE SUNSUBSCRIBE SPUBLISH: a separate namespace in a standalone server) and PUBSUB.
// Messages are RESP2 arrays or RESP3 push frames, depending on the receiver's protocol.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { stringMatch } from '../glob.js';

interface PubSubState {
  channels: Map<string, Set<Client>>;
  patterns: Map<string, Set<Client>>;
  shard: Map<string, Set<Client>>;
}

const states = new WeakMap<Server, PubSubState>();

/** The server's subscription registry (created on first use; cleans up closed clients). */
export function pubsubState(server: Server): PubSubState {
  let st = states.get(server);
  if (!st) {
    const created: PubSubState = { channels: new Map(), patterns: new Map(), shard: new Map() };
    st = created;
    states.set(server, created);
    server.clientCloseListeners.push((c) => unsubscribeEverything(c));
  }
  return st;
}

function addTo(map: Map<string, Set<Client>>, name: string, c: Client): void {
  let set = map.get(name);
  if (!set) map.set(name, (set = new Set()));
  set.add(c);
}

function removeFrom(map: Map<string, Set<Client>>, name: string, c: Client): void {
  const set = map.get(name);
  if (!set) return;
  set.delete(c);
  if (set.size === 0) map.delete(name);
}

function subCount(c: Client): number {
  return c.channels.size + c.patterns.size;
}

/** `[kind, name, count]` confirmation (push frame in RESP3). */
function confirm(c: Client, kind: string, name: string | null, count: number): void {
  c.reply.pushHeader(3);
  c.reply.bulk(kind);
  if (name === null) c.reply.nullBulk();
  else c.reply.bulk(name);
  c.reply.int(count);
}

/** Drops all subscriptions without replies (RESET, connection close). */
export function unsubscribeEverything(c: Client): void {
  const st = states.get(c.server);
  if (!st) return;
  for (const ch of c.channels) removeFrom(st.channels, ch, c);
  for (const p of c.patterns) removeFrom(st.patterns, p, c);
  for (const ch of c.shardChannels) removeFrom(st.shard, ch, c);
  c.channels.clear();
  c.patterns.clear();
  c.shardChannels.clear();
}

function deliver(target: Client, frame: string[]): void {
  if (target.closed) return;
  target.reply.pushHeader(frame.length);
  for (const f of frame) target.reply.bulk(f);
  if (target !== target.server.currentClient) target.flushSoon();
}

/** Sends a message to channel and pattern subscribers; returns the receiver count. */
export function publishMessage(server: Server, channel: string, message: string): number {
  const st = states.get(server);
  if (!st) return 0;
  let n = 0;
  const subs = st.channels.get(channel);
  if (subs) {
    for (const c of subs) {
      deliver(c, ['message', channel, message]);
      n++;
    }
  }
  for (const [pattern, clients] of st.patterns) {
    if (!stringMatch(pattern, channel)) continue;
    for (const c of clients) {
      deliver(c, ['pmessage', pattern, channel, message]);
      n++;
    }
  }
  return n;
}

/** SPUBLISH: shard channel subscribers only. */
export function publishShardMessage(server: Server, channel: string, message: string): number {
  const subs = states.get(server)?.shard.get(channel);
  if (!subs) return 0;
  for (const c of subs) deliver(c, ['smessage', channel, message]);
  return subs.size;
}

function listChannels(map: Map<string, Set<Client>>, pattern: string | undefined): string[] {
  const out: string[] = [];
  for (const ch of map.keys()) if (pattern === undefined || stringMatch(pattern, ch)) out.push(ch);
  return out;
}

function numsub(c: Client, map: Map<string, Set<Client>>, names: string[]): void {
  c.reply.arrayHeader(names.length * 2);
  for (const n of names) {
    c.reply.bulk(n);
    c.reply.int(map.get(n)?.size ?? 0);
  }
}

const PUBSUB_HELP = [
  'PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
  'HELP',
  '    Prints this help.',
];

/** Redis's addReplyHelp: the lines as status replies in an array. */
export function replyHelp(c: Client, lines: string[]): void {
  c.reply.arrayHeader(lines.length);
  for (const l of lines) c.reply.simple(l);
}

const PS = ['pubsub', 'noscript', 'loading', 'stale'] as const;

export const pubsubCommands: CommandSpec[] = [
  cmd('subscribe', -2, [...PS], 0, 0, 0, (c, argv) => {
    const st = pubsubState(c.server);
    for (let j = 1; j < argv.length; j++) {
      const ch = argv[j]!;
      if (!c.channels.has(ch)) {
        c.channels.add(ch);
        addTo(st.channels, ch, c);
      }
      confirm(c, 'subscribe', ch, subCount(c));
    }
  }),
  cmd('unsubscribe', -1, [...PS], 0, 0, 0, (c, argv) => {
    const st = pubsubState(c.server);
    const names = argv.length > 1 ? argv.slice(1) : [...c.channels];
    if (names.length === 0) confirm(c, 'unsubscribe', null, subCount(c));
    for (const ch of names) {
      if (c.channels.delete(ch)) removeFrom(st.channels, ch, c);
      confirm(c, 'unsubscribe', ch, subCount(c));
    }
  }),
  cmd('psubscribe', -2, [...PS], 0, 0, 0, (c, argv) => {
    const st = pubsubState(c.server);
    for (let j = 1; j < argv.length; j++) {
      const p = argv[j]!;
      if (!c.patterns.has(p)) {
        c.patterns.add(p);
        addTo(st.patterns, p, c);
      }
      confirm(c, 'psubscribe', p, subCount(c));
    }
  }),
  cmd('punsubscribe', -1, [...PS], 0, 0, 0, (c, argv) => {
    const st = pubsubState(c.server);
    const names = argv.length > 1 ? argv.slice(1) : [...c.patterns];
    if (names.length === 0) confirm(c, 'punsubscribe', null, subCount(c));
    for (const p of names) {
      if (c.patterns.delete(p)) removeFrom(st.patterns, p, c);
      confirm(c, 'punsubscribe', p, subCount(c));
    }
  }),
  cmd('ssubscribe', -2, [...PS], 1, -1, 1, (c, argv) => {
    const st = pubsubState(c.server);
    for (let j = 1; j < argv.length; j++) {
      const ch = argv[j]!;
      if (!c.shardChannels.has(ch)) {
        c.shardChannels.add(ch);
        addTo(st.shard, ch, c);
      }
      confirm(c, 'ssubscribe', ch, c.shardChannels.size);
    }
  }),
  cmd('sunsubscribe', -1, [...PS], 1, -1, 1, (c, argv) => {
    const st = pubsubState(c.server);
    const names = argv.length > 1 ? argv.slice(1) : [...c.shardChannels];
    if (names.length === 0) confirm(c, 'sunsubscribe', null, c.shardChannels.size);
    for (const ch of names) {
      if (c.shardChannels.delete(ch)) removeFrom(st.shard, ch, c);
      confirm(c, 'sunsubscribe', ch, c.shardChannels.size);
    }
  }),
  cmd('publish', 3, ['pubsub', 'loading', 'stale', 'fast'], 0, 0, 0, (c, argv) => {
    const n = publishMessage(c.server, argv[1]!, argv[2]!);
    // replicas deliver to their own subscribers too (PROPAGATE_REPL)
    if (!c.isMaster) c.server.propagate(c.db.id, argv);
    c.reply.int(n);
  }),
  cmd('spublish', 3, ['pubsub', 'loading', 'stale', 'fast'], 1, 1, 1, (c, argv) => {
    const n = publishShardMessage(c.server, argv[1]!, argv[2]!);
    if (!c.isMaster) c.server.propagate(c.db.id, argv);
    c.reply.int(n);
  }),
  cmd('pubsub', -2, [], 0, 0, 0, () => {}, {
    subcommands: [
      cmd('channels', -2, ['pubsub', 'loading', 'stale'], 0, 0, 0, (c, argv) => {
        if (argv.length > 3)
          throw new CommandError(
            `ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try PUBSUB HELP.`,
          );
        c.reply.bulkArray(listChannels(pubsubState(c.server).channels, argv[2]));
      }),
      cmd('numsub', -2, ['pubsub', 'loading', 'stale'], 0, 0, 0, (c, argv) => {
        numsub(c, pubsubState(c.server).channels, argv.slice(2));
      }),
      cmd('numpat', 2, ['pubsub', 'loading', 'stale'], 0, 0, 0, (c) => {
        c.reply.int(pubsubState(c.server).patterns.size);
      }),
      cmd('shardchannels', -2, ['pubsub', 'loading', 'stale'], 0, 0, 0, (c, argv) => {
        if (argv.length > 3)
          throw new CommandError(
            `ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try PUBSUB HELP.`,
          );
        c.reply.bulkArray(listChannels(pubsubState(c.server).shard, argv[2]));
      }),
      cmd('shardnumsub', -2, ['pubsub', 'loading', 'stale'], 0, 0, 0, (c, argv) => {
        numsub(c, pubsubState(c.server).shard, argv.slice(2));
      }),
      cmd('help', 2, ['loading', 'stale'], 0, 0, 0, (c) => replyHelp(c, PUBSUB_HELP)),
    ],
  }),
];
