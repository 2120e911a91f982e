// RDB format: codec units, and interoperability with a real Redis 7.0 in both directions.
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc64 } from '../../../src/server/persistence/crc64.js';
import { lzfCompress, lzfDecompress } from '../../../src/server/persistence/lzf.js';
import {
  decodeListpack,
  encodeListpack,
  decodeIntset,
  encodeIntset,
} from '../../../src/server/persistence/listpack.js';
import { d2string } from '../../../src/server/persistence/rdb-format.js';
import { encodeRdb, loadRdb, snapshotRdb, parseRdb } from '../../../src/server/persistence/index.js';
import { RdbStreamLoad } from '../../../src/server/persistence/rdb.js';
import { Server } from '../../../src/server/server.js';
import { RHash, RList, RSet, RZSet } from '../../../src/server/types.js';
import { requireReal, startServerProcess, type Proc } from '../../helpers/procs.js';
import { normaliseLive, normaliseServer, putByCommands, putInServer, richDataset } from '../../helpers/dataset.js';

const procs: Proc[] = [];
afterAll(async () => {
  for (const p of procs) await p.stop();
});

describe('rdb codecs', () => {
  it('crc64 jones check value', () => {
    expect(crc64(Buffer.from('123456789')).toString(16)).toBe('e9c6d914c4b8d9ca');
  });
  it('lzf round trips and refuses incompressible input', () => {
    for (const s of ['a'.repeat(1000), 'hello world '.repeat(50), Buffer.alloc(3000, 7).toString('latin1')]) {
      const b = Buffer.from(s, 'latin1');
      const c = lzfCompress(b, b.length - 4)!;
      expect(c.length).toBeLessThan(b.length);
      expect(lzfDecompress(c, b.length).equals(b)).toBe(true);
    }
    const rnd = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 0xff));
    expect(lzfCompress(rnd, rnd.length - 4)).toBeNull();
  });
  it('listpack and intset round trip every entry encoding', () => {
    const items = [
      '0',
      '127',
      '128',
      '-1',
      '-4096',
      '4095',
      '4096',
      '-32768',
      '32767',
      '8388607',
      '-8388608',
      '2147483647',
      '-2147483648',
      '9223372036854775807',
      '-9223372036854775808',
      '9223372036854775808',
      '01',
      '',
      'a'.repeat(63),
      'b'.repeat(64),
      'c'.repeat(4095),
      'd'.repeat(4096),
      '+1',
      '1.5',
    ];
    expect(decodeListpack(encodeListpack(items))).toEqual(items);
    const ints = [5n, -3n, 70000n, -9223372036854775808n];
    expect(decodeIntset(encodeIntset(ints))).toEqual(['-9223372036854775808', '-3', '5', '70000']);
  });
  it('d2string matches %.17g / integer formatting of Redis 7.0', () => {
    expect(d2string(1)).toBe('1');
    expect(d2string(2.5)).toBe('2.5');
    expect(d2string(0.1)).toBe('0.10000000000000001');
    expect(d2string(1e20)).toBe('1e+20');
    expect(d2string(-0.0001)).toBe('-0.0001');
    expect(d2string(0.00001)).toBe('1.0000000000000001e-05');
    expect(d2string(Infinity)).toBe('inf');
  });
  it('encode -> parse round trip keeps every type, ttl and db', () => {
    const a = new Server();
    putInServer(a, richDataset());
    const rdb = encodeRdb(a);
    expect(rdb.latin1Slice(0, 9)).toBe('REDIS0010');
    const b = new Server();
    const res = loadRdb(b, rdb);
    expect(res.keys).toBe(richDataset().length);
    expect(normaliseServer(b)).toEqual(normaliseServer(a));
  });
  it('encoding flags follow Redis 7.0: set on load from the limits, respected when saving', () => {
    const a = new Server();
    putInServer(a, richDataset());
    const b = new Server();
    loadRdb(b, encodeRdb(a));
    const d = b.dbs[0]!.dict;
    expect((d.get('hash:small') as RHash).hashtable).toBe(false);
    expect((d.get('hash:longval') as RHash).hashtable).toBe(true);
    expect((d.get('hash:big') as RHash).hashtable).toBe(false); // 300 <= hash-max-listpack-entries (512 in 7.0)
    expect((d.get('set:intset16') as RSet).hashtable).toBe(false);
    expect((d.get('set:strings') as RSet).hashtable).toBe(true);
    expect((d.get('set:bigints') as RSet).hashtable).toBe(true);
    expect((d.get('zset:small') as RZSet).skiplist).toBe(false);
    expect((d.get('zset:longmember') as RZSet).skiplist).toBe(true);
    // a hash converted once stays a hashtable even when small again (saved as type 4)
    const c = new Server();
    const h = new RHash([['f', 'v']]);
    h.hashtable = true;
    c.dbs[0]!.dict.set('h', h);
    const types: number[] = [];
    parseRdb(encodeRdb(c), { entry: (e) => types.push(e.type) });
    expect(types).toEqual([4]);
  });
  it('rejects a corrupted file with the checksum message', () => {
    const a = new Server();
    putInServer(a, richDataset());
    const rdb = encodeRdb(a);
    rdb[rdb.length - 20] ^= 0x55;
    expect(() => loadRdb(new Server(), rdb)).toThrow(/Wrong RDB checksum|Short read|integrity|LZF|encoding/);
    expect(() => loadRdb(new Server(), Buffer.from('REDIS0011\xff', 'latin1'))).toThrow(
      "Can't handle RDB format version 0011",
    );
    expect(() => loadRdb(new Server(), Buffer.from('NOTREDIS00'))).toThrow('Wrong signature');
  });
  it('a streamed RDB loads the same whatever its chunking, beside the old dataset until finish()', async () => {
    const a = new Server();
    putInServer(a, richDataset());
    for (let i = 0; i < 3000; i++) a.dbs[1]!.dict.set(`bulk:${i}`, 'x'.repeat(i % 97));
    const pieces: Buffer[] = [];
    await snapshotRdb(a, { sliceMs: 0, onChunk: (c) => pieces.push(Buffer.from(c)) });
    const rdb = Buffer.concat(pieces);
    expect(pieces.length).toBeGreaterThan(1); // really encoded piecewise
    const expected = normaliseServer(a);
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n) + 1;
    for (const cut of [1, 2, 7, 100, 4096, 0]) {
      const b = new Server();
      b.dbs[0]!.dict.set('old', 'still served');
      const load = new RdbStreamLoad(b);
      for (let at = 0; at < rdb.length; ) {
        const n = cut === 0 ? rnd(20000) : cut;
        load.push(rdb.subarray(at, at + n));
        at += n;
      }
      expect(b.dbs[0]!.dict.get('old')).toBe('still served');
      const res = load.finish();
      expect(res.keys).toBe(richDataset().length + 3000);
      expect(normaliseServer(b)).toEqual(expected);
    }
    // cut short, or damaged: finish() throws and the old dataset stays
    const b = new Server();
    b.dbs[0]!.dict.set('old', 'v');
    const short = new RdbStreamLoad(b);
    short.push(rdb.subarray(0, rdb.length - 100));
    expect(() => short.finish()).toThrow('Short read or OOM loading DB. Unrecoverable error, aborting now.');
    const bad = Buffer.from(rdb);
    bad[bad.length - 3] ^= 0x55; // in the checksum itself
    const damaged = new RdbStreamLoad(b);
    expect(() => {
      for (let at = 0; at < bad.length; at += 999) damaged.push(bad.subarray(at, at + 999));
    }).toThrow(/Wrong RDB checksum expected/); // as soon as the checksum arrives
    expect(b.dbs[0]!.dict.get('old')).toBe('v');
  });
  it('snapshotRdb is point in time while containers change', async () => {
    const s = new Server();
    for (let i = 0; i < 20000; i++) s.dbs[0]!.dict.set(`k${i}`, new RList([String(i)]));
    const expected = normaliseServer(s);
    const p = snapshotRdb(s, { sliceMs: 1 });
    // writes after the capture: announced before they mutate, as the dispatcher does
    for (let i = 0; i < 20000; i += 7) {
      s.keyWillChange(0, `k${i}`);
      (s.dbs[0]!.dict.get(`k${i}`) as RList).push('later');
    }
    s.dbs[0]!.dict.set('new', 'x');
    s.dbs[0]!.dict.delete('k1');
    const rdb = await p;
    const t = new Server();
    loadRdb(t, rdb);
    expect(normaliseServer(t)).toEqual(expected);
    expect(s.beforeWriteListeners.length).toBe(0);
  });
});

describe('rdb interop with real redis 7.0', () => {
  const real = requireReal('redis-server');
  it.skipIf(!real)('real redis-server loads a dump.rdb written by tsredis', async () => {
    const a = new Server();
    const items = richDataset();
    putInServer(a, items);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rdbw-'));
    fs.writeFileSync(path.join(dir, 'dump.rdb'), encodeRdb(a));
    const ours = new Set<number>();
    parseRdb(fs.readFileSync(path.join(dir, 'dump.rdb')), { entry: (e) => ours.add(e.type) });
    expect([...ours].sort((x, y) => x - y)).toEqual([0, 2, 4, 5, 11, 16, 17, 18]);
    const p = await startServerProcess('redis', [], { dir });
    procs.push(p);
    const c = await p.client();
    try {
      expect(await c.callOk('DBSIZE')).toBe(items.filter((i) => i.db === 0).length);
      expect(await normaliseLive(c)).toEqual(normaliseServer(a));
      expect(await c.callOk('OBJECT', 'ENCODING', 'set:intset16')).toBe('intset');
      expect(await c.callOk('OBJECT', 'ENCODING', 'hash:small')).toBe('listpack');
      expect(await c.callOk('OBJECT', 'ENCODING', 'list:big')).toBe('quicklist');
      expect(await c.callOk('OBJECT', 'ENCODING', 'int16')).toBe('int');
    } finally {
      c.close();
      await p.stop();
    }
    expect(p.output()).toMatch(/DB loaded from disk/);
  });
  it.skipIf(!real)('tsredis loads a dump.rdb written by real redis-server', async () => {
    const p = await startServerProcess('redis', []);
    procs.push(p);
    const c = await p.client();
    try {
      await putByCommands(c, richDataset());
      await c.callOk('SAVE');
      const want = await normaliseLive(c);
      const data = fs.readFileSync(path.join(p.dir, 'dump.rdb'));
      // every encoding a 7.0 server writes was exercised: string, set, hash, zset-2, intset,
      // hash/zset listpacks, quicklist-2
      const types = new Set<number>();
      parseRdb(data, { entry: (e) => types.add(e.type) });
      expect([...types].sort((x, y) => x - y)).toEqual([0, 2, 4, 5, 11, 16, 17, 18]);
      const b = new Server();
      const res = loadRdb(b, data);
      expect(res.aux.get('redis-ver')).toMatch(/^7\./);
      expect(normaliseServer(b)).toEqual(want);
    } finally {
      c.close();
      await p.stop();
    }
  });
});
