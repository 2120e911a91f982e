// What a sentinel knows about one monitored master, replica or other sentinel
// (Redis's sentinelRedisInstance), and the flag and timing constants of sentinel.c.
import type { InstanceLink } from './link.js';
import { resolveHost } from './resolve.js';

/**
 * sentinel.c's tunable periods in milliseconds. SENTINEL DEBUG changes them; like Redis's globals
 * they are process-wide (one sentinel per process).
 */
export const timing = {
  infoPeriod: 10_000,
  pingPeriod: 1000,
  askPeriod: 1000,
  publishPeriod: 2000,
  defaultDownAfter: 30_000,
  defaultFailoverTimeout: 180_000,
  tiltTrigger: 2000,
  tiltPeriod: 30_000,
  slaveReconfTimeout: 10_000,
  minLinkReconnectPeriod: 15_000,
  electionTimeout: 10_000,
  scriptMaxRuntime: 60_000,
  scriptRetryDelay: 30_000,
};
export type TimingName = keyof typeof timing;
export const DEFAULT_PARALLEL_SYNCS = 1;
export const MAX_DESYNC = 1000;
export const HELLO_CHANNEL = '__sentinel__:hello';

export type Kind = 'master' | 'slave' | 'sentinel';

export enum FailoverState {
  None = 0,
  WaitStart = 1,
  SelectSlave = 2,
  SendSlaveofNoone = 3,
  WaitPromotion = 4,
  ReconfSlaves = 5,
  UpdateConfig = 6,
}

export const FAILOVER_STATE_NAMES = [
  'none',
  'wait_start',
  'select_slave',
  'send_slaveof_noone',
  'wait_promotion',
  'reconf_slaves',
  'update_config',
];

export class Instance {
  /** master name, "ip:port" for replicas, runid for sentinels */
  name: string;
  runid: string | null = null;
  configEpoch = 0;
  // flags
  sdown = false;
  odown = false;
  /** sentinel flag: it told us the master is down (is-master-down-by-addr) */
  masterDown = false;
  failoverInProgress = false;
  promoted = false;
  reconfSent = false;
  reconfInprog = false;
  reconfDone = false;
  forceFailover = false;
  sdownSince = 0;
  odownSince = 0;
  downAfter: number;
  infoRefresh = 0;
  /** when the last INFO was sent (to not pile them up) */
  infoSentTime = 0;
  /** last INFO text and when it came (SENTINEL INFO-CACHE) */
  info = '';
  roleReported: 'master' | 'slave';
  roleReportedTime = Date.now();
  slaveConfChangeTime = Date.now();
  // sentinel peers
  lastHelloTime = 0;
  lastMasterDownReplyTime = 0;
  /** when an is-master-down-by-addr question went out without an answer yet */
  askPending = 0;
  leader: string | null = null;
  leaderEpoch = 0;
  // replicas (from their INFO)
  masterLinkDownTime = 0;
  slaveMasterHost: string | null = null;
  slaveMasterPort = 0;
  slaveMasterLinkUp = false;
  slavePriority = 100;
  slaveReplOffset = 0;
  replicaAnnounced = true;
  slaveReconfSentTime = 0;
  /** Our improvement: a deposed master we expect back as a stale master (convert it as soon as it answers). */
  staleMasterExpected = false;
  lastPubTime = 0;
  link!: InstanceLink;

  // masters only
  readonly slaves = new Map<string, Instance>();
  readonly sentinels = new Map<string, Instance>();
  quorum = 0;
  parallelSyncs = DEFAULT_PARALLEL_SYNCS;
  failoverTimeout = timing.defaultFailoverTimeout;
  authPass: string | null = null;
  authUser: string | null = null;
  /** sentinel rename-command: lower-case original name -> [original, renamed] */
  readonly renamedCommands = new Map<string, [string, string]>();
  notificationScript: string | null = null;
  clientReconfigScript: string | null = null;
  /** master-reboot-down-after-period: a rebooted master counts as down this long (0 = off) */
  masterRebootDownAfterPeriod = 0;
  /** SRI_MASTER_REBOOT and when it was seen */
  masterReboot = false;
  masterRebootSince = 0;
  failoverState = FailoverState.None;
  failoverStateChangeTime = 0;
  failoverStartTime = 0;
  failoverEpoch = 0;
  failoverDelayLogged = 0;
  promotedSlave: Instance | null = null;
  /** vote given for this master: runid and epoch */
  leaderVote: string | null = null;
  leaderVoteEpoch = 0;

  /** the address connections use: `ip` itself, or what the hostname in `ip` resolves to */
  resolvedIp: string;
  private givenIp: string;

  constructor(
    readonly kind: Kind,
    name: string,
    ip: string,
    public port: number,
    readonly master: Instance | null,
  ) {
    this.givenIp = ip;
    this.resolvedIp = resolveHost(ip) ?? ip;
    this.name = name;
    this.downAfter = master ? master.downAfter : timing.defaultDownAfter;
    this.roleReported = kind === 'slave' ? 'slave' : 'master';
  }

  /** The address as configured or reported: an IP, or a hostname (resolve-hostnames). */
  get ip(): string {
    return this.givenIp;
  }

  set ip(v: string) {
    this.givenIp = v;
    this.resolvedIp = resolveHost(v) ?? v;
  }

  /** sentinelAddrOrHostnameEqual: `host` names this instance's address, as hostname or IP. */
  isAt(host: string, port: number): boolean {
    return port === this.port && (host.toLowerCase() === this.givenIp.toLowerCase() || host === this.resolvedIp);
  }

  get addr(): string {
    return `${this.ip}:${this.port}`;
  }

  /** `%@` of sentinelEvent: "<type> <name> <ip> <port>[ @ <master> <ip> <port>]". */
  describe(): string {
    const base = `${this.kind} ${this.name} ${this.ip} ${this.port}`;
    return this.master ? `${base} @ ${this.master.name} ${this.master.ip} ${this.master.port}` : base;
  }

  flagsText(): string {
    const f: string[] = [];
    if (this.sdown) f.push('s_down');
    if (this.odown) f.push('o_down');
    f.push(this.kind);
    if (this.link.disconnected) f.push('disconnected');
    if (this.masterDown) f.push('master_down');
    if (this.failoverInProgress) f.push('failover_in_progress');
    if (this.promoted) f.push('promoted');
    if (this.reconfSent) f.push('reconf_sent');
    if (this.reconfInprog) f.push('reconf_inprog');
    if (this.reconfDone) f.push('reconf_done');
    if (this.forceFailover) f.push('force_failover');
    return f.join(',');
  }

  /** sentinelRedisInstanceNoDownFor */
  noDownFor(ms: number, now = Date.now()): boolean {
    const recent = Math.max(this.sdownSince, this.odownSince);
    return recent === 0 || now - recent > ms;
  }

  /** Clears everything learnt from the old address (used when a master changes address). */
  clearFailoverFlags(): void {
    this.sdown = this.odown = this.masterDown = this.failoverInProgress = false;
    this.promoted = this.reconfSent = this.reconfInprog = this.reconfDone = this.forceFailover = false;
  }
}

/** runids compare case-insensitively; a missing runid sorts last. */
export function compareRunIds(a: string | null, b: string | null): number {
  if (a === null) return b === null ? 0 : 1;
  if (b === null) return -1;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
