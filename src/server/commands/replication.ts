// Replication commands: REPLICAOF/SLAVEOF, REPLCONF, PSYNC/SYNC, WAIT, ROLE.
// The machinery lives in src/server/replication/.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { replicationOf } from '../replication/index.js';
import { writeRole } from '../replication/info.js';
import { isStrictInt, ERR_NOT_INT, ERR_SYNTAX } from './util.js';

function replicaof(c: Client, argv: string[]): void {
  const server = c.server;
  const repl = replicationOf(server);
  const host = argv[1]!;
  if (host.toLowerCase() === 'no' && argv[2]!.toLowerCase() === 'one') {
    if (server.replication.masterHost !== null) {
      repl.replica.unsetMaster();
      server.config.setRaw('replicaof', '');
      server.log.notice(`MASTER MODE enabled (user request from '${c.describe()}')`);
    }
    c.reply.ok();
    return;
  }
  if (c.isReplica) throw new CommandError('ERR Command is not valid when client is a replica.');
  const portStr = argv[2]!;
  if (!isStrictInt(portStr) || Number(portStr) < 0 || Number(portStr) > 65535)
    throw new CommandError('ERR Invalid master port');
  const port = Number(portStr);
  const r = server.replication;
  if (r.masterHost !== null && r.masterHost.toLowerCase() === host.toLowerCase() && r.masterPort === port) {
    server.log.notice(
      'REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.',
    );
    c.reply.simple('OK Already connected to specified master');
    return;
  }
  repl.replica.setMaster(host, port);
  server.config.setRaw('replicaof', `${host} ${port}`);
  server.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${c.describe()}')`);
  c.reply.ok();
}

function replconf(c: Client, argv: string[]): void {
  if (argv.length % 2 === 0) throw new CommandError(ERR_SYNTAX);
  const repl = replicationOf(c.server);
  for (let j = 1; j < argv.length; j += 2) {
    const opt = argv[j]!.toLowerCase();
    const val = argv[j + 1]!;
    if (opt === 'listening-port') {
      if (!isStrictInt(val)) throw new CommandError(ERR_NOT_INT);
      c.replicaListeningPort = Number(val);
    } else if (opt === 'ip-address') {
      if (val.length >= 256)
        throw new CommandError(`ERR REPLCONF ip-address provided by replica instance is too long: ${val.length} bytes`);
      c.replicaAnnouncedIp = val;
    } else if (opt === 'capa') {
      const h = repl.master.handshake(c);
      if (val.toLowerCase() === 'eof') h.capaEof = true;
      else if (val.toLowerCase() === 'psync2') h.capaPsync2 = true;
    } else if (opt === 'ack') {
      // an internal command: never replied to
      if (!c.isReplica || !isStrictInt(val)) return;
      repl.master.ack(c, Number(val));
      return;
    } else if (opt === 'getack') {
      if (c.server.replication.masterHost !== null && repl.replica.master) repl.replica.sendAck();
      return;
    } else if (opt === 'rdb-only') {
      if (val !== '0' && val !== '1') throw new CommandError(ERR_NOT_INT);
    } else {
      throw new CommandError(`ERR Unrecognized REPLCONF option: ${argv[j]}`);
    }
  }
  c.reply.ok();
}

function sync(c: Client, argv: string[]): void {
  if (c.isReplica) return;
  const server = c.server;
  const repl = replicationOf(server);
  if (server.replication.masterHost !== null && repl.replica.linkState !== 'connected') {
    throw new CommandError("NOMASTERLINK Can't SYNC while not connected with my master");
  }
  repl.master.sync(c, argv);
}

function wait(c: Client, argv: string[]): void | Promise<void> {
  const server = c.server;
  if (server.replication.masterHost !== null) {
    throw new CommandError(
      'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
    );
  }
  // Redis parses the timeout first
  if (!isStrictInt(argv[2]!)) throw new CommandError('ERR timeout is not an integer or out of range');
  const timeout = Number(argv[2]);
  if (timeout < 0) throw new CommandError('ERR timeout is negative');
  if (!isStrictInt(argv[1]!)) throw new CommandError(ERR_NOT_INT);
  const need = Number(argv[1]);
  const master = replicationOf(server).master;
  const offset = master.clientWriteOffset(c);
  const acked = master.countAcks(offset);
  const inTx = c.inMulti || (c as { inExec?: boolean }).inExec === true;
  if (acked >= need || inTx) {
    c.reply.int(acked);
    return;
  }
  return master.waitForAcks(c, offset, need, timeout).then((n) => {
    c.reply.int(n);
  });
}

function role(c: Client): void {
  const repl = replicationOf(c.server);
  writeRole(c, repl.state, repl.master, repl.replica);
}

export const replicationCommands: CommandSpec[] = [
  cmd('replicaof', 3, ['admin', 'noscript', 'stale'], 0, 0, 0, replicaof, {
    acl: ['admin', 'slow', 'dangerous'],
    group: 'server',
    since: '5.0.0',
  }),
  cmd('slaveof', 3, ['admin', 'noscript', 'stale'], 0, 0, 0, replicaof, {
    acl: ['admin', 'slow', 'dangerous'],
    group: 'server',
    since: '1.0.0',
  }),
  cmd('replconf', -1, ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], 0, 0, 0, replconf, {
    acl: ['admin', 'slow', 'dangerous'],
    group: 'server',
    since: '3.0.0',
  }),
  cmd('psync', -3, ['admin', 'noscript', 'no_multi'], 0, 0, 0, sync, {
    acl: ['admin', 'slow', 'dangerous'],
    group: 'server',
    since: '2.8.0',
  }),
  cmd('sync', 1, ['admin', 'noscript', 'no_multi'], 0, 0, 0, sync, {
    acl: ['admin', 'slow', 'dangerous'],
    group: 'server',
    since: '1.0.0',
  }),
  cmd('wait', 3, ['noscript'], 0, 0, 0, wait, { acl: ['slow', 'connection'], group: 'generic', since: '3.0.0' }),
  cmd('role', 1, ['noscript', 'loading', 'stale', 'fast', 'sentinel'], 0, 0, 0, role, {
    acl: ['admin', 'fast', 'dangerous'],
    group: 'server',
    since: '2.8.12',
  }),
];
