// Clients blocked on list keys (BLPOP/BRPOP/BLMOVE/BRPOPLPUSH). A blocked command's handler
// returns a Promise that resolves once it was served or timed out; later commands of that
// client wait. Modified keys are collected from server.keyListeners and served after the
// command that modified them (like Redis's handleClientsBlockedOnKeys), waiters FIFO per key.
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { parseLongDouble } from './longdouble.js';

export interface Waiter {
  client: Client;
  db: number;
  keys: string[];
  /** Tries to serve from `key`; true when served (the waiter is then removed). */
  serve: (key: string) => boolean;
  /** Called on timeout: writes the timeout reply. */
  timeout: () => void;
  resolve: () => void;
  timer: NodeJS.Timeout | null;
}

interface BlockState {
  /** "<db>\0<key>" -> waiters in arrival order */
  byKey: Map<string, Waiter[]>;
  ready: Set<string>;
  serving: boolean;
}

const states = new WeakMap<Server, BlockState>();

function stateOf(server: Server): BlockState {
  let st = states.get(server);
  if (st) return st;
  const s: BlockState = { byKey: new Map(), ready: new Set(), serving: false };
  states.set(server, s);
  server.keyListeners.push((db, key) => {
    if (s.byKey.size === 0) return;
    const k = db + '\0' + key;
    if (s.byKey.has(k)) s.ready.add(k);
  });
  server.afterCommandHooks.push(() => serveReady(s));
  server.clientCloseListeners.push((c) => {
    for (const list of s.byKey.values()) for (const w of list) if (w.client === c) remove(s, w, true);
  });
  return s;
}

function remove(s: BlockState, w: Waiter, resolve: boolean): void {
  if (w.timer) clearTimeout(w.timer);
  w.timer = null;
  for (const key of w.keys) {
    const k = w.db + '\0' + key;
    const list = s.byKey.get(k);
    if (!list) continue;
    const i = list.indexOf(w);
    if (i !== -1) list.splice(i, 1);
    if (list.length === 0) s.byKey.delete(k);
  }
  if (resolve) w.resolve();
}

function serveReady(s: BlockState): void {
  if (s.serving || s.ready.size === 0) return;
  s.serving = true;
  try {
    while (s.ready.size !== 0) {
      const k = s.ready.values().next().value!;
      s.ready.delete(k);
      const list = s.byKey.get(k);
      if (!list) continue;
      const key = k.slice(k.indexOf('\0') + 1);
      for (const w of [...list]) {
        // not served (the key holds another type for it, e.g. a list waiter on a zset): the
        // next waiter may still be, as Redis skips clients blocked for another type
        if (!w.serve(key)) continue;
        remove(s, w, false);
        w.client.flushSoon();
        w.resolve();
      }
    }
  } finally {
    s.serving = false;
  }
}

/** getTimeoutFromObjectOrReply (seconds, may be fractional): milliseconds, 0 = forever. */
export function parseTimeout(arg: string): number {
  const ld = parseLongDouble(arg);
  if (!ld) throw new CommandError('ERR timeout is not a float or out of range');
  // Redis converts ceill(secs*1000) to long long: inf and anything past 2^63 come out negative
  const ms = Number.isFinite(ld.e) ? Math.ceil(Number(ld.m) * 2 ** ld.e * 1000) : -1;
  if (!(ms >= 0) || ms >= 2 ** 63) throw new CommandError('ERR timeout is negative');
  return ms;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Blocks `c` on keys; returns the promise the handler must return. */
export function block(
  c: Client,
  keys: string[],
  timeoutMs: number,
  serve: (key: string) => boolean,
  onTimeout: () => void,
): Promise<void> {
  const s = stateOf(c.server);
  return new Promise<void>((resolve) => {
    const w: Waiter = { client: c, db: c.db.id, keys, serve, timeout: onTimeout, resolve, timer: null };
    for (const key of keys) {
      const k = w.db + '\0' + key;
      let list = s.byKey.get(k);
      if (!list) s.byKey.set(k, (list = []));
      if (!list.includes(w)) list.push(w);
    }
    // setTimeout fires at once past 2^31-1 ms: long timeouts are armed in steps
    const arm = (left: number): void => {
      w.timer = setTimeout(
        () => {
          if (left > MAX_TIMER_MS) return arm(left - MAX_TIMER_MS);
          remove(s, w, false);
          w.timeout();
          w.client.flushSoon();
          w.resolve();
        },
        Math.min(left, MAX_TIMER_MS),
      );
    };
    if (timeoutMs > 0) arm(timeoutMs);
  });
}

/**
 * CLIENT UNBLOCK <id> [TIMEOUT|ERROR]: ends a client's wait as if it timed out, or with the
 * UNBLOCKED error. Returns false when that client is not blocked on keys.
 */
export function unblockClient(server: Server, clientId: number, withError: boolean): boolean {
  const s = states.get(server);
  if (!s) return false;
  for (const list of s.byKey.values()) {
    for (const w of list) {
      if (w.client.id !== clientId) continue;
      remove(s, w, false);
      if (withError) w.client.reply.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
      else w.timeout();
      w.client.flushSoon();
      w.resolve();
      return true;
    }
  }
  return false;
}
