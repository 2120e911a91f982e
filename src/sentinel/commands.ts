// The sentinel-mode command set (15 commands, as real Sentinel 7.0): acl, auth, client, command,
// hello, info, ping, psubscribe, publish, punsubscribe, role, sentinel, shutdown, subscribe,
// unsubscribe. AUTH / HELLO / PING come from the server's connection family.
import os from 'node:os';
import { cmd, type CommandSpec, type ResolvedCommand } from '../server/command.js';
import { CommandError } from '../server/db.js';
import type { Client } from '../server/client.js';
import { connectionCommands } from '../server/commands/connection.js';
import { REDIS_VERSION, type Server } from '../server/server.js';
import type { Sentinel } from './sentinel.js';
import { sentinelCommand } from './sentinel-command.js';
import type { PubSub } from './pubsub.js';

function infoServer(st: Sentinel): string {
  const s = st.server;
  const up = Math.floor((Date.now() - s.startTime) / 1000);
  return [
    '# Server', `redis_version:${REDIS_VERSION}`, 'redis_git_sha1:00000000', 'redis_git_dirty:0', 'redis_build_id:0',
    'redis_mode:sentinel', `os:${os.type()} ${os.release()} ${os.arch()}`, 'arch_bits:64', 'monotonic_clock:POSIX clock_gettime',
    'multiplexing_api:epoll', 'atomicvar_api:c11-builtin', 'gcc_version:0.0.0', `process_id:${process.pid}`,
    'process_supervised:no', `run_id:${s.runId}`, `tcp_port:${s.listeningPort}`, `server_time_usec:${Date.now() * 1000}`,
    `uptime_in_seconds:${up}`, `uptime_in_days:${Math.floor(up / 86400)}`, 'hz:10', 'configured_hz:10',
    `lru_clock:${Math.floor(Date.now() / 1000) & 0xffffff}`, `executable:${process.argv[1] ?? ''}`,
    `config_file:${s.config.file ?? ''}`, 'io_threads_active:0',
  ].join('\r\n');
}

function infoClients(st: Sentinel): string {
  return ['# Clients', `connected_clients:${st.server.clients.size}`, 'cluster_connections:0', `maxclients:${st.server.config.int('maxclients')}`,
    'client_recent_max_input_buffer:0', 'client_recent_max_output_buffer:0', 'blocked_clients:0', 'tracking_clients:0',
    'clients_in_timeout_table:0'].join('\r\n');
}

function infoStats(st: Sentinel, ps: PubSub): string {
  const x = st.server.stats;
  let errs = 0;
  for (const n of x.errors.values()) errs += n;
  return ['# Stats', `total_connections_received:${x.totalConnections}`, `total_commands_processed:${x.totalCommands}`,
    'instantaneous_ops_per_sec:0', `total_net_input_bytes:${x.netInputBytes}`, `total_net_output_bytes:${x.netOutputBytes}`,
    `rejected_connections:${x.rejectedConnections}`, `pubsub_channels:${[...ps.channels.values()].filter((s) => s.size > 0).length}`,
    `pubsub_patterns:${[...ps.patterns.values()].filter((s) => s.size > 0).length}`, `total_error_replies:${errs}`].join('\r\n');
}

function infoCpu(): string {
  const u = process.cpuUsage();
  return ['# CPU', `used_cpu_sys:${(u.system / 1e6).toFixed(6)}`, `used_cpu_user:${(u.user / 1e6).toFixed(6)}`,
    'used_cpu_sys_children:0.000000', 'used_cpu_user_children:0.000000'].join('\r\n');
}

export function infoSentinel(st: Sentinel): string {
  const lines = ['# Sentinel', `sentinel_masters:${st.masters.size}`, `sentinel_tilt:${st.tilt ? 1 : 0}`,
    `sentinel_tilt_since_seconds:${st.tilt ? Math.floor((Date.now() - st.tiltStartTime) / 1000) : -1}`,
    'sentinel_running_scripts:0', 'sentinel_scripts_queue_length:0', 'sentinel_simulate_failure_flags:0'];
  let i = 0;
  for (const m of st.masters.values()) {
    const status = m.odown ? 'odown' : m.sdown ? 'sdown' : 'ok';
    const [ip, port] = st.currentMasterAddr(m);
    lines.push(`master${i++}:name=${m.name},status=${status},address=${ip}:${port},slaves=${m.slaves.size},sentinels=${m.sentinels.size + 1}`);
  }
  return lines.join('\r\n');
}

function clientCommand(server: Server): CommandSpec {
  const F = ['admin', 'noscript', 'loading', 'stale', 'sentinel'] as const;
  const sub = (name: string, arity: number, h: (c: Client, a: string[]) => void) => cmd(name, arity, [...F], 0, 0, 0, h);
  return {
    name: 'client', arity: -2, flags: ['sentinel'], firstKey: 0, lastKey: 0, step: 0,
    subcommands: [
      sub('id', 2, (c) => c.reply.int(c.id)),
      sub('getname', 2, (c) => (c.name ? c.reply.bulk(c.name) : c.reply.nullBulk())),
      sub('setname', 3, (c, a) => {
        if (/[^\x21-\x7e]/.test(a[2]!)) throw new CommandError('ERR Client names cannot contain spaces, newlines or special characters.');
        c.name = a[2]!;
        c.reply.ok();
      }),
      sub('setinfo', 4, (c, a) => {
        const attr = a[2]!.toLowerCase();
        if (attr === 'lib-name') c.libName = a[3]!;
        else if (attr === 'lib-ver') c.libVer = a[3]!;
        else throw new CommandError(`ERR Unrecognized option '${a[2]}'`);
        c.reply.ok();
      }),
      sub('info', 2, (c) => c.reply.verbatim(c.describe() + '\n')),
      sub('list', -2, (c) => c.reply.verbatim([...server.clients.values()].map((x) => x.describe() + '\n').join(''))),
      sub('kill', -3, (c, a) => {
        if (a.length === 3) {
          const victim = [...server.clients.values()].find((x) => x.addr === a[2]);
          if (!victim) throw new CommandError('ERR No such client');
          victim.closeAfterReply = true;
          victim.flushSoon();
          c.reply.ok();
          return;
        }
        if (a.length % 2 !== 0) throw new CommandError('ERR syntax error');
        let killed = 0;
        const filters: [string, string][] = [];
        let skipme = true;
        for (let i = 2; i < a.length; i += 2) {
          const k = a[i]!.toLowerCase();
          if (k === 'skipme') skipme = a[i + 1]!.toLowerCase() === 'yes';
          else if (['id', 'type', 'addr', 'laddr', 'user'].includes(k)) filters.push([k, a[i + 1]!]);
          else throw new CommandError('ERR syntax error');
        }
        for (const x of [...server.clients.values()]) {
          if (skipme && x === c) continue;
          const ok = filters.every(([k, v]) =>
            k === 'id' ? String(x.id) === v : k === 'type' ? x.kind === v.toLowerCase() || (v === 'slave' && x.kind === 'replica') : k === 'addr' ? x.addr === v : k === 'laddr' ? x.laddr === v : x.user === v);
          if (!ok) continue;
          killed++;
          x.closeAfterReply = true;
          x.flushSoon();
        }
        c.reply.int(killed);
      }),
    ],
  };
}

function commandInfo(c: Client, k: ResolvedCommand): void {
  c.reply.arrayHeader(10);
  c.reply.bulk(k.fullname);
  c.reply.int(k.arity);
  c.reply.setHeader(k.flags.length);
  for (const f of k.flags) c.reply.simple(f);
  c.reply.int(k.firstKey);
  c.reply.int(k.lastKey);
  c.reply.int(k.step);
  c.reply.setHeader(0);
  c.reply.setHeader(0);
  c.reply.arrayHeader(0);
  const subs = k.subIndex ? [...k.subIndex.values()] : [];
  c.reply.arrayHeader(subs.length);
  for (const s of subs) commandInfo(c, s);
}

export function sentinelCommands(st: Sentinel, ps: PubSub): CommandSpec[] {
  const server = st.server;
  const fromConnection = connectionCommands.filter((c) => ['ping', 'auth', 'hello'].includes(c.name));
  return [
    ...fromConnection,
    ...ps.commands(st),
    sentinelCommand(st),
    clientCommand(server),
    cmd('info', -1, ['sentinel', 'loading', 'stale'], 0, 0, 0, (c, a) => {
      const all: [string, () => string][] = [
        ['server', () => infoServer(st)], ['clients', () => infoClients(st)], ['stats', () => infoStats(st, ps)],
        ['cpu', () => infoCpu()], ['sentinel', () => infoSentinel(st)],
      ];
      const want = a.slice(1).map((x) => x.toLowerCase());
      const pick = want.length === 0 || want.includes('all') || want.includes('everything') || want.includes('default')
        ? all : all.filter(([n]) => want.includes(n));
      c.reply.verbatim(pick.map(([, f]) => f()).join('\r\n\r\n') + (pick.length ? '\r\n' : ''));
    }),
    cmd('role', 1, ['noscript', 'loading', 'stale', 'fast', 'sentinel'], 0, 0, 0, (c) => {
      c.reply.arrayHeader(2);
      c.reply.bulk('sentinel');
      c.reply.arrayHeader(st.masters.size);
      for (const m of st.masters.values()) c.reply.bulk(m.name);
    }),
    cmd('shutdown', -1, ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'sentinel', 'allow_busy'], 0, 0, 0, (c) => {
      server.log.warning('User requested shutdown...');
      st.flushConfig();
      st.stop();
      server.log.warning('Sentinel is now ready to exit, bye bye...');
      void server.shutdown().then(() => process.exit(0));
      c.closeAfterReply = true;
    }),
    {
      name: 'command', arity: -1, flags: ['loading', 'stale', 'sentinel'], firstKey: 0, lastKey: 0, step: 0,
      handler: (c) => {
        const all = [...server.commands.commands.values()];
        c.reply.arrayHeader(all.length);
        for (const k of all) commandInfo(c, k);
      },
      subcommands: [
        cmd('count', 2, ['loading', 'stale', 'sentinel'], 0, 0, 0, (c) => c.reply.int(server.commands.commands.size)),
        cmd('docs', -2, ['loading', 'stale', 'sentinel'], 0, 0, 0, (c) => c.reply.mapHeader(0)),
        cmd('list', -2, ['loading', 'stale', 'sentinel'], 0, 0, 0, (c) => c.reply.bulkArray([...server.commands.commands.keys()])),
        cmd('info', -2, ['loading', 'stale', 'sentinel'], 0, 0, 0, (c, a) => {
          const names = a.length > 2 ? a.slice(2) : [...server.commands.commands.keys()];
          c.reply.arrayHeader(names.length);
          for (const n of names) {
            const k = server.commands.get(n);
            if (k) commandInfo(c, k);
            else c.reply.nullArray();
          }
        }),
      ],
    },
    {
      name: 'acl', arity: -2, flags: ['sentinel'], firstKey: 0, lastKey: 0, step: 0,
      subcommands: [
        cmd('whoami', 2, ['noscript', 'loading', 'stale', 'sentinel'], 0, 0, 0, (c) => c.reply.bulk(c.user)),
        cmd('users', 2, ['admin', 'noscript', 'loading', 'stale', 'sentinel'], 0, 0, 0, (c) => c.reply.bulkArray(['default'])),
        cmd('list', 2, ['admin', 'noscript', 'loading', 'stale', 'sentinel'], 0, 0, 0, (c) => {
          const pass = server.config.get('requirepass');
          c.reply.bulkArray([`user default on ${pass ? '#<hidden>' : 'nopass'} ~* &* +@all`]);
        }),
        cmd('cat', -2, ['noscript', 'loading', 'stale', 'sentinel'], 0, 0, 0, (c) => c.reply.arrayHeader(0)),
      ],
    },
  ];
}
