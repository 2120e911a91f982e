// What a sentinel learns from an instance's INFO (Redis's sentinelRefreshInstanceInfo):
// run id (reboots), replicas of a master, the reported role and replication state, and the
// role fixes that follow: promotion seen, +convert-to-slave, +fix-slave-config, reconf progress.
import { timing, FailoverState, type Instance } from './instance.js';
import type { Sentinel } from './sentinel.js';
import { sendSlaveOf } from './failover.js';

/** sentinelMasterLooksSane */
export function masterLooksSane(m: Instance, now = Date.now()): boolean {
  return (
    m.kind === 'master' &&
    m.roleReported === 'master' &&
    !m.sdown &&
    !m.odown &&
    now - m.infoRefresh < timing.infoPeriod * 2
  );
}

function field(line: string, key: string): string | undefined {
  for (const part of line.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq) === key) return part.slice(eq + 1);
  }
  return undefined;
}

export function refreshFromInfo(st: Sentinel, ri: Instance, info: string): void {
  const now = Date.now();
  let role: 'master' | 'slave' | null = null;
  ri.masterLinkDownTime = 0;
  for (const raw of info.split('\n')) {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l.length >= 47 && l.startsWith('run_id:')) {
      const id = l.slice(7, 47);
      if (ri.runid === null) ri.runid = id;
      else if (ri.runid !== id) {
        st.event('notice', '+reboot', ri, '%@');
        if (ri.kind === 'master' && ri.masterRebootDownAfterPeriod !== 0) {
          ri.masterReboot = true;
          ri.masterRebootSince = now;
        }
        ri.runid = id;
      }
      continue;
    }
    if (ri.kind === 'master' && /^slave\d+:/.test(l)) {
      const body = l.slice(l.indexOf(':') + 1);
      const ip = field(body, 'ip');
      const port = Number(field(body, 'port'));
      if (ip && port > 0 && !ri.slaves.has(`${ip}:${port}`)) {
        const s = st.createInstance('slave', `${ip}:${port}`, ip, port, ri);
        st.event('notice', '+slave', s, '%@');
        st.flushConfig();
        st.reconnectInstance(s);
      }
      continue;
    }
    if (l.startsWith('master_link_down_since_seconds:')) {
      ri.masterLinkDownTime = Number(l.slice(31)) * 1000;
      continue;
    }
    if (l === 'role:master') role = 'master';
    else if (l === 'role:slave') role = 'slave';
    if (role === 'slave') {
      if (l.startsWith('master_host:')) {
        const h = l.slice(12);
        if (ri.slaveMasterHost !== h) {
          ri.slaveMasterHost = h;
          ri.slaveConfChangeTime = now;
        }
      } else if (l.startsWith('master_port:')) {
        const p = Number(l.slice(12));
        if (ri.slaveMasterPort !== p) {
          ri.slaveMasterPort = p;
          ri.slaveConfChangeTime = now;
        }
      } else if (l.startsWith('master_link_status:')) {
        ri.slaveMasterLinkUp = l.slice(19) === 'up';
      } else if (l.startsWith('slave_priority:')) {
        ri.slavePriority = Number(l.slice(15));
      } else if (l.startsWith('slave_repl_offset:')) {
        ri.slaveReplOffset = Number(l.slice(18));
      } else if (l.startsWith('replica_announced:')) {
        ri.replicaAnnounced = l.slice(18) === '1';
      }
    }
  }
  ri.infoRefresh = now;

  if (role && role !== ri.roleReported) {
    ri.roleReportedTime = now;
    ri.roleReported = role;
    if (role === 'slave') ri.slaveConfChangeTime = now;
    st.event('verbose', ri.kind === role ? '+role-change' : '-role-change', ri, `%@ new reported role is ${role}`);
  }
  if (!role || st.tilt) return;
  const m = ri.master;
  if (ri.kind !== 'slave' || !m) return;

  if (role === 'master') {
    if (ri.promoted && m.failoverInProgress && m.failoverState === FailoverState.WaitPromotion) {
      m.configEpoch = m.failoverEpoch;
      m.failoverState = FailoverState.ReconfSlaves;
      m.failoverStateChangeTime = now;
      st.flushConfig();
      st.event('warning', '+promoted-slave', ri, '%@');
      st.event('warning', '+failover-state-reconf-slaves', m, '%@');
      st.forceHelloUpdate(m);
    } else {
      // Real Sentinel waits 8 s (and for the next INFO, up to 10 s) before converting a node that
      // says it is master. A deposed master we switched away from is converted as soon as it talks:
      // its claim is known to be stale, and every second it stays writable loses acknowledged writes.
      const wait = timing.publishPeriod * 4;
      const sane = masterLooksSane(m, now);
      const fast = ri.staleMasterExpected && sane;
      if (!ri.promoted && sane && (fast || (ri.noDownFor(wait, now) && now - ri.roleReportedTime > wait))) {
        if (sendSlaveOf(ri, m.ip, m.port)) {
          ri.staleMasterExpected = false;
          st.event('notice', '+convert-to-slave', ri, '%@');
        }
      }
    }
    return;
  }

  // role slave
  ri.staleMasterExpected = false;
  if (ri.slaveMasterHost === null || !m.isAt(ri.slaveMasterHost, ri.slaveMasterPort)) {
    const wait = m.failoverTimeout;
    if (masterLooksSane(m, now) && ri.noDownFor(wait, now) && now - ri.slaveConfChangeTime > wait) {
      if (sendSlaveOf(ri, m.ip, m.port)) st.event('notice', '+fix-slave-config', ri, '%@');
    }
  }
  if ((ri.reconfSent || ri.reconfInprog) && m.promotedSlave) {
    const p = m.promotedSlave;
    if (ri.reconfSent && ri.slaveMasterHost !== null && p.isAt(ri.slaveMasterHost, ri.slaveMasterPort)) {
      ri.reconfSent = false;
      ri.reconfInprog = true;
      st.event('notice', '+slave-reconf-inprog', ri, '%@');
    }
    if (ri.reconfInprog && ri.slaveMasterLinkUp) {
      ri.reconfInprog = false;
      ri.reconfDone = true;
      st.event('notice', '+slave-reconf-done', ri, '%@');
    }
  }
}
