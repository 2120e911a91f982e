// Differential tests: HyperLogLog (PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST) against real
// redis-server 7.0. The HLL strings themselves (GET) must be byte-identical, so the hash,
// sparse opcode editing, dense promotion, cached cardinality and estimator are all checked.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, type DiffPair } from '../helpers/diff.js';
import { ReplStream, streamsUpToMarker } from '../helpers/diff-stream.js';
import { rng } from '../../src/harness/checker/testing.js'; // seeded mulberry32: failures reproduce
import { words } from '../helpers/diff-cases.js';

const real = haveRealRedis();

const chr = (...codes: number[]): string => String.fromCharCode(...codes);
/** An HLL header: encoding byte, cached cardinality bytes (the last one's MSB = stale). */
const header = (enc: number, card: number[] = [0, 0, 0, 0, 0, 0, 0, 0x80]): string =>
  'HYLL' + chr(enc, 0, 0, 0, ...card);
const zero = (n: number): string => chr(n - 1);
const xzero = (n: number): string => chr(0x40 | ((n - 1) >> 8), (n - 1) & 0xff);
const val = (v: number, n: number): string => chr(0x80 | ((v - 1) << 2) | (n - 1));

/** A random but valid sparse opcode stream covering exactly 16384 registers. */
function randomSparse(rnd: () => number): string {
  let left = 16384;
  let s = header(1);
  while (left > 0) {
    const kind = rnd();
    let n: number;
    if (kind < 0.3) {
      n = Math.min(left, 1 + Math.floor(rnd() * 64));
      s += zero(n);
    } else if (kind < 0.45) {
      n = Math.min(left, 1 + Math.floor(rnd() * 2000));
      s += xzero(n);
    } else {
      n = Math.min(left, 1 + Math.floor(rnd() * 4));
      s += val(1 + Math.floor(rnd() * 32), n);
    }
    left -= n;
  }
  return s;
}

function randomElement(rnd: () => number, i: number): string {
  const r = rnd();
  if (r < 0.6) return `el:${i}:${Math.floor(rnd() * 1e6)}`;
  // binary elements of every tail length (0..17 bytes)
  const len = Math.floor(rnd() * 18);
  let s = '';
  for (let k = 0; k < len; k++) s += chr(Math.floor(rnd() * 256));
  return s;
}

describe.skipIf(!real)('HyperLogLog: tsredis vs redis-server (reply bytes)', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair(['--repl-diskless-sync', 'no']);
  });
  afterAll(async () => {
    await pair?.stop();
  });

  const cases = words(`
    PFADD
    PFCOUNT
    PFMERGE
    PFDEBUG
    PFDEBUG GETREG
    PFSELFTEST extra
    PFADD h
    PFADD h
    EXISTS h
    TYPE h
    GET h
    STRLEN h
    OBJECT ENCODING h
    PFCOUNT h
    GET h
    PFADD h a b c
    PFADD h a
    PFADD h A b c d
    PFCOUNT h
    PFCOUNT h
    GET h
    PFCOUNT h nokey
    PFCOUNT nokey
    PFCOUNT nokey nokey2
    PFADD h "" " " "with space" 0 -1 123456789012345678901234567890
    PFCOUNT h
    PFDEBUG ENCODING h
    PFDEBUG encoding h
    PFDEBUG DECODE h
    PFDEBUG encoding nokey
    PFDEBUG foo h
    PFDEBUG foo nokey
    PFDEBUG GETREG nokey
    PFDEBUG TODENSE h
    PFDEBUG TODENSE h
    PFDEBUG DECODE h
    PFDEBUG ENCODING h
    STRLEN h
    OBJECT ENCODING h
    PFCOUNT h
    PFADD h x y z
    PFCOUNT h
    GET h
    SET s hello
    PFADD s a
    PFCOUNT s
    PFCOUNT h s
    PFCOUNT s h
    PFMERGE d s
    PFMERGE s h
    PFDEBUG ENCODING s
    PFDEBUG TODENSE s
    EXISTS d
    LPUSH l a
    PFADD l a
    PFCOUNT l
    PFCOUNT h l
    PFMERGE l h
    PFMERGE h l
    PFMERGE m0 h l
    PFDEBUG ENCODING l
    PFDEBUG GETREG l
    EXISTS m0
    PFMERGE m1
    EXISTS m1
    GET m1
    OBJECT ENCODING m1
    PFCOUNT m1
    PFMERGE m2 h nokey
    GET m2
    PFDEBUG ENCODING m2
    PFCOUNT m2
    PFADD h2 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20
    PFMERGE m3 h2 nokey
    PFDEBUG ENCODING m3
    PFDEBUG DECODE m3
    GET m3
    PFMERGE m3 m3
    PFMERGE m4 h h2
    PFDEBUG ENCODING m4
    PFCOUNT m4
    PFCOUNT h h2
    PFCOUNT h2 h m4 nokey
    PFADD m3 21 22
    PFMERGE m3 h2 m3
    GET m3
    SET e ""
    PFADD e a
    PFCOUNT e
    SET hh HYLL
    PFADD hh a
    PFCOUNT hh
    SET k 12345678901234567890
    PFADD k x
    PFDEBUG ENCODING k
    PFADD c a b c
    APPEND c x
    PFCOUNT c
    GET c
    PFDEBUG DECODE c
    PFADD c d e f g
    GET c
    PFCOUNT c nokey
    PFMERGE c2 c
    SETRANGE c 0 Hyll
    PFCOUNT c
    PFADD c3 a b c
    SETRANGE c3 15 A
    PFCOUNT c3
    PFCOUNT c3
    SETRANGE c3 8 abcdefg
    PFCOUNT c3
    PFADD c3 zz
    PFCOUNT c3
    GET c3
    APPEND h q
    PFCOUNT h
    PFADD h q
    STRLEN h
    SETRANGE h 12303 ""
    PFADD t a
    EXPIRE t 100
    PFADD t b c
    TTL t
    PFCOUNT t
    TTL t
    PFMERGE t h2
    TTL t
    PFDEBUG TODENSE t
    TTL t
    GETRANGE t 0 15
    MULTI
    PFADD mx a
    PFCOUNT mx
    PFCOUNT mx nokey
    PFMERGE mx2 mx
    EXEC
    CONFIG GET hll-sparse-max-bytes
    COMMAND INFO pfadd pfcount pfmerge pfdebug pfselftest
    COMMAND DOCS pfadd pfcount pfmerge pfdebug pfselftest
    COMMAND GETKEYS pfmerge d s1 s2
    COMMAND GETKEYS pfcount a b c
    COMMAND GETKEYS pfdebug getreg k
  `);

  for (const proto of ['2', '3']) {
    it(`hand-written cases, RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      expect(await pair.differences(cases)).toEqual([]);
    });
  }

  it('crafted and corrupt HLL strings (bad header, bad length, bad opcodes, cached values)', async () => {
    await pair.reset();
    const dense = (fill: (i: number) => number, card?: number[]): string => {
      let s = header(0, card);
      for (let i = 0; i < 12288; i++) s += chr(fill(i));
      return s;
    };
    const values: Record<string, string> = {
      badenc: header(2) + xzero(16384),
      badmagic: 'HYLX' + chr(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80) + xzero(16384),
      short: 'HYLL' + chr(1, 0, 0),
      densebadlen: header(0) + chr(0).repeat(100),
      headeronly: header(1),
      tooshort: header(1) + xzero(100),
      toolong: header(1) + xzero(16384) + val(3, 2),
      cached: header(1, [42, 1, 0, 0, 0, 0, 0, 0]) + xzero(16384),
      cachedbig: header(1, [1, 2, 3, 4, 5, 6, 7, 0x7f]) + xzero(16384),
      truncx: header(1) + xzero(16383) + chr(0x40),
      odd: header(1, [0, 0, 0, 0, 0, 0, 0, 0xff]) + zero(1) + val(32, 4) + xzero(16379),
      smallx: header(1) + xzero(10) + xzero(16000) + xzero(374),
      dense1: dense((i) => (i * 37) & 0xff),
      dense2: dense((i) => (i % 7 === 0 ? 0xff : 0)),
      dense3: dense(() => 0, [5, 0, 0, 0, 0, 0, 0, 0]),
      dense4: dense((i) => (i < 6000 ? 0x41 : 0)),
    };
    const cmds: string[][] = [];
    for (const [k, v] of Object.entries(values)) {
      cmds.push(['SET', k, v], ['OBJECT', 'ENCODING', k], ['PFCOUNT', k], ['OBJECT', 'ENCODING', k], ['GET', k]);
      cmds.push(['PFDEBUG', 'ENCODING', k], ['PFDEBUG', 'DECODE', k]);
      cmds.push(['PFCOUNT', k, 'nokey'], ['PFMERGE', 'dst-' + k, k], ['GET', 'dst-' + k], ['EXISTS', 'dst-' + k]);
      cmds.push(['PFADD', k, 'a', 'b', 'c', 'd', 'e', 'f'], ['GET', k], ['PFCOUNT', k]);
      cmds.push(['PFDEBUG', 'TODENSE', k], ['GET', k], ['PFCOUNT', k], ['PFDEBUG', 'GETREG', k]);
    }
    // corrupt values reached through the merge and multi-key paths
    cmds.push(
      ['PFMERGE', 'cached', 'tooshort'],
      ['PFMERGE', 'dense1', 'toolong'],
      ['PFCOUNT', 'dense1', 'toolong', 'cached'],
    );
    cmds.push(['PFMERGE', 'dmix', 'smallx', 'dense4', 'odd'], ['GET', 'dmix'], ['PFCOUNT', 'dmix']);
    for (const proto of ['2', '3']) {
      await pair.both(['HELLO', proto]);
      await pair.both(['FLUSHALL']);
      expect(await pair.differences(cmds)).toEqual([]);
    }
  });

  it('generated: random (mostly corrupt) sparse opcode streams', async () => {
    await pair.reset();
    const rnd = rng(4242);
    const cmds: string[][] = [];
    for (let k = 0; k < 60; k++) {
      const key = `z${k}`;
      // a valid prefix, then random opcodes: short, long and exact coverage all occur
      let body = '';
      const len = 1 + Math.floor(rnd() * 24);
      for (let j = 0; j < len; j++) {
        const r = rnd();
        if (r < 0.4) body += xzero(1 + Math.floor(rnd() * 16384));
        else body += chr(Math.floor(rnd() * 256) & (r < 0.7 ? 0x3f : 0xff));
      }
      if (k % 3 === 0) body = xzero(16384 - 40) + body;
      // a final XZERO cut to one byte makes Redis read (and later write) the byte past the
      // string's end, which survives between commands only inside Redis's allocation: complete it
      let q = 0;
      while (q < body.length) q += (body.charCodeAt(q) & 0xc0) === 0x40 ? 2 : 1;
      if (q > body.length) body += chr(Math.floor(rnd() * 256));
      cmds.push(['SET', key, header(1) + body], ['PFCOUNT', key], ['PFDEBUG', 'DECODE', key]);
      cmds.push(['PFADD', key, `a${k}`, `b${k}`, `c${k}`], ['GET', key], ['PFCOUNT', key, 'nokey']);
      cmds.push(
        ['PFMERGE', `zm${k}`, key],
        ['EXISTS', `zm${k}`],
        ['PFDEBUG', 'TODENSE', key],
        ['PFDEBUG', 'ENCODING', key],
        ['STRLEN', key],
      );
    }
    await pair.expectSameSequence(cmds);
  });

  it('generated: thousands of PFADDs in batches over several keys, sparse -> dense, PFCOUNT/PFMERGE/GET byte for byte', async () => {
    await pair.reset();
    const rnd = rng(0x5eed);
    const keys = ['g0', 'g1', 'g2', 'g3', 'g4'];
    const sizes = [5, 60, 400, 1500, 6000];
    let cmds: string[][] = [];
    let n = 0;
    for (let ki = 0; ki < keys.length; ki++) {
      const key = keys[ki]!;
      let added = 0;
      while (added < sizes[ki]!) {
        const batch = 1 + Math.floor(rnd() * Math.min(250, sizes[ki]!));
        const argv = ['PFADD', key];
        for (let j = 0; j < batch; j++) argv.push(randomElement(rnd, n++));
        added += batch;
        cmds.push(argv, ['PFDEBUG', 'ENCODING', key], ['STRLEN', key]);
        if (rnd() < 0.4) cmds.push(['PFCOUNT', key]);
        if (rnd() < 0.3) cmds.push(['GET', key]);
      }
      cmds.push(['GET', key], ['PFCOUNT', key], ['GET', key]);
    }
    await pair.expectSameSequence(cmds);
    cmds = [];
    for (let i = 0; i < keys.length; i++) {
      for (let j = i; j < keys.length; j++) {
        cmds.push(['PFCOUNT', keys[i]!, keys[j]!]);
        cmds.push(
          ['PFMERGE', `mg${i}${j}`, keys[i]!, keys[j]!],
          ['GET', `mg${i}${j}`],
          ['PFCOUNT', `mg${i}${j}`],
          ['PFDEBUG', 'ENCODING', `mg${i}${j}`],
        );
      }
    }
    cmds.push(['PFCOUNT', ...keys], ['PFMERGE', 'all', ...keys], ['GET', 'all'], ['PFCOUNT', 'all']);
    // merging into an existing sparse destination (in place, possibly promoted)
    cmds.push(
      ['PFMERGE', 'g0', 'g1'],
      ['GET', 'g0'],
      ['PFMERGE', 'g1', 'g2', 'g0'],
      ['GET', 'g1'],
      ['PFMERGE', 'g2', 'g4'],
      ['GET', 'g2'],
    );
    cmds.push(['PFDEBUG', 'GETREG', 'g3'], ['GET', 'g3'], ['PFDEBUG', 'GETREG', 'all']);
    await pair.expectSameSequence(cmds);
  });

  it('generated: random valid sparse strings edited by PFADD and PFMERGE', async () => {
    await pair.reset();
    const rnd = rng(77);
    const cmds: string[][] = [];
    let n = 0;
    for (let k = 0; k < 30; k++) {
      const key = `r${k}`;
      cmds.push(['SET', key, randomSparse(rnd)], ['PFCOUNT', key], ['PFDEBUG', 'DECODE', key]);
      for (let b = 0; b < 6; b++) {
        const argv = ['PFADD', key];
        const cnt = 1 + Math.floor(rnd() * 40);
        for (let j = 0; j < cnt; j++) argv.push(randomElement(rnd, n++));
        cmds.push(argv, ['GET', key], ['PFCOUNT', key]);
      }
      if (k > 0) cmds.push(['PFMERGE', key, `r${k - 1}`], ['GET', key], ['PFCOUNT', key, `r${k - 1}`]);
      cmds.push(['PFMERGE', `new${k}`, key], ['GET', `new${k}`]);
    }
    await pair.expectSameSequence(cmds);
  });

  it('hll-sparse-max-bytes: promotion thresholds follow the directive', async () => {
    await pair.reset();
    const rnd = rng(9);
    for (const limit of ['0', '17', '20', '60', '200', '1000', '3000', '20000']) {
      const cmds: string[][] = [
        ['CONFIG', 'SET', 'hll-sparse-max-bytes', limit],
        ['CONFIG', 'GET', 'hll-sparse-max-bytes'],
      ];
      const key = `lim${limit}`;
      for (let j = 0; j < 80; j++) {
        const argv = ['PFADD', key];
        for (let e = 0; e < 1 + (j % 9) * 5; e++) argv.push(randomElement(rnd, j * 100 + e));
        cmds.push(argv, ['PFDEBUG', 'ENCODING', key], ['STRLEN', key]);
      }
      cmds.push(
        ['GET', key],
        ['PFCOUNT', key],
        ['PFMERGE', `${key}m`, key, 'lim0'],
        ['GET', `${key}m`],
        ['PFDEBUG', 'ENCODING', `${key}m`],
      );
      await pair.expectSameSequence(cmds);
    }
    await pair.both(['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']);
  });

  it('PFCOUNT rewrites the cache: WATCH is invalidated only then; INFO keyspace hits/misses', async () => {
    await pair.reset();
    const other = await pair.connect();
    await pair.both(['PFADD', 'w', 'a', 'b']);
    for (const step of [
      ['PFCOUNT', 'w'], // recomputes: touches the key
      ['PFCOUNT', 'w'], // cached: does not
      ['PFCOUNT', 'w', 'nokey'],
      ['PFADD', 'w', 'a'],
      ['PFDEBUG', 'ENCODING', 'w'],
      ['PFDEBUG', 'TODENSE', 'w'],
    ]) {
      await other.expectSame(['WATCH', 'w']);
      await pair.expectSame(step);
      await other.expectSame(['MULTI']);
      await other.expectSame(['PING']);
      await other.expectSame(['EXEC']);
    }
    await pair.both(['CONFIG', 'RESETSTAT']);
    await pair.expectSameSequence(
      words(`
      PFCOUNT w
      PFCOUNT nokey
      PFCOUNT w nokey x
      PFADD x a
      PFADD w b
      PFMERGE y w nokey
      PFDEBUG ENCODING y
    `),
    );
    const stat = (info: string, name: string): string => new RegExp(`${name}:(\\d+)`).exec(info)![1]!;
    const { real: ri, ts: ti } = await pair.both(['INFO', 'stats']);
    expect([stat(ti, 'keyspace_hits'), stat(ti, 'keyspace_misses')]).toEqual([
      stat(ri, 'keyspace_hits'),
      stat(ri, 'keyspace_misses'),
    ]);
  });

  it('propagates what Redis 7.0 propagates (PFCOUNT only when it rewrote the cache)', async () => {
    await pair.reset();
    const [rs, ts] = await Promise.all([ReplStream.open(pair.realProc.port), ReplStream.open(pair.tsProc.port)]);
    try {
      const cmds = words(`
        PFADD p a b
        PFADD p a
        PFADD p
        PFCOUNT p
        PFCOUNT p
        PFCOUNT p nokey
        PFCOUNT nokey
        PFMERGE pm p
        PFMERGE pm
        PFDEBUG ENCODING pm
        PFDEBUG DECODE pm
        PFDEBUG TODENSE pm
        PFDEBUG TODENSE pm
        PFDEBUG GETREG p
        PFDEBUG GETREG p
        PFCOUNT pm
        PFADD q x
        MULTI
        PFADD q y
        PFCOUNT q
        PFCOUNT q
        EXEC
        MULTI
        PFCOUNT q
        PFCOUNT pm
        EXEC
        SET s notanhll
        PFCOUNT s
        PFADD s a
      `);
      for (const argv of cmds) await pair.both(argv);
      const [a, b] = await streamsUpToMarker(pair, rs, ts);
      expect(b).toEqual(a);
    } finally {
      rs.close();
      ts.close();
    }
  });

  it('PFSELFTEST passes', async () => {
    await pair.reset();
    await pair.expectSame(['PFSELFTEST']);
  }, 60_000);
});
