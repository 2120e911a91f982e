// Leader election: one vote per epoch (sentinelVoteLeader) and the count of the votes the
// other sentinels reported (sentinelGetLeader).
import type { Instance } from './instance.js';
import { MAX_DESYNC } from './instance.js';
import type { Sentinel } from './sentinel.js';

/**
 * Votes for `runid` as leader of `epoch` unless we already voted in this epoch or a later one.
 * Returns our vote (possibly an earlier one) and its epoch.
 */
export function voteLeader(
  st: Sentinel,
  m: Instance,
  reqEpoch: number,
  runid: string,
): { leader: string | null; epoch: number } {
  if (reqEpoch > st.currentEpoch) st.newEpoch(reqEpoch, m);
  if (m.leaderVoteEpoch < reqEpoch && st.currentEpoch <= reqEpoch) {
    m.leaderVote = runid;
    m.leaderVoteEpoch = st.currentEpoch;
    st.flushConfig();
    st.event('warning', '+vote-for-leader', m, `${runid} ${m.leaderVoteEpoch}`);
    // voting for somebody else delays our own attempt
    if (runid.toLowerCase() !== st.myid) m.failoverStartTime = Date.now() + Math.floor(Math.random() * MAX_DESYNC);
  }
  return { leader: m.leaderVote, epoch: m.leaderVoteEpoch };
}

/** The runid with a majority of the voters and at least the quorum in `epoch`, or null. */
export function getLeader(st: Sentinel, m: Instance, epoch: number): string | null {
  const counters = new Map<string, number>();
  const incr = (id: string) => {
    const n = (counters.get(id) ?? 0) + 1;
    counters.set(id, n);
    return n;
  };
  const voters = m.sentinels.size + 1;
  for (const s of m.sentinels.values()) {
    if (s.leader !== null && s.leaderEpoch === st.currentEpoch) incr(s.leader);
  }
  let winner: string | null = null;
  let maxVotes = 0;
  for (const [id, n] of counters) {
    if (n > maxVotes) {
      maxVotes = n;
      winner = id;
    }
  }
  // our own vote goes to the winner so far, or to ourselves
  const mine = voteLeader(st, m, epoch, winner ?? st.myid);
  if (mine.leader && mine.epoch === epoch) {
    const n = incr(mine.leader);
    if (n > maxVotes) {
      maxVotes = n;
      winner = mine.leader;
    }
  }
  const votersQuorum = Math.floor(voters / 2) + 1;
  if (winner && (maxVotes < votersQuorum || maxVotes < m.quorum)) winner = null;
  return winner;
}
