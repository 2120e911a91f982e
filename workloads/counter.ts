// counter: INCRBY small deltas and GET reads; each read must lie between the acknowledged and
// the attempted sums (Jepsen's counter checker).
import { checkCounter, eachThread, once, random, registerWorkload, type Workload } from '../src/harness/index.js';

const KEY = 'faultline:counter';

export const counterWorkload: Workload = {
  name: 'counter',
  description: 'INCRBY 1..5 and GET on one key; reads checked between bounds',
  generator: ({ seed }) =>
    random(seed, (r) =>
      r < 0.1 ? { f: 'read', value: null } : { f: 'incr', value: 1 + Math.floor(((r - 0.1) / 0.9) * 5) },
    ),
  finalGenerator: () => eachThread(once({ f: 'read', value: null })),
  async invoke(c, op) {
    if (op.f === 'incr') {
      await c.redis.incrby(KEY, Number(op.value));
      return (await c.confirmWrite()) ?? { type: 'ok' };
    }
    if (op.f === 'read') {
      const v = await c.redis.get(KEY);
      return { type: 'ok', value: v === null ? 0 : Number(v) };
    }
    throw new Error(`counter: unknown f ${op.f}`);
  },
  async check(history) {
    return { checkers: { counter: checkCounter(history) } };
  },
};

registerWorkload(counterWorkload);
