// What a master writes into its replication stream for one propagated write: RESP-encoded
// argv, with relative expiries turned into absolute ones (a replica applying the stream
// later, or loading it from the backlog, must not extend TTLs). Command families normally
// rewrite their argv themselves (c.rewriteArgv); this is the safety net for those that
// still hand us a relative form.
import type { Database } from '../db.js';

/** Returns argv with relative expiry arguments replaced, or argv itself when already absolute. */
export function absolutizeExpiry(argv: string[], db: Database | undefined): string[] {
  if (!db || argv.length < 2) return argv;
  // only SET*, EXPIRE*, PEXPIRE, PSETEX, GETEX can carry a relative expiry: skip the rest cheaply
  const first = argv[0]!.charCodeAt(0) | 0x20;
  if (first !== 0x73 && first !== 0x65 && first !== 0x70 && first !== 0x67) return argv;
  const name = argv[0]!.toLowerCase();
  const key = argv[1]!;
  switch (name) {
    case 'set': {
      let relative = false;
      for (let i = 3; i < argv.length; i++) {
        const o = argv[i]!.toLowerCase();
        if (o === 'ex' || o === 'px' || o === 'exat') relative = true;
      }
      if (!relative) return argv;
      const when = db.getExpire(key);
      return when === undefined ? argv : ['SET', key, argv[2]!, 'PXAT', String(when)];
    }
    case 'setex':
    case 'psetex': {
      const when = db.getExpire(key);
      return when === undefined || argv.length !== 4 ? argv : ['SET', key, argv[3]!, 'PXAT', String(when)];
    }
    case 'expire':
    case 'pexpire':
    case 'expireat': {
      const when = db.getExpire(key);
      if (when !== undefined) return ['PEXPIREAT', key, String(when)];
      return db.dict.has(key) ? argv : ['DEL', key];
    }
    case 'getex': {
      for (let i = 2; i < argv.length; i++) {
        const o = argv[i]!.toLowerCase();
        if (o === 'persist') return ['PERSIST', key];
        if (o === 'ex' || o === 'px' || o === 'exat' || o === 'pxat') {
          const when = db.getExpire(key);
          return when === undefined ? argv : ['PEXPIREAT', key, String(when)];
        }
      }
      return argv;
    }
    default:
      return argv;
  }
}

/** RESP multibulk encoding of argv as a latin1 string (arguments are binary strings). */
export function encodeArgv(argv: readonly string[]): string {
  let s = '*' + argv.length + '\r\n';
  for (const a of argv) s += '$' + a.length + '\r\n' + a + '\r\n';
  return s;
}

export function selectCommand(db: number): string {
  return encodeArgv(['SELECT', String(db)]);
}
