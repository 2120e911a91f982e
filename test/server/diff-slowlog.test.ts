// Differential tests: SLOWLOG against real redis-server 7.0. Both servers log every command
// (slowlog-log-slower-than 0); entries are compared with ids relative to the SLOWLOG RESET
// that started the case, times and durations checked for shape, client addresses mapped to
// <me>/<other>. LEN, RESET, HELP and errors are compared as literal bytes.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  startDiffPair,
  haveRealRedis,
  parseReply,
  type DiffPair,
  type DiffConn,
  type RNode,
  type Normaliser,
  defaultNormaliser,
  sortPairs,
  sortItems,
} from '../helpers/diff.js';
import { words } from '../helpers/diff-cases.js';

const real = haveRealRedis();

interface Side {
  base: number;
  me: string;
}

/** Rewrites a SLOWLOG GET reply's variable parts, checking their shape on the way. */
function normaliseEntries(n: RNode, side: Side): void {
  if (!n.items) return;
  const now = Math.floor(Date.now() / 1000);
  for (const e of n.items) {
    const f = e.items!;
    expect(f.length).toBe(6);
    f[0]!.v = String(Number(f[0]!.v) - side.base);
    const t = Number(f[1]!.v);
    expect(Math.abs(t - now)).toBeLessThanOrEqual(5);
    f[1]!.v = '<time>';
    expect(f[2]!.t).toBe(':');
    expect(Number(f[2]!.v)).toBeGreaterThanOrEqual(0);
    f[2]!.v = '<usec>';
    const peer = f[4]!.v!;
    f[4]!.v = peer === side.me ? '<me>' : /^127\.0\.0\.1:\d+$/.test(peer) ? '<other>' : peer;
  }
}

/** Redis lists a container's subcommands in its (seeded, so random) dict order: sort them. */
const subcommandOrder: Normaliser = (a, b) => {
  for (const n of [a, b]) {
    for (const item of n.items ?? []) {
      if (!item.items) continue;
      // COMMAND INFO: [name, arity, ..., subcommands]; COMMAND DOCS: {..., subcommands: {...}}
      if (item.items.length === 10 && item.items[9]!.items) sortItems(item.items[9]!, { t: '*', items: [] }, []);
      for (let i = 0; i + 1 < item.items.length; i += 2) {
        if (item.items[i]!.v === 'subcommands') sortPairs(item.items[i + 1]!, { t: '*', items: [] }, []);
      }
    }
  }
};

describe.skipIf(!real)('SLOWLOG: tsredis vs redis-server', () => {
  let pair: DiffPair;
  const sides: { real: Side; ts: Side } = { real: { base: 0, me: '' }, ts: { base: 0, me: '' } };
  const slowNorm: Normaliser = (a, b) => {
    normaliseEntries(a, sides.real);
    normaliseEntries(b, sides.ts);
  };

  beforeAll(async () => {
    pair = await startDiffPair(['--slowlog-log-slower-than', '0']);
    pair.normaliserFor = (argv) => {
      const name = argv[0]!.toLowerCase();
      const sub = argv[1]?.toLowerCase();
      if (name === 'slowlog' && sub === 'get') return slowNorm;
      if (name === 'config' && sub === 'get') return sortPairs;
      if (name === 'command') return subcommandOrder;
      return defaultNormaliser(argv);
    };
  });
  afterAll(async () => {
    await pair?.stop();
  });

  const addrOf = (info: string): string => /addr=(\S+)/.exec(info)![1]!;

  /** Fresh state: RESP2, the log emptied; ids count from the RESET's own entry. */
  async function fresh(): Promise<void> {
    await pair.reset();
    await pair.both(['CONFIG', 'SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', '128']);
    const { real: r, ts: t } = await pair.both(['CLIENT', 'INFO']);
    sides.real.me = addrOf(r);
    sides.ts.me = addrOf(t);
    await pair.both(['SLOWLOG', 'RESET']);
    const { real: r2, ts: t2 } = await pair.both(['SLOWLOG', 'GET', '1']);
    const id = (raw: string): number => Number(parseReply(raw, 0)!.node.items![0]!.items![0]!.v);
    sides.real.base = id(r2);
    sides.ts.base = id(t2);
  }

  async function same(conn: DiffConn, block: string): Promise<void> {
    const errs: string[] = [];
    for (const argv of words(block)) {
      try {
        await conn.expectSame(argv);
      } catch (e) {
        errs.push((e as Error).message);
      }
    }
    expect(errs).toEqual([]);
  }

  for (const proto of ['2', '3']) {
    it(`subcommands, arity and errors, RESP${proto}`, async () => {
      await fresh();
      await pair.both(['HELLO', proto]);
      await same(
        pair,
        `
        SLOWLOG LEN
        SLOWLOG GET
        SLOWLOG GET 0
        SLOWLOG GET 1
        SLOWLOG GET 2
        SLOWLOG GET -1
        SLOWLOG GET -2
        SLOWLOG GET x
        SLOWLOG GET 1.5
        SLOWLOG GET 99999999999999999999
        SLOWLOG GET 9223372036854775807
        SLOWLOG GET 1 2
        SLOWLOG gEt 1 2
        SLOWLOG LEN 1
        SLOWLOG RESET 1
        SLOWLOG HELP
        SLOWLOG help
        SLOWLOG HELP 1
        SLOWLOG
        SLOWLOG FOO
        SLOWLOG LEN
        SLOWLOG RESET
        SLOWLOG LEN
        SLOWLOG GET -1
        COMMAND INFO slowlog
        COMMAND DOCS slowlog
        COMMAND INFO slowlog|get slowlog|len slowlog|reset slowlog|help
      `,
      );
    });
  }

  it('what gets logged: errors yes, rejected commands and EXEC no; argv trimmed as Redis trims it', async () => {
    await fresh();
    const big = 'x'.repeat(200);
    const cases: string[][] = [
      ['SET', 'k', 'v'],
      ['GET', 'k'],
      ['INCR', 'k'],
      ['NOSUCHCOMMAND', 'a'],
      ['GET'],
      ['SET', 'k', 'v', 'BADOPT'],
      ['MULTI'],
      ['SET', 'a', '1'],
      ['INCR', 'a'],
      ['GET'],
      ['EXEC'],
      ['MULTI'],
      ['INCR', 'k'],
      ['EXEC'],
      ['DEL', ...Array.from({ length: 40 }, (_, i) => `k${i}`)],
      ['DEL', ...Array.from({ length: 31 }, (_, i) => `k${i}`)],
      ['DEL', ...Array.from({ length: 32 }, (_, i) => `k${i}`)],
      ['SET', 'big', big],
      ['SET', 'b128', 'y'.repeat(128)],
      ['SET', 'b129', 'y'.repeat(129)],
      ['SET', '\u00ff\u0000bin', '\r\n'],
      ['MSET', ...Array.from({ length: 80 }, () => big)],
      ['CLIENT', 'SETNAME', 'slowpoke'],
      ['PING'],
      ['CLIENT', 'SETNAME', ''],
      ['SLOWLOG', 'GET', '-1'],
      ['SLOWLOG', 'LEN'],
    ];
    for (const argv of cases) await pair.expectSame(argv);
    for (const proto of ['2', '3']) {
      await pair.both(['HELLO', proto]);
      await pair.expectSame(['SLOWLOG', 'GET', '-1']);
      await pair.expectSame(['SLOWLOG', 'GET', '3']);
    }
  });

  it('passwords are redacted (AUTH, HELLO AUTH, CONFIG SET requirepass/masterauth)', async () => {
    await fresh();
    await same(
      pair,
      `
      AUTH secret
      AUTH user secret
      AUTH a b c
      HELLO 2 AUTH user secret
      HELLO 2 SETNAME n AUTH user secret
      HELLO 2 AUTH user
      HELLO 9 AUTH user secret
      CONFIG SET requirepass ""
      CONFIG SET masterauth pw maxmemory bad
      CONFIG SET nosuch 1 requirepass ""
      CONFIG SET MASTERAUTH ""
      CONFIG SET requirepass
      MULTI
      AUTH inside
      EXEC
      SLOWLOG GET -1
    `,
    );
  });

  it('slowlog-max-len and slowlog-log-slower-than', async () => {
    await fresh();
    await same(
      pair,
      `
      SET a 1
      SET b 2
      CONFIG SET slowlog-max-len 3
      SLOWLOG LEN
      SLOWLOG GET
      CONFIG SET slowlog-log-slower-than -1
      SET c 3
      CONFIG SET slowlog-max-len 1
      SLOWLOG LEN
      SLOWLOG GET
      CONFIG SET slowlog-log-slower-than 100000000
      SLOWLOG LEN
      SLOWLOG GET
      SET d 4
      SLOWLOG GET
      CONFIG SET slowlog-log-slower-than 0 slowlog-max-len 0
      SLOWLOG LEN
      SET e 5
      SLOWLOG LEN
      CONFIG SET slowlog-max-len 5
      SLOWLOG LEN
      SLOWLOG GET
      CONFIG GET slowlog*
    `,
    );
  });

  it('other clients: address, name; a blocked command is logged once served', async () => {
    await fresh();
    const other = await pair.connect();
    await other.expectSame(['CLIENT', 'SETNAME', 'worker']);
    await other.expectSame(['SET', 'x', '1']);
    const blocked = other.start(['BLPOP', 'q', '0']);
    await pair.waitBlocked(1);
    await pair.expectSame(['SLOWLOG', 'GET', '-1']);
    await pair.expectSame(['LPUSH', 'q', 'a']);
    expect((await blocked).same).toBe(true);
    // a timeout unblocks it as well
    const timedOut = other.start(['BRPOP', 'q', '0.01']);
    expect((await timedOut).same).toBe(true);
    await other.expectSame(['PING']);
    await pair.expectSame(['SLOWLOG', 'GET', '-1']);
    other.close();
  });
});
