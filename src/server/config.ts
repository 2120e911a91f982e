// The server's configuration: one table of directives (type, default, aliases, bounds)
// shared by the config-file parser, command-line `--directive value` options,
// CONFIG GET/SET and CONFIG REWRITE. Types, bounds and error texts follow Redis 7.0 config.c
// (checked against the real 7.0.15: every directive its CONFIG GET * lists is here).
import { CommandError } from './db.js';

export type DirectiveType = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'special';

export interface Directive {
  name: string;
  type: DirectiveType;
  default: string;
  aliases?: string[];
  /** Bounds for int/memory directives (bigint: Redis's long long / unsigned long long ranges). */
  min?: bigint;
  max?: bigint;
  /** memory+percent values ("10%" stored as -10, as Redis does). */
  percent?: boolean;
  values?: string[];
  /** Cannot be changed by CONFIG SET ("can't set immutable config"). */
  immutable?: boolean;
  /** CONFIG SET refused unless enable-protected-configs allows it. */
  protected?: boolean;
  /** Hidden from CONFIG GET globs and REWRITE. */
  hidden?: boolean;
  /** Redis's HIDDEN_CONFIG: left out of CONFIG GET globs only (exact name, SET, REWRITE work). */
  globHidden?: boolean;
  /** Validates and normalises a special value (string form) or throws Error(message). */
  parse?: (args: string[]) => string;
  /** Values outside [min,max] are clamped instead of refused (hz). */
  clamp?: boolean;
  /**
   * For a directive whose feature tsredis does not have: the reason a (normalised) value that
   * would turn it on is refused, or null when the value is accepted. See UNSUPPORTED below.
   */
  refuse?: (value: string) => string | null;
}

export const LLONG_MAX = 9223372036854775807n;
export const ULLONG_MAX = 18446744073709551615n;
const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const UINT_MAX = 4294967295n;

const b = (name: string, def: 'yes' | 'no', extra: Partial<Directive> = {}): Directive => ({
  name,
  type: 'bool',
  default: def,
  ...extra,
});
const i = (
  name: string,
  def: number,
  min: bigint = 0n,
  max: bigint = INT_MAX,
  extra: Partial<Directive> = {},
): Directive => ({
  name,
  type: 'int',
  default: String(def),
  min,
  max,
  ...extra,
});
const m = (
  name: string,
  def: number,
  min: bigint = 0n,
  max: bigint = LLONG_MAX,
  extra: Partial<Directive> = {},
): Directive => ({
  name,
  type: 'memory',
  default: String(def),
  min,
  max,
  ...extra,
});
const s = (name: string, def: string, extra: Partial<Directive> = {}): Directive => ({
  name,
  type: 'string',
  default: def,
  ...extra,
});
const e = (name: string, def: string, values: string[], extra: Partial<Directive> = {}): Directive => ({
  name,
  type: 'enum',
  default: def,
  values,
  ...extra,
});
const sp = (name: string, def: string, parse: (a: string[]) => string, extra: Partial<Directive> = {}): Directive => ({
  name,
  type: 'special',
  default: def,
  parse,
  ...extra,
});
const IMM = { immutable: true };

export const DIRECTIVES: Directive[] = [
  // network
  i('port', 6379, 0n, 65535n),
  sp('bind', '* -::*', parseBind),
  s('bind-source-addr', ''),
  b('protected-mode', 'yes'),
  i('tcp-backlog', 511, 0n, INT_MAX, IMM),
  i('timeout', 0, 0n, INT_MAX),
  i('tcp-keepalive', 300),
  s('unixsocket', '', IMM),
  sp('unixsocketperm', '0', parseOctal, IMM),
  i('socket-mark-id', 0, 0n, UINT_MAX, IMM),
  i('maxclients', 10000, 1n, UINT_MAX),
  // general
  b('daemonize', 'no', IMM),
  e('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], IMM),
  s('pidfile', '', IMM),
  e('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  s('logfile', '', IMM),
  b('syslog-enabled', 'no', IMM),
  s('syslog-ident', 'redis', IMM),
  e(
    'syslog-facility',
    'local0',
    ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'],
    IMM,
  ),
  i('databases', 16, 1n, INT_MAX, IMM),
  b('always-show-logo', 'no', IMM),
  b('set-proc-title', 'yes', IMM),
  s('proc-title-template', '{title} {listen-addr} {server-mode}'),
  b('crash-log-enabled', 'yes'),
  b('crash-memcheck-enabled', 'yes'),
  sp('dir', '', (a) => one(a), { protected: true }),
  i('hz', 10, 0n, INT_MAX, { clamp: true }),
  b('dynamic-hz', 'yes'),
  e('enable-debug-command', 'no', ['no', 'yes', 'local'], IMM),
  e('enable-protected-configs', 'no', ['no', 'yes', 'local'], IMM),
  e('enable-module-command', 'no', ['no', 'yes', 'local'], IMM),
  e('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute']),
  sp('oom-score-adj-values', '0 200 800', parseOomValues),
  b('disable-thp', 'yes', IMM),
  b('jemalloc-bg-thread', 'yes'),
  i('io-threads', 1, 1n, 128n, IMM),
  b('io-threads-do-reads', 'no', IMM),
  s('server_cpulist', '', IMM),
  s('bio_cpulist', '', IMM),
  s('aof_rewrite_cpulist', '', IMM),
  s('bgsave_cpulist', '', IMM),
  s('ignore-warnings', ''),
  e('shutdown-on-sigint', 'default', ['default', 'save', 'nosave', 'now', 'force']),
  e('shutdown-on-sigterm', 'default', ['default', 'save', 'nosave', 'now', 'force']),
  i('shutdown-timeout', 10),
  e('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas']),
  // security
  s('requirepass', ''),
  s('masterauth', ''),
  s('masteruser', ''),
  i('acllog-max-len', 128, 0n, LLONG_MAX),
  s('aclfile', '', IMM),
  e('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  // snapshotting
  sp('save', '3600 1 300 100 60 10000', parseSave),
  b('stop-writes-on-bgsave-error', 'yes'),
  b('rdbcompression', 'yes'),
  b('rdbchecksum', 'yes', IMM),
  // test knobs of rdbLoad (HIDDEN_CONFIG): µs slept per key loaded (negative -n: 1µs once every n keys
  // on average), and how many bytes are read between two passes of the event loop while loading
  i('key-load-delay', 0, INT_MIN, INT_MAX, { globHidden: true }),
  i('loading-process-events-interval-bytes', 2 * 1024 * 1024, 1024n, INT_MAX, { globHidden: true }),
  b('rdb-del-sync-files', 'no'),
  sp('dbfilename', 'dump.rdb', (a) => fileName(one(a), 'dbfilename'), { protected: true }),
  b('rdb-save-incremental-fsync', 'yes'),
  e('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  // replication
  sp('replicaof', '', parseReplicaof, { aliases: ['slaveof'], immutable: true }),
  b('replica-serve-stale-data', 'yes', { aliases: ['slave-serve-stale-data'] }),
  b('replica-read-only', 'yes', { aliases: ['slave-read-only'] }),
  b('repl-diskless-sync', 'yes'),
  i('repl-diskless-sync-delay', 5),
  i('repl-diskless-sync-max-replicas', 0),
  e('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  i('repl-ping-replica-period', 10, 1n, INT_MAX, { aliases: ['repl-ping-slave-period'] }),
  i('repl-timeout', 60, 1n, INT_MAX),
  b('repl-disable-tcp-nodelay', 'no'),
  m('repl-backlog-size', 1024 * 1024, 1n, LLONG_MAX),
  i('repl-backlog-ttl', 3600, 0n, LLONG_MAX),
  i('replica-priority', 100, 0n, INT_MAX, { aliases: ['slave-priority'] }),
  b('replica-announced', 'yes'),
  s('replica-announce-ip', '', { aliases: ['slave-announce-ip'] }),
  i('replica-announce-port', 0, 0n, 65535n, { aliases: ['slave-announce-port'] }),
  i('min-replicas-to-write', 0, 0n, INT_MAX, { aliases: ['min-slaves-to-write'] }),
  i('min-replicas-max-lag', 10, 0n, INT_MAX, { aliases: ['min-slaves-max-lag'] }),
  b('replica-lazy-flush', 'no', { aliases: ['slave-lazy-flush'] }),
  b('replica-ignore-maxmemory', 'yes', { aliases: ['slave-ignore-maxmemory'] }),
  b('replica-ignore-disk-write-errors', 'no'),
  // test-only fault, not a Redis directive: a replica skips every Nth write of its master's stream
  // (replica.ts). Hidden: CONFIG GET of its exact name shows it, globs and REWRITE do not (as real Redis lists none)
  i('debug-replica-drop-every', 0, 0n, INT_MAX, { hidden: true, immutable: true }),
  // memory and lazy freeing
  m('maxmemory', 0, 0n, ULLONG_MAX),
  m('maxmemory-clients', 0, 0n, LLONG_MAX, { percent: true }),
  e('maxmemory-policy', 'noeviction', [
    'volatile-lru',
    'volatile-lfu',
    'volatile-random',
    'volatile-ttl',
    'allkeys-lru',
    'allkeys-lfu',
    'allkeys-random',
    'noeviction',
  ]),
  i('maxmemory-samples', 5, 1n, INT_MAX),
  i('maxmemory-eviction-tenacity', 10, 0n, 100n),
  i('lfu-log-factor', 10, 0n, INT_MAX),
  i('lfu-decay-time', 1, 0n, INT_MAX),
  b('lazyfree-lazy-eviction', 'no'),
  b('lazyfree-lazy-expire', 'no'),
  b('lazyfree-lazy-server-del', 'no'),
  b('lazyfree-lazy-user-del', 'no'),
  b('lazyfree-lazy-user-flush', 'no'),
  b('activerehashing', 'yes'),
  b('activedefrag', 'no'),
  m('active-defrag-ignore-bytes', 100 * 1024 * 1024, 1n, LLONG_MAX),
  i('active-defrag-threshold-lower', 10, 0n, 1000n),
  i('active-defrag-threshold-upper', 100, 0n, 1000n),
  i('active-defrag-cycle-min', 1, 1n, 99n),
  i('active-defrag-cycle-max', 25, 1n, 99n),
  i('active-defrag-max-scan-fields', 1000, 1n, LLONG_MAX),
  // append only
  b('appendonly', 'no'),
  sp('appendfilename', 'appendonly.aof', (a) => fileName(one(a), 'appendfilename'), IMM),
  sp('appenddirname', 'appendonlydir', (a) => fileName(one(a), 'appenddirname'), IMM),
  e('appendfsync', 'everysec', ['always', 'everysec', 'no']),
  b('no-appendfsync-on-rewrite', 'no'),
  i('auto-aof-rewrite-percentage', 100),
  m('auto-aof-rewrite-min-size', 64 * 1024 * 1024, 0n, LLONG_MAX),
  b('aof-load-truncated', 'yes'),
  b('aof-use-rdb-preamble', 'yes'),
  b('aof-timestamp-enabled', 'no'),
  b('aof-rewrite-incremental-fsync', 'yes'),
  b('aof-disable-auto-gc', 'no'),
  // limits, monitoring, encodings
  m('proto-max-bulk-len', 512 * 1024 * 1024, 1024n * 1024n, LLONG_MAX),
  m('client-query-buffer-limit', 1024 * 1024 * 1024, 1024n * 1024n, LLONG_MAX),
  sp('client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60', (a) =>
    a.join(' '),
  ),
  i('slowlog-log-slower-than', 10000, -1n, LLONG_MAX),
  i('slowlog-max-len', 128, 0n, LLONG_MAX),
  i('latency-monitor-threshold', 0, 0n, LLONG_MAX),
  sp('latency-tracking-info-percentiles', '50 99 99.9', parsePercentiles),
  b('latency-tracking', 'yes'),
  sp('notify-keyspace-events', '', parseNotify),
  i('hash-max-listpack-entries', 512, 0n, LLONG_MAX, { aliases: ['hash-max-ziplist-entries'] }),
  m('hash-max-listpack-value', 64, 0n, LLONG_MAX, { aliases: ['hash-max-ziplist-value'] }),
  i('list-max-listpack-size', -2, INT_MIN, INT_MAX, { aliases: ['list-max-ziplist-size'] }),
  i('list-compress-depth', 0),
  i('set-max-intset-entries', 512, 0n, LLONG_MAX),
  i('zset-max-listpack-entries', 128, 0n, LLONG_MAX, { aliases: ['zset-max-ziplist-entries'] }),
  m('zset-max-listpack-value', 64, 0n, LLONG_MAX, { aliases: ['zset-max-ziplist-value'] }),
  m('hll-sparse-max-bytes', 3000, 0n, LLONG_MAX),
  m('stream-node-max-bytes', 4096, 0n, LLONG_MAX),
  i('stream-node-max-entries', 100, 0n, LLONG_MAX),
  i('busy-reply-threshold', 5000, 0n, LLONG_MAX, { aliases: ['lua-time-limit'] }),
  i('tracking-table-max-keys', 1000000, 0n, LLONG_MAX),
  i('active-expire-effort', 1, 1n, 10n),
  // cluster: cluster-enabled yes refused (UNSUPPORTED); the rest accepted and ignored, as with cluster mode off
  b('cluster-enabled', 'no', IMM),
  s('cluster-config-file', 'nodes.conf', IMM),
  i('cluster-node-timeout', 15000, 0n, LLONG_MAX),
  i('cluster-port', 0, 0n, 65535n, IMM),
  i('cluster-announce-port', 0, 0n, 65535n),
  i('cluster-announce-bus-port', 0, 0n, 65535n),
  i('cluster-announce-tls-port', 0, 0n, 65535n),
  s('cluster-announce-ip', ''),
  s('cluster-announce-hostname', ''),
  e('cluster-preferred-endpoint-type', 'ip', ['ip', 'hostname', 'unknown-endpoint']),
  i('cluster-migration-barrier', 1),
  i('cluster-replica-validity-factor', 10, 0n, INT_MAX, { aliases: ['cluster-slave-validity-factor'] }),
  b('cluster-replica-no-failover', 'no', { aliases: ['cluster-slave-no-failover'] }),
  b('cluster-require-full-coverage', 'yes'),
  b('cluster-allow-reads-when-down', 'no'),
  b('cluster-allow-pubsubshard-when-down', 'yes'),
  b('cluster-allow-replica-migration', 'yes'),
  m('cluster-link-sendbuf-limit', 0, 0n, LLONG_MAX),
  // TLS: turning it on is refused (UNSUPPORTED); certificates, ciphers ... accepted and ignored, as with TLS off
  i('tls-port', 0, 0n, 65535n),
  s('tls-cert-file', ''),
  s('tls-key-file', ''),
  s('tls-key-file-pass', ''),
  s('tls-client-cert-file', ''),
  s('tls-client-key-file', ''),
  s('tls-client-key-file-pass', ''),
  s('tls-dh-params-file', ''),
  s('tls-ca-cert-file', ''),
  s('tls-ca-cert-dir', ''),
  s('tls-protocols', ''),
  s('tls-ciphers', ''),
  s('tls-ciphersuites', ''),
  e('tls-auth-clients', 'yes', ['yes', 'no', 'optional']),
  b('tls-replication', 'no'),
  b('tls-cluster', 'no'),
  b('tls-prefer-server-ciphers', 'no'),
  b('tls-session-caching', 'yes'),
  i('tls-session-cache-size', 20480),
  i('tls-session-cache-timeout', 300),
];

/**
 * Features tsredis-server does not have. A value that would turn one on is refused like any
 * bad value (FATAL CONFIG FILE ERROR at start, "CONFIG SET failed ..." at run time), so CONFIG
 * GET never reports it as active; the defaults (off) are accepted, so a config file written by
 * a real Redis loads. Every other directive of such a feature (cluster-node-timeout,
 * tls-cert-file, ...) is accepted and ignored, as a Redis with the feature off ignores it.
 * Directives that only tune how Redis works inside (io-threads, lazyfree-*, jemalloc-bg-thread,
 * oom-score-adj, active-expire-effort ...) are accepted and ignored: no reply depends on them.
 */
const NO_TLS = 'TLS cannot be enabled: tsredis-server is built without TLS support';
const UNSUPPORTED: Record<string, (v: string) => string | null> = {
  'cluster-enabled': (v) =>
    v === 'yes' ? 'cluster mode cannot be enabled: tsredis-server does not implement Redis Cluster' : null,
  'tls-port': (v) => (v !== '0' ? NO_TLS : null),
  'tls-replication': (v) => (v === 'yes' ? NO_TLS : null),
  'tls-cluster': (v) => (v === 'yes' ? NO_TLS : null),
  unixsocket: (v) => (v !== '' ? 'unix sockets are not supported by tsredis-server' : null),
  aclfile: (v) => (v !== '' ? 'ACL files are not supported by tsredis-server (no ACL users beyond default)' : null),
  'syslog-enabled': (v) => (v === 'yes' ? 'syslog logging is not supported by tsredis-server' : null),
  supervised: (v) =>
    v === 'systemd' || v === 'upstart' ? `${v} supervision is not supported by tsredis-server` : null,
  // Redis's own text for a server built without a defragmenting allocator
  activedefrag: (v) =>
    v === 'yes'
      ? 'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution'
      : null,
};
for (const d of DIRECTIVES) if (UNSUPPORTED[d.name]) d.refuse = UNSUPPORTED[d.name];

function one(a: string[]): string {
  if (a.length !== 1) throw new Error('wrong number of arguments');
  return a[0]!;
}

function fileName(v: string, what: string): string {
  if (v.includes('/')) throw new Error(`${what} can't be a path, just a filename`);
  return v;
}

function parseBind(a: string[]): string {
  if (a.length > 16) throw new Error('Too many bind addresses specified.');
  const parts = a.flatMap((x) => x.split(' ')).filter(Boolean);
  return parts.join(' ');
}

function parseOctal(a: string[]): string {
  const v = one(a);
  if (!/^[0-7]+$/.test(v)) throw new Error('Invalid socket file permissions');
  return String(parseInt(v, 8).toString(8));
}

function parseOomValues(a: string[]): string {
  const parts = a.flatMap((x) => x.split(' ')).filter((x) => x !== '');
  if (parts.length !== 3) throw new Error('Invalid oom-score-adj-values');
  for (const p of parts) {
    if (!/^-?\d+$/.test(p) || Number(p) < -2000 || Number(p) > 2000) throw new Error('Invalid oom-score-adj-values');
  }
  return parts.map(Number).join(' ');
}

function parsePercentiles(a: string[]): string {
  const parts = a.flatMap((x) => x.split(' ')).filter((x) => x !== '');
  for (const p of parts) {
    const n = Number(p);
    if (!/^[0-9.eE+-]+$/.test(p) || Number.isNaN(n) || n < 0 || n > 100)
      throw new Error('latency-tracking-info-percentiles: Invalid percentile value');
  }
  return parts.map((p) => String(Number(p))).join(' ');
}

const NOTIFY_ORDER = 'g$lshzxetd';
function parseNotify(a: string[]): string {
  const v = one(a);
  const set = new Set<string>();
  for (const ch of v) {
    if (ch === 'A') for (const x of NOTIFY_ORDER) set.add(x);
    else if ('g$lshzxeKEtmdn'.includes(ch)) set.add(ch);
    else throw new Error("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  let out = '';
  if ([...NOTIFY_ORDER].every((x) => set.has(x))) out = 'A';
  else for (const x of NOTIFY_ORDER) if (set.has(x)) out += x;
  for (const x of 'KEmn') if (set.has(x)) out += x;
  return out;
}

function parseSave(a: string[]): string {
  const parts = a.flatMap((x) => x.split(' ')).filter((x) => x !== '');
  if (parts.length === 0) return '';
  if (parts.length % 2 !== 0) throw new Error('Invalid save parameters');
  for (const x of parts) if (!/^\d+$/.test(x)) throw new Error('Invalid save parameters');
  return parts.map((x) => String(Number(x))).join(' ');
}

function parseReplicaof(a: string[]): string {
  if (a.length !== 2) throw new Error('wrong number of arguments');
  if (a[0]!.toLowerCase() === 'no' && a[1]!.toLowerCase() === 'one') return '';
  if (!/^\d+$/.test(a[1]!)) throw new Error('Invalid master port');
  return `${a[0]} ${a[1]}`;
}

const CLIENT_CLASSES = ['normal', 'slave', 'pubsub'];
/** Merges `class hard soft seconds ...` into the current client-output-buffer-limit value. */
export function mergeOutputBufferLimits(current: string, args: string[]): string {
  const parts = args.flatMap((x) => x.split(' ')).filter((x) => x !== '');
  if (parts.length % 4 !== 0) throw new Error('Wrong number of arguments in buffer limit configuration.');
  const cur = current.split(' ');
  const table = new Map<string, string[]>();
  for (let j = 0; j < cur.length; j += 4) table.set(cur[j]!, cur.slice(j + 1, j + 4));
  for (let j = 0; j < parts.length; j += 4) {
    let cls = parts[j]!.toLowerCase();
    if (cls === 'replica') cls = 'slave';
    if (!CLIENT_CLASSES.includes(cls)) throw new Error('Invalid client class specified in buffer limit configuration.');
    const hard = parseMemory(parts[j + 1]!);
    const soft = parseMemory(parts[j + 2]!);
    const secs = parts[j + 3]!;
    if (hard === null || soft === null || !/^\d+$/.test(secs)) {
      throw new Error('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    table.set(cls, [String(hard), String(soft), String(Number(secs))]);
  }
  return CLIENT_CLASSES.map((c) => `${c} ${table.get(c)!.join(' ')}`).join(' ');
}

const byName = new Map<string, Directive>();
for (const d of DIRECTIVES) {
  byName.set(d.name, d);
  for (const a of d.aliases ?? []) byName.set(a, d);
}

export function findDirective(name: string): Directive | undefined {
  return byName.get(name.toLowerCase());
}

/** Every name CONFIG GET can report: canonical names and aliases, with their directive. */
export function allConfigNames(): [string, Directive][] {
  return [...byName.entries()].filter(([, d]) => !d.hidden && !d.globHidden);
}

/** Redis memtoull: digits with an optional b/k/kb/m/mb/g/gb unit; null on bad input. */
export function parseMemoryBig(v: string): bigint | null {
  const mm = /^(\d*)(b|k|kb|m|mb|g|gb)?$/i.exec(v);
  if (!mm || v.length === 0) return null;
  const mul: Record<string, bigint> = {
    b: 1n,
    k: 1000n,
    kb: 1024n,
    m: 1000000n,
    mb: 1048576n,
    g: 1000000000n,
    gb: 1073741824n,
  };
  const n = BigInt(mm[1] || '0') * (mul[(mm[2] ?? 'b').toLowerCase()] ?? 1n);
  if (n > ULLONG_MAX) return null;
  return n;
}

/** Parses "1gb", "5mb", "100k" etc. into bytes (Redis memtoull); null on bad input. */
export function parseMemory(v: string): number | null {
  const n = parseMemoryBig(v);
  return n === null ? null : Number(n);
}

const STRICT_INT = /^(0|-?[1-9][0-9]*)$/;

/** Validates a value for a directive; returns the normalised string or throws Error(message). */
export function normalise(d: Directive, args: string[]): string {
  const v = normaliseValue(d, args);
  const refused = d.refuse?.(v);
  if (refused) throw new Error(refused);
  return v;
}

function normaliseValue(d: Directive, args: string[]): string {
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
    case 'int':
    case 'memory': {
      let n: bigint | null = null;
      if (d.type === 'memory') n = parseMemoryBig(v);
      if (
        n === null &&
        d.percent &&
        v.length > 1 &&
        v.endsWith('%') &&
        STRICT_INT.test(v.slice(0, -1)) &&
        !v.startsWith('-')
      ) {
        // Redis stores a percent as a negative number and shows it back as "N%"
        return `${BigInt(v.slice(0, -1))}%`;
      }
      if (n === null && d.type === 'int' && STRICT_INT.test(v) && BigInt.asIntN(64, BigInt(v)) === BigInt(v))
        n = BigInt(v);
      if (n === null) {
        if (d.type === 'memory')
          throw new Error(d.percent ? 'argument must be a memory or percent value' : 'argument must be a memory value');
        throw new Error("argument couldn't be parsed into an integer");
      }
      if (n < d.min! || n > d.max!) throw new Error(`argument must be between ${d.min} and ${d.max} inclusive`);
      // hz: accepted in range, then kept within Redis's CONFIG_MIN_HZ..CONFIG_MAX_HZ
      if (d.clamp && n > 500n) n = 500n;
      if (d.clamp && n < 1n) n = 1n;
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
    // fast path: canonical names (what the code asks for on hot paths)
    const v = this.values.get(name);
    if (v !== undefined) return v;
    const d = findDirective(name);
    if (!d) throw new Error(`unknown config ${name}`);
    return this.values.get(d.name)!;
  }
  /** Numeric value, cached until the directive changes (the dispatcher reads some per command). */
  int(name: string): number {
    let n = this.ints.get(name);
    if (n === undefined) {
      n = Number(this.get(name));
      this.ints.set(name, n);
    }
    return n;
  }
  private readonly ints = new Map<string, number>();
  bool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /** Sets from already-split arguments; throws Error(message) for bad values. */
  set(name: string, args: string[]): void {
    const d = findDirective(name);
    if (!d) throw new Error('Bad directive or wrong number of arguments');
    const v =
      d.name === 'client-output-buffer-limit'
        ? mergeOutputBufferLimits(this.values.get(d.name)!, args)
        : normalise(d, args);
    this.values.set(d.name, v);
    this.ints.clear();
    for (const l of this.listeners) l(d.name, v);
  }

  /** Sets a canonical value directly (internal state changes such as REPLICAOF). */
  setRaw(name: string, value: string): void {
    const d = findDirective(name)!;
    this.values.set(d.name, value);
    this.ints.clear();
  }

  /** Runs the change listeners for a value stored with setRaw (CONFIG SET applies atomically). */
  notify(name: string, value: string): void {
    const d = findDirective(name)!;
    for (const l of this.listeners) l(d.name, value);
  }

  onChange(l: ConfigListener): void {
    this.listeners.push(l);
  }
}

export function configSetError(name: string, msg: string): CommandError {
  return new CommandError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${msg}`);
}
