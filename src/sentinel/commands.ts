// The sentinel-mode command set (15 commands and 57 subcommands, as real Sentinel 7.0): acl, auth,
// client, command, hello, info, ping, psubscribe, publish, punsubscribe, role, sentinel, shutdown,
// subscribe, unsubscribe. AUTH / HELLO / PING come from the server's connection family, COMMAND
// from the server's (it reads the sentinel's own table).
import os from 'node:os';
import { cmd, type CommandSpec } from '../server/command.js';
import { connectionCommands } from '../server/commands/connection.js';
import { commandCommands } from '../server/commands/command-cmd.js';
import { sentinelAclCommand, sentinelClientCommand } from './client-cmd.js';
import { REDIS_VERSION } from '../server/server.js';
import type { Sentinel } from './sentinel.js';
import { sentinelCommand } from './sentinel-command.js';
import type { PubSub } from './pubsub.js';

function infoServer(st: Sentinel): string {
  const s = st.server;
  const up = Math.floor((Date.now() - s.startTime) / 1000);
  return [
    '# Server',
    `redis_version:${REDIS_VERSION}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    'redis_build_id:0',
    'redis_mode:sentinel',
    `os:${os.type()} ${os.release()} ${os.arch()}`,
    'arch_bits:64',
    'monotonic_clock:POSIX clock_gettime',
    'multiplexing_api:epoll',
    'atomicvar_api:c11-builtin',
    'gcc_version:0.0.0',
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${s.runId}`,
    `tcp_port:${s.listeningPort}`,
    `server_time_usec:${Date.now() * 1000}`,
    `uptime_in_seconds:${up}`,
    `uptime_in_days:${Math.floor(up / 86400)}`,
    'hz:10',
    'configured_hz:10',
    `lru_clock:${Math.floor(Date.now() / 1000) & 0xffffff}`,
    `executable:${process.argv[1] ?? ''}`,
    `config_file:${s.config.file ?? ''}`,
    'io_threads_active:0',
  ].join('\r\n');
}

function infoClients(st: Sentinel): string {
  return [
    '# Clients',
    `connected_clients:${st.server.clients.size}`,
    'cluster_connections:0',
    `maxclients:${st.server.config.int('maxclients')}`,
    'client_recent_max_input_buffer:0',
    'client_recent_max_output_buffer:0',
    'blocked_clients:0',
    'tracking_clients:0',
    'clients_in_timeout_table:0',
  ].join('\r\n');
}

function infoStats(st: Sentinel, ps: PubSub): string {
  const x = st.server.stats;
  let errs = 0;
  for (const n of x.errors.values()) errs += n;
  return [
    '# Stats',
    `total_connections_received:${x.totalConnections}`,
    `total_commands_processed:${x.totalCommands}`,
    'instantaneous_ops_per_sec:0',
    `total_net_input_bytes:${x.netInputBytes}`,
    `total_net_output_bytes:${x.netOutputBytes}`,
    `rejected_connections:${x.rejectedConnections}`,
    `pubsub_channels:${[...ps.channels.values()].filter((s) => s.size > 0).length}`,
    `pubsub_patterns:${[...ps.patterns.values()].filter((s) => s.size > 0).length}`,
    `total_error_replies:${errs}`,
  ].join('\r\n');
}

function infoCpu(): string {
  const u = process.cpuUsage();
  return [
    '# CPU',
    `used_cpu_sys:${(u.system / 1e6).toFixed(6)}`,
    `used_cpu_user:${(u.user / 1e6).toFixed(6)}`,
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
  ].join('\r\n');
}

export function infoSentinel(st: Sentinel): string {
  const lines = [
    '# Sentinel',
    `sentinel_masters:${st.masters.size}`,
    `sentinel_tilt:${st.tilt ? 1 : 0}`,
    `sentinel_tilt_since_seconds:${st.tilt ? Math.floor((Date.now() - st.tiltStartTime) / 1000) : -1}`,
    'sentinel_running_scripts:0',
    'sentinel_scripts_queue_length:0',
    'sentinel_simulate_failure_flags:0',
  ];
  let i = 0;
  for (const m of st.masters.values()) {
    const status = m.odown ? 'odown' : m.sdown ? 'sdown' : 'ok';
    const [ip, port] = st.currentMasterAddr(m);
    lines.push(
      `master${i++}:name=${m.name},status=${status},address=${ip}:${port},slaves=${m.slaves.size},sentinels=${m.sentinels.size + 1}`,
    );
  }
  return lines.join('\r\n');
}

export function sentinelCommands(st: Sentinel, ps: PubSub): CommandSpec[] {
  const server = st.server;
  const fromConnection = connectionCommands.filter((c) => ['ping', 'auth', 'hello'].includes(c.name));
  return [
    ...fromConnection,
    ...ps.commands(st),
    sentinelCommand(st),
    sentinelClientCommand(),
    cmd('info', -1, ['sentinel', 'loading', 'stale'], 0, 0, 0, (c, a) => {
      const all: [string, () => string][] = [
        ['server', () => infoServer(st)],
        ['clients', () => infoClients(st)],
        ['stats', () => infoStats(st, ps)],
        ['cpu', () => infoCpu()],
        ['sentinel', () => infoSentinel(st)],
      ];
      const want = a.slice(1).map((x) => x.toLowerCase());
      const pick =
        want.length === 0 || want.includes('all') || want.includes('everything') || want.includes('default')
          ? all
          : all.filter(([n]) => want.includes(n));
      c.reply.verbatim(pick.map(([, f]) => f()).join('\r\n\r\n') + (pick.length ? '\r\n' : ''));
    }),
    cmd('role', 1, ['noscript', 'loading', 'stale', 'fast', 'sentinel'], 0, 0, 0, (c) => {
      c.reply.arrayHeader(2);
      c.reply.bulk('sentinel');
      c.reply.arrayHeader(st.masters.size);
      for (const m of st.masters.values()) c.reply.bulk(m.name);
    }),
    cmd(
      'shutdown',
      -1,
      ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'sentinel', 'allow_busy'],
      0,
      0,
      0,
      (c) => {
        server.log.warning('User requested shutdown...');
        st.flushConfig();
        st.stop();
        server.log.warning('Sentinel is now ready to exit, bye bye...');
        void server.shutdown().then(() => process.exit(0));
        c.closeAfterReply = true;
      },
    ),
    ...commandCommands,
    sentinelAclCommand(),
  ];
}
