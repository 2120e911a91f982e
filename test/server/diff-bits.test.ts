// Differential tests: bitmap commands (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO)
// against real redis-server 7.0, reply bytes in RESP2 and RESP3, plus what reaches replicas.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, type DiffPair } from '../helpers/diff.js';
import { ReplStream, streamsUpToMarker } from '../helpers/diff-stream.js';
import { words } from '../helpers/diff-cases.js';

const real = haveRealRedis();

/** words(), with \xNN in unquoted words standing for that byte. */
function bwords(block: string): string[][] {
  return words(block).map((argv) =>
    argv.map((a) => a.replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)))),
  );
}

const setbitCases = bwords(`
  SETBIT b 7 1
  GET b
  SETBIT b 7 1
  SETBIT b 7 0
  SETBIT b 0 1
  GETBIT b 0
  GETBIT b 1
  GETBIT b 7
  GETBIT b 100
  GETBIT nokey 5
  SETBIT b 100 1
  STRLEN b
  GET b
  SETBIT b -1 1
  SETBIT b abc 1
  SETBIT b 1.5 1
  SETBIT b 01 1
  SETBIT b #3 1
  SETBIT b 4294967296 1
  SETBIT b 9223372036854775807 1
  SETBIT b 1 2
  SETBIT b 1 -1
  SETBIT b 1 x
  SETBIT b 1 ""
  SETBIT b 1 01
  SETBIT b 1 -0
  SETBIT b -1 x
  GETBIT b -1
  GETBIT b x
  GETBIT b 4294967296
  SET n 1
  GETBIT n 2
  GETBIT n 3
  GETBIT n 7
  OBJECT ENCODING n
  SETBIT n 7 1
  GET n
  OBJECT ENCODING n
  SET n2 12
  SETBIT n2 2 1
  OBJECT ENCODING n2
  SET e abc
  SETBIT e 0 0
  OBJECT ENCODING e
  SETBIT fresh 3 1
  OBJECT ENCODING fresh
  SET t xyz EX 100
  SETBIT t 40 1
  TTL t
  RPUSH list a
  SETBIT list 0 1
  GETBIT list 0
  SETBIT list -1 1
  SETBIT
  SETBIT b 1
  SETBIT b 1 1 1
  GETBIT b
  GETBIT b 1 2
`);

const countCases = bwords(`
  SET s foobar
  BITCOUNT s
  BITCOUNT s 0 0
  BITCOUNT s 1 1
  BITCOUNT s 1 1 BYTE
  BITCOUNT s 5 30 BIT
  BITCOUNT s 5 30 bit
  BITCOUNT s 0 -1 BIT
  BITCOUNT s -1 -1
  BITCOUNT s -1 -2
  BITCOUNT s -2 -1
  BITCOUNT s -100 100
  BITCOUNT s -5 -100
  BITCOUNT s 3 1
  BITCOUNT s 0 1000 BIT
  BITCOUNT s 7 7 BIT
  BITCOUNT s 1 6 BIT
  BITCOUNT s 9 14 BIT
  BITCOUNT s -3 -1 BIT
  BITCOUNT s 46 47 BIT
  BITCOUNT s 0
  BITCOUNT s 0 1 2
  BITCOUNT s 0 1 WORD
  BITCOUNT s a 1
  BITCOUNT s 0 b
  BITCOUNT s 0 1 BIT extra
  BITCOUNT nokey
  BITCOUNT nokey 0
  BITCOUNT nokey a b
  BITCOUNT nokey 0 1 FOO
  SET empty ""
  BITCOUNT empty
  BITCOUNT empty 0 -1
  BITCOUNT empty 0 -1 BIT
  SET num 12345
  BITCOUNT num
  BITCOUNT num 1 2
  RPUSH list a
  BITCOUNT list
  BITCOUNT list x y
  BITCOUNT
  SET ff \xff\xf0\x00
  SETBIT z 0 1
  SETBIT z 9 1
  SETBIT z 23 1
  BITCOUNT z
  BITCOUNT z 1 22 BIT
  BITCOUNT z 0 0 BIT
  BITCOUNT z 9 9 BIT
  BITCOUNT z 10 22 BIT
`);

const posCases = bwords(`
  SET s \xff\xf0\x00
  BITPOS s 0
  BITPOS s 1
  BITPOS s 0 0
  BITPOS s 0 1
  BITPOS s 0 2
  BITPOS s 0 3
  BITPOS s 1 2
  BITPOS s 1 2 -1
  BITPOS s 0 0 0
  BITPOS s 0 0 -1
  BITPOS s 0 0 1 BYTE
  BITPOS s 0 0 11 BIT
  BITPOS s 0 0 12 BIT
  BITPOS s 0 3 11 BIT
  BITPOS s 1 12 23 BIT
  BITPOS s 1 7 15 BIT
  BITPOS s 1 8 BIT
  BITPOS s 0 5 BIT
  BITPOS s 0 -1 -1 BIT
  BITPOS s 1 -1 -1 BIT
  BITPOS s 1 -10 -1 BIT
  BITPOS s 0 -100 100
  BITPOS s 1 5 1
  BITPOS s 0 -1 -3
  BITPOS s 1 100
  BITPOS s 0 100
  BITPOS s 2
  BITPOS s -1
  BITPOS s x
  BITPOS s 1 x
  BITPOS s 1 0 x
  BITPOS s 1 0 x FOO
  BITPOS s 1 0 1 FOO
  BITPOS s 1 0 1 BIT extra
  SET ones \xff\xff
  BITPOS ones 0
  BITPOS ones 0 0
  BITPOS ones 0 0 -1
  BITPOS ones 0 1 BIT
  BITPOS ones 0 3 9 BIT
  BITPOS ones 1 3 9 BIT
  SET zeros \x00\x00\x00
  BITPOS zeros 1
  BITPOS zeros 0
  BITPOS zeros 1 0 -1 BIT
  BITPOS zeros 0 5 BIT
  BITPOS zeros 0 5 17 BIT
  BITPOS nokey 0
  BITPOS nokey 1
  BITPOS nokey 1 x y z w
  BITPOS nokey 2
  SET empty ""
  BITPOS empty 0
  BITPOS empty 1
  BITPOS empty 0 0
  SET num 42
  BITPOS num 1
  BITPOS num 0 1
  RPUSH list a
  BITPOS list 1
  BITPOS list 2
  BITPOS
  BITPOS s
`);

const opCases = bwords(`
  SET a \x0f\xf0\xaa
  SET b \xff\x00
  BITOP AND dest a b
  GET dest
  OBJECT ENCODING dest
  BITOP OR dest a b
  GET dest
  BITOP XOR dest a b
  GET dest
  BITOP NOT dest a
  GET dest
  BITOP and dest a b nokey
  GET dest
  BITOP or dest a nokey
  GET dest
  BITOP xor dest nokey a
  GET dest
  BITOP AND dest a
  GET dest
  BITOP NOT dest a b
  BITOP NOT dest nokey
  EXISTS dest
  SET dest x
  BITOP AND dest nokey nokey2
  EXISTS dest
  BITOP AND dest nokey nokey2
  BITOP FOO dest a
  BITOP ANDX dest a
  SET n 1
  BITOP OR r n
  GET r
  OBJECT ENCODING r
  SET t v EX 100
  BITOP OR t a
  TTL t
  RPUSH list x
  BITOP AND dest a list
  BITOP NOT dest list
  BITOP FOO dest list
  BITOP OR list a
  TYPE list
  SET empty ""
  BITOP OR dest2 empty
  EXISTS dest2
  BITOP NOT dest3 empty
  BITOP
  BITOP AND
  BITOP AND dest
`);

const fieldCases = bwords(`
  BITFIELD bf SET i8 0 100 GET i8 0
  BITFIELD bf INCRBY i8 0 100
  BITFIELD bf OVERFLOW SAT INCRBY i8 0 100
  BITFIELD bf OVERFLOW FAIL INCRBY i8 0 100
  BITFIELD bf OVERFLOW WRAP INCRBY i8 0 -300
  BITFIELD bf GET u8 0 GET i8 0 GET u4 0 GET i4 4 GET u1 7
  BITFIELD bf SET u8 #1 255 GET u8 #1 GET u8 8
  BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1
  BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1
  BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1
  BITFIELD bf INCRBY u2 100 1 OVERFLOW SAT INCRBY u2 102 1
  BITFIELD bf OVERFLOW FAIL INCRBY u2 102 1 INCRBY u2 102 -5
  BITFIELD bf OVERFLOW SAT INCRBY u8 0 -1000
  BITFIELD bf OVERFLOW WRAP INCRBY u8 0 -1
  BITFIELD bf SET u8 0 -1
  BITFIELD bf OVERFLOW SAT SET u8 0 -1
  BITFIELD bf OVERFLOW FAIL SET u8 0 -1
  BITFIELD bf OVERFLOW SAT SET u8 0 256
  BITFIELD bf OVERFLOW WRAP SET u8 0 257
  BITFIELD bf OVERFLOW SAT SET i8 0 200
  BITFIELD bf OVERFLOW SAT SET i8 0 -200
  BITFIELD bf OVERFLOW WRAP SET i8 0 200
  BITFIELD bf OVERFLOW WRAP SET i8 0 -200
  BITFIELD bf OVERFLOW FAIL SET i8 0 -129
  BITFIELD bf OVERFLOW SAT SET i8 0 -9223372036854775808
  BITFIELD bf OVERFLOW WRAP SET i8 0 -9223372036854775808
  BITFIELD bf OVERFLOW SAT SET i8 0 -9223372036854775700
  BITFIELD bf OVERFLOW SAT SET i8 0 9223372036854775807
  BITFIELD bf SET i64 0 -9223372036854775808 GET i64 0 GET u63 0 GET u63 1
  BITFIELD bf INCRBY i64 0 -1
  BITFIELD bf OVERFLOW SAT INCRBY i64 0 -1
  BITFIELD bf OVERFLOW FAIL INCRBY i64 0 -1
  BITFIELD bf SET i64 0 9223372036854775807 INCRBY i64 0 1
  BITFIELD bf OVERFLOW SAT SET i64 0 9223372036854775807 INCRBY i64 0 1
  BITFIELD bf SET u63 0 9223372036854775807 GET u63 0 OVERFLOW SAT INCRBY u63 0 5
  BITFIELD bf SET u63 0 0 OVERFLOW SAT INCRBY u63 0 -9223372036854775808
  BITFIELD bf OVERFLOW WRAP INCRBY u63 0 -9223372036854775808
  BITFIELD bf SET i5 3 -7 GET i5 3 GET u5 3 GET i13 1 GET u1 3
  BITFIELD bf SET i64 5 -12345678901234 GET i64 5 GET u63 6 INCRBY i64 5 12345678901234
  BITFIELD bf GET i64 100000 GET u1 0
  GET bf
  STRLEN bf
  OBJECT ENCODING bf
  BITFIELD bf
  BITFIELD nokey
  EXISTS nokey
  BITFIELD nokey GET i8 0 GET u16 #3
  EXISTS nokey
  BITFIELD nk2 OVERFLOW FAIL SET u8 0 999
  GET nk2
  BITFIELD nk3 SET u1 #7 1
  GET nk3
  BITFIELD bf GET i65 0
  BITFIELD bf GET u64 0
  BITFIELD bf GET u0 0
  BITFIELD bf GET i0 0
  BITFIELD bf GET I8 0
  BITFIELD bf GET x8 0
  BITFIELD bf GET i08 0
  BITFIELD bf GET i 0
  BITFIELD bf GET "" 0
  BITFIELD bf GET i8 -1
  BITFIELD bf GET i8 #-1
  BITFIELD bf GET i8 ##1
  BITFIELD bf GET i8 #
  BITFIELD bf GET i8 x
  BITFIELD bf GET i8 4294967295
  BITFIELD bf GET i8 4294967296
  BITFIELD bf GET i8 #536870911
  BITFIELD bf GET i8 #536870912
  BITFIELD bf GET i64 #1152921504606846976
  BITFIELD bf GET i64 #9223372036854775807
  BITFIELD bf SET i8 0 x
  BITFIELD bf SET i8 0 1.5
  BITFIELD bf INCRBY i8 0 99999999999999999999
  BITFIELD bf SET i8 0
  BITFIELD bf INCRBY i8 0
  BITFIELD bf GET i8
  BITFIELD bf FOO
  BITFIELD bf GET i8 0 FOO
  BITFIELD bf OVERFLOW
  BITFIELD bf OVERFLOW FOO GET i8 0
  BITFIELD bf OVERFLOW sat
  BITFIELD bf overflow fail set u8 0 1000 get u8 0 incrby u8 0 1
  BITFIELD bf SET i8 x 1 OVERFLOW BAD
  BITFIELD bf OVERFLOW BAD SET i8 x 1
  BITFIELD bf GET u8 0 SET u8 0 x
  SET tt abc EX 100
  BITFIELD tt SET u8 100 1
  TTL tt
  SET num 7
  BITFIELD num GET u8 0
  OBJECT ENCODING num
  BITFIELD num SET u8 0 55 GET u8 0
  OBJECT ENCODING num
  GET num
  SET num2 7
  BITFIELD num2 OVERFLOW FAIL SET u2 0 9
  OBJECT ENCODING num2
  RPUSH list x
  BITFIELD list GET u8 0
  BITFIELD list SET u8 0 1
  BITFIELD list GET u8 x
  BITFIELD list
  BITFIELD_RO bf GET i8 0 GET u4 #3
  BITFIELD_RO bf
  BITFIELD_RO nokey GET i8 0
  BITFIELD_RO bf SET i8 0 1
  BITFIELD_RO bf INCRBY i8 0 1
  BITFIELD_RO bf GET i8 0 OVERFLOW SAT
  BITFIELD_RO bf OVERFLOW SAT GET i8 0
  BITFIELD_RO bf SET i8 0 x
  BITFIELD_RO bf SET i99 0 1
  BITFIELD_RO bf FOO
  BITFIELD_RO list GET i8 0
  BITFIELD_RO list SET i8 0 1
  BITFIELD
  BITFIELD_RO
`);

const ALL = { setbitCases, countCases, posCases, opCases, fieldCases };

/** Writes whose propagation (or lack of it) is compared with Redis's replication stream. */
const writes = bwords(`
  SETBIT p 7 1
  SETBIT p 7 1
  SETBIT p 7 0
  SETBIT p 100 0
  SETBIT p 100 0
  SETBIT p -1 1
  BITOP OR p2 p
  BITOP AND p3 nokey
  SET p4 x
  BITOP AND p4 nokey
  BITOP NOT p5 p
  BITFIELD p GET u8 0
  BITFIELD p SET u8 0 1 GET u8 0
  BITFIELD p OVERFLOW FAIL SET u8 0 999
  BITFIELD p SET u8 0 0
  BITFIELD p SET u8 0 0
  BITFIELD p INCRBY u8 0 0
  BITFIELD p OVERFLOW FAIL SET u8 50 999
  BITFIELD p OVERFLOW SAT SET u8 0 999
  BITFIELD p OVERFLOW SAT SET u8 0 999
  BITFIELD p
  BITFIELD np GET u8 0
  BITFIELD_RO p GET u8 0
  BITFIELD p INCRBY i5 #2 3 INCRBY u3 0 1
`);

describe.skipIf(!real)('bitmap commands: tsredis vs redis-server (reply bytes)', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair(['--repl-diskless-sync', 'no']);
  });
  afterAll(async () => {
    await pair?.stop();
  });

  for (const [name, cases] of Object.entries(ALL)) {
    for (const proto of ['2', '3']) {
      it(`${name}, RESP${proto}`, async () => {
        await pair.reset();
        await pair.both(['HELLO', proto]);
        expect(await pair.differences(cases)).toEqual([]);
      });
    }
  }

  for (const proto of ['2', '3']) {
    it(`COMMAND INFO / DOCS / GETKEYS of the bitmap commands, RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      const names = ['setbit', 'getbit', 'bitcount', 'bitpos', 'bitop', 'bitfield', 'bitfield_ro'];
      const cases = names.flatMap((n) => [
        ['COMMAND', 'INFO', n],
        ['COMMAND', 'DOCS', n],
      ]);
      cases.push(
        ['COMMAND', 'GETKEYS', 'BITOP', 'AND', 'd', 'a', 'b'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'BITOP', 'AND', 'd', 'a', 'b'],
      );
      for (const ops of [
        '',
        'GET u8 0',
        'foo',
        'GET u8',
        'GET u8 0 GET',
        'OVERFLOW SAT',
        'OVERFLOW',
        'get u8 0 overflow fail get i4 1',
        'GET u8 0 SET u8 0 1',
        'GET u8 0 INCRBY u8 0',
      ]) {
        cases.push(['COMMAND', 'GETKEYSANDFLAGS', 'BITFIELD', 'k', ...ops.split(' ').filter(Boolean)]);
      }
      cases.push(
        ['COMMAND', 'GETKEYSANDFLAGS', 'BITFIELD_RO', 'k', 'GET', 'u8', '0'],
        ['COMMAND', 'GETKEYSANDFLAGS', 'SETBIT', 'k', '1', '1'],
      );
      expect(await pair.differences(cases)).toEqual([]);
    });
  }

  it('keyspace hits/misses counted as Redis counts them', async () => {
    await pair.reset();
    await pair.both(['CONFIG', 'RESETSTAT']);
    for (const argv of words(`
      SET a x
      GETBIT a 1
      GETBIT no 1
      BITCOUNT a
      BITCOUNT no
      BITPOS a 1
      BITPOS no 1
      BITOP OR d a no
      SETBIT a 3 1
      SETBIT no2 3 1
      BITFIELD a GET u8 0
      BITFIELD no3 GET u8 0
      BITFIELD a SET u8 0 1
      BITFIELD_RO a GET u8 0
    `))
      await pair.expectSame(argv);
    const stat = (info: string): string =>
      info
        .split('\r\n')
        .filter((l) => /^keyspace_(hits|misses):/.test(l))
        .join(',');
    const { real: r, ts: t } = await pair.both(['INFO', 'stats']);
    expect(stat(t)).toBe(stat(r));
  });

  it('proto-max-bulk-len bounds bit offsets', async () => {
    await pair.reset();
    await pair.expectSame(['CONFIG', 'SET', 'proto-max-bulk-len', '1048576']);
    expect(
      await pair.differences(
        words(`
        SETBIT b 8388607 1
        SETBIT b 8388608 1
        GETBIT b 8388608
        STRLEN b
        BITFIELD b GET u8 8388600 GET u8 8388608
        BITFIELD b SET u8 8388607 1
        BITFIELD b SET u8 #1048575 1
        BITFIELD b SET u8 #1048576 1
        BITFIELD_RO b GET u8 8388608
      `),
      ),
    ).toEqual([]);
    await pair.expectSame(['CONFIG', 'SET', 'proto-max-bulk-len', '536870912']);
  });

  it('inside MULTI/EXEC and with WATCH', async () => {
    await pair.reset();
    const other = await pair.connect();
    await pair.expectSameSequence(
      words(`
      SET w x
      WATCH w
      MULTI
      SETBIT w 1 1
      BITFIELD w GET u8 0 SET u8 0 1
      BITOP NOT w2 w
      BITFIELD_RO w SET u8 0 1
      EXEC
      GET w
      GET w2
    `),
    );
    // an unchanged SETBIT does not touch the key: the watcher's EXEC still runs
    await pair.expectSame(['WATCH', 'w']);
    await other.expectSame(['SETBIT', 'w', '7', '1']);
    await pair.expectSameSequence(
      words(`
      MULTI
      GET w
      EXEC
      WATCH w
    `),
    );
    await other.expectSame(['SETBIT', 'w', '7', '0']);
    await pair.expectSameSequence(
      words(`
      MULTI
      GET w
      EXEC
    `),
    );
  });

  it('propagates the same commands to replicas', async () => {
    await pair.reset();
    const [rs, ts] = await Promise.all([ReplStream.open(pair.realProc.port), ReplStream.open(pair.tsProc.port)]);
    try {
      for (const argv of writes) await pair.both(argv);
      const [a, b] = await streamsUpToMarker(pair, rs, ts);
      expect(b).toEqual(a);
    } finally {
      rs.close();
      ts.close();
    }
  });
});
