// INFO [section ...]: Redis 7.0.15's sections, field order and CRLF layout. Other families
// add sections through server.infoSections (name -> body: "field:value\r\n" lines; a leading
// "# Title" line is optional) — replication and persistence do, with defaults here otherwise.
import os from 'node:os';
import path from 'node:path';
import { cmd, type CommandSpec } from '../command.js';
import type { Client } from '../client.js';
import { REDIS_VERSION, type Server } from '../server.js';
import { pubsubState } from './pubsub.js';
import { loadingProgressRows, loadingStateRows } from '../persistence/rdb-loading.js';

const DEFAULT_SECTIONS = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'errorstats',
  'cluster',
  'keyspace',
];
const ALL_SECTIONS = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'commandstats',
  'errorstats',
  'latencystats',
  'cluster',
  'keyspace',
];
const TITLES: Record<string, string> = {
  server: 'Server',
  clients: 'Clients',
  memory: 'Memory',
  persistence: 'Persistence',
  stats: 'Stats',
  replication: 'Replication',
  cpu: 'CPU',
  modules: 'Modules',
  commandstats: 'Commandstats',
  errorstats: 'Errorstats',
  latencystats: 'Latencystats',
  cluster: 'Cluster',
  keyspace: 'Keyspace',
};

/** Instantaneous metrics: samples taken every 100 ms, averaged over the last 16 (like Redis). */
interface Sampler {
  lastAt: number;
  lastOps: number;
  lastIn: number;
  lastOut: number;
  ops: number[];
  inKbps: number[];
  outKbps: number[];
}
const samplers = new WeakMap<Server, Sampler>();
/** Peak of used_memory seen (used_memory_peak). */
const peaks = new WeakMap<Server, number>();

export function installInfo(server: Server): void {
  const st: Sampler = { lastAt: Date.now(), lastOps: 0, lastIn: 0, lastOut: 0, ops: [], inKbps: [], outKbps: [] };
  samplers.set(server, st);
  server.cronJobs.push(() => {
    const now = Date.now();
    const dt = now - st.lastAt;
    if (dt < 100) return;
    const push = (arr: number[], v: number) => {
      arr.push(v);
      if (arr.length > 16) arr.shift();
    };
    const s = server.stats;
    push(st.ops, ((s.totalCommands - st.lastOps) * 1000) / dt);
    push(st.inKbps, (s.netInputBytes - st.lastIn) / dt / 1.024);
    push(st.outKbps, (s.netOutputBytes - st.lastOut) / dt / 1.024);
    st.lastAt = now;
    st.lastOps = s.totalCommands;
    st.lastIn = s.netInputBytes;
    st.lastOut = s.netOutputBytes;
    const used = process.memoryUsage().heapUsed;
    if (used > (peaks.get(server) ?? 0)) peaks.set(server, used);
  });
}

const avg = (a: number[]): number => (a.length === 0 ? 0 : a.reduce((x, y) => x + y, 0) / a.length);

/** Redis bytesToHuman: B, K, M, G ... with two decimals. */
export function bytesToHuman(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let v = n;
  let u = 0;
  if (n < 1024) return `${n}B`;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(2)}${units[u]}`;
}

const lines = (fields: [string, string | number][]): string => fields.map(([k, v]) => `${k}:${v}\r\n`).join('');

function serverSection(server: Server): string {
  const now = Date.now();
  const uptime = Math.floor((now - server.startTime) / 1000);
  const hz = server.config.int('hz');
  return lines([
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', 'tsredis0000000000'.slice(0, 15)],
    ['redis_mode', server.sentinelMode ? 'sentinel' : 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', 64],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', 'epoll'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', server.runId],
    ['tcp_port', server.listeningPort],
    ['server_time_usec', now * 1000],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', hz],
    ['configured_hz', hz],
    ['lru_clock', Math.floor(now / 1000) & 0xffffff],
    ['executable', path.resolve(process.argv[1] ?? process.execPath)],
    ['config_file', server.config.file ?? ''],
    ['io_threads_active', 0],
  ]);
}

function blockedCount(server: Server): number {
  let n = 0;
  for (const c of server.clients.values()) if ((c as unknown as { blocked: unknown }).blocked) n++;
  return n;
}

function clientsSection(server: Server): string {
  let replicas = 0;
  for (const c of server.clients.values()) if (c.isReplica) replicas++;
  return lines([
    ['connected_clients', server.clients.size - replicas],
    ['cluster_connections', 0],
    ['maxclients', server.config.int('maxclients')],
    ['client_recent_max_input_buffer', 20480],
    ['client_recent_max_output_buffer', 0],
    ['blocked_clients', blockedCount(server)],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', 0],
  ]);
}

function memorySection(server: Server): string {
  const mu = process.memoryUsage();
  const used = mu.heapUsed;
  const peak = Math.max(peaks.get(server) ?? 0, used);
  peaks.set(server, peak);
  const startup = Math.min(used, 876352);
  const overhead = Math.min(used, startup + server.clients.size * 20000);
  const dataset = Math.max(0, used - overhead);
  const maxmemory = Number(server.config.get('maxmemory'));
  const pct = (a: number, b: number) => (b === 0 ? '0.00' : ((a * 100) / b).toFixed(2));
  return lines([
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', mu.rss],
    ['used_memory_rss_human', bytesToHuman(mu.rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', `${pct(used, peak)}%`],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', startup],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', `${pct(dataset, used - startup)}%`],
    ['allocator_allocated', mu.heapUsed],
    ['allocator_active', mu.heapTotal],
    ['allocator_resident', mu.rss],
    ['total_system_memory', os.totalmem()],
    ['total_system_memory_human', bytesToHuman(os.totalmem())],
    ['used_memory_lua', 32768],
    ['used_memory_vm_eval', 32768],
    ['used_memory_lua_human', '32.00K'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 32768],
    ['used_memory_vm_total', 65536],
    ['used_memory_vm_total_human', '64.00K'],
    ['used_memory_functions', 184],
    ['used_memory_scripts', 184],
    ['used_memory_scripts_human', '184B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', server.config.get('maxmemory-policy')],
    ['allocator_frag_ratio', (mu.heapTotal / Math.max(1, mu.heapUsed)).toFixed(2)],
    ['allocator_frag_bytes', mu.heapTotal - mu.heapUsed],
    ['allocator_rss_ratio', (mu.rss / Math.max(1, mu.heapTotal)).toFixed(2)],
    ['allocator_rss_bytes', mu.rss - mu.heapTotal],
    ['rss_overhead_ratio', '1.00'],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', (mu.rss / Math.max(1, used)).toFixed(2)],
    ['mem_fragmentation_bytes', mu.rss - used],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', 0],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', 'libc'],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
  ]);
}

/** Used when no persistence module registered its section. */
function defaultPersistence(server: Server): string {
  return lines([
    ...loadingStateRows(server),
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', '0.00'],
    ['current_save_keys_processed', 0],
    ['current_save_keys_total', 0],
    ['rdb_changes_since_last_save', server.dirty],
    ['rdb_bgsave_in_progress', 0],
    ['rdb_last_save_time', Math.floor(server.startTime / 1000)],
    ['rdb_last_bgsave_status', 'ok'],
    ['rdb_last_bgsave_time_sec', -1],
    ['rdb_current_bgsave_time_sec', -1],
    ['rdb_saves', 0],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', 0],
    ['rdb_last_load_keys_loaded', 0],
    ['aof_enabled', server.config.bool('appendonly') ? 1 : 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0],
    ['aof_rewrites_consecutive_failures', 0],
    ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
    ...loadingProgressRows(server),
  ]);
}

/** Counters other families keep (sync_full etc.) can be supplied through this hook. */
export const extraStats = new WeakMap<Server, () => Record<string, number | string>>();

function statsSection(server: Server): string {
  const s = server.stats;
  const smp = samplers.get(server);
  const ps = pubsubState(server);
  let errors = 0;
  for (const n of s.errors.values()) errors += n;
  const extra = extraStats.get(server)?.() ?? {};
  const x = (k: string, d: number | string = 0): number | string => extra[k] ?? d;
  return lines([
    ['total_connections_received', s.totalConnections],
    ['total_commands_processed', s.totalCommands],
    ['instantaneous_ops_per_sec', Math.round(avg(smp?.ops ?? []))],
    ['total_net_input_bytes', s.netInputBytes],
    ['total_net_output_bytes', s.netOutputBytes],
    ['total_net_repl_input_bytes', x('total_net_repl_input_bytes')],
    ['total_net_repl_output_bytes', x('total_net_repl_output_bytes')],
    ['instantaneous_input_kbps', avg(smp?.inKbps ?? []).toFixed(2)],
    ['instantaneous_output_kbps', avg(smp?.outKbps ?? []).toFixed(2)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', s.rejectedConnections],
    ['sync_full', x('sync_full')],
    ['sync_partial_ok', x('sync_partial_ok')],
    ['sync_partial_err', x('sync_partial_err')],
    ['expired_keys', s.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', 0],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', s.keyspaceHits],
    ['keyspace_misses', s.keyspaceMisses],
    ['pubsub_channels', ps.channels.size],
    ['pubsub_patterns', ps.patterns.size],
    ['pubsubshard_channels', ps.shard.size],
    ['latest_fork_usec', x('latest_fork_usec')],
    ['total_forks', x('total_forks')],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', 0],
    ['tracking_total_items', 0],
    ['tracking_total_prefixes', 0],
    ['unexpected_error_replies', 0],
    ['total_error_replies', errors],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', s.totalCommands],
    ['total_writes_processed', s.totalCommands],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ]);
}

function defaultReplication(server: Server): string {
  return lines([
    ['role', server.isReplica() ? 'slave' : 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', server.runId],
    ['master_replid2', '0'.repeat(40)],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', server.config.int('repl-backlog-size')],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ]);
}

function cpuSection(): string {
  const u = process.cpuUsage();
  const f = (us: number) => (us / 1e6).toFixed(6);
  return lines([
    ['used_cpu_sys', f(u.system)],
    ['used_cpu_user', f(u.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', f(u.system)],
    ['used_cpu_user_main_thread', f(u.user)],
  ]);
}

function commandStats(server: Server): string {
  let out = '';
  const names = [...server.stats.commands.keys()].sort();
  for (const n of names) {
    const st = server.stats.commands.get(n)!;
    if (st.calls === 0 && st.rejected === 0 && st.failed === 0) continue;
    const usec = Math.round(st.usec);
    out += `cmdstat_${n}:calls=${st.calls},usec=${usec},usec_per_call=${(st.calls ? usec / st.calls : 0).toFixed(2)},rejected_calls=${st.rejected},failed_calls=${st.failed}\r\n`;
  }
  return out;
}

function latencyStats(server: Server): string {
  let out = '';
  const names = [...server.stats.commands.keys()].sort();
  for (const n of names) {
    const st = server.stats.commands.get(n)!;
    if (st.calls === 0) continue;
    // no per-call histogram is kept: the mean stands in for every percentile
    const p = (st.usec / st.calls).toFixed(3);
    out += `latency_percentiles_usec_${n}:p50=${p},p99=${p},p99.9=${p}\r\n`;
  }
  return out;
}

function errorStats(server: Server): string {
  let out = '';
  for (const code of [...server.stats.errors.keys()].sort())
    out += `errorstat_${code}:count=${server.stats.errors.get(code)}\r\n`;
  return out;
}

function keyspaceSection(server: Server): string {
  let out = '';
  const now = Date.now();
  for (const db of server.dbs) {
    if (db.size === 0) continue;
    let sum = 0;
    let n = 0;
    for (const when of db.expires.values()) {
      if (when > now) {
        sum += when - now;
        n++;
      }
      if (n >= 1000) break; // an estimate, as Redis's is
    }
    out += `db${db.id}:keys=${db.size},expires=${db.expires.size},avg_ttl=${n ? Math.round(sum / n) : 0}\r\n`;
  }
  return out;
}

function section(server: Server, name: string): string | null {
  const provided = server.infoSections.get(name);
  let body: string;
  if (provided) {
    body = provided();
    if (body.startsWith('# ')) return body;
  } else {
    switch (name) {
      case 'server':
        body = serverSection(server);
        break;
      case 'clients':
        body = clientsSection(server);
        break;
      case 'memory':
        body = memorySection(server);
        break;
      case 'persistence':
        body = defaultPersistence(server);
        break;
      case 'stats':
        body = statsSection(server);
        break;
      case 'replication':
        body = defaultReplication(server);
        break;
      case 'cpu':
        body = cpuSection();
        break;
      case 'modules':
        body = '';
        break;
      case 'commandstats':
        body = commandStats(server);
        break;
      case 'errorstats':
        body = errorStats(server);
        break;
      case 'latencystats':
        body = latencyStats(server);
        break;
      case 'cluster':
        body = 'cluster_enabled:0\r\n';
        break;
      case 'keyspace':
        body = keyspaceSection(server);
        break;
      default:
        return null;
    }
  }
  const title = TITLES[name] ?? name.charAt(0).toUpperCase() + name.slice(1);
  return `# ${title}\r\n${body}`;
}

/** The INFO text for the requested section names (what the INFO command replies). */
export function infoString(server: Server, requested: string[]): string {
  const want: string[] = [];
  const add = (n: string) => {
    if (!want.includes(n)) want.push(n);
  };
  if (requested.length === 0) DEFAULT_SECTIONS.forEach(add);
  for (const r of requested.map((x) => x.toLowerCase())) {
    if (r === 'default') DEFAULT_SECTIONS.forEach(add);
    else if (r === 'all' || r === 'everything') ALL_SECTIONS.forEach(add);
    else add(r);
  }
  // always in Redis's section order, whatever order they were asked in
  const order = [...ALL_SECTIONS, ...server.infoSections.keys()];
  want.sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia === -1 ? 1e9 : ia) - (ib === -1 ? 1e9 : ib);
  });
  const parts: string[] = [];
  for (const n of want) {
    const s = section(server, n);
    if (s !== null) parts.push(s);
  }
  return parts.join('\r\n');
}

export const infoCommands: CommandSpec[] = [
  cmd('info', -1, ['loading', 'stale', 'sentinel'], 0, 0, 0, (c: Client, argv: string[]) => {
    c.reply.verbatim(infoString(c.server, argv.slice(1)));
  }),
];
