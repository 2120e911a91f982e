// For commands whose key arguments are not all modified (DEL of missing keys, the sources of
// SINTERSTORE/ZRANGESTORE/COPY, the other keys of BLPOP): propagate the command and signal
// only the keys that really changed, as Redis's signalModifiedKey calls do, so that WATCH on
// an untouched key is not invalidated.
import type { Client } from '../client.js';

export function propagateSignalling(c: Client, argv: string[], modified: readonly string[]): void {
  c.preventPropagation = true;
  c.server.propagate(c.db.id, argv);
  for (const k of modified) c.server.keyModified(c.db.id, k);
}
