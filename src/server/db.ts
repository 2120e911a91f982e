// One logical database: the key -> value dict plus the key -> absolute expiry (ms) map.
// Expiry follows Redis 7.0: a master deletes an expired key when it is touched (lazy) or
// sampled (active) and propagates DEL; a replica never deletes on its own — it hides
// logically expired keys from normal clients and waits for the master's DEL.
import { type Value, WRONGTYPE, typeOf, type TypeName } from './types.js';

export class CommandError extends Error {
  /** `message` carries the error code, e.g. "ERR syntax error". */
  constructor(message: string) {
    super(message);
  }
}

export interface KeyspaceHost {
  /** True when this server replicates from a master (it must not expire keys itself). */
  isReplica(): boolean;
  /** True while the command being executed came from our master's replication link. */
  executingMasterCommand(): boolean;
  /** Propagate a DEL for a key that expired (master only). */
  propagateExpired(db: number, key: string): void;
  /** A key changed (WATCH invalidation, blocked-client wakeups). */
  keyModified(db: number, key: string): void;
  stats: { expiredKeys: number; keyspaceHits: number; keyspaceMisses: number };
}

export class Database {
  dict = new Map<string, Value>();
  expires = new Map<string, number>();
  /**
   * String values whose OBJECT ENCODING is not what their content implies (APPEND/SETRANGE
   * make "raw", INCRBYFLOAT makes "embstr", COPY makes an unshared "int"): key -> encoding.
   * Cleared when the key is replaced.
   */
  strEncoding = new Map<string, 'raw' | 'embstr' | 'int'>();

  constructor(
    readonly id: number,
    private readonly host: KeyspaceHost,
  ) {}

  get size(): number {
    return this.dict.size;
  }

  /** Handles expiry for `key`; true when the key is (logically) gone. */
  private expireIfNeeded(key: string): boolean {
    const when = this.expires.get(key);
    if (when === undefined || when > Date.now()) return false;
    if (this.host.isReplica()) {
      // a replica's master link still sees the key; normal clients do not
      return !this.host.executingMasterCommand();
    }
    this.deleteExpired(key);
    return true;
  }

  private deleteExpired(key: string): void {
    this.dict.delete(key);
    this.expires.delete(key);
    if (this.strEncoding.size !== 0) this.strEncoding.delete(key);
    this.host.stats.expiredKeys++;
    this.host.propagateExpired(this.id, key);
    this.host.keyModified(this.id, key);
  }

  /** Value for a read; counts keyspace hits/misses as Redis's lookupKeyRead does. */
  lookupRead(key: string): Value | undefined {
    const v = this.lookup(key);
    if (v === undefined) this.host.stats.keyspaceMisses++;
    else this.host.stats.keyspaceHits++;
    return v;
  }

  /** Value without touching stats (writes, internal use). */
  lookup(key: string): Value | undefined {
    const v = this.dict.get(key);
    if (v === undefined) return undefined;
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    return v;
  }

  /** Typed lookup: throws WRONGTYPE when the key holds another type. */
  lookupTyped<T extends Value>(key: string, type: TypeName, read = true): T | undefined {
    const v = read ? this.lookupRead(key) : this.lookup(key);
    if (v === undefined) return undefined;
    if (typeOf(v) !== type) throw new CommandError(WRONGTYPE);
    return v as T;
  }

  /** Sets a key, dropping its TTL unless keepTtl (SET semantics). */
  set(key: string, v: Value, keepTtl = false): void {
    this.dict.set(key, v);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    if (this.strEncoding.size !== 0) this.strEncoding.delete(key);
  }

  /** Replaces a value in place keeping the TTL (APPEND, INCR, SETRANGE...). */
  update(key: string, v: Value): void {
    this.dict.set(key, v);
  }

  delete(key: string): boolean {
    if (!this.dict.delete(key)) return false;
    if (this.expires.size !== 0) this.expires.delete(key);
    if (this.strEncoding.size !== 0) this.strEncoding.delete(key);
    return true;
  }

  getExpire(key: string): number | undefined {
    return this.expires.get(key);
  }

  setExpire(key: string, whenMs: number): void {
    this.expires.set(key, whenMs);
  }

  persist(key: string): boolean {
    return this.expires.delete(key);
  }

  randomKey(): string | undefined {
    const n = this.dict.size;
    if (n === 0) return undefined;
    // a few tries to skip expired keys, as Redis does
    for (let tries = 0; tries < 100; tries++) {
      let i = Math.floor(Math.random() * n);
      for (const k of this.dict.keys()) {
        if (i-- === 0) {
          if (this.lookup(k) !== undefined) return k;
          break;
        }
      }
      if (this.dict.size === 0) return undefined;
    }
    return this.dict.keys().next().value;
  }

  flush(): void {
    this.dict.clear();
    this.expires.clear();
    this.strEncoding.clear();
  }

  /** Takes over `other`'s content (a dataset loaded aside); `other` is left empty. */
  adopt(other: Database): void {
    this.dict = other.dict;
    this.expires = other.expires;
    this.strEncoding = other.strEncoding;
    this.expireCursor = undefined;
    other.dict = new Map();
    other.expires = new Map();
    other.strEncoding = new Map();
  }

  /**
   * Active expiry: samples keys with a TTL and deletes expired ones, repeating while more
   * than a quarter of a sample was expired, within a time budget (master only).
   */
  activeExpireCycle(budgetMs: number): void {
    if (this.expires.size === 0 || this.host.isReplica()) return;
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const now = Date.now();
      let sampled = 0;
      let expired = 0;
      // a live iterator that resumes where the last pass stopped, so every key gets sampled
      this.expireCursor ??= this.expires.entries();
      while (sampled < 20 && sampled < this.expires.size) {
        const next = this.expireCursor.next();
        if (next.done) {
          this.expireCursor = this.expires.entries();
          continue;
        }
        sampled++;
        const [k, when] = next.value;
        if (when <= now) {
          this.deleteExpired(k);
          expired++;
        }
      }
      if (expired * 4 <= sampled || Date.now() >= deadline) return;
    }
  }
  private expireCursor: Iterator<[string, number]> | undefined;
}

export function swapDatabases(a: Database, b: Database): void {
  const dict = new Map(a.dict);
  const exp = new Map(a.expires);
  a.dict.clear();
  a.expires.clear();
  for (const [k, v] of b.dict) a.dict.set(k, v);
  for (const [k, v] of b.expires) a.expires.set(k, v);
  b.dict.clear();
  b.expires.clear();
  for (const [k, v] of dict) b.dict.set(k, v);
  for (const [k, v] of exp) b.expires.set(k, v);
  const enc = new Map(a.strEncoding);
  a.strEncoding.clear();
  for (const [k, v] of b.strEncoding) a.strEncoding.set(k, v);
  b.strEncoding.clear();
  for (const [k, v] of enc) b.strEncoding.set(k, v);
}
