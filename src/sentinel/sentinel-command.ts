// The SENTINEL command and its subcommands, with Redis 7.0's replies and error texts.
import net from 'node:net';
import { cmd, type CommandSpec, type Handler } from '../server/command.js';
import { CommandError } from '../server/db.js';
import type { Client } from '../server/client.js';
import { parseIntArg } from '../server/commands/util.js';
import { FAILOVER_STATE_NAMES, timing, type Instance, type TimingName } from './instance.js';
import type { Sentinel } from './sentinel.js';
import { voteLeader } from './election.js';
import { selectSlave, startFailover } from './failover.js';
import { applySentinelDirective, isExecutable } from './config.js';
import { globMatch } from './pubsub.js';
import { stringMatch } from '../server/glob.js';
import { resolveHost } from './resolve.js';

const NO_SUCH_MASTER = 'ERR No such master with that name';

/** addReplySentinelRedisInstance: a flat field/value list (a map in RESP3), values as bulk strings. */
export function replyInstance(c: Client, st: Sentinel, ri: Instance): void {
  const now = Date.now();
  const f: [string, string][] = [
    ['name', ri.name],
    ['ip', st.announceAddr(ri)],
    ['port', String(ri.port)],
    ['runid', ri.runid ?? ''],
    ['flags', ri.flagsText()],
    ['link-pending-commands', String(ri.link.pendingCommands)],
    ['link-refcount', '1'],
  ];
  if (ri.failoverInProgress) f.push(['failover-state', FAILOVER_STATE_NAMES[ri.failoverState]!]);
  f.push(['last-ping-sent', String(ri.link.actPingTime ? now - ri.link.actPingTime : 0)]);
  f.push(['last-ok-ping-reply', String(now - ri.link.lastAvailTime)]);
  f.push(['last-ping-reply', String(now - ri.link.lastPongTime)]);
  if (ri.sdown) f.push(['s-down-time', String(now - ri.sdownSince)]);
  if (ri.odown) f.push(['o-down-time', String(now - ri.odownSince)]);
  f.push(['down-after-milliseconds', String(ri.downAfter)]);
  if (ri.kind !== 'sentinel') {
    f.push(['info-refresh', String(now - ri.infoRefresh)]);
    f.push(['role-reported', ri.roleReported]);
    f.push(['role-reported-time', String(now - ri.roleReportedTime)]);
  }
  if (ri.kind === 'master') {
    f.push(
      ['config-epoch', String(ri.configEpoch)],
      ['num-slaves', String(ri.slaves.size)],
      ['num-other-sentinels', String(ri.sentinels.size)],
      ['quorum', String(ri.quorum)],
      ['failover-timeout', String(ri.failoverTimeout)],
      ['parallel-syncs', String(ri.parallelSyncs)],
    );
    if (ri.notificationScript) f.push(['notification-script', ri.notificationScript]);
    if (ri.clientReconfigScript) f.push(['client-reconfig-script', ri.clientReconfigScript]);
  } else if (ri.kind === 'slave') {
    f.push(
      ['master-link-down-time', String(ri.masterLinkDownTime)],
      ['master-link-status', ri.slaveMasterLinkUp ? 'ok' : 'err'],
      ['master-host', ri.slaveMasterHost ?? '?'],
      ['master-port', String(ri.slaveMasterPort)],
      ['slave-priority', String(ri.slavePriority)],
      ['slave-repl-offset', String(ri.slaveReplOffset)],
      ['replica-announced', ri.replicaAnnounced ? '1' : '0'],
    );
  } else {
    f.push(
      ['last-hello-message', String(now - ri.lastHelloTime)],
      ['voted-leader', ri.leader ?? '?'],
      ['voted-leader-epoch', String(ri.leaderEpoch)],
    );
  }
  c.reply.mapHeader(f.length);
  for (const [k, v] of f) {
    c.reply.bulk(k);
    c.reply.bulk(v);
  }
}

/** addReplyDictOfRedisInstances: replicas that say replica-announced no are left out. */
function replyInstances(c: Client, st: Sentinel, list: Iterable<Instance>): void {
  const arr = [...list].filter((ri) => ri.kind !== 'slave' || ri.replicaAnnounced);
  c.reply.arrayHeader(arr.length);
  for (const ri of arr) replyInstance(c, st, ri);
}

function masterOrError(st: Sentinel, name: string): Instance {
  const m = st.masters.get(name);
  if (!m) throw new CommandError(NO_SUCH_MASTER);
  return m;
}

const HELP = [
  'SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CKQUORUM <master-name>',
  '    Check if the current Sentinel configuration is able to reach the quorum',
  '    needed to failover a master and the majority needed to authorize the',
  '    failover.',
  'CONFIG SET <param> <value>',
  '    Set a global Sentinel configuration parameter.',
  'CONFIG GET <param>',
  '    Get global Sentinel configuration parameter.',
  'DEBUG [<param> <value> ...]',
  '    Show a list of configurable time parameters and their values (milliseconds).',
  '    Or update current configurable parameters values (one or more).',
  'GET-MASTER-ADDR-BY-NAME <master-name>',
  '    Return the ip and port number of the master with that name.',
  'FAILOVER <master-name>',
  '    Manually failover a master node without asking for agreement from other',
  '    Sentinels',
  'FLUSHCONFIG',
  '    Force Sentinel to rewrite its configuration on disk, including the current',
  '    Sentinel state.',
  'INFO-CACHE <master-name>',
  '    Return last cached INFO output from masters and all its replicas.',
  'IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>',
  "    Check if the master specified by ip:port is down from current Sentinel's",
  '    point of view.',
  'MASTER <master-name>',
  '    Show the state and info of the specified master.',
  'MASTERS',
  '    Show a list of monitored masters and their state.',
  'MONITOR <name> <ip> <port> <quorum>',
  '    Start monitoring a new master with the specified name, ip, port and quorum.',
  'MYID',
  '    Return the ID of the Sentinel instance.',
  'PENDING-SCRIPTS',
  '    Get pending scripts information.',
  'REMOVE <master-name>',
  "    Remove master from Sentinel's monitor list.",
  'REPLICAS <master-name>',
  '    Show a list of replicas for this master and their state.',
  'RESET <pattern>',
  '    Reset masters for specific master name matching this pattern.',
  'SENTINELS <master-name>',
  '    Show a list of Sentinel instances for this master and their state.',
  'SET <master-name> <option> <value> [<option> <value> ...]',
  '    Set configuration parameters for certain masters.',
  'SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]',
  '    Simulate a Sentinel crash.',
  'HELP',
  '    Prints this help.',
];

const GLOBAL_OPTIONS = [
  'resolve-hostnames',
  'announce-hostnames',
  'announce-ip',
  'announce-port',
  'sentinel-user',
  'sentinel-pass',
];

function globalOption(st: Sentinel, name: string): string {
  switch (name) {
    case 'resolve-hostnames':
      return st.resolveHostnames ? 'yes' : 'no';
    case 'announce-hostnames':
      return st.announceHostnames ? 'yes' : 'no';
    case 'announce-ip':
      return st.announceIp;
    case 'announce-port':
      return String(st.announcePort);
    case 'sentinel-user':
      return st.sentinelUser;
    default:
      return st.sentinelPass;
  }
}

/** SENTINEL DEBUG's parameters, in the order its reply lists them. */
const DEBUG_PARAMS: [string, TimingName][] = [
  ['info-period', 'infoPeriod'],
  ['ping-period', 'pingPeriod'],
  ['ask-period', 'askPeriod'],
  ['publish-period', 'publishPeriod'],
  ['default-down-after', 'defaultDownAfter'],
  ['default-failover-timeout', 'defaultFailoverTimeout'],
  ['tilt-trigger', 'tiltTrigger'],
  ['tilt-period', 'tiltPeriod'],
  ['slave-reconf-timeout', 'slaveReconfTimeout'],
  ['min-link-reconnect-period', 'minLinkReconnectPeriod'],
  ['election-timeout', 'electionTimeout'],
  ['script-max-runtime', 'scriptMaxRuntime'],
  ['script-retry-delay', 'scriptRetryDelay'],
];

/** SENTINEL DEBUG: without arguments the periods (a map); else `<param> <ms>` pairs, applied in order. */
function sentinelDebug(c: Client, a: string[]): void {
  if (a.length === 2) {
    c.reply.mapHeader(DEBUG_PARAMS.length);
    for (const [name, key] of DEBUG_PARAMS) {
      c.reply.bulk(name.toUpperCase());
      c.reply.bulk(String(timing[key]));
    }
    return;
  }
  for (let j = 2; j < a.length; j++) {
    const option = a[j]!;
    const param = DEBUG_PARAMS.find(([n]) => n === option.toLowerCase());
    if (!param || j + 1 >= a.length)
      throw new CommandError(`ERR Unknown option or number of arguments for SENTINEL DEBUG '${option}'`);
    const v = a[++j]!;
    const ms = /^-?\d+$/.test(v) ? Number(v) : NaN;
    if (!(ms > 0)) throw new CommandError(`ERR Invalid argument '${v}' for SENTINEL DEBUG '${option}'`);
    timing[param[1]] = ms;
  }
  c.reply.ok();
}

const FLUSH_FAILED = 'ERR Failed to save config file. Check server logs.';

/** sentinelFlushConfigAndReply */
function flushConfigAndReply(c: Client, st: Sentinel): void {
  if (st.flushConfig()) c.reply.ok();
  else throw new CommandError(FLUSH_FAILED);
}

/** SENTINEL CONFIG SET (sentinelConfigSetCommand). */
function sentinelConfigSet(c: Client, st: Sentinel, option: string, val: string): void {
  const o = option.toLowerCase();
  const badfmt = () => new CommandError(`ERR Invalid value '${val}' to SENTINEL CONFIG SET '${option}'`);
  const yesno = () => {
    const v = val.toLowerCase();
    if (v !== 'yes' && v !== 'no') throw badfmt();
    return v === 'yes';
  };
  let dropConns = false;
  if (o === 'resolve-hostnames') st.resolveHostnames = yesno();
  else if (o === 'announce-hostnames') st.announceHostnames = yesno();
  else if (o === 'announce-ip') st.announceIp = val;
  else if (o === 'announce-port') {
    const p = /^-?\d+$/.test(val) ? Number(val) : NaN;
    if (!(p >= 0 && p <= 65535)) throw badfmt();
    st.announcePort = p;
  } else if (o === 'sentinel-user' || o === 'sentinel-pass') {
    if (o === 'sentinel-user') st.sentinelUser = val;
    else st.sentinelPass = val;
    dropConns = true;
  } else throw new CommandError(`ERR Invalid argument '${option}' to SENTINEL CONFIG SET`);
  flushConfigAndReply(c, st);
  // sentinelDropConnections: every link reconnects with the new credentials
  if (dropConns) {
    for (const m of st.masters.values()) {
      st.dropInstanceConnections(m);
      for (const s of m.sentinels.values()) s.link.close();
    }
  }
}

const SCRIPTS_DENIED =
  'ERR Reconfiguration of scripts path is denied for security reasons. Check the deny-scripts-reconfig configuration directive in your Sentinel configuration';

/** SENTINEL SET <master> <option> <value> ... (sentinelSetCommand): options apply in order; an error keeps the earlier ones. */
function sentinelSet(c: Client, st: Sentinel, m: Instance, a: string[]): void {
  let changes = 0;
  const fail = (msg: string): never => {
    if (changes) st.flushConfig();
    throw new CommandError(msg);
  };
  for (let j = 3; j < a.length; j++) {
    const option = a[j]!;
    const opt = option.toLowerCase();
    const moreargs = a.length - 1 - j;
    const oldJ = j;
    const badfmt = (pos: number) => fail(`ERR Invalid argument '${a[pos]}' for SENTINEL SET '${option}'`);
    const num = (pos: number, min: number): number => {
      const v = a[pos]!;
      const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
      return n >= min ? n : badfmt(pos);
    };
    let redacted = false;
    if (
      moreargs > 0 &&
      (opt === 'down-after-milliseconds' || opt === 'failover-timeout' || opt === 'parallel-syncs' || opt === 'quorum')
    ) {
      const v = num(++j, 1);
      if (opt === 'down-after-milliseconds') applySentinelDirective(st, [opt, m.name, String(v)]);
      else if (opt === 'failover-timeout') m.failoverTimeout = v;
      else if (opt === 'parallel-syncs') m.parallelSyncs = v;
      else m.quorum = v;
    } else if (moreargs > 0 && (opt === 'notification-script' || opt === 'client-reconfig-script')) {
      const v = a[++j]!;
      if (st.denyScriptsReconfig) fail(SCRIPTS_DENIED);
      if (v !== '' && !isExecutable(v)) {
        fail(
          opt === 'notification-script'
            ? 'ERR Notification script seems non existing or non executable'
            : 'ERR Client reconfiguration script seems non existing or non executable',
        );
      }
      if (opt === 'notification-script') m.notificationScript = v || null;
      else m.clientReconfigScript = v || null;
    } else if (moreargs > 0 && (opt === 'auth-pass' || opt === 'auth-user')) {
      const v = a[++j]!;
      if (opt === 'auth-pass') m.authPass = v || null;
      else m.authUser = v || null;
      st.dropInstanceConnections(m);
      redacted = opt === 'auth-pass';
    } else if (moreargs > 1 && opt === 'rename-command') {
      const from = a[++j]!;
      const to = a[++j]!;
      if (from === '' || to === '') badfmt(to !== '' ? j - 1 : j);
      m.renamedCommands.delete(from.toLowerCase());
      // renaming a command to itself needs no entry
      if (from.toLowerCase() !== to.toLowerCase()) m.renamedCommands.set(from.toLowerCase(), [from, to]);
    } else if (moreargs > 0 && opt === 'master-reboot-down-after-period') {
      m.masterRebootDownAfterPeriod = num(++j, 0);
    } else {
      fail(`ERR Unknown option or number of arguments for SENTINEL SET '${option}'`);
    }
    changes++;
    const args = a.slice(oldJ + 1, j + 1);
    st.event('warning', '+set', m, `%@ ${option} ${redacted ? '******' : args.join(' ')}`);
  }
  flushConfigAndReply(c, st);
}

export function sentinelCommand(st: Sentinel): CommandSpec {
  const F = ['admin', 'sentinel', 'only_sentinel'] as const;
  const sub = (name: string, arity: number, h: Handler) => cmd(name, arity, [...F], 0, 0, 0, h);
  const subs: CommandSpec[] = [
    cmd('help', 2, ['loading', 'stale', 'sentinel', 'only_sentinel'], 0, 0, 0, (c) => {
      c.reply.arrayHeader(HELP.length);
      for (const l of HELP) c.reply.simple(l);
    }),
    sub('masters', 2, (c) => replyInstances(c, st, st.masters.values())),
    sub('master', 3, (c, a) => replyInstance(c, st, masterOrError(st, a[2]!))),
    sub('slaves', 3, (c, a) => replyInstances(c, st, masterOrError(st, a[2]!).slaves.values())),
    sub('replicas', 3, (c, a) => replyInstances(c, st, masterOrError(st, a[2]!).slaves.values())),
    sub('sentinels', 3, (c, a) => replyInstances(c, st, masterOrError(st, a[2]!).sentinels.values())),
    sub('myid', 2, (c) => c.reply.bulk(st.myid)),
    sub('get-master-addr-by-name', 3, (c, a) => {
      const m = st.masters.get(a[2]!);
      if (!m) return c.reply.nullArray();
      const [ip, port] = st.currentMasterAddr(m);
      c.reply.arrayHeader(2);
      c.reply.bulk(ip);
      c.reply.bulk(String(port));
    }),
    sub('is-master-down-by-addr', 6, (c, a) => {
      const port = parseIntArg(a[3]!);
      const reqEpoch = parseIntArg(a[4]!);
      const m = st.getMasterByAddr(a[2]!, port);
      const isdown = !st.tilt && m !== undefined && m.sdown;
      let leader: string | null = null;
      let leaderEpoch = 0;
      if (m && a[5] !== '*') {
        const v = voteLeader(st, m, reqEpoch, a[5]!);
        leader = v.leader;
        leaderEpoch = v.epoch;
      }
      c.reply.arrayHeader(3);
      c.reply.int(isdown ? 1 : 0);
      c.reply.bulk(leader ?? '*');
      c.reply.int(leaderEpoch);
    }),
    sub('reset', 3, (c, a) => {
      let n = 0;
      for (const m of [...st.masters.values()]) {
        if (!globMatch(a[2]!, m.name)) continue;
        st.resetMaster(m, false, true);
        n++;
      }
      if (n) st.flushConfig();
      c.reply.int(n);
    }),
    sub('failover', 3, (c, a) => {
      const m = masterOrError(st, a[2]!);
      if (m.failoverInProgress) throw new CommandError('INPROG Failover already in progress');
      if (!selectSlave(m)) throw new CommandError('NOGOODSLAVE No suitable replica to promote');
      st.server.log.warning(`Executing user requested FAILOVER of '${m.name}'`);
      startFailover(st, m);
      m.forceFailover = true;
      c.reply.ok();
    }),
    sub('ckquorum', 3, (c, a) => {
      const m = masterOrError(st, a[2]!);
      const voters = m.sentinels.size + 1;
      let usable = 1;
      for (const s of m.sentinels.values()) if (!s.sdown && !s.odown) usable++;
      const noQuorum = usable < m.quorum;
      const noAuth = usable < Math.floor(voters / 2) + 1;
      if (!noQuorum && !noAuth) {
        c.reply.simple(`OK ${usable} usable Sentinels. Quorum and failover authorization can be reached`);
        return;
      }
      let e = `NOQUORUM ${usable} usable Sentinels. `;
      if (noQuorum) e += 'Not enough available Sentinels to reach the specified quorum for this master';
      if (noAuth)
        e += (noQuorum ? '. ' : '') + 'Not enough available Sentinels to reach the majority and authorize a failover';
      throw new CommandError(e);
    }),
    sub('flushconfig', 2, (c) => flushConfigAndReply(c, st)),
    sub('monitor', 6, (c, a) => {
      const quorum = parseIntArg(a[5]!, 'ERR Invalid quorum');
      if (quorum <= 0) throw new CommandError('ERR Quorum must be 1 or greater.');
      const port = parseIntArg(a[4]!, 'ERR Invalid port');
      if (port <= 0 || port > 65535) throw new CommandError('ERR Invalid port number');
      if (net.isIP(a[3]!) === 0 && (!st.resolveHostnames || resolveHost(a[3]!) === null))
        throw new CommandError('ERR Invalid IP address or hostname specified');
      if (st.masters.has(a[2]!)) throw new CommandError('ERR Duplicate master name.');
      applySentinelDirective(st, ['monitor', a[2]!, a[3]!, String(port), String(quorum)]);
      const m = st.masters.get(a[2]!)!;
      const saved = st.flushConfig();
      st.event('warning', '+monitor', m, `%@ quorum ${m.quorum}`);
      st.reconnectInstance(m);
      if (saved) c.reply.ok();
      else throw new CommandError(FLUSH_FAILED);
    }),
    sub('remove', 3, (c, a) => {
      const m = masterOrError(st, a[2]!);
      st.event('warning', '-monitor', m, '%@');
      st.releaseMaster(m);
      st.masters.delete(m.name);
      flushConfigAndReply(c, st);
    }),
    sub('set', -5, (c, a) => sentinelSet(c, st, masterOrError(st, a[2]!), a)),
    sub('config', -3, (c, a) => {
      const op = a[2]!.toLowerCase();
      if (op === 'get' && a.length === 4) {
        const hits = GLOBAL_OPTIONS.filter((o) => stringMatch(a[3]!, o, true));
        c.reply.mapHeader(hits.length);
        for (const o of hits) {
          c.reply.bulk(o);
          c.reply.bulk(globalOption(st, o));
        }
        return;
      }
      if (op === 'set' && a.length === 5) return sentinelConfigSet(c, st, a[3]!, a[4]!);
      throw new CommandError('ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.');
    }),
    sub('info-cache', -3, (c, a) => {
      const now = Date.now();
      const picked = [...new Set(a.slice(2))].map((n) => st.masters.get(n)).filter((m): m is Instance => !!m);
      c.reply.arrayHeader(picked.length * 2);
      for (const m of picked) {
        c.reply.bulk(m.name);
        const all = [m, ...m.slaves.values()];
        c.reply.arrayHeader(all.length);
        for (const ri of all) {
          c.reply.arrayHeader(2);
          c.reply.int(ri.infoRefresh ? now - ri.infoRefresh : 0);
          if (ri.info) c.reply.verbatim(ri.info);
          else c.reply.nullBulk();
        }
      }
    }),
    sub('pending-scripts', 2, (c) => c.reply.arrayHeader(0)),
    sub('simulate-failure', -3, (c) => c.reply.ok()),
    sub('debug', -2, (c, a) => sentinelDebug(c, a)),
  ];
  return { name: 'sentinel', arity: -2, flags: [...F], firstKey: 0, lastKey: 0, step: 0, subcommands: subs };
}
