// The sentinel's state and main loop (Redis's sentinelTimer): links, periodic INFO / PING /
// hello, events (logged and published on a channel named after them), TILT.
import crypto from 'node:crypto';
import { RespError, type RespValue } from '../resp/reply-parser.js';
import type { Server } from '../server/server.js';
import type { LogLevel } from '../server/log.js';
import { timing, FailoverState, HELLO_CHANNEL, Instance, type Kind } from './instance.js';
import { InstanceLink, type LinkOptions } from './link.js';
import { refreshFromInfo } from './info.js';
import { checkObjectivelyDown, checkSubjectivelyDown, askMasterStateToOtherSentinels } from './detection.js';
import { failoverStateMachine, startFailoverIfNeeded, switchToPromotedSlave } from './failover.js';
import { processHello } from './hello.js';

export class Sentinel {
  myid = crypto.randomBytes(20).toString('hex');
  currentEpoch = 0;
  readonly masters = new Map<string, Instance>();
  tilt = false;
  tiltStartTime = 0;
  private previousTime = Date.now();
  announceIp = '';
  announcePort = 0;
  resolveHostnames = false;
  announceHostnames = false;
  sentinelUser = '';
  sentinelPass = '';
  denyScriptsReconfig = true;
  /** source address for outgoing links */
  sourceAddr: string | undefined;
  /** Called whenever the state the config file holds changed; false when the file could not be written. */
  flushConfig: () => boolean = () => true;
  /** Delivers an event message to subscribers of `channel` (set by the pub/sub commands). */
  publish: (channel: string, message: string) => void = () => {};
  private timer: NodeJS.Timeout | null = null;
  stopped = false;

  constructor(readonly server: Server) {}

  get id8(): string {
    return this.myid.slice(0, 8);
  }

  // ---- events
  /** sentinelEvent: `fmt` starting with %@ gets the instance description. */
  event(level: LogLevel, type: string, ri: Instance | null, fmt: string): void {
    let msg = fmt;
    if (fmt.startsWith('%@') && ri) msg = ri.describe() + fmt.slice(2);
    this.server.log.log(level, `${type} ${msg}`);
    if (level !== 'debug') this.publish(type, msg);
  }

  // ---- instances
  createInstance(kind: Kind, name: string, ip: string, port: number, master: Instance | null): Instance {
    const ri = new Instance(kind, name, ip, port, master);
    ri.link = new InstanceLink();
    ri.link.mapCommand = (cmd) => (ri.master ?? ri).renamedCommands.get(cmd.toLowerCase())?.[1] ?? cmd;
    if (master) {
      ri.downAfter = master.downAfter;
      if (kind === 'slave') master.slaves.set(ri.addr, ri);
      else master.sentinels.set(name, ri);
    }
    return ri;
  }

  linkOptions(ri: Instance): LinkOptions {
    let auth: string[] | null = null;
    if (ri.kind === 'sentinel') {
      if (this.sentinelPass) auth = this.sentinelUser ? [this.sentinelUser, this.sentinelPass] : [this.sentinelPass];
    } else {
      const m = ri.master ?? ri;
      if (m.authPass) auth = m.authUser ? [m.authUser, m.authPass] : [m.authPass];
    }
    return {
      host: ri.resolvedIp,
      port: ri.port,
      localAddress: this.sourceAddr,
      auth,
      clientName: `sentinel-${this.id8}-cmd`,
      pubsubName: ri.kind === 'sentinel' ? null : `sentinel-${this.id8}-pubsub`,
      onHello: (payload) => {
        if (payload.includes(this.myid)) return;
        processHello(this, payload);
      },
      onCommandLinkUp: () => {
        // a fresh link: learn the role at once instead of waiting for the INFO period
        if (ri.kind !== 'sentinel') this.sendInfo(ri);
      },
      onPingReply: (r) => this.onPingReply(ri, r),
    };
  }

  /** Our improvement: the first valid reply of a node that was down gets an INFO at once. */
  private onPingReply(ri: Instance, r: RespValue): void {
    if (ri.kind === 'sentinel') return;
    if (ri.masterReboot && typeof r === 'string' && r.startsWith('PONG')) ri.masterReboot = false;
    const ok = !(r instanceof RespError) || /^(LOADING|MASTERDOWN)/.test(r.message);
    if (ok && (ri.sdown || ri.staleMasterExpected) && Date.now() - ri.infoRefresh > 100) this.sendInfo(ri);
  }

  sendInfo(ri: Instance): void {
    void ri.link.send('INFO').then((r) => {
      if (typeof r !== 'string') return;
      ri.info = r;
      refreshFromInfo(this, ri, r);
    });
  }

  // ---- main loop
  start(): void {
    const hz = 10 + Math.floor(Math.random() * 10);
    const tick = () => {
      if (this.stopped) return;
      try {
        this.timerTick();
      } catch (e) {
        this.server.log.warning(`sentinel timer failed: ${(e as Error).stack}`);
      }
      this.timer = setTimeout(tick, Math.floor(1000 / hz / 2));
    };
    this.timer = setTimeout(tick, 10);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const m of this.masters.values()) this.releaseMaster(m);
  }

  releaseMaster(m: Instance): void {
    m.link.close();
    for (const s of m.slaves.values()) s.link.close();
    for (const s of m.sentinels.values()) s.link.close();
  }

  timerTick(): void {
    this.checkTiltCondition();
    for (const m of [...this.masters.values()]) {
      if (!this.masters.has(m.name)) continue;
      this.handleInstance(m);
      for (const s of [...m.slaves.values()]) this.handleInstance(s);
      for (const s of [...m.sentinels.values()]) this.handleInstance(s);
      if (m.failoverState === FailoverState.UpdateConfig) switchToPromotedSlave(this, m);
    }
  }

  private checkTiltCondition(): void {
    const now = Date.now();
    const delta = now - this.previousTime;
    if (delta < 0 || delta > timing.tiltTrigger) {
      this.tilt = true;
      this.tiltStartTime = now;
      this.event('warning', '+tilt', null, '#tilt mode entered');
    }
    this.previousTime = now;
  }

  private handleInstance(ri: Instance): void {
    this.reconnectInstance(ri);
    this.sendPeriodicCommands(ri);
    if (this.tilt) {
      if (Date.now() - this.tiltStartTime < timing.tiltPeriod) return;
      this.tilt = false;
      this.event('warning', '-tilt', null, '#tilt mode exited');
    }
    checkSubjectivelyDown(this, ri);
    if (ri.kind === 'master') {
      checkObjectivelyDown(this, ri);
      if (startFailoverIfNeeded(this, ri)) askMasterStateToOtherSentinels(this, ri, true);
      failoverStateMachine(this, ri);
      askMasterStateToOtherSentinels(this, ri, false);
    }
  }

  /** Runs the master's ODOWN check and failover steps now (on answers, without waiting for a tick). */
  stepFailover(m: Instance): void {
    if (this.tilt || this.stopped) return;
    checkObjectivelyDown(this, m);
    if (startFailoverIfNeeded(this, m)) askMasterStateToOtherSentinels(this, m, true);
    failoverStateMachine(this, m);
  }

  reconnectInstance(ri: Instance): void {
    // a deposed master we wait for is retried often so that it is caught as soon as it is back
    const interval = ri.staleMasterExpected ? 200 : timing.pingPeriod;
    ri.link.reconnect(this.linkOptions(ri), ri.kind !== 'sentinel', interval);
  }

  /** PING period: Redis uses min(down-after, 1 s); we probe 4x as often to notice sooner. */
  pingPeriod(ri: Instance): number {
    return Math.min(ri.downAfter, timing.pingPeriod) / 4;
  }

  private sendPeriodicCommands(ri: Instance): void {
    const link = ri.link;
    const now = Date.now();
    if (link.disconnected || !link.cc) return;
    // a link that connected but never answers (e.g. a stopped process) is recreated
    if (
      now - link.ccConnTime > timing.minLinkReconnectPeriod &&
      link.actPingTime !== 0 &&
      now - link.actPingTime > ri.downAfter / 2 &&
      now - link.lastPongTime > ri.downAfter / 2
    ) {
      link.close();
      return;
    }
    if (
      link.pc &&
      now - link.pcConnTime > timing.minLinkReconnectPeriod &&
      now - link.pcLastActivity > timing.publishPeriod * 3
    ) {
      link.closePubsub();
      return;
    }
    if (link.pendingCommands >= 100) return;
    let infoPeriod = timing.infoPeriod;
    const m = ri.master;
    if (ri.kind === 'slave' && m && (m.odown || m.sdown || m.failoverInProgress || ri.masterLinkDownTime !== 0))
      infoPeriod = 1000;
    // replicas that are not (yet) healthy followers are watched closely, so that they become
    // eligible for promotion as soon as they are
    if (
      ri.kind === 'slave' &&
      (ri.staleMasterExpected || ri.sdown || !ri.slaveMasterLinkUp || ri.roleReported !== 'slave')
    )
      infoPeriod = 1000;
    if (m && m.failoverState === FailoverState.WaitPromotion && ri.promoted) infoPeriod = 100;
    if (ri.reconfSent || ri.reconfInprog) infoPeriod = 200;
    if (
      ri.kind !== 'sentinel' &&
      (ri.infoRefresh === 0 || now - ri.infoRefresh > infoPeriod) &&
      now - ri.infoSentTime > Math.min(infoPeriod, 1000)
    ) {
      ri.infoSentTime = now;
      this.sendInfo(ri);
    }
    const pp = this.pingPeriod(ri);
    if (now - link.lastPongTime > pp && now - link.lastPingTime > pp / 2) link.ping(() => {});
    if (now - ri.lastPubTime > timing.publishPeriod) this.sendHello(ri);
  }

  /** The hello: `<ip>,<port>,<myid>,<epoch>,<master>,<mip>,<mport>,<config_epoch>` via PUBLISH. */
  sendHello(ri: Instance): void {
    const link = ri.link;
    if (link.disconnected || !link.cc) return;
    const m = ri.master ?? ri;
    const ip = this.announceIp || link.cc.socket.localAddress || '127.0.0.1';
    const port = this.announcePort || this.server.listeningPort;
    const [mip, mport] = this.currentMasterAddr(m);
    const payload = `${ip},${port},${this.myid},${this.currentEpoch},${m.name},${mip},${mport},${m.configEpoch}`;
    ri.lastPubTime = Date.now(); // avoid piling up while the reply is on its way
    void link.send('PUBLISH', HELLO_CHANNEL, payload).then((r) => {
      if (r === null || r instanceof RespError) ri.lastPubTime = 0;
      else ri.lastPubTime = Date.now();
    });
  }

  /** Makes the next tick send hellos for this master to everybody (sentinelForceHelloUpdateForMaster). */
  forceHelloUpdate(m: Instance): void {
    const when = Date.now() - timing.publishPeriod - 1;
    m.lastPubTime = when;
    for (const s of m.slaves.values()) s.lastPubTime = when;
    for (const s of m.sentinels.values()) s.lastPubTime = when;
    // and send them now rather than on the next tick
    this.sendHello(m);
    for (const s of m.slaves.values()) this.sendHello(s);
    for (const s of m.sentinels.values()) this.sendHello(s);
  }

  /** announceSentinelAddr: the hostname with announce-hostnames, else the IP. */
  announceAddr(ri: Instance): string {
    return this.announceHostnames ? ri.ip : ri.resolvedIp;
  }

  /** Current address for clients: the promoted replica's once it is master (sentinelGetCurrentMasterAddress). */
  currentMasterAddr(m: Instance): [string, number] {
    const at = this.currentMasterInstance(m);
    return [this.announceAddr(at), at.port];
  }

  currentMasterInstance(m: Instance): Instance {
    if (m.failoverInProgress && m.promotedSlave && m.failoverState >= FailoverState.ReconfSlaves)
      return m.promotedSlave;
    return m;
  }

  newEpoch(epoch: number, m: Instance): void {
    if (epoch <= this.currentEpoch) return;
    this.currentEpoch = epoch;
    this.flushConfig();
    this.event('warning', '+new-epoch', m, String(epoch));
  }

  /** sentinelResetMaster: forget replicas (and sentinels unless keepSentinels), links, failover state. */
  resetMaster(m: Instance, keepSentinels: boolean, generateEvent: boolean): void {
    for (const s of m.slaves.values()) s.link.close();
    m.slaves.clear();
    if (!keepSentinels) {
      for (const s of m.sentinels.values()) s.link.close();
      m.sentinels.clear();
    }
    m.link.close();
    m.clearFailoverFlags();
    m.leaderVote = null;
    m.failoverState = FailoverState.None;
    m.failoverStateChangeTime = 0;
    m.failoverStartTime = 0;
    m.promotedSlave = null;
    m.runid = null;
    m.roleReported = 'master';
    m.roleReportedTime = Date.now();
    m.infoRefresh = 0;
    if (generateEvent) this.event('warning', '+reset-master', m, '%@');
  }

  /** sentinelResetMasterAndChangeAddress: the master moved; replicas are re-added around the new address. */
  resetMasterAndChangeAddress(m: Instance, ip: string, port: number): void {
    const keep: [string, number][] = [];
    for (const s of m.slaves.values()) if (!(s.ip === ip && s.port === port)) keep.push([s.ip, s.port]);
    const oldIp = m.ip;
    const oldPort = m.port;
    if (!(oldIp === ip && oldPort === port)) keep.push([oldIp, oldPort]);
    this.resetMaster(m, true, false);
    m.ip = ip;
    m.port = port;
    m.odownSince = 0;
    m.sdownSince = 0;
    // a clean slate for the new address (see InstanceLink.resetTimes)
    m.link.resetTimes();
    for (const [sip, sport] of keep) {
      const s = this.createInstance('slave', `${sip}:${sport}`, sip, sport, m);
      if (sip === oldIp && sport === oldPort) s.staleMasterExpected = true;
      this.event('notice', '+slave', s, '%@');
    }
    this.flushConfig();
    // connect to the new master right away
    this.reconnectInstance(m);
    for (const s of m.slaves.values()) this.reconnectInstance(s);
  }

  /** dropInstanceConnections: new credentials, so the master's and its replicas' links reconnect. */
  dropInstanceConnections(m: Instance): void {
    m.link.close();
    for (const s of m.slaves.values()) s.link.close();
  }

  getMasterByAddr(ip: string, port: number): Instance | undefined {
    for (const m of this.masters.values()) if (m.isAt(ip, port)) return m;
    return undefined;
  }
}
