// The failover state machine (sentinelFailoverStateMachine): wait-start (election) ->
// select-slave -> send-slaveof-noone -> wait-promotion -> reconf-slaves -> update-config
// (+switch-master). Role changes go out as MULTI / SLAVEOF / CONFIG REWRITE / CLIENT KILL / EXEC.
import { timing, FailoverState, MAX_DESYNC, compareRunIds, type Instance } from './instance.js';
import type { Sentinel } from './sentinel.js';
import { getLeader } from './election.js';

/** Sends the role change as real Sentinel does; false when the command link is down. */
export function sendSlaveOf(ri: Instance, host: string | null, port: number, onDone?: () => void): boolean {
  const link = ri.link;
  if (link.disconnected || !link.cc) return false;
  void link.send('MULTI');
  void link.send('SLAVEOF', host ?? 'NO', host === null ? 'ONE' : String(port));
  void link.send('CONFIG', 'REWRITE');
  void link.send('CLIENT', 'KILL', 'TYPE', 'normal');
  void link.send('CLIENT', 'KILL', 'TYPE', 'pubsub');
  void link.send('EXEC').then(() => onDone?.());
  return true;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** C's ctime() layout without the newline: "Wed Nov 25 03:16:02 2026". */
function ctime(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

export function startFailover(st: Sentinel, m: Instance): void {
  m.failoverState = FailoverState.WaitStart;
  m.failoverInProgress = true;
  m.failoverEpoch = ++st.currentEpoch;
  st.event('warning', '+new-epoch', m, String(st.currentEpoch));
  st.event('warning', '+try-failover', m, '%@');
  m.failoverStartTime = Date.now() + Math.floor(Math.random() * MAX_DESYNC);
  m.failoverStateChangeTime = Date.now();
  st.flushConfig();
}

/** sentinelStartFailoverIfNeeded */
export function startFailoverIfNeeded(st: Sentinel, m: Instance): boolean {
  if (!m.odown || m.failoverInProgress) return false;
  if (Date.now() - m.failoverStartTime < m.failoverTimeout * 2) {
    if (m.failoverDelayLogged !== m.failoverStartTime) {
      m.failoverDelayLogged = m.failoverStartTime;
      st.server.log.warning(
        `Next failover delay: I will not start a failover before ${ctime(m.failoverStartTime + m.failoverTimeout * 2)}`,
      );
    }
    return false;
  }
  // Sentinels that see the master die at the same instant all start at once and split the vote
  // (then nobody is elected for 2 x failover-timeout). We stagger the first attempt by our rank
  // among the healthy sentinels' runids: the lowest starts at once, the others shortly after and,
  // asked first, vote for it.
  const wait = STAGGER_MS * rankAmongSentinels(st, m);
  if (Date.now() - m.odownSince < wait) return false;
  startFailover(st, m);
  return true;
}

const STAGGER_MS = 120;

function rankAmongSentinels(st: Sentinel, m: Instance): number {
  let rank = 0;
  for (const s of m.sentinels.values()) {
    if (s.sdown || s.link.disconnected || !s.link.cc || s.runid === null) continue;
    if (compareRunIds(s.runid, st.myid) < 0) rank++;
  }
  return rank;
}

export function abortFailover(m: Instance): void {
  m.failoverInProgress = false;
  m.forceFailover = false;
  m.failoverState = FailoverState.None;
  m.failoverStateChangeTime = Date.now();
  if (m.promotedSlave) {
    m.promotedSlave.promoted = false;
    m.promotedSlave = null;
  }
}

/** sentinelSelectSlave: the best replica to promote, or null. */
export function selectSlave(m: Instance, now = Date.now()): Instance | null {
  let maxMasterDownTime = 0;
  if (m.sdown) maxMasterDownTime += now - m.sdownSince;
  maxMasterDownTime += m.downAfter * 10;
  const good: Instance[] = [];
  for (const s of m.slaves.values()) {
    if (s.sdown || s.odown) continue;
    if (s.link.disconnected || !s.link.cc) continue;
    if (now - s.link.lastAvailTime > timing.pingPeriod * 5) continue;
    if (s.slavePriority === 0) continue;
    const infoValidity = m.sdown ? timing.pingPeriod * 5 : timing.infoPeriod * 3;
    if (now - s.infoRefresh > infoValidity) continue;
    if (s.masterLinkDownTime > maxMasterDownTime) continue;
    good.push(s);
  }
  good.sort(
    (a, b) =>
      a.slavePriority - b.slavePriority || b.slaveReplOffset - a.slaveReplOffset || compareRunIds(a.runid, b.runid),
  );
  return good[0] ?? null;
}

export function failoverStateMachine(st: Sentinel, m: Instance): void {
  if (m.kind !== 'master' || !m.failoverInProgress) return;
  switch (m.failoverState) {
    case FailoverState.WaitStart:
      return waitStart(st, m);
    case FailoverState.SelectSlave:
      return selectSlaveStep(st, m);
    case FailoverState.SendSlaveofNoone:
      return sendSlaveofNoone(st, m);
    case FailoverState.WaitPromotion:
      if (Date.now() - m.failoverStateChangeTime > m.failoverTimeout) {
        st.event('warning', '-failover-abort-slave-timeout', m, '%@');
        abortFailover(m);
      }
      return;
    case FailoverState.ReconfSlaves:
      return reconfNextSlave(st, m);
    default:
      return;
  }
}

function waitStart(st: Sentinel, m: Instance): void {
  const leader = getLeader(st, m, m.failoverEpoch);
  const isLeader = leader !== null && leader.toLowerCase() === st.myid;
  if (!isLeader && !m.forceFailover) {
    const timeout = Math.min(timing.electionTimeout, m.failoverTimeout);
    if (Date.now() - m.failoverStartTime > timeout) {
      st.event('warning', '-failover-abort-not-elected', m, '%@');
      abortFailover(m);
    }
    return;
  }
  st.event('warning', '+elected-leader', m, '%@');
  m.failoverState = FailoverState.SelectSlave;
  m.failoverStateChangeTime = Date.now();
  st.event('warning', '+failover-state-select-slave', m, '%@');
  selectSlaveStep(st, m);
}

function selectSlaveStep(st: Sentinel, m: Instance): void {
  const s = selectSlave(m);
  if (!s) {
    st.event('warning', '-failover-abort-no-good-slave', m, '%@');
    abortFailover(m);
    return;
  }
  st.event('warning', '+selected-slave', s, '%@');
  s.promoted = true;
  m.promotedSlave = s;
  m.failoverState = FailoverState.SendSlaveofNoone;
  m.failoverStateChangeTime = Date.now();
  st.event('notice', '+failover-state-send-slaveof-noone', s, '%@');
  sendSlaveofNoone(st, m);
}

function sendSlaveofNoone(st: Sentinel, m: Instance): void {
  const s = m.promotedSlave!;
  if (s.link.disconnected || !s.link.cc) {
    if (Date.now() - m.failoverStateChangeTime > m.failoverTimeout) {
      st.event('warning', '-failover-abort-slave-timeout', m, '%@');
      abortFailover(m);
    }
    return;
  }
  // see the promotion in the INFO that follows EXEC instead of waiting for the next period
  if (!sendSlaveOf(s, null, 0, () => st.sendInfo(s))) return;
  st.event('notice', '+failover-state-wait-promotion', s, '%@');
  m.failoverState = FailoverState.WaitPromotion;
  m.failoverStateChangeTime = Date.now();
}

function reconfNextSlave(st: Sentinel, m: Instance): void {
  const p = m.promotedSlave!;
  let inProgress = 0;
  for (const s of m.slaves.values()) if (s.reconfSent || s.reconfInprog) inProgress++;
  for (const s of m.slaves.values()) {
    if (inProgress >= m.parallelSyncs) break;
    if (s.promoted || s.reconfDone) continue;
    if (s.reconfSent && Date.now() - s.slaveReconfSentTime > timing.slaveReconfTimeout) {
      st.event('notice', '-slave-reconf-sent-timeout', s, '%@');
      s.reconfSent = false;
      s.reconfDone = true;
    }
    if (s.reconfSent || s.reconfInprog) continue;
    if (s.link.disconnected || !s.link.cc) continue;
    if (sendSlaveOf(s, p.ip, p.port, () => st.sendInfo(s))) {
      s.reconfSent = true;
      s.slaveReconfSentTime = Date.now();
      st.event('notice', '+slave-reconf-sent', s, '%@');
      inProgress++;
    }
  }
  detectEnd(st, m);
}

function detectEnd(st: Sentinel, m: Instance): void {
  const p = m.promotedSlave;
  if (!p || p.sdown) return;
  let notReconfigured = 0;
  let timeout = false;
  for (const s of m.slaves.values()) {
    if (s.promoted || s.reconfDone || s.sdown) continue;
    notReconfigured++;
  }
  if (Date.now() - m.failoverStateChangeTime > m.failoverTimeout) {
    notReconfigured = 0;
    timeout = true;
    st.event('warning', '+failover-end-for-timeout', m, '%@');
  }
  if (notReconfigured === 0) {
    st.event('warning', '+failover-end', m, '%@');
    m.failoverState = FailoverState.UpdateConfig;
    m.failoverStateChangeTime = Date.now();
  }
  if (timeout) {
    for (const s of m.slaves.values()) {
      if (s.promoted || s.reconfDone || s.reconfSent) continue;
      if (sendSlaveOf(s, p.ip, p.port)) {
        st.event('notice', '+slave-reconf-sent-be', s, '%@');
        s.reconfSent = true;
      }
    }
  }
}

/** sentinelFailoverSwitchToPromotedSlave */
export function switchToPromotedSlave(st: Sentinel, m: Instance): void {
  const ref = m.promotedSlave ?? m;
  st.event('warning', '+switch-master', m, `${m.name} ${m.ip} ${m.port} ${ref.ip} ${ref.port}`);
  st.resetMasterAndChangeAddress(m, ref.ip, ref.port);
}
