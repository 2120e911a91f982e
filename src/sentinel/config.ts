// sentinel.conf: the `sentinel ...` directives (sentinelHandleConfiguration) and the rewrite
// of the file, fsynced, on every state change (sentinelFlushConfig).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ConfigFileError, type ConfigLine } from '../server/config-file.js';
import type { Config } from '../server/config.js';
import { resolveHost } from './resolve.js';
import { timing, DEFAULT_PARALLEL_SYNCS } from './instance.js';
import type { Sentinel } from './sentinel.js';

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function posInt(s: string | undefined): number | null {
  if (s === undefined || !/^-?\d+$/.test(s)) return null;
  return Number(s);
}

/** Applies one `sentinel ...` line; returns an error text (Redis's) or null. */
export function applySentinelDirective(st: Sentinel, a: string[]): string | null {
  const sub = (a[0] ?? '').toLowerCase();
  const n = a.length;
  const master = (name: string) => st.masters.get(name);
  const NOMASTER = 'No such master with specified name.';
  if (sub === 'monitor' && n === 5) {
    const quorum = posInt(a[4]) ?? 0;
    if (quorum <= 0) return 'Quorum must be 1 or greater.';
    const port = posInt(a[3]);
    if (port === null || port < 0 || port > 65535) return 'Invalid port number';
    if (net.isIP(a[2]!) === 0 && (!st.resolveHostnames || resolveHost(a[2]!) === null))
      return "Can't resolve instance hostname.";
    if (st.masters.has(a[1]!)) return 'Duplicate master name.';
    const m = st.createInstance('master', a[1]!, a[2]!, port, null);
    m.quorum = quorum;
    st.masters.set(m.name, m);
    return null;
  }
  if (
    (sub === 'down-after-milliseconds' ||
      sub === 'failover-timeout' ||
      sub === 'parallel-syncs' ||
      sub === 'master-reboot-down-after-period') &&
    n === 3
  ) {
    const m = master(a[1]!);
    if (!m) return NOMASTER;
    const v = posInt(a[2]);
    if (sub === 'parallel-syncs') {
      m.parallelSyncs = v ?? 0;
      return null;
    }
    if (sub === 'master-reboot-down-after-period') {
      if (v === null || v < 0) return 'negative time parameter.';
      m.masterRebootDownAfterPeriod = v;
      return null;
    }
    if (v === null || v <= 0) return 'negative or zero time parameter.';
    if (sub === 'down-after-milliseconds') {
      m.downAfter = v;
      for (const s of [...m.slaves.values(), ...m.sentinels.values()]) s.downAfter = v;
    } else m.failoverTimeout = v;
    return null;
  }
  if ((sub === 'notification-script' || sub === 'client-reconfig-script') && n === 3) {
    const m = master(a[1]!);
    if (!m) return NOMASTER;
    if (!isExecutable(a[2]!)) {
      return sub === 'notification-script'
        ? 'Notification script seems non existing or non executable.'
        : 'Client reconfiguration script seems non existing or non executable.';
    }
    if (sub === 'notification-script') m.notificationScript = a[2]!;
    else m.clientReconfigScript = a[2]!;
    return null;
  }
  if (sub === 'auth-pass' && n === 3) {
    const m = master(a[1]!);
    if (!m) return NOMASTER;
    m.authPass = a[2]!;
    return null;
  }
  if (sub === 'auth-user' && n === 3) {
    const m = master(a[1]!);
    if (!m) return NOMASTER;
    m.authUser = a[2]!;
    return null;
  }
  if (sub === 'current-epoch' && n === 2) {
    const v = posInt(a[1]) ?? 0;
    if (v > st.currentEpoch) st.currentEpoch = v;
    return null;
  }
  if (sub === 'myid' && n === 2) {
    if (a[1]!.length !== 40) return 'Malformed Sentinel id in myid option.';
    st.myid = a[1]!.toLowerCase();
    return null;
  }
  if ((sub === 'config-epoch' || sub === 'leader-epoch') && n === 3) {
    const m = master(a[1]!);
    if (!m) return NOMASTER;
    const v = posInt(a[2]) ?? 0;
    if (sub === 'config-epoch') {
      m.configEpoch = v;
      if (v > st.currentEpoch) st.currentEpoch = v;
    } else {
      m.leaderVoteEpoch = v;
    }
    return null;
  }
  if ((sub === 'known-slave' || sub === 'known-replica') && n === 4) {
    const m = master(a[1]!);
    if (!m) return NOMASTER;
    const port = posInt(a[3]);
    if (port === null || port <= 0 || port > 65535) return 'Wrong hostname or port for replica.';
    if (!m.slaves.has(`${a[2]}:${port}`)) st.createInstance('slave', `${a[2]}:${port}`, a[2]!, port, m);
    return null;
  }
  if (sub === 'known-sentinel' && (n === 4 || n === 5)) {
    const m = master(a[1]!);
    if (!m) return NOMASTER;
    const port = posInt(a[3]);
    if (port === null || port < 0 || port > 65535) return 'Wrong hostname or port for sentinel.';
    const runid = n === 5 ? a[4]! : `${a[2]}:${port}`;
    if (n === 5 && runid.toLowerCase() === st.myid) return null;
    const s = st.createInstance('sentinel', runid, a[2]!, port, m);
    if (n === 5) s.runid = runid;
    return null;
  }
  if (sub === 'rename-command' && n === 4) {
    const m = master(a[1]!);
    if (!m) return NOMASTER;
    if (m.renamedCommands.has(a[2]!.toLowerCase())) return 'Same command renamed multiple times with rename-command.';
    m.renamedCommands.set(a[2]!.toLowerCase(), [a[2]!, a[3]!]);
    return null;
  }
  if (sub === 'announce-ip' && n === 2) {
    st.announceIp = a[1]!;
    return null;
  }
  if (sub === 'announce-port' && n === 2) {
    st.announcePort = posInt(a[1]) ?? 0;
    return null;
  }
  if ((sub === 'deny-scripts-reconfig' || sub === 'resolve-hostnames' || sub === 'announce-hostnames') && n === 2) {
    const v = a[1]!.toLowerCase();
    if (v !== 'yes' && v !== 'no') return 'Please specify yes or no for the ' + sub + ' option.';
    if (sub === 'deny-scripts-reconfig') st.denyScriptsReconfig = v === 'yes';
    else if (sub === 'resolve-hostnames') st.resolveHostnames = v === 'yes';
    else st.announceHostnames = v === 'yes';
    return null;
  }
  if (sub === 'sentinel-user' && n === 2) {
    st.sentinelUser = a[1]!;
    return null;
  }
  if (sub === 'sentinel-pass' && n === 2) {
    st.sentinelPass = a[1]!;
    return null;
  }
  return 'Unrecognized sentinel configuration statement.';
}

/** Directives Redis applies before the `monitor` lines (preMonitorCfgName in sentinel.c). */
const PRE_MONITOR = new Set([
  'announce-ip',
  'announce-port',
  'deny-scripts-reconfig',
  'sentinel-user',
  'sentinel-pass',
  'current-epoch',
  'myid',
  'resolve-hostnames',
  'announce-hostnames',
]);

/** Rules of `user default ...` that keep the default user's full access (what CONFIG REWRITE writes). */
const FULL_ACCESS_RULES = new Set([
  'on',
  '~*',
  '&*',
  '+@all',
  'allkeys',
  'allchannels',
  'allcommands',
  'sanitize-payload',
  'skip-sanitize-payload',
  'resetchannels',
]);

/**
 * `user default ...` as Redis's CONFIG REWRITE writes it: the default user with full access, its
 * password (`>pw` / `nopass` / `resetpass`) becoming requirepass. Other users need ACL, which
 * tsredis-sentinel does not have: they are refused rather than silently dropped.
 */
function applyDefaultUserLine(cfg: Config, args: string[]): void {
  if (args.length < 2 || args[1] !== 'default')
    throw new Error(
      `Error in user declaration '${args[1] ?? ''}': tsredis-sentinel has no ACL users (only 'user default' lines are read)`,
    );
  for (const rule of args.slice(2)) {
    if (rule.startsWith('>')) cfg.setRaw('requirepass', rule.slice(1));
    else if (rule === 'nopass' || rule === 'resetpass') cfg.setRaw('requirepass', '');
    else if (!FULL_ACCESS_RULES.has(rule.toLowerCase()))
      throw new Error(
        `Error in user declaration 'default': rule '${rule}' needs ACL, which tsredis-sentinel does not have`,
      );
  }
}

/**
 * The `special` callback for applyConfigLines: queues `sentinel ...` lines (queueSentinelConfig);
 * `sentinel` alone only selects sentinel mode. Apply the queue with loadSentinelQueue.
 */
export function sentinelLineHandler(queue: ConfigLine[], cfg: Config): (l: ConfigLine) => boolean {
  return (l) => {
    if (l.args[0]!.toLowerCase() === 'user') {
      applyDefaultUserLine(cfg, l.args);
      return true;
    }
    if (l.args[0]!.toLowerCase() !== 'sentinel') return false;
    if (l.args.length > 1) queue.push(l);
    return true;
  };
}

/**
 * loadSentinelConfigFromQueue: pre-monitor directives, then `monitor` lines, then the rest, each
 * group in file order, so a file may set a master's options before its `monitor` line. The first
 * error stops the load with Redis's fatal-error block naming that line.
 */
export function loadSentinelQueue(st: Sentinel, queue: ConfigLine[]): void {
  const group = (l: ConfigLine) => {
    const sub = l.args[1]!.toLowerCase();
    return sub === 'monitor' ? 1 : PRE_MONITOR.has(sub) ? 0 : 2;
  };
  for (const g of [0, 1, 2]) {
    for (const l of queue) {
      if (group(l) !== g) continue;
      const err = applySentinelDirective(st, l.args.slice(1));
      if (err) throw new ConfigFileError(l.file, l.line, l.text, err);
    }
  }
}

function q(s: string): string {
  return /^[\x21-\x7e]+$/.test(s) && !/["'\\]/.test(s) ? s : JSON.stringify(s);
}

/** The `sentinel ...` lines describing the current state, in Redis's order. */
export function sentinelConfigLines(st: Sentinel): string[] {
  const out: string[] = [`sentinel myid ${st.myid}`];
  if (!st.denyScriptsReconfig) out.push('sentinel deny-scripts-reconfig no');
  if (st.resolveHostnames) out.push('sentinel resolve-hostnames yes');
  if (st.announceHostnames) out.push('sentinel announce-hostnames yes');
  for (const m of st.masters.values()) {
    const [mip, mport] = st.currentMasterAddr(m);
    out.push(`sentinel monitor ${m.name} ${mip} ${mport} ${m.quorum}`);
    if (m.downAfter !== timing.defaultDownAfter) out.push(`sentinel down-after-milliseconds ${m.name} ${m.downAfter}`);
    if (m.failoverTimeout !== timing.defaultFailoverTimeout)
      out.push(`sentinel failover-timeout ${m.name} ${m.failoverTimeout}`);
    if (m.parallelSyncs !== DEFAULT_PARALLEL_SYNCS) out.push(`sentinel parallel-syncs ${m.name} ${m.parallelSyncs}`);
    if (m.notificationScript !== null) out.push(`sentinel notification-script ${m.name} ${m.notificationScript}`);
    if (m.clientReconfigScript !== null)
      out.push(`sentinel client-reconfig-script ${m.name} ${m.clientReconfigScript}`);
    if (m.authPass !== null) out.push(`sentinel auth-pass ${m.name} ${q(m.authPass)}`);
    if (m.authUser !== null) out.push(`sentinel auth-user ${m.name} ${q(m.authUser)}`);
    if (m.masterRebootDownAfterPeriod !== 0)
      out.push(`sentinel master-reboot-down-after-period ${m.name} ${m.masterRebootDownAfterPeriod}`);
    out.push(`sentinel config-epoch ${m.name} ${m.configEpoch}`);
    out.push(`sentinel leader-epoch ${m.name} ${m.leaderVoteEpoch}`);
    // the promoted replica is the master now: the old master's address is listed as a replica instead
    const current = st.currentMasterInstance(m);
    for (const s of m.slaves.values()) {
      const at = s === current ? m : s;
      out.push(`sentinel known-replica ${m.name} ${st.announceAddr(at)} ${at.port}`);
    }
    for (const s of m.sentinels.values()) {
      if (s.runid === null) continue;
      out.push(`sentinel known-sentinel ${m.name} ${st.announceAddr(s)} ${s.port} ${s.runid}`);
    }
    for (const [from, to] of m.renamedCommands.values()) out.push(`sentinel rename-command ${m.name} ${from} ${to}`);
  }
  out.push(`sentinel current-epoch ${st.currentEpoch}`);
  if (st.announceIp) out.push(`sentinel announce-ip ${q(st.announceIp)}`);
  if (st.announcePort) out.push(`sentinel announce-port ${st.announcePort}`);
  if (st.sentinelUser) out.push(`sentinel sentinel-user ${q(st.sentinelUser)}`);
  if (st.sentinelPass) out.push(`sentinel sentinel-pass ${q(st.sentinelPass)}`);
  return out;
}

const MARKER = '# Generated by CONFIG REWRITE';

/**
 * Rewrites the config file as Redis's CONFIG REWRITE does: each `sentinel <option>` line of the
 * file is replaced in place by the next generated line with the same option (lines no longer
 * wanted disappear), the rest is appended after "# Generated by CONFIG REWRITE"; other lines are
 * kept. Then fsynced.
 */
export function rewriteSentinelConfig(st: Sentinel, file: string): void {
  let old = '';
  try {
    old = fs.readFileSync(file, 'latin1');
  } catch {
    /* a missing file is recreated */
  }
  const key = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ').toLowerCase();
  const pending = new Map<string, string[]>();
  for (const l of sentinelConfigLines(st)) {
    const k = key(l);
    if (!pending.has(k)) pending.set(k, []);
    pending.get(k)!.push(l);
  }
  const out: string[] = [];
  let sawMarker = false;
  for (const line of old.split('\n')) {
    const t = line.trim();
    if (t === MARKER) sawMarker = true;
    if (!/^sentinel\s/i.test(t)) {
      out.push(line);
      continue;
    }
    const next = pending.get(key(t))?.shift();
    if (next !== undefined) out.push(next);
  }
  while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
  const rest = [...pending.values()].flat();
  if (rest.length > 0) {
    if (!sawMarker) out.push('', MARKER);
    out.push(...rest);
  }
  const text = out.join('\n') + '\n';
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, text, null, 'latin1');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    /* directory fsync is best effort */
  }
}
