// set: SADD of unique elements to one key, occasional SMEMBERS, and a final SMEMBERS by every
// client. Checked by Jepsen's set and set-full; lost acknowledged writes are explained.
import {
  any, checkSet, checkSetFull, delay, eachThread, explainLostWrites, once, registerWorkload, unfold, NS_PER_S,
  type ClusterEvent, type Workload,
} from '../src/harness/index.js';

const KEY = 'faultline:set';

function initialMaster(events: readonly ClusterEvent[]): string | undefined {
  const e = events.find((x) => x.event === 'role' && / master\b/.test(x.text));
  return e?.text.split(' ')[0];
}

export const setWorkload: Workload = {
  name: 'set',
  description: 'SADD unique integers to one key; final SMEMBERS by every client (Jepsen set / set-full)',
  generator: () =>
    any(
      delay(5 * NS_PER_S, unfold(0, (s) => [{ f: 'read', value: null }, s])),
      unfold(0, (n) => [{ f: 'add', value: n }, n + 1]),
    ),
  finalGenerator: () => eachThread(once({ f: 'read', value: null })),
  async invoke(c, op) {
    if (op.f === 'add') {
      await c.redis.sadd(KEY, String(op.value));
      return (await c.confirmWrite()) ?? { type: 'ok' };
    }
    if (op.f === 'read') {
      const members = await c.redis.smembers(KEY);
      return { type: 'ok', value: members.map(Number).sort((a, b) => a - b) };
    }
    throw new Error(`set: unknown f ${op.f}`);
  },
  async check(history, ctx) {
    const set = checkSet(history);
    const full = checkSetFull(history);
    const { lostElements, ...setResult } = set;
    const explained = explainLostWrites(lostElements, history, ctx.events, initialMaster(ctx.events));
    return {
      checkers: { set: setResult, 'set-full': full },
      summary: {
        attempted: Number(set['attempt-count'] ?? 0),
        acknowledged: Number(set['acknowledged-count'] ?? 0),
        lost: lostElements.length,
        recovered: Number(set['recovered-count'] ?? 0),
        unexpected: Number(set['unexpected-count'] ?? 0),
      },
      lost: explained.lost,
      incidents: explained.incidents,
    };
  },
};

registerWorkload(setWorkload);
