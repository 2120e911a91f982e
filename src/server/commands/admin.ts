// Server administration: DBSIZE FLUSHDB FLUSHALL SWAPDB TIME SHUTDOWN DEBUG, plus the
// idle-client `timeout` cron job. Texts and argument rules follow Redis 7.0.15.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError, swapDatabases } from '../db.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { allowedByOption } from './config-cmd.js';
import { DEBUG_HELP } from './help-texts.js';
import { replyHelp } from './pubsub.js';

const exitHandlers = new WeakMap<Server, (code: number) => void>();

/** How SHUTDOWN ends the process (main.ts: process.exit; embedded servers: just stop). */
export function setExitHandler(server: Server, fn: (code: number) => void): void {
  exitHandlers.set(server, fn);
}

/** Invalidates WATCHers of keys that exist in `db` (or in `other`), as flushes and SWAPDB do. */
export function touchWatchedKeysInDb(server: Server, db: number, other?: number): void {
  if (server.watchedKeys.size === 0) return;
  const prefix = db + '\0';
  for (const [id, clients] of server.watchedKeys) {
    if (!id.startsWith(prefix)) continue;
    const key = id.slice(prefix.length);
    if (server.dbs[db]!.dict.has(key) || (other !== undefined && server.dbs[other]!.dict.has(key))) {
      for (const c of clients) c.dirtyCas = true;
    }
  }
}

function flushArgs(argv: string[]): void {
  if (argv.length > 2) throw new CommandError('ERR syntax error');
  if (argv.length === 2) {
    const a = argv[1]!.toLowerCase();
    if (a !== 'async' && a !== 'sync') throw new CommandError('ERR syntax error');
  }
}

function flushDb(server: Server, id: number): number {
  touchWatchedKeysInDb(server, id);
  const db = server.dbs[id]!;
  const n = db.size;
  db.flush();
  return n;
}

/** FLUSHALL's work (also used by replication before a full sync load). */
export function flushAll(server: Server): number {
  let removed = 0;
  for (const db of server.dbs) removed += flushDb(server, db.id);
  return removed;
}

function parseDbIndex(s: string, err: string): number {
  if (!/^-?\d+$/.test(s) || s.length > 11) throw new CommandError(err);
  return Number(s);
}

/** Blocks the whole process, as DEBUG SLEEP blocks Redis's single thread. */
function sleepSync(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** getPositiveLongFromObjectOrReply: junk and negatives get the same error */
function positiveLong(s: string): number {
  const v = /^-?\d{1,19}$/.test(s) ? Number(s) : -1;
  if (v < 0) throw new CommandError('ERR value is out of range, must be positive');
  return v;
}

/**
 * DEBUG POPULATE <count> [prefix] [size]: keys "<prefix>:<j>" (prefix "key") holding "value:<j>",
 * cut or zero-padded to `size`; existing keys are kept. Like Redis it neither dirties the data
 * set nor propagates.
 */
function debugPopulate(c: Client, argv: string[]): void {
  const count = positiveLong(argv[2]!);
  const size = argv.length === 5 ? positiveLong(argv[4]!) : 0;
  const prefix = argv.length >= 4 ? argv[3]! : 'key';
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`;
    if (c.db.lookup(key) !== undefined) continue;
    const base = `value:${j}`;
    const val = size === 0 ? base : size <= base.length ? base.slice(0, size) : base + '\0'.repeat(size - base.length);
    c.db.set(key, val);
    c.server.keyModified(c.db.id, key);
  }
  c.reply.ok();
}

function debugCommand(c: Client, argv: string[]): void | Promise<void> {
  const server = c.server;
  if (!allowedByOption(c, server.config.get('enable-debug-command'))) {
    throw new CommandError(
      'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
    );
  }
  const sub = argv[1]!.toLowerCase();
  const n = argv.length;
  if (sub === 'help' && n === 2) return replyHelp(c, DEBUG_HELP);
  if (sub === 'sleep' && n === 3) {
    const secs = Number.parseFloat(argv[2]!);
    sleepSync(Number.isFinite(secs) ? secs * 1000 : 0);
    return c.reply.ok();
  }
  if (sub === 'set-active-expire' && n === 3) {
    const v = Number.parseInt(argv[2]!, 10); // atoi: junk reads as 0
    server.activeExpireEnabled = !Number.isNaN(v) && v !== 0;
    return c.reply.ok();
  }
  if (sub === 'log' && n === 3) {
    server.log.warning(`DEBUG LOG: ${argv[2]}`);
    return c.reply.ok();
  }
  if (sub === 'error' && n === 3) return c.reply.error(argv[2]!); // not counted in errorstats, as in Redis
  if (sub === 'populate' && n >= 3 && n <= 5) return debugPopulate(c, argv);
  const hook = server.debugHooks.get(sub);
  if (hook) return hook(c, argv);
  throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${argv[1]}'. Try DEBUG HELP.`);
}

function shutdownCommand(c: Client, argv: string[]): void | Promise<void> {
  let nosave = false;
  let save = false;
  let abort = false;
  let other = false;
  let force = false;
  for (let k = 1; k < argv.length; k++) {
    const a = argv[k]!.toLowerCase();
    if (a === 'nosave') nosave = true;
    else if (a === 'save') save = true;
    else if (a === 'now' || a === 'force') {
      other = true;
      if (a === 'force') force = true;
    } else if (a === 'abort') abort = true;
    else throw new CommandError('ERR syntax error');
  }
  if ((abort && (nosave || save || other)) || (nosave && save)) throw new CommandError('ERR syntax error');
  if (abort) throw new CommandError('ERR No shutdown in progress.');
  const server = c.server;
  // the client gets no reply: the connection closes when the process exits
  return server.requestShutdown({ save: nosave ? false : save ? true : undefined, force }).then((ok) => {
    if (!ok) {
      c.reply.error('ERR Errors trying to SHUTDOWN. Check logs.');
      server.countError('ERR');
      return;
    }
    const exit = exitHandlers.get(server);
    if (exit) exit(0);
  });
}

/** Closes idle normal clients after `timeout` seconds (clientsCronHandleTimeout). */
export function installIdleTimeout(server: Server): void {
  let last = 0;
  server.cronJobs.push(() => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    const timeout = server.config.int('timeout');
    if (timeout <= 0) return;
    for (const c of server.clients.values()) {
      if (c.isMaster || c.isReplica || c.kind === 'pubsub' || c.socket === null) continue;
      // blocked clients (BLPOP ..., paused) have their own timeouts, as in clientsCronHandleTimeout
      if ((c as unknown as { blocked: unknown }).blocked) continue;
      if (now - c.lastInteraction > timeout * 1000 && !c.inExec) {
        server.log.verbose('Closing idle client');
        c.close();
      }
    }
  });
}

const W = ['write'] as const;

export const adminCommands: CommandSpec[] = [
  cmd('dbsize', 1, ['readonly', 'fast'], 0, 0, 0, (c) => c.reply.int(c.db.size)),
  cmd('flushdb', -1, [...W], 0, 0, 0, (c, argv) => {
    flushArgs(argv);
    c.server.dirty += flushDb(c.server, c.db.id);
    c.server.propagate(c.db.id, argv);
    c.preventPropagation = true;
    c.reply.ok();
  }),
  cmd('flushall', -1, [...W], 0, 0, 0, (c, argv) => {
    flushArgs(argv);
    c.server.dirty += flushAll(c.server);
    c.server.propagate(c.db.id, argv);
    c.preventPropagation = true;
    for (const h of c.server.flushallHooks) h();
    c.reply.ok();
  }),
  cmd('swapdb', 3, ['write', 'fast'], 0, 0, 0, (c, argv) => {
    const a = parseDbIndex(argv[1]!, 'ERR invalid first DB index');
    const b = parseDbIndex(argv[2]!, 'ERR invalid second DB index');
    const n = c.server.dbs.length;
    if (a < 0 || a >= n || b < 0 || b >= n) throw new CommandError('ERR DB index is out of range');
    if (a !== b) {
      touchWatchedKeysInDb(c.server, a, b);
      touchWatchedKeysInDb(c.server, b, a);
      swapDatabases(c.server.dbs[a]!, c.server.dbs[b]!);
      // a client blocked on a key the swap brings in is served (Redis's scanDatabaseForReadyKeys)
      c.server.keysReplacedIn(a);
      c.server.keysReplacedIn(b);
    }
    c.server.dirty++;
    c.reply.ok();
  }),
  cmd('time', 1, ['loading', 'stale', 'fast'], 0, 0, 0, (c) => {
    const us = BigInt(Date.now()) * 1000n + ((process.hrtime.bigint() / 1000n) % 1000n);
    c.reply.arrayHeader(2);
    c.reply.bulk(String(us / 1000000n));
    c.reply.bulk(String(us % 1000000n));
  }),
  cmd(
    'shutdown',
    -1,
    ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'sentinel', 'allow_busy'],
    0,
    0,
    0,
    shutdownCommand,
  ),
  cmd('debug', -2, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, debugCommand),
];
