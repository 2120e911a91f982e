// Differential tests: SORT and SORT_RO against real redis-server 7.0 (reply bytes, RESP2 and
// RESP3), the replication stream of SORT ... STORE, and COMMAND INFO/DOCS/GETKEYS for both.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, parseReply, type DiffPair } from '../helpers/diff.js';
import { ReplStream, streamsUpToMarker } from '../helpers/diff-stream.js';
import { words } from '../helpers/diff-cases.js';

const real = haveRealRedis();

const setup = words(`
  RPUSH l 3 1 2 10 -5 2.5
  MSET w_3 30 w_1 10 w_2 20 w_10 5 w_-5 100 w_2.5 0
  MSET a_3 c a_1 a a_2 b a_10 j a_-5 e a_2.5 d
  HSET h_3 f 3 g three
  HSET h_1 f 1 g one
  HSET h_2 f 2 g two
  HSET h_10 f 10 g ten
  RPUSH lw_3 x
  SET str_1 v
  SADD s 5 3 9 1
  SADD hs banana apple cherry
  ZADD z 3 c 1 a 2 b 10 x
  ZADD zn 1 10 2 5 3 7
  RPUSH bad 1 x 2
  SET str v
  HSET hsh f v
`);

const cases = words(`
  SORT l
  SORT l DESC
  SORT l ASC
  SORT l asc desc
  SORT l desc asc
  SORT l ALPHA
  SORT l ALPHA DESC
  SORT l alpha limit 1 2
  SORT l LIMIT 0 2
  SORT l LIMIT 2 3
  SORT l LIMIT -1 2
  SORT l LIMIT 5 10
  SORT l LIMIT 6 1
  SORT l LIMIT 100 1
  SORT l LIMIT 1 -1
  SORT l LIMIT 1 -100
  SORT l LIMIT 1 0
  SORT l LIMIT 0 9223372036854775807
  SORT l LIMIT 2 9223372036854775807
  SORT l LIMIT -9223372036854775808 3
  SORT l LIMIT 9223372036854775807 9223372036854775807
  SORT l LIMIT 0 1 LIMIT 1 1
  SORT l DESC LIMIT 1 2 ALPHA
  SORT l LIMIT 9223372036854775808 1
  SORT l LIMIT 1 9223372036854775808
  SORT l LIMIT a 1
  SORT l LIMIT 1 b
  SORT l LIMIT 1.5 1
  SORT l LIMIT +1 1
  SORT l LIMIT 01 1
  SORT l LIMIT 1
  SORT l LIMIT
  SORT l LIMIT a
  SORT l FOO
  SORT l BY
  SORT l GET
  SORT l STORE
  SORT l ALPHA FOO LIMIT a b
  SORT l LIMIT a b FOO
  SORT l BY w_*
  SORT l BY w_* DESC
  SORT l BY w_* LIMIT 1 2
  SORT l BY w_* DESC LIMIT 2 2
  SORT l BY w_* GET #
  SORT l BY w_* GET # GET w_* GET a_*
  SORT l BY w_* ALPHA
  SORT l BY w_* ALPHA DESC
  SORT l BY a_* ALPHA
  SORT l BY a_*
  SORT l BY nokey_*
  SORT l BY nokey_* DESC
  SORT l BY nokey_* ALPHA
  SORT l BY nokey_* ALPHA DESC
  SORT l BY nosort
  SORT l BY nosort DESC
  SORT l BY nosort ALPHA
  SORT l BY nosort LIMIT 1 2
  SORT l BY nosort DESC LIMIT 1 2
  SORT l BY nosort LIMIT 4 10
  SORT l BY nosort DESC LIMIT 4 10
  SORT l BY nosort LIMIT 10 1
  SORT l BY nosort DESC LIMIT 10 1
  SORT l BY nosort LIMIT 0 0
  SORT l BY nosort LIMIT -3 2
  SORT l BY nosort GET # GET w_*
  SORT l BY # GET #
  SORT l BY w_* BY nosort
  SORT l BY nosort BY w_*
  SORT l GET w_*
  SORT l GET # GET # GET nokey_*
  SORT l GET nostar
  SORT l GET #x
  SORT l GET w_*_x
  SORT l GET *
  SORT l BY h_*->f GET h_*->g
  SORT l BY h_*->f DESC GET # GET h_*->f
  SORT l BY h_*->g ALPHA GET h_*->g
  SORT l BY h_*->nofield GET h_*->nofield
  SORT l GET h_*->
  SORT l GET h_*->f->x
  SORT l GET ->*
  SORT l GET *->f
  SORT l GET lw_*
  SORT l BY lw_* GET #
  SORT l GET str_*->f
  SORT l GET h_*
  SORT l BY h_* GET #
  SORT bad
  SORT bad DESC
  SORT bad ALPHA
  SORT bad LIMIT 0 1
  SORT bad BY nosort
  SORT bad STORE dst
  EXISTS dst
  SORT bad BY w_*
  SORT bad BY a_*
  SORT s
  SORT s DESC
  SORT s ALPHA
  SORT s LIMIT 1 2
  SORT s BY w_*
  SORT s GET #
  SORT s BY nosort
  SORT s BY nosort DESC LIMIT 1 2
  SORT s BY nosort GET # GET w_*
  SORT s BY nosort STORE dst
  LRANGE dst 0 -1
  SORT hs ALPHA
  SORT hs ALPHA DESC
  SORT hs ALPHA LIMIT 1 1
  SORT hs
  SORT hs BY nosort LIMIT 0 0
  SORT hs BY nosort STORE dst
  LRANGE dst 0 -1
  SORT hs BY nosort DESC STORE dst
  LRANGE dst 0 -1
  SORT hs BY nosort LIMIT 1 5 STORE dst
  LRANGE dst 0 -1
  OBJECT ENCODING z
  SORT z BY nosort
  OBJECT ENCODING z
  SORT z BY nosort DESC
  SORT z BY nosort LIMIT 1 2
  SORT z BY nosort DESC LIMIT 1 2
  SORT z BY nosort DESC LIMIT 3 5
  SORT z BY nosort LIMIT 4 1
  SORT z BY nosort DESC LIMIT 0 0
  SORT z BY nosort GET # GET a_*
  SORT z ALPHA
  SORT z ALPHA DESC LIMIT 1 2
  SORT z
  SORT zn
  SORT zn DESC
  SORT zn BY nosort
  SORT zn BY nosort DESC
  SORT zn BY w_*
  OBJECT ENCODING zn
  SORT l STORE dst
  LRANGE dst 0 -1
  TYPE dst
  OBJECT ENCODING dst
  SORT l STORE dst LIMIT 0 2 GET # GET w_* GET nokey_*
  LRANGE dst 0 -1
  SORT l STORE dst2 STORE dst
  LRANGE dst 0 -1
  EXISTS dst2
  SORT l BY nosort DESC STORE dst
  LRANGE dst 0 -1
  SORT l ALPHA STORE dst
  LRANGE dst 0 -1
  SORT l LIMIT 10 1 STORE dst
  EXISTS dst
  SORT l LIMIT 10 1 STORE dst
  SORT nokey STORE dst
  SET dst x EX 100
  SORT l STORE dst
  TTL dst
  SORT z BY nosort STORE str_1
  TYPE str_1
  LRANGE str_1 0 -1
  SORT_RO l
  SORT_RO l DESC LIMIT 1 2
  SORT_RO l BY w_* GET # GET a_*
  SORT_RO l BY nosort
  SORT_RO hs ALPHA
  SORT_RO l STORE dst
  SORT_RO l STORE
  SORT_RO str
  SORT_RO nokey
  SORT_RO bad
  SORT str
  SORT str LIMIT a b
  SORT str FOO
  SORT str BY w_* GET #
  SORT str STORE dst
  SORT hsh
  SORT nokey
  SORT nokey BY w_* GET # DESC LIMIT 0 5
  SORT nokey BY nosort LIMIT 1 1
  SORT
  SORT_RO
  MULTI
  SORT l BY w_* GET #
  SORT l STORE d2
  SORT_RO d2 DESC
  SORT str
  EXEC
  LRANGE d2 0 -1
  SORT l STORE l
  LRANGE l 0 -1
  RPUSH keys k1 k2 k3
  MSET k1 5 k2 3 k3 4
  SORT keys BY *
  SORT keys BY * GET *
  SORT keys BY *x GET *x
  SORT keys BY k* GET k*
  SORT keys BY **
  RPUSH ties 1.0 1 01 +1 " 1" 1e0
  SORT ties
  SORT ties DESC
  RPUSH al B a C b A "" aa
  SORT al ALPHA
  SORT al ALPHA DESC
  SORT al ALPHA STORE dst
  LRANGE dst 0 -1
  SORT al BY nokey ALPHA
`);

/** One list per strtod edge case (each with a 5 to compare against). */
const numbers = [
  '',
  ' ',
  '  1',
  '\t2',
  '1 ',
  '1e-310',
  '1e-400',
  '0x1p-1074',
  '0x1.8p-1074',
  '0x3p-1075',
  '4.9e-324',
  '1e400',
  '-1e400',
  'inf',
  '-infinity',
  'INF',
  'Infinity',
  'infin',
  'nan',
  '-nan',
  'nan(123)',
  '0x10',
  '0X1P3',
  '0x',
  '0x.',
  '0x1p',
  '1e',
  '+',
  '-',
  '.',
  '.5',
  '5.',
  '0x1.8p1',
  '-0',
  '+5',
  '1e+2',
  '1E-2',
  '2.2250738585072014e-308',
  '2.225073858507201e-308',
  '0x1p1023',
  '0x1p1024',
  '0x1.fffffffffffffp1023',
  '0x1.fffffffffffff8p1023',
  '9223372036854775807',
  '-9223372036854775808',
  '99999999999999999999',
  '1\0junk',
  '\0',
  'x\0',
  '0x1p-1022',
  '0x0.0000000000001p-1022',
  '0x123456789abcdef123p-10',
  '00012',
  '1_000',
];

describe.skipIf(!real)('SORT / SORT_RO: tsredis vs redis-server (reply bytes)', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair(['--repl-diskless-sync', 'no']);
  });
  afterAll(async () => {
    await pair?.stop();
  });

  for (const proto of ['2', '3']) {
    it(`hand-written SORT cases, RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      expect(await pair.differences([...setup, ...cases])).toEqual([]);
    });

    it(`numeric conversion of weights (strtod edge cases), RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      const cmds: string[][] = [];
      numbers.forEach((v, i) => {
        // Redis does not clear errno before this strtod: after an ERANGE, later numeric SORTs on
        // the connection fail too until something resets errno, as ZADD's score parsing does
        cmds.push(['ZADD', 'errno', '0', 'x']);
        cmds.push(
          ['RPUSH', `n${i}`, v, '5'],
          ['SORT', `n${i}`],
          ['ZADD', 'errno', '0', 'x'],
          ['SORT', `n${i}`, 'DESC'],
          ['ZADD', 'errno', '0', 'x'],
        );
        // the same value as a BY weight and as a hash field weight
        cmds.push(['SET', `wt_${i}`, v], ['HSET', `hw_${i}`, 'f', v], ['RPUSH', `m${i}`, String(i), 'x']);
        cmds.push(
          ['SORT', `m${i}`, 'BY', 'wt_*'],
          ['ZADD', 'errno', '0', 'x'],
          ['SORT', `m${i}`, 'BY', 'hw_*->f', 'GET', 'hw_*->f'],
        );
      });
      expect(await pair.differences(cmds)).toEqual([]);
    });

    it(`binary elements and patterns (NUL and high bytes), RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      const cmds: string[][] = [
        ['RPUSH', 'b', 'a\0b', 'a\0a', 'a', '\xff', '\x80x', 'Z', 'a\0'],
        ['SORT', 'b', 'ALPHA'],
        ['SORT', 'b', 'ALPHA', 'DESC'],
        ['SORT', 'b', 'ALPHA', 'STORE', 'bd'],
        ['LRANGE', 'bd', '0', '-1'],
        ['SORT', 'b', 'ALPHA', 'DESC', 'STORE', 'bd'],
        ['LRANGE', 'bd', '0', '-1'],
        ['SORT', 'b', 'BY', 'nosort', 'GET', 'k_*'],
        ['MSET', 'k_a\0b', '2', 'k_a\0a', '1', 'k_a', 'x\0y', 'k_\xff', 'x\0a', 'k_Z', '3'],
        ['SORT', 'b', 'BY', 'k_*', 'ALPHA', 'GET', '#', 'GET', 'k_*'],
        ['SORT', 'b', 'BY', 'k_*', 'ALPHA', 'DESC', 'GET', '#'],
        ['SORT', 'b', 'BY', 'k_*', 'ALPHA', 'STORE', 'bd'],
        ['LRANGE', 'bd', '0', '-1'],
        ['SORT', 'b', 'BY', 'k_*', 'GET', 'k_*'],
        ['RPUSH', 'n', '2', '1', '3'],
        ['MSET', 'p_1', 'one', 'p_2', 'two', 'p_\0', 'nul'],
        // C string functions stop at the NUL: '#' and '*' after it are not seen
        ['SORT', 'n', 'GET', '#\0x'],
        ['SORT', 'n', 'GET', 'p_\0*'],
        ['SORT', 'n', 'GET', 'p_*\0'],
        ['SORT', 'n', 'BY', 'p_\0*', 'DESC'],
        ['SORT', 'n', 'BY', 'p_*\0', 'ALPHA'],
        ['HSET', 'hb_1', 'f\0g', 'A', 'f', 'B'],
        ['SORT', 'n', 'GET', 'hb_*->f\0g'],
        ['SORT', 'n', 'GET', 'hb_*->\0g'],
        ['SORT', 'n', 'GET', 'hb_*-\0>f'],
      ];
      expect(await pair.differences(cmds)).toEqual([]);
    });
  }

  it('LIMIT on large lists and sorted sets (BY nosort takes the range directly)', async () => {
    await pair.reset();
    const n = 300;
    const vals = Array.from({ length: n }, (_, i) => String((i * 7919) % 1000));
    const cmds: string[][] = [
      ['RPUSH', 'bl', ...vals],
      ['ZADD', 'bz', ...vals.flatMap((v, i) => [String(i % 17), `m${v}`])],
    ];
    for (const k of ['bl', 'bz']) {
      for (const lim of [
        ['0', '10'],
        ['150', '20'],
        ['290', '50'],
        ['-5', '3'],
        ['299', '1'],
        ['300', '1'],
      ]) {
        cmds.push(['SORT', k, 'BY', 'nosort', 'LIMIT', ...lim], ['SORT', k, 'BY', 'nosort', 'DESC', 'LIMIT', ...lim]);
        cmds.push(['SORT', k, 'ALPHA', 'LIMIT', ...lim], ['SORT', k, 'ALPHA', 'DESC', 'LIMIT', ...lim]);
      }
    }
    cmds.push(['SORT', 'bl', 'LIMIT', '100', '10'], ['SORT', 'bl', 'DESC', 'LIMIT', '100', '10']);
    cmds.push(
      ['SORT', 'bl', 'BY', 'nosort', 'STORE', 'blc'],
      ['LRANGE', 'blc', '0', '-1'],
      ['OBJECT', 'ENCODING', 'blc'],
    );
    expect(await pair.differences(cmds)).toEqual([]);
  });

  it('keyspace hits and misses of the pattern lookups', async () => {
    await pair.reset();
    await pair.both(['RPUSH', 'l', '3', '1', '2']);
    await pair.both(['SET', 'w_1', '5']);
    const stats = (raw: string): string =>
      raw
        .split('\r\n')
        .filter((x) => /^keyspace_(hits|misses):/.test(x))
        .join(',');
    for (const argv of [
      ['SORT', 'l', 'BY', 'w_*', 'GET', 'o_*'],
      ['SORT', 'l', 'BY', 'w_*', 'GET', '#', 'STORE', 'd'],
      ['SORT', 'nokey', 'BY', 'w_*'],
    ]) {
      await pair.both(['CONFIG', 'RESETSTAT']);
      await pair.expectSame(argv);
      const { real: r, ts: t } = await pair.both(['INFO', 'stats']);
      expect(stats(t)).toEqual(stats(r));
    }
  });

  it('WATCH: SORT ... STORE touches only the destination', async () => {
    await pair.reset();
    await pair.expectSameSequence(
      words(`
      RPUSH l 3 1 2
      WATCH l
      SORT l STORE other
      MULTI
      PING
      EXEC
      WATCH dst
      SORT l STORE dst
      MULTI
      PING
      EXEC
      SET dst x
      WATCH dst
      SORT nokey STORE nothing
      SORT l LIMIT 0 0 STORE nothing
      MULTI
      PING
      EXEC
      WATCH dst
      SORT nokey STORE dst
      MULTI
      PING
      EXEC
    `),
    );
  });

  it('COMMAND INFO / DOCS / GETKEYS / GETKEYSANDFLAGS for sort and sort_ro', async () => {
    await pair.reset();
    const cmds = words(`
      COMMAND INFO sort sort_ro
      COMMAND DOCS sort sort_ro
      COMMAND GETKEYS sort a
      COMMAND GETKEYS sort a store b
      COMMAND GETKEYS sort a STORE b LIMIT 0 1 BY x GET y
      COMMAND GETKEYS sort a store b store c
      COMMAND GETKEYS sort a store store b
      COMMAND GETKEYS sort a store
      COMMAND GETKEYS sort a limit store x
      COMMAND GETKEYS sort a limit 0 1 store x
      COMMAND GETKEYS sort a get store
      COMMAND GETKEYS sort a by store store c
      COMMAND GETKEYS sort a asc store d
      COMMAND GETKEYS sort
      COMMAND GETKEYS sort_ro a
      COMMAND GETKEYS sort_ro a store b
      COMMAND GETKEYSANDFLAGS sort a store b
      COMMAND GETKEYSANDFLAGS sort a by x get y
      COMMAND GETKEYSANDFLAGS sort_ro a by x
      COMMAND GETKEYSANDFLAGS sort_ro a store b
    `);
    for (const proto of ['2', '3']) {
      await pair.both(['HELLO', proto]);
      expect(await pair.differences(cmds)).toEqual([]);
    }
    // the whole COMMAND reply's entries for the two commands, as COMMAND (no args) lists them
    const { real: r, ts: t } = await pair.both(['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'sort*']);
    const names = (raw: string): string[] => (parseReply(raw, 0)!.node.items ?? []).map((x) => x.v!).sort();
    expect(names(t)).toEqual(names(r));
  });

  it('replicates SORT ... STORE as Redis does (and nothing for reads, errors and no-ops)', async () => {
    await pair.reset();
    const [rs, ts] = await Promise.all([ReplStream.open(pair.realProc.port), ReplStream.open(pair.tsProc.port)]);
    try {
      const writes = words(`
        RPUSH l 3 1 2
        SADD hs banana apple cherry
        SORT l
        SORT_RO l
        SORT l STORE dst
        SORT l BY nosort DESC LIMIT 0 2 STORE dst
        SORT hs BY nosort STORE dst2
        SORT hs BY nosort LIMIT 0 1 STORE dst2
        SORT nokey STORE dst
        SORT nokey STORE dst
        SORT hs STORE dst3
        SORT l LIMIT 5 5 STORE dst3
        SORT l GET nokey_* STORE dst4
        MULTI
        SORT l DESC STORE dst5
        SORT l STORE dst6
        EXEC
      `);
      for (const argv of writes) await pair.both(argv);
      const [a, b] = await streamsUpToMarker(pair, rs, ts);
      expect(b).toEqual(a);
    } finally {
      rs.close();
      ts.close();
    }
  });
});
