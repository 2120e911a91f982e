// list-append: transactions of RPUSH (append) and LRANGE (read) micro-ops in MULTI/EXEC over a
// small rotating pool of keys (each retired after a bounded number of appends); checked by the
// checker module's Elle-style list-append checker.
import { checkListAppend, registerWorkload, rngNext, unfold, type Workload } from '../src/harness/index.js';

const ACTIVE_KEYS = 5;
const APPENDS_PER_KEY = 64;
const keyName = (k: number) => `faultline:list:${k}`;

type Micro = ['append', number, number] | ['r', number, number[] | null];

interface State {
  seed: number;
  keys: number[]; // active key ids
  appends: number[]; // appends so far per active key
  nextKey: number;
  nextValue: number;
}

export const listAppendWorkload: Workload = {
  name: 'list-append',
  description: 'MULTI { RPUSH | LRANGE }* EXEC transactions over rotating keys (Elle list-append)',
  generator: ({ seed }) =>
    unfold<State>(
      {
        seed,
        keys: [0, 1, 2, 3, 4].slice(0, ACTIVE_KEYS),
        appends: new Array(ACTIVE_KEYS).fill(0),
        nextKey: ACTIVE_KEYS,
        nextValue: 1,
      },
      (s0) => {
        let s = { ...s0, keys: s0.keys.slice(), appends: s0.appends.slice() };
        let [r, seed2] = rngNext(s.seed);
        const n = 1 + Math.floor(r * 4);
        const txn: Micro[] = [];
        for (let i = 0; i < n; i++) {
          [r, seed2] = rngNext(seed2);
          const slot = Math.floor(r * s.keys.length);
          [r, seed2] = rngNext(seed2);
          if (r < 0.5) {
            txn.push(['append', s.keys[slot]!, s.nextValue++]);
            if (++s.appends[slot]! >= APPENDS_PER_KEY) {
              s.keys[slot] = s.nextKey++;
              s.appends[slot] = 0;
            }
          } else txn.push(['r', s.keys[slot]!, null]);
        }
        s = { ...s, seed: seed2 };
        return [{ f: 'txn', value: txn }, s];
      },
    ),
  async invoke(c, op) {
    const txn = op.value as Micro[];
    const m = c.redis.multi();
    for (const [f, k, v] of txn) {
      if (f === 'append') m.rpush(keyName(k), String(v));
      else m.lrange(keyName(k), 0, -1);
    }
    // EXECABORT (a command refused while queueing, e.g. READONLY) rejects: nothing ran -> fail
    const res = await m.exec();
    if (res === null) return { type: 'fail', error: 'EXEC aborted' };
    // EXEC ran every queued command; one that errored did not stop the others (Redis has no
    // rollback): all failed -> nothing applied; some failed -> partly applied, outcome unknown
    const failed = res.map(([e], i) => (e ? `${i + 1} ${txn[i]![0]}: ${e.message}` : null)).filter((x) => x !== null);
    if (failed.length === res.length)
      return { type: 'fail', error: `EXEC: every command failed: ${failed.join('; ')}` };
    if (failed.length)
      return { type: 'info', error: `EXEC applied part of the transaction; failed: ${failed.join('; ')}` };
    const value = txn.map((mop, i) => (mop[0] === 'r' ? ['r', mop[1], (res[i]![1] as string[]).map(Number)] : mop));
    const w = txn.some((x) => x[0] === 'append') ? await c.confirmWrite() : null;
    return w ?? { type: 'ok', value };
  },
  async check(history) {
    return { checkers: { elle: await checkListAppend(history) } };
  },
};

registerWorkload(listAppendWorkload);
