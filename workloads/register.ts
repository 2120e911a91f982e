// register: GET / SET / CAS (WATCH-MULTI-EXEC) over many independent keys, values [key, v];
// a few threads share each key, and a key is retired after a bounded number of ops so every
// per-key history stays small enough for the linearizability checker.
import {
  checkLinearizable,
  registerWorkload,
  reserve,
  unfold,
  rngNext,
  type Gen,
  type Workload,
} from '../src/harness/index.js';

const THREADS_PER_KEY = 3;
const OPS_PER_KEY = 200;
const VALUES = 5;
const keyName = (k: number) => `faultline:reg:${k}`;

function groupGen(group: number, groups: number, seed: number): Gen {
  return unfold({ key: group, n: 0, seed }, (s) => {
    const [r, s2] = rngNext(s.seed);
    const [r2, s3] = rngNext(s2);
    const v = Math.floor(r2 * VALUES);
    const op =
      r < 0.5
        ? { f: 'read', value: [s.key, null] }
        : r < 0.75
          ? { f: 'write', value: [s.key, v] }
          : { f: 'cas', value: [s.key, [Math.floor(((r - 0.75) / 0.25) * VALUES), v]] };
    const next =
      s.n + 1 >= OPS_PER_KEY ? { key: s.key + groups, n: 0, seed: s3 } : { key: s.key, n: s.n + 1, seed: s3 };
    return [op, next];
  });
}

export const registerWorkloadDef: Workload = {
  name: 'register',
  description: 'GET/SET/CAS (WATCH-MULTI-EXEC) over independent keys; linearizability per key',
  model: 'cas-register',
  generator: ({ options, seed }) => {
    const groups = Math.max(1, Math.ceil(options.concurrency / THREADS_PER_KEY));
    const args: (number | Gen)[] = [];
    for (let g = 0; g < groups - 1; g++) args.push(THREADS_PER_KEY, groupGen(g, groups, seed + g));
    args.push(groupGen(groups - 1, groups, seed + groups - 1));
    return reserve(...args);
  },
  async invoke(c, op) {
    const [key, arg] = op.value as [number, unknown];
    const k = keyName(key);
    if (op.f === 'read') {
      const v = await c.redis.get(k);
      return { type: 'ok', value: [key, v === null ? null : Number(v)] };
    }
    if (op.f === 'write') {
      await c.redis.set(k, String(arg));
      return (await c.confirmWrite()) ?? { type: 'ok' };
    }
    if (op.f === 'cas') {
      const [expected, next] = arg as [number, number];
      // nothing is applied before EXEC: any error up to there is a definite failure
      let cur: string | null;
      try {
        await c.redis.watch(k);
        cur = await c.redis.get(k);
      } catch (e) {
        return { type: 'fail', error: (e as Error).message };
      }
      if (cur === null || Number(cur) !== expected) {
        await c.redis.unwatch().catch(() => {});
        return { type: 'fail', error: `cas: value is ${cur}, expected ${expected}` };
      }
      const res = await c.redis.multi().set(k, String(next)).exec();
      if (res === null) return { type: 'fail', error: 'cas: EXEC aborted (watched key changed)' };
      const err = res.find(([e]) => e)?.[0];
      if (err) return { type: 'fail', error: err.message };
      return (await c.confirmWrite()) ?? { type: 'ok' };
    }
    throw new Error(`register: unknown f ${op.f}`);
  },
  async check(history) {
    return { checkers: { linear: await checkLinearizable(history, { model: 'cas-register' }) } };
  },
};

registerWorkload(registerWorkloadDef);
