// CONFIG GET / SET / REWRITE / RESETSTAT / HELP (Redis 7.0 config.c semantics and texts).
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import {
  allConfigNames,
  configSetError,
  findDirective,
  mergeOutputBufferLimits,
  normalise,
  type Directive,
} from '../config.js';
import { rewriteConfigFile } from '../config-rewrite.js';
import { stringMatch } from '../glob.js';
import { replyHelp } from './pubsub.js';

const CONFIG_HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

/** Hooks other families add: extra work for CONFIG RESETSTAT (e.g. replication counters). */
export const resetStatHooks = new WeakMap<Server, (() => void)[]>();

export function resetStats(server: Server): void {
  const st = server.stats;
  st.expiredKeys = 0;
  st.keyspaceHits = 0;
  st.keyspaceMisses = 0;
  st.totalCommands = 0;
  st.totalConnections = 0;
  st.rejectedConnections = 0;
  st.netInputBytes = 0;
  st.netOutputBytes = 0;
  st.commands.clear();
  server.statsEpoch++;
  st.errors.clear();
  for (const h of resetStatHooks.get(server) ?? []) h();
}

/** Whether a protected/debug-style "no|yes|local" option allows this client. */
export function allowedByOption(c: Client, value: string): boolean {
  if (value === 'yes') return true;
  if (value === 'local') {
    const ip = c.socket?.remoteAddress ?? '';
    return c.socket === null || ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
  }
  return false;
}

function configGet(c: Client, argv: string[]): void {
  const matches = new Map<string, Directive>();
  const seen = new Set<Directive>();
  const names = allConfigNames();
  for (let k = 2; k < argv.length; k++) {
    const pat = argv[k]!;
    if (!/[[*?]/.test(pat)) {
      const d = findDirective(pat);
      if (d && !matches.has(pat)) {
        matches.set(pat, d);
        seen.add(d);
      }
      continue;
    }
    for (const [name, d] of names) {
      if (matches.has(d.name) && name === d.name) continue;
      if (matches.has(name)) continue;
      if (stringMatch(pat, name, true)) {
        matches.set(name, d);
        seen.add(d);
      }
    }
  }
  c.reply.mapHeader(matches.size);
  for (const [name, d] of matches) {
    c.reply.bulk(name);
    c.reply.bulk(configValue(c.server, d));
  }
}

/** What CONFIG GET shows for a directive (some are live state, not stored text). */
export function configValue(server: Server, d: Directive): string {
  if (d.name === 'dir') {
    try {
      return process.cwd();
    } catch {
      return ''; // getcwd() failed: the directory was removed
    }
  }
  if (d.name === 'port') return String(server.listeningPort);
  if (d.name === 'replicaof') {
    const r = server.replication;
    return r.masterHost === null ? '' : `${r.masterHost} ${r.masterPort}`;
  }
  return server.config.get(d.name);
}

/**
 * Stops the listening sockets without waiting for open connections (net.Server.close's
 * callback would wait for every client, including the one running CONFIG SET).
 */
async function relisten(s: Server): Promise<void> {
  const listeners = (s as unknown as { listeners: import('node:net').Server[] }).listeners;
  const closing = listeners.map(
    (l) =>
      new Promise<void>((r) => {
        l.once('close', () => r());
        l.close();
        // the handle is released at once; 'close' itself waits for connections
        setTimeout(r, 20);
      }),
  );
  listeners.length = 0;
  await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 20))]);
}

/** Runtime effects of settable directives, run after the values are stored. */
type Applier = (server: Server, value: string) => void | Promise<void>;
const APPLY: Record<string, Applier> = {
  loglevel: (s, v) => {
    s.log.level = v as never;
  },
  hz: (s) => {
    s.startCron();
  },
  dir: (_s, v) => {
    try {
      process.chdir(v);
    } catch (e) {
      throw new Error(
        (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message,
      );
    }
  },
  port: async (s) => {
    await relisten(s);
    try {
      await s.listen();
    } catch {
      throw new Error('Unable to listen on this port. Check server logs.');
    }
  },
  bind: async (s) => {
    await relisten(s);
    try {
      await s.listen();
    } catch {
      throw new Error('Failed to bind to specified addresses.');
    }
  },
};

function configSet(c: Client, argv: string[]): void | Promise<void> {
  if (argv.length < 4 || argv.length % 2 !== 0)
    throw new CommandError("ERR wrong number of arguments for 'config|set' command");
  const server = c.server;
  const pairs: { arg: string; d: Directive; value: string }[] = [];
  let unknown: string | null = null;
  let failure: { arg: string; msg: string } | null = null;
  for (let k = 2; k < argv.length; k += 2) {
    // sensitive values are redacted in the slow log, whatever else fails
    const lname = argv[k]!.toLowerCase();
    if (lname === 'requirepass' || lname === 'masterauth') c.redactArg(k + 1);
    const d = findDirective(argv[k]!);
    if (!d || d.hidden) {
      unknown ??= argv[k]!;
      continue;
    }
    if (unknown !== null || failure !== null) continue;
    if (d.immutable || (d.protected && !allowedByOption(c, server.config.get('enable-protected-configs')))) {
      failure = { arg: argv[k]!, msg: d.immutable ? "can't set immutable config" : "can't set protected config" };
      continue;
    }
    if (pairs.some((p) => p.d === d)) {
      failure = { arg: argv[k]!, msg: 'duplicate parameter' };
      continue;
    }
    pairs.push({ arg: argv[k]!, d, value: argv[k + 1]! });
  }
  if (unknown !== null)
    throw new CommandError(`ERR Unknown option or number of arguments for CONFIG SET - '${unknown}'`);
  if (failure) throw configSetError(failure.arg, failure.msg);
  // validate everything before changing anything (CONFIG SET is atomic)
  const next: { d: Directive; v: string; old: string }[] = [];
  for (const p of pairs) {
    let v: string;
    try {
      v =
        p.d.name === 'client-output-buffer-limit'
          ? mergeOutputBufferLimits(server.config.get(p.d.name), [p.value])
          : normalise(p.d, [p.value]);
    } catch (e) {
      throw configSetError(p.arg, (e as Error).message);
    }
    next.push({ d: p.d, v, old: server.config.get(p.d.name) });
  }
  for (const n of next) server.config.setRaw(n.d.name, n.v);
  const restore = (): void => {
    for (const n of next) server.config.setRaw(n.d.name, n.old);
  };
  const finish = (): void => {
    // tell the other families (requirepass cache, persistence, replication...) what changed
    for (const n of next) if (n.v !== n.old) server.config.notify(n.d.name, n.v);
    c.reply.ok();
  };
  const pending: { n: (typeof next)[number]; p: Promise<void> }[] = [];
  for (const n of next) {
    const apply = APPLY[n.d.name];
    if (!apply || n.v === n.old) continue;
    try {
      const r = apply(server, n.v);
      if (r) pending.push({ n, p: r });
    } catch (e) {
      server.log.warning(
        `Failed applying new configuration. Possibly related to new ${n.d.name} setting. Restoring previous settings.`,
      );
      restore();
      throw configSetError(n.d.name, (e as Error).message);
    }
  }
  if (pending.length === 0) return finish();
  // port/bind: sockets are re-created asynchronously; the client waits for the outcome
  return (async () => {
    for (const { n, p } of pending) {
      try {
        await p;
      } catch (e) {
        server.log.warning(
          `Failed applying new configuration. Possibly related to new ${n.d.name} setting. Restoring previous settings.`,
        );
        restore();
        await relisten(server);
        await server.listen().catch(() => {});
        throw configSetError(n.d.name, (e as Error).message);
      }
    }
    finish();
  })();
}

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;

export const configCommands: CommandSpec[] = [
  cmd('config', -2, [], 0, 0, 0, () => {}, {
    subcommands: [
      cmd('get', -3, [...ADMIN], 0, 0, 0, configGet),
      cmd('set', -4, [...ADMIN], 0, 0, 0, configSet),
      cmd('rewrite', 2, [...ADMIN], 0, 0, 0, (c) => {
        const file = c.server.config.file;
        if (!file) throw new CommandError('ERR The server is running without a config file');
        try {
          const r = c.server.replication;
          rewriteConfigFile(file, c.server.config, {
            cwd: process.cwd(),
            replicaOf: r.masterHost === null ? null : `${r.masterHost} ${r.masterPort}`,
          });
        } catch (e) {
          c.server.log.warning(`CONFIG REWRITE failed: ${(e as Error).message}`);
          throw new CommandError(`ERR Rewriting config file: ${(e as Error).message}`);
        }
        c.server.log.warning('CONFIG REWRITE executed with success.');
        c.reply.ok();
      }),
      cmd('resetstat', 2, [...ADMIN], 0, 0, 0, (c) => {
        resetStats(c.server);
        c.reply.ok();
      }),
      cmd('help', 2, ['loading', 'stale'], 0, 0, 0, (c) => replyHelp(c, CONFIG_HELP)),
    ],
  }),
];
