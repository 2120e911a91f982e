// INFO replication and ROLE, field for field in Redis 7.0's order.
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import type { MasterSide } from './master.js';
import type { ReplicaSide } from './replica.js';
import type { ReplState } from './state.js';

const PHASE_NAME = {
  wait_bgsave_start: 'wait_bgsave',
  wait_bgsave_end: 'wait_bgsave',
  send_bulk: 'send_bulk',
  online: 'online',
} as const;

function replicaIp(c: Client): string {
  return c.replicaAnnouncedIp || (c.socket?.remoteAddress ?? '').replace(/^::ffff:/, '');
}

/** The body of the "# Replication" section (CRLF-terminated lines, without the header). */
export function replicationInfo(server: Server, state: ReplState, master: MasterSide, replica: ReplicaSide): string {
  const now = Date.now();
  const sec = (ms: number) => Math.floor(now / 1000) - Math.floor(ms / 1000);
  const cfg = server.config;
  let s = '';
  const r = server.replication;
  if (r.masterHost === null) {
    s += 'role:master\r\n';
  } else {
    const m = replica.master;
    const link = replica.linkState;
    let replOff = 1;
    let readOff = 1;
    if (m) {
      replOff = replica.reploff;
      readOff = replica.readReploff;
    } else if (replica.cached) {
      replOff = replica.cached.reploff;
      readOff = replica.cached.reploff;
    }
    s +=
      'role:slave\r\n' +
      `master_host:${r.masterHost}\r\n` +
      `master_port:${r.masterPort}\r\n` +
      `master_link_status:${link === 'connected' ? 'up' : 'down'}\r\n` +
      `master_last_io_seconds_ago:${m ? sec(m.lastInteraction) : -1}\r\n` +
      `master_sync_in_progress:${link === 'transfer' ? 1 : 0}\r\n` +
      `slave_read_repl_offset:${readOff}\r\n` +
      `slave_repl_offset:${replOff}\r\n`;
    if (link === 'transfer') {
      const size = replica.transferSize;
      const read = replica.transferRead;
      const perc = size > 0 ? (read / size) * 100 : 0;
      s +=
        `master_sync_total_bytes:${size}\r\n` +
        `master_sync_read_bytes:${read}\r\n` +
        `master_sync_left_bytes:${size - read}\r\n` +
        `master_sync_perc:${perc.toFixed(2)}\r\n` +
        `master_sync_last_io_seconds_ago:${sec(replica.transferLastIo)}\r\n`;
    }
    if (link !== 'connected') {
      s += `master_link_down_since_seconds:${replica.downSince ? sec(replica.downSince) : -1}\r\n`;
    }
    s +=
      `slave_priority:${cfg.int('replica-priority')}\r\n` +
      `slave_read_only:${cfg.bool('replica-read-only') ? 1 : 0}\r\n` +
      `replica_announced:${cfg.bool('replica-announced') ? 1 : 0}\r\n`;
  }
  s += `connected_slaves:${master.replicas.length}\r\n`;
  if (cfg.int('min-replicas-to-write') > 0 && cfg.int('min-replicas-max-lag') > 0) {
    s += `min_slaves_good_slaves:${server.replication.goodReplicas()}\r\n`;
  }
  let id = 0;
  for (const rep of master.replicas) {
    const lag = rep.phase === 'online' ? sec(rep.ackTime) : 0;
    s += `slave${id++}:ip=${replicaIp(rep.client)},port=${rep.client.replicaListeningPort},state=${PHASE_NAME[rep.phase]},offset=${rep.ackOffset},lag=${lag}\r\n`;
  }
  const b = state.backlog;
  s +=
    'master_failover_state:no-failover\r\n' +
    `master_replid:${state.replid}\r\n` +
    `master_replid2:${state.replid2}\r\n` +
    `master_repl_offset:${state.masterReplOffset}\r\n` +
    `second_repl_offset:${state.secondReplOffset}\r\n` +
    `repl_backlog_active:${b ? 1 : 0}\r\n` +
    `repl_backlog_size:${cfg.int('repl-backlog-size')}\r\n` +
    `repl_backlog_first_byte_offset:${b ? b.offset : 0}\r\n` +
    `repl_backlog_histlen:${b ? pendingHistlen(state) : 0}\r\n`;
  return s;
}

/** histlen including bytes fed this turn but not yet flushed. */
function pendingHistlen(state: ReplState): number {
  state.flush();
  return state.backlog!.histlen;
}

/** ROLE. */
export function writeRole(c: Client, state: ReplState, master: MasterSide, replica: ReplicaSide): void {
  const server = c.server;
  const r = c.reply;
  if (server.replication.masterHost === null) {
    const online = master.replicas.filter((x) => x.phase === 'online');
    r.arrayHeader(3);
    r.bulk('master');
    r.int(state.masterReplOffset);
    r.arrayHeader(online.length);
    for (const x of online) {
      r.arrayHeader(3);
      r.bulk(replicaIp(x.client));
      r.bulk(String(x.client.replicaListeningPort));
      r.bulk(String(x.ackOffset));
    }
    return;
  }
  const st = replica.linkState;
  const name =
    st === 'none'
      ? 'none'
      : st === 'connect'
        ? 'connect'
        : st === 'connecting'
          ? 'connecting'
          : st === 'transfer'
            ? 'sync'
            : st === 'connected'
              ? 'connected'
              : 'handshake';
  r.arrayHeader(5);
  r.bulk('slave');
  r.bulk(server.replication.masterHost);
  r.int(server.replication.masterPort);
  r.bulk(name);
  r.int(replica.master ? replica.reploff : -1);
}
