// The server's configuration: one table of directives (type, default, aliases, bounds)
// shared by the config-file parser, command-line `--directive value` options,
// CONFIG GET/SET and CONFIG REWRITE. Error texts follow Redis 7.0 config.c.
import { CommandError } from './db.js';

export type DirectiveType = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'special';

export interface Directive {
  name: string;
  type: DirectiveType;
  default: string;
  aliases?: string[];
  min?: number;
  max?: number;
  values?: string[];
  /** Cannot be changed by CONFIG SET. */
  immutable?: boolean;
  /** Hidden from CONFIG GET * and REWRITE (sensitive/special). */
  hidden?: boolean;
  /** Validates and normalises a special value (string form) or throws a message. */
  parse?: (args: string[]) => string;
}

const LLONG = Number.MAX_SAFE_INTEGER;

const b = (name: string, def: 'yes' | 'no', extra: Partial<Directive> = {}): Directive => ({ name, type: 'bool', default: def, ...extra });
const i = (name: string, def: number, min = 0, max = 2147483647, extra: Partial<Directive> = {}): Directive => ({
  name, type: 'int', default: String(def), min, max, ...extra,
});
const m = (name: string, def: number, extra: Partial<Directive> = {}): Directive => ({ name, type: 'memory', default: String(def), min: 0, max: LLONG, ...extra });
const s = (name: string, def: string, extra: Partial<Directive> = {}): Directive => ({ name, type: 'string', default: def, ...extra });
const e = (name: string, def: string, values: string[], extra: Partial<Directive> = {}): Directive => ({ name, type: 'enum', default: def, values, ...extra });

export const DIRECTIVES: Directive[] = [
  // network
  i('port', 6379, 0, 65535),
  { name: 'bind', type: 'special', default: '* -::*', parse: (a) => a.join(' ') },
  s('bind-source-addr', ''),
  b('protected-mode', 'yes'),
  i('tcp-backlog', 511, 0, 2147483647, { immutable: true }),
  i('timeout', 0, 0, 2147483647),
  i('tcp-keepalive', 300),
  s('unixsocket', '', { immutable: true }),
  { name: 'unixsocketperm', type: 'special', default: '0', immutable: true, parse: (a) => a[0]! },
  i('maxclients', 10000, 1, 2147483647),
  // general
  b('daemonize', 'no', { immutable: true }),
  e('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], { immutable: true }),
  s('pidfile', '', { immutable: true }),
  e('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  s('logfile', '', { immutable: true }),
  b('syslog-enabled', 'no', { immutable: true }),
  s('syslog-ident', 'redis', { immutable: true }),
  s('syslog-facility', 'local0', { immutable: true }),
  i('databases', 16, 1, 2147483647, { immutable: true }),
  b('always-show-logo', 'no', { immutable: true }),
  b('set-proc-title', 'yes', { immutable: true }),
  s('proc-title-template', '{title} {listen-addr} {server-mode}'),
  b('crash-log-enabled', 'yes'),
  b('crash-memcheck-enabled', 'yes'),
  s('dir', '', { parse: (a) => a[0]! }),
  i('hz', 10, 0, 2147483647),
  b('dynamic-hz', 'yes'),
  e('enable-debug-command', 'no', ['no', 'yes', 'local'], { immutable: true }),
  e('enable-protected-configs', 'no', ['no', 'yes', 'local'], { immutable: true }),
  e('enable-module-command', 'no', ['no', 'yes', 'local'], { immutable: true }),
  i('oom-score-adj', 0, 0, 0),
  s('oom-score-adj-values', '0 200 800'),
  b('disable-thp', 'yes'),
  b('jemalloc-bg-thread', 'yes'),
  i('io-threads', 1, 1, 128, { immutable: true }),
  b('io-threads-do-reads', 'no', { immutable: true }),
  // security
  s('requirepass', '', { hidden: false }),
  s('masterauth', ''),
  s('masteruser', ''),
  i('acllog-max-len', 128),
  s('aclfile', '', { immutable: true }),
  // snapshotting
  { name: 'save', type: 'special', default: '3600 1 300 100 60 10000', parse: parseSave },
  b('stop-writes-on-bgsave-error', 'yes'),
  b('rdbcompression', 'yes'),
  b('rdbchecksum', 'yes', { immutable: true }),
  b('rdb-del-sync-files', 'no'),
  s('dbfilename', 'dump.rdb'),
  b('rdb-save-incremental-fsync', 'yes'),
  e('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  // replication
  { name: 'replicaof', type: 'special', default: '', aliases: ['slaveof'], parse: parseReplicaof },
  b('replica-serve-stale-data', 'yes', { aliases: ['slave-serve-stale-data'] }),
  b('replica-read-only', 'yes', { aliases: ['slave-read-only'] }),
  b('repl-diskless-sync', 'yes'),
  i('repl-diskless-sync-delay', 5),
  i('repl-diskless-sync-max-replicas', 0),
  e('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  i('repl-ping-replica-period', 10, 1, 2147483647, { aliases: ['repl-ping-slave-period'] }),
  i('repl-timeout', 60, 1, 2147483647),
  b('repl-disable-tcp-nodelay', 'no'),
  m('repl-backlog-size', 1024 * 1024, { min: 1 }),
  i('repl-backlog-ttl', 3600),
  i('replica-priority', 100, 0, 2147483647, { aliases: ['slave-priority'] }),
  b('replica-announced', 'yes'),
  s('replica-announce-ip', '', { aliases: ['slave-announce-ip'] }),
  i('replica-announce-port', 0, 0, 65535, { aliases: ['slave-announce-port'] }),
  i('min-replicas-to-write', 0, 0, 2147483647, { aliases: ['min-slaves-to-write'] }),
  i('min-replicas-max-lag', 10, 0, 2147483647, { aliases: ['min-slaves-max-lag'] }),
  b('replica-lazy-flush', 'no', { aliases: ['slave-lazy-flush'] }),
  b('replica-ignore-maxmemory', 'yes', { aliases: ['slave-ignore-maxmemory'] }),
  // memory and lazy freeing
  m('maxmemory', 0),
  e('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']),
  i('maxmemory-samples', 5, 1, 255),
  i('maxmemory-eviction-tenacity', 10, 0, 100),
  b('lazyfree-lazy-eviction', 'no'),
  b('lazyfree-lazy-expire', 'no'),
  b('lazyfree-lazy-server-del', 'no'),
  b('lazyfree-lazy-user-del', 'no'),
  b('lazyfree-lazy-user-flush', 'no'),
  b('activerehashing', 'yes'),
  b('activedefrag', 'no'),
  // append only
  b('appendonly', 'no'),
  s('appendfilename', 'appendonly.aof', { immutable: true }),
  s('appenddirname', 'appendonlydir', { immutable: true }),
  e('appendfsync', 'everysec', ['always', 'everysec', 'no']),
  b('no-appendfsync-on-rewrite', 'no'),
  i('auto-aof-rewrite-percentage', 100),
  m('auto-aof-rewrite-min-size', 64 * 1024 * 1024),
  b('aof-load-truncated', 'yes'),
  b('aof-use-rdb-preamble', 'yes'),
  b('aof-timestamp-enabled', 'no'),
  b('aof-rewrite-incremental-fsync', 'yes'),
  // limits, monitoring, encodings
  m('proto-max-bulk-len', 512 * 1024 * 1024, { min: 1024 * 1024 }),
  m('client-query-buffer-limit', 1024 * 1024 * 1024, { min: 1024 * 1024 }),
  { name: 'client-output-buffer-limit', type: 'special', default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', parse: (a) => a.join(' ') },
  i('slowlog-log-slower-than', 10000, -1, LLONG),
  i('slowlog-max-len', 128),
  i('latency-monitor-threshold', 0),
  s('latency-tracking-info-percentiles', '50 99 99.9'),
  b('latency-tracking', 'yes'),
  s('notify-keyspace-events', ''),
  i('hash-max-listpack-entries', 128, 0, LLONG, { aliases: ['hash-max-ziplist-entries'] }),
  i('hash-max-listpack-value', 64, 0, LLONG, { aliases: ['hash-max-ziplist-value'] }),
  i('list-max-listpack-size', -2, -2147483648, 2147483647, { aliases: ['list-max-ziplist-size'] }),
  i('list-compress-depth', 0),
  i('set-max-intset-entries', 512, 0, LLONG),
  i('zset-max-listpack-entries', 128, 0, LLONG, { aliases: ['zset-max-ziplist-entries'] }),
  i('zset-max-listpack-value', 64, 0, LLONG, { aliases: ['zset-max-ziplist-value'] }),
  i('hll-sparse-max-bytes', 3000, 0, LLONG),
  i('stream-node-max-bytes', 4096, 0, LLONG),
  i('stream-node-max-entries', 100, 0, LLONG),
  i('lua-time-limit', 5000, 0, LLONG, { aliases: ['busy-reply-threshold'] }),
  b('cluster-enabled', 'no', { immutable: true }),
  i('active-expire-effort', 1, 1, 10),
  b('lfu-log-factor', 'no', { hidden: true }),
];

function parseSave(a: string[]): string {
  if (a.length === 1 && a[0] === '') return '';
  if (a.length % 2 !== 0) throw new Error('Invalid save parameters');
  for (const x of a) if (!/^\d+$/.test(x)) throw new Error('Invalid save parameters');
  return a.join(' ');
}

function parseReplicaof(a: string[]): string {
  if (a.length !== 2) throw new Error('Bad directive or wrong number of arguments');
  if (a[0]!.toLowerCase() === 'no' && a[1]!.toLowerCase() === 'one') return '';
  if (!/^\d+$/.test(a[1]!)) throw new Error('Invalid master port');
  return `${a[0]} ${a[1]}`;
}

const byName = new Map<string, Directive>();
for (const d of DIRECTIVES) {
  byName.set(d.name, d);
  for (const a of d.aliases ?? []) byName.set(a, d);
}

export function findDirective(name: string): Directive | undefined {
  return byName.get(name.toLowerCase());
}

/** Parses "1gb", "5mb", "100k" etc. into bytes (Redis memtoull); null on bad input. */
export function parseMemory(v: string): number | null {
  const mm = /^(-?\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(v);
  if (!mm) return null;
  const mul: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };
  return Number(mm[1]) * (mul[(mm[2] ?? 'b').toLowerCase()] ?? 1);
}

/** Validates a value for a directive; returns the normalised string or throws Error(message). */
export function normalise(d: Directive, args: string[]): string {
  if (d.type === 'special') return d.parse ? d.parse(args) : args.join(' ');
  if (args.length !== 1) throw new Error('wrong number of arguments');
  const v = args[0]!;
  switch (d.type) {
    case 'bool': {
      const l = v.toLowerCase();
      if (l !== 'yes' && l !== 'no') throw new Error("argument must be 'yes' or 'no'");
      return l;
    }
    case 'enum': {
      const l = v.toLowerCase();
      if (!d.values!.includes(l)) throw new Error(`argument(s) must be one of the following: ${d.values!.join(', ')}`);
      return l;
    }
    case 'int': {
      if (!/^-?\d+$/.test(v)) throw new Error("argument couldn't be parsed into an integer");
      const n = Number(v);
      if (n < d.min! || n > d.max!) throw new Error(`argument must be between ${d.min} and ${d.max} inclusive`);
      return String(n);
    }
    case 'memory': {
      const n = parseMemory(v);
      if (n === null) throw new Error('argument must be a memory value');
      if (n < d.min! || n > d.max!) throw new Error(`argument must be between ${d.min} and ${d.max} inclusive`);
      return String(n);
    }
    default:
      return v;
  }
}

export type ConfigListener = (name: string, value: string) => void;

/** Current values by canonical name, as strings (the form CONFIG GET returns). */
export class Config {
  private readonly values = new Map<string, string>();
  /** The config file this server was started with (for CONFIG REWRITE), if any. */
  file: string | undefined;
  private readonly listeners: ConfigListener[] = [];

  constructor() {
    for (const d of DIRECTIVES) this.values.set(d.name, d.default);
  }

  get(name: string): string {
    const d = findDirective(name);
    if (!d) throw new Error(`unknown config ${name}`);
    return this.values.get(d.name)!;
  }
  int(name: string): number {
    return Number(this.get(name));
  }
  bool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /** Sets from already-split arguments; throws Error(message) for bad values. */
  set(name: string, args: string[]): void {
    const d = findDirective(name);
    if (!d) throw new Error('Bad directive or wrong number of arguments');
    const v = normalise(d, args);
    this.values.set(d.name, v);
    for (const l of this.listeners) l(d.name, v);
  }

  /** Sets a canonical value directly (internal state changes such as REPLICAOF). */
  setRaw(name: string, value: string): void {
    const d = findDirective(name)!;
    this.values.set(d.name, value);
  }

  onChange(l: ConfigListener): void {
    this.listeners.push(l);
  }

  entries(): [string, string][] {
    return DIRECTIVES.filter((d) => !d.hidden).map((d) => [d.name, this.values.get(d.name)!]);
  }

  isDefault(name: string): boolean {
    const d = findDirective(name)!;
    return this.values.get(d.name) === d.default;
  }
}

export function configSetError(name: string, msg: string): CommandError {
  return new CommandError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${msg}`);
}
