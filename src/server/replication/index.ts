// The replication subsystem of one server: identity/stream state, the master side (our
// replicas) and the replica side (our master link). installReplication() hooks it into the
// server (propagation sink, INFO section, cron, startup replicaof, config changes).
import type { Server } from '../server.js';
import { getPersistence } from '../persistence/index.js';
import { loadRdbCodec } from './rdb-bridge.js';
import { MasterSide } from './master.js';
import { ReplicaSide } from './replica.js';
import { ReplState } from './state.js';
import { replicationInfo } from './info.js';

export class Replication {
  readonly state: ReplState;
  readonly master: MasterSide;
  readonly replica: ReplicaSide;

  constructor(readonly server: Server) {
    this.state = new ReplState(() => server.config.int('repl-backlog-size'));
    this.master = new MasterSide(server, this.state);
    this.replica = new ReplicaSide(server, this.state, this.master);
  }
}

const byServer = new WeakMap<Server, Replication>();

/** The replication subsystem of `server` (throws when it was not installed). */
export function replicationOf(server: Server): Replication {
  const r = byServer.get(server);
  if (!r) throw new Error('replication is not installed');
  return r;
}

export async function installReplication(server: Server): Promise<Replication> {
  await loadRdbCodec();
  const repl = new Replication(server);
  byServer.set(server, repl);
  server.infoSections.set('replication', () => replicationInfo(server, repl.state, repl.master, repl.replica));

  let lastSecond = 0;
  server.cronJobs.push(() => {
    repl.master.tick();
    const now = Date.now();
    if (now - lastSecond < 1000) return;
    lastSecond = now;
    repl.replica.cron();
    repl.master.cron();
  });

  server.config.onChange((name, value) => {
    if (name === 'repl-backlog-size') {
      repl.state.flush();
      repl.state.backlog?.resize(Number(value));
    } else if (name === 'min-replicas-to-write' || name === 'min-replicas-max-lag') {
      repl.master.refreshGoodReplicas();
    }
  });

  // `replicaof host port` in the config: a replica from the start (data loading at start
  // keeps expired keys, clients see role:slave); connect once we listen (we announce our port)
  const initial = server.config.get('replicaof');
  if (initial) {
    const [host, port] = initial.split(' ');
    server.replication.masterHost = host!;
    server.replication.masterPort = Number(port);
    server.log.role = 'S';
    repl.replica.linkState = 'connect';
    server.startHooks.push(() => {
      // a replica restarted from an RDB that recorded its replication position can PSYNC
      const loaded = getPersistence(server)?.rdb.loadedAtStart;
      if (loaded?.replId && loaded.replId.length === 40 && loaded.replOffset !== undefined && loaded.replOffset >= 0) {
        repl.state.replid = loaded.replId;
        repl.state.masterReplOffset = loaded.replOffset;
        repl.replica.cacheMasterUsingMyself(loaded.replStreamDb ?? 0);
      }
      // Redis connects from its first replicationCron run, right after start
      setImmediate(() => {
        if (repl.replica.linkState === 'connect' && server.replication.masterHost === host) repl.replica.cron();
      });
    });
  }
  // what an RDB written now records (rdbPopulateSaveInfo)
  server.replicationSaveInfo = () => {
    const r = server.replication;
    if (r.masterHost === null) {
      if (!repl.state.backlog) return {};
      const db = repl.master.selectedDb;
      return { replId: repl.state.replid, replOffset: repl.state.masterReplOffset, replStreamDb: db < 0 ? 0 : db };
    }
    const m = repl.replica.master;
    if (m) return { replId: repl.state.replid, replOffset: repl.replica.reploff, replStreamDb: m.db.id };
    const cached = repl.replica.cached;
    if (cached) return { replId: cached.replid, replOffset: cached.reploff, replStreamDb: cached.db };
    return {};
  };
  server.shutdownHooks.push(() => {
    repl.state.flush();
  });
  return repl;
}
