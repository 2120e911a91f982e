// Down detection: SDOWN from our own links, ODOWN from the other sentinels' answers to
// SENTINEL is-master-down-by-addr (which also carry their votes during an election).
import { RespError } from '../resp/reply-parser.js';
import { timing, FailoverState, type Instance } from './instance.js';
import type { Sentinel } from './sentinel.js';

/** sentinelCheckSubjectivelyDown */
export function checkSubjectivelyDown(st: Sentinel, ri: Instance): void {
  const now = Date.now();
  const link = ri.link;
  let elapsed = 0;
  if (link.actPingTime) elapsed = now - link.actPingTime;
  // a broken connection counts from the last valid reply (Redis: only while flagged disconnected)
  if (link.disconnected || !link.cc) elapsed = Math.max(elapsed, now - link.lastAvailTime);
  const down =
    elapsed > ri.downAfter ||
    (ri.kind === 'master' &&
      ri.roleReported === 'slave' &&
      now - ri.roleReportedTime > ri.downAfter + timing.infoPeriod * 2) ||
    // a master that rebooted and has not answered PONG since (e.g. still loading) is down after this period
    (ri.masterReboot && now - ri.masterRebootSince > ri.masterRebootDownAfterPeriod);
  if (down) {
    if (!ri.sdown) {
      st.event('warning', '+sdown', ri, '%@');
      ri.sdownSince = now;
      ri.sdown = true;
      if (ri.kind === 'master') {
        // ask the others and refresh the replicas now rather than at the next period
        askMasterStateToOtherSentinels(st, ri, true);
        for (const s of ri.slaves.values()) st.sendInfo(s);
      }
    }
  } else if (ri.sdown) {
    st.event('warning', '-sdown', ri, '%@');
    ri.sdown = false;
  }
}

/** sentinelCheckObjectivelyDown: our SDOWN plus the sentinels that said "down" reach the quorum. */
export function checkObjectivelyDown(st: Sentinel, m: Instance): void {
  let quorum = 0;
  let odown = false;
  if (m.sdown) {
    quorum = 1;
    for (const s of m.sentinels.values()) if (s.masterDown) quorum++;
    if (quorum >= m.quorum) odown = true;
  }
  if (odown) {
    if (!m.odown) {
      st.event('warning', '+odown', m, `%@ #quorum ${quorum}/${m.quorum}`);
      m.odown = true;
      m.odownSince = Date.now();
    }
  } else if (m.odown) {
    st.event('warning', '-odown', m, '%@');
    m.odown = false;
  }
}

/**
 * sentinelAskMasterStateToOtherSentinels: while the master is SDOWN, ask every sentinel once a
 * second (at once when forced); during our failover the request carries our runid = a vote request.
 */
export function askMasterStateToOtherSentinels(st: Sentinel, m: Instance, forced: boolean): void {
  const now = Date.now();
  for (const ri of m.sentinels.values()) {
    const elapsed = now - ri.lastMasterDownReplyTime;
    if (elapsed > timing.askPeriod * 5) {
      ri.masterDown = false;
      ri.leader = null;
    }
    if (!m.sdown) continue;
    if (ri.link.disconnected || !ri.link.cc) continue;
    if (!forced && elapsed < timing.askPeriod) continue;
    if (!forced && ri.askPending && now - ri.askPending < timing.askPeriod) continue;
    ri.askPending = now;
    const runid = m.failoverState > FailoverState.None ? st.myid : '*';
    void ri.link.send('SENTINEL', 'is-master-down-by-addr', m.ip, m.port, st.currentEpoch, runid).then((r) => {
      ri.askPending = 0;
      if (!Array.isArray(r) || r.length !== 3 || r instanceof RespError) return;
      const [down, leader, epoch] = r;
      if (typeof down !== 'number' || typeof leader !== 'string' || typeof epoch !== 'number') return;
      ri.lastMasterDownReplyTime = Date.now();
      ri.masterDown = down === 1;
      if (leader !== '*') {
        if (ri.leaderEpoch !== epoch) st.server.log.warning(`${ri.name} voted for ${leader} ${epoch}`);
        ri.leader = leader;
        ri.leaderEpoch = epoch;
      }
      // act on the answer at once: ODOWN and the election need no timer tick
      if (st.masters.get(m.name) === m) st.stepFailover(m);
    });
  }
}
