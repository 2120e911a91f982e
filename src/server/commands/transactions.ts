// MULTI / EXEC / DISCARD / WATCH / UNWATCH with Redis 7.0's texts and semantics.
// Queueing itself happens in the dispatcher (server.processCommand); a command rejected
// while queueing flags the transaction (dirtyExec) and EXEC then answers EXECABORT.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';

/** Watched keys that were already logically expired when WATCHed (Redis's wk->expired). */
const expiredAtWatch = new WeakMap<Client, Set<string>>();

function watchKey(c: Client, key: string): void {
  const id = c.db.id + '\0' + key;
  if (c.watched.has(id)) return;
  c.watched.add(id);
  let set = c.server.watchedKeys.get(id);
  if (!set) c.server.watchedKeys.set(id, (set = new Set()));
  set.add(c);
  if (c.db.dict.has(key) && isLogicallyExpired(c.server, c.db.id, key)) {
    let s = expiredAtWatch.get(c);
    if (!s) expiredAtWatch.set(c, (s = new Set()));
    s.add(id);
  }
}

function isLogicallyExpired(server: Server, db: number, key: string): boolean {
  const when = server.dbs[db]!.getExpire(key);
  return when !== undefined && when <= Date.now();
}

/** Forgets every WATCHed key of a client (EXEC, DISCARD, UNWATCH, RESET). */
export function unwatchAll(c: Client): void {
  for (const id of c.watched) {
    const set = c.server.watchedKeys.get(id);
    if (set) {
      set.delete(c);
      if (set.size === 0) c.server.watchedKeys.delete(id);
    }
  }
  c.watched.clear();
  expiredAtWatch.delete(c);
  c.dirtyCas = false;
}

/** Leaves MULTI state without running anything (DISCARD, RESET, EXEC's end). */
export function discardTransaction(c: Client): void {
  c.inMulti = false;
  c.multiQueue = [];
  c.dirtyExec = false;
  unwatchAll(c);
}

/** A watched key that expired since WATCH counts as modified (isWatchedKeyExpired). */
function watchedKeyExpired(c: Client): boolean {
  const before = expiredAtWatch.get(c);
  for (const id of c.watched) {
    if (before?.has(id)) continue;
    const sep = id.indexOf('\0');
    const db = Number(id.slice(0, sep));
    const key = id.slice(sep + 1);
    if (c.server.dbs[db]?.dict.has(key) && isLogicallyExpired(c.server, db, key)) return true;
  }
  return false;
}

async function runQueued(c: Client, queue: Client['multiQueue'], from: number): Promise<void> {
  for (let j = from; j < queue.length; j++) {
    const { cmd: qc, argv } = queue[j]!;
    const r = c.server.call(c, qc, argv);
    if (r) await r;
  }
}

export const transactionCommands: CommandSpec[] = [
  cmd('multi', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], 0, 0, 0, (c) => {
    if (c.inMulti) throw new CommandError('ERR MULTI calls can not be nested');
    c.inMulti = true;
    c.multiQueue = [];
    c.dirtyExec = false;
    c.reply.ok();
  }),
  cmd('exec', 1, ['noscript', 'loading', 'stale', 'skip_slowlog'], 0, 0, 0, (c) => {
    if (!c.inMulti) throw new CommandError('ERR EXEC without MULTI');
    if (!c.dirtyCas && watchedKeyExpired(c)) c.dirtyCas = true;
    if (c.dirtyExec || c.dirtyCas) {
      const abort = c.dirtyExec;
      discardTransaction(c);
      if (abort) throw new CommandError('EXECABORT Transaction discarded because of previous errors.');
      c.reply.nullArray();
      return;
    }
    const queue = c.multiQueue;
    unwatchAll(c);
    c.inMulti = false;
    c.multiQueue = [];
    // its writes reach replicas and the AOF as one MULTI ... EXEC block when there are several
    // (server.flushPropagation); a lone write goes unwrapped, as in Redis 7.0
    c.reply.arrayHeader(queue.length);
    const wasExec = c.inExec;
    c.inExec = true;
    for (let j = 0; j < queue.length; j++) {
      const { cmd: qc, argv } = queue[j]!;
      const r = c.server.call(c, qc, argv);
      if (r) {
        // a handler that went asynchronous: finish the rest in order after it
        return r
          .then(() => runQueued(c, queue, j + 1))
          .finally(() => {
            c.inExec = wasExec;
          });
      }
    }
    c.inExec = wasExec;
    return undefined;
  }),
  cmd('discard', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], 0, 0, 0, (c) => {
    if (!c.inMulti) throw new CommandError('ERR DISCARD without MULTI');
    discardTransaction(c);
    c.reply.ok();
  }),
  cmd('watch', -2, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], 1, -1, 1, (c, argv) => {
    if (c.inMulti) throw new CommandError('ERR WATCH inside MULTI is not allowed');
    for (let j = 1; j < argv.length; j++) watchKey(c, argv[j]!);
    c.reply.ok();
  }),
  cmd('unwatch', 1, ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], 0, 0, 0, (c) => {
    unwatchAll(c);
    c.reply.ok();
  }),
];
