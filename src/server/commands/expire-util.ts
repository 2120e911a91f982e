// Expire-time arguments shared by SET/GETEX/SETEX and the EXPIRE family (Redis 7.0
// getExpireMillisecondsOrReply / expireGenericCommand rules and texts).
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { isStrictInt, ERR_NOT_INT } from './util.js';

const LLONG_MAX = 9223372036854775807n;

/**
 * Absolute expiry in ms for SET/GETEX-style options. `unit` seconds or ms, `relative`
 * for EX/PX. Errors: not an integer, or <= 0 / overflowing ("invalid expire time").
 */
export function expireOptionMs(c: Client, arg: string, seconds: boolean, relative: boolean, cmdName: string): number {
  if (!isStrictInt(arg)) throw new CommandError(ERR_NOT_INT);
  let ms = BigInt(arg);
  const invalid = (): CommandError => new CommandError(`ERR invalid expire time in '${cmdName}' command`);
  if (ms <= 0n || (seconds && ms > LLONG_MAX / 1000n)) throw invalid();
  if (seconds) ms *= 1000n;
  if (relative) {
    const now = BigInt(Date.now());
    if (ms > LLONG_MAX - now) throw invalid();
    ms += now;
  }
  void c;
  return Number(ms);
}

/** Whether a write that sets `whenMs` should delete the key at once (master, not loading). */
export function alreadyExpired(c: Client, whenMs: number): boolean {
  return whenMs <= Date.now() && !c.server.loading && !c.server.isReplica();
}
