// Hello messages (`__sentinel__:hello`): discovery of other sentinels, epoch propagation, and
// adoption of a newer master configuration (+config-update-from / +switch-master).
import type { Sentinel } from './sentinel.js';

/** sentinelProcessHelloMessage: `<ip>,<port>,<runid>,<epoch>,<master>,<mip>,<mport>,<config_epoch>`. */
export function processHello(st: Sentinel, hello: string): void {
  const t = hello.split(',');
  if (t.length !== 8) return;
  const [ip, portS, runid, epochS, name, mip, mportS, cepochS] = t as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const m = st.masters.get(name);
  if (!m) return;
  const port = Number(portS);
  const mport = Number(mportS);
  const epoch = Number(epochS);
  const configEpoch = Number(cepochS);
  if (!Number.isFinite(port) || !Number.isFinite(epoch)) return;
  let si = [...m.sentinels.values()].find((s) => s.ip === ip && s.port === port && s.runid === runid);
  if (!si) {
    // same runid at another address: the sentinel moved
    let removed = 0;
    for (const [k, s] of m.sentinels) {
      if (s.runid === runid) {
        s.link.close();
        m.sentinels.delete(k);
        removed++;
      }
    }
    if (removed) {
      st.event('notice', '+sentinel-address-switch', m, `%@ ip ${ip} port ${port} for ${runid}`);
    } else {
      // another runid at this address: that sentinel restarted with a new id; the old one goes, in every master
      const other = [...m.sentinels.values()].find((s) => s.ip === ip && s.port === port);
      if (other) {
        st.event('notice', '+sentinel-invalid-addr', other, '%@');
        const obsolete = other.runid;
        for (const mm of st.masters.values()) {
          for (const [k, s] of mm.sentinels) {
            if (s.runid !== obsolete) continue;
            s.link.close();
            mm.sentinels.delete(k);
          }
        }
      }
    }
    si = st.createInstance('sentinel', runid, ip, port, m);
    si.runid = runid;
    if (!removed) st.event('notice', '+sentinel', si, '%@');
    st.flushConfig();
    st.reconnectInstance(si);
  }
  if (epoch > st.currentEpoch) st.newEpoch(epoch, m);
  if (m.configEpoch < configEpoch) {
    m.configEpoch = configEpoch;
    if (!m.isAt(mip, mport)) {
      st.event('warning', '+config-update-from', si, '%@');
      st.event('warning', '+switch-master', m, `${m.name} ${m.ip} ${m.port} ${mip} ${mport}`);
      st.resetMasterAndChangeAddress(m, mip, mport);
    } else {
      st.flushConfig();
    }
  }
  si.lastHelloTime = Date.now();
}
