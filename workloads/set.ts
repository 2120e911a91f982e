// set: SADD of unique integers spread over many keys of bounded size (Jepsen's independent
// keys), reads of the key being written during the run, and a final SMEMBERS of every key.
// Checked per key by Jepsen's set and set-full; verified losses are explained, unverified
// writes (no ok read of their key began after their acknowledgement) are listed apart.
//
// History values:
//   add:  invoke {f: 'add', value: [k, e]}; ok value the same. e is unique for the whole run,
//         generated in order; k = floor(e / PER_KEY); Redis key `faultline:set:<k>`.
//   read: invoke {f: 'read', value: [k, null]}; ok value [k, members], members the raw SMEMBERS
//         reply as numbers, sorted, duplicates KEPT (a duplicate in a reply is an anomaly).
// Legacy histories (add value e, read ok value a plain number[] of the one key) still check.
import {
  analyzeSet,
  checkSet,
  checkSetFull,
  describeUnverified,
  explainLostWrites,
  lostWritesOf,
  registerWorkload,
  unfold,
  type Gen,
  type Op,
  type Workload,
} from '../src/harness/index.js';

/**
 * Elements per key. SMEMBERS of 2,000 integers takes ~1.4 ms median (ioredis parse included)
 * on this 2-core machine against tsredis-server and redis-server alike; 5,000 ~3.5 ms, 10,000
 * ~5.5 ms, 50,000 ~31 ms (bench of 30 reads each). At ~12,000 adds/s a key fills in ~0.17 s
 * and a 60 s run ends with ~360 keys, each final read a couple of ms even on a loaded machine.
 */
export const PER_KEY = 2000;
/** A read of the key being written (and of the one before) this often during the main phase. */
const READ_EVERY_NS = 500e6;

export const keyOf = (element: number): number => Math.floor(element / PER_KEY);
export const redisKey = (k: number): string => `faultline:set:${k}`;

interface GenState {
  /** the next element to add */
  next: number;
  /** when the next main-phase read is due (set at the first ask) */
  readAt: number | null;
  /** a read of the previous key owed right after the read of the current one */
  owed: number | null;
}

/** Pure: the state lives in the value, so asking twice in one context gives the same op. */
export function setGenerator(): Gen {
  return unfold<GenState>({ next: 0, readAt: null, owed: null }, (s, ctx) => {
    if (s.owed !== null)
      return [
        { f: 'read', value: [s.owed, null] },
        { next: s.next, readAt: s.readAt, owed: null },
      ];
    const readAt = s.readAt ?? ctx.time + READ_EVERY_NS;
    if (ctx.time >= readAt && s.next > 0) {
      const k = keyOf(s.next - 1);
      return [
        { f: 'read', value: [k, null] },
        { next: s.next, readAt: ctx.time + READ_EVERY_NS, owed: k > 0 ? k - 1 : null },
      ];
    }
    return [
      { f: 'add', value: [keyOf(s.next), s.next] },
      { next: s.next + 1, readAt, owed: null },
    ];
  });
}

/** One read of every key from 0 to the highest any add was attempted on, over the free threads. */
export function setFinalGenerator(history: readonly Op[]): Gen {
  let maxKey = 0;
  for (const op of history) {
    if (op.type !== 'invoke' || op.f !== 'add' || !Array.isArray(op.value)) continue;
    const k = op.value[0];
    if (typeof k === 'number' && k > maxKey) maxKey = k;
  }
  return unfold(0, (k) => (k > maxKey ? null : [{ f: 'read', value: [k, null] }, k + 1]));
}

export const setWorkload: Workload = {
  name: 'set',
  description: `SADD unique integers to keys of ${PER_KEY} elements; reads during the run and a final SMEMBERS of every key (Jepsen set / set-full per key)`,
  generator: () => setGenerator(),
  finalGenerator: (ctx) => setFinalGenerator(ctx.history),
  async invoke(c, op) {
    if (op.f === 'add') {
      const [k, e] = op.value as [number, number];
      await c.redis.sadd(redisKey(k), String(e));
      return (await c.confirmWrite()) ?? { type: 'ok', value: op.value };
    }
    if (op.f === 'read') {
      const [k] = op.value as [number, null];
      const members = await c.redis.smembers(redisKey(k));
      return { type: 'ok', value: [k, members.map(Number).sort((a, b) => a - b)] };
    }
    throw new Error(`set: unknown f ${op.f}`);
  },
  async check(history, ctx) {
    const a = analyzeSet(history);
    const unverified = describeUnverified(a);
    const c = a.counts;
    // incidents explain acknowledged losses; an unacknowledged add a read had shown and a later
    // read lacks is counted apart (lostUnacknowledged, set-full's lost-unacknowledged) and is invalid too
    const explained = explainLostWrites(
      lostWritesOf(a).filter((w) => w.acknowledged),
      ctx.events,
      undefined,
      { persistence: ctx.options.persistence },
    );
    return {
      checkers: { set: checkSet(a), 'set-full': { ...checkSetFull(a), unverified } },
      // acknowledged = verified + lost + unverified (lost: acknowledged writes a later read lacks)
      summary: {
        attempted: c.attempted,
        acknowledged: c.acknowledged,
        verified: c.verified,
        lost: c.lostAcknowledged,
        lostUnacknowledged: c.lostUnacknowledged,
        unverified: c.unverified,
        unexpected: a.unexpected.length,
        duplicated: a.duplicated.length,
        recovered: c.recovered,
      },
      lost: explained.lost,
      incidents: explained.incidents,
      unverified,
    };
  },
};

registerWorkload(setWorkload);
