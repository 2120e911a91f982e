// A dataset exercising every RDB encoding (used by the persistence tests): it can be put
// into an in-process Server directly, into any live server by commands, and read back from
// either in one normalised form for comparison.
import { Server } from '../../src/server/server.js';
import { RHash, RList, RSet, RZSet, type Value } from '../../src/server/types.js';
import type { RespClient } from '../../src/resp/client.js';

export interface Item {
  db: number;
  key: string;
  type: 'string' | 'list' | 'set' | 'hash' | 'zset';
  value: string | string[] | [string, string][] | [string, number][];
  pexpireAt?: number;
}

const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

export function richDataset(): Item[] {
  const future = Date.now() + 3_600_000;
  const bin = range(256, (i) => String.fromCharCode(i)).join('');
  return [
    { db: 0, key: 'str', type: 'string', value: 'hello' },
    { db: 0, key: 'int8', type: 'string', value: '-5' },
    { db: 0, key: 'int16', type: 'string', value: '12345' },
    { db: 0, key: 'int32', type: 'string', value: '2000000000' },
    { db: 0, key: 'int64', type: 'string', value: '12345678901234' },
    { db: 0, key: 'leadingzero', type: 'string', value: '007' },
    { db: 0, key: 'empty', type: 'string', value: '' },
    { db: 0, key: 'lzf', type: 'string', value: 'abcdefgh'.repeat(2000) },
    { db: 0, key: 'binary', type: 'string', value: bin + bin },
    { db: 0, key: 'bin\x00key\xff', type: 'string', value: 'v\r\n' },
    { db: 0, key: 'ttl', type: 'string', value: 'expiring', pexpireAt: future },
    { db: 0, key: 'list:small', type: 'list', value: ['a', 'b', '1', '-300', '70000', '9999999999', 'c'.repeat(100)] },
    { db: 0, key: 'list:big', type: 'list', value: range(20000, (i) => (i % 3 === 0 ? String(i) : `item-${i}`)) },
    { db: 0, key: 'list:huge-elems', type: 'list', value: range(5, (i) => String(i).repeat(10000)) },
    { db: 0, key: 'set:intset16', type: 'set', value: ['1', '2', '3', '-7', '100'] },
    { db: 0, key: 'set:intset64', type: 'set', value: ['1', '5000000000', '-9223372036854775808'] },
    { db: 0, key: 'set:strings', type: 'set', value: ['x', 'y', 'z', '01'] },
    { db: 0, key: 'set:bigints', type: 'set', value: range(600, (i) => String(i * 7)) },
    { db: 0, key: 'set:big', type: 'set', value: range(1000, (i) => `m${i}`) },
    {
      db: 0,
      key: 'hash:small',
      type: 'hash',
      value: [
        ['f1', 'v1'],
        ['n', '42'],
        ['neg', '-1000000'],
      ],
    },
    { db: 0, key: 'hash:big', type: 'hash', value: range(300, (i) => [`field${i}`, `value${i}`] as [string, string]) },
    {
      db: 0,
      key: 'hash:longval',
      type: 'hash',
      value: [
        ['a', 'x'.repeat(100)],
        ['b', '2'],
      ],
      pexpireAt: future + 5000,
    },
    {
      db: 0,
      key: 'zset:small',
      type: 'zset',
      value: [
        ['a', 1],
        ['b', 2.5],
        ['c', -0.1],
        ['d', 1e20],
        ['e', Infinity],
        ['f', -Infinity],
        ['g', 3],
      ],
    },
    { db: 0, key: 'zset:big', type: 'zset', value: range(300, (i) => [`member${i}`, i / 3] as [string, number]) },
    {
      db: 0,
      key: 'zset:longmember',
      type: 'zset',
      value: [
        ['y'.repeat(80), 1],
        ['z', 2],
      ],
    },
    { db: 3, key: 'str', type: 'string', value: 'db3' },
    { db: 3, key: 'list', type: 'list', value: ['1', '2', '3'], pexpireAt: future },
    { db: 15, key: 'last', type: 'set', value: ['only'] },
  ];
}

function toValue(it: Item): Value {
  switch (it.type) {
    case 'string':
      return it.value as string;
    case 'list':
      return new RList(it.value as string[]);
    case 'set':
      return new RSet(it.value as string[]);
    case 'hash':
      return new RHash(it.value as [string, string][]);
    case 'zset': {
      const z = new RZSet();
      for (const [m, s] of it.value as [string, number][]) z.add(m, s);
      return z;
    }
  }
}

export function putInServer(server: Server, items: Item[]): void {
  for (const it of items) {
    const db = server.dbs[it.db]!;
    db.dict.set(it.key, toValue(it));
    if (it.pexpireAt) db.expires.set(it.key, it.pexpireAt);
  }
}

export async function putByCommands(c: RespClient, items: Item[]): Promise<void> {
  for (const it of items) {
    await c.callOk('SELECT', it.db);
    await c.call('DEL', it.key);
    switch (it.type) {
      case 'string':
        await c.callOk('SET', it.key, it.value as string);
        break;
      case 'list':
        await c.callOk('RPUSH', it.key, ...(it.value as string[]));
        break;
      case 'set':
        await c.callOk('SADD', it.key, ...(it.value as string[]));
        break;
      case 'hash':
        await c.callOk('HSET', it.key, ...(it.value as [string, string][]).flat());
        break;
      case 'zset':
        await c.callOk('ZADD', it.key, ...(it.value as [string, number][]).flatMap(([m, s]) => [fmtScore(s), m]));
        break;
    }
    if (it.pexpireAt) await c.callOk('PEXPIREAT', it.key, it.pexpireAt);
  }
  await c.callOk('SELECT', 0);
}

function fmtScore(s: number): string {
  return s === Infinity ? '+inf' : s === -Infinity ? '-inf' : String(s);
}

/** Normalised content: "db/key" -> [type, sorted content, has-ttl]. */
export type Normal = Record<string, [string, unknown, boolean]>;

export function normaliseServer(server: Server): Normal {
  const out: Normal = {};
  for (const db of server.dbs) {
    for (const [k, v] of db.dict) {
      const ttl = db.expires.has(k);
      const key = `${db.id}/${k}`;
      if (typeof v === 'string') out[key] = ['string', v, ttl];
      else if (v instanceof RList) out[key] = ['list', v.toArray(), ttl];
      else if (v instanceof Set) out[key] = ['set', [...v].sort(), ttl];
      else if (v instanceof Map) out[key] = ['hash', [...v].map(([f, x]) => f + '=' + x).sort(), ttl];
      else out[key] = ['zset', v.entries().map(([m, s]) => `${m}=${s}`), ttl];
    }
  }
  return out;
}

export async function normaliseLive(c: RespClient, dbs = 16): Promise<Normal> {
  const out: Normal = {};
  for (let d = 0; d < dbs; d++) {
    await c.callOk('SELECT', d);
    const keys = (await c.callOk('KEYS', '*')) as string[];
    for (const k of keys) {
      const type = (await c.callOk('TYPE', k)) as string;
      const ttl = ((await c.callOk('PTTL', k)) as number) > 0;
      const key = `${d}/${k}`;
      if (type === 'string') out[key] = ['string', await c.callOk('GET', k), ttl];
      else if (type === 'list') out[key] = ['list', await c.callOk('LRANGE', k, 0, -1), ttl];
      else if (type === 'set') out[key] = ['set', ((await c.callOk('SMEMBERS', k)) as string[]).sort(), ttl];
      else if (type === 'hash') {
        const flat = (await c.callOk('HGETALL', k)) as string[];
        const pairs: string[] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push(flat[i] + '=' + flat[i + 1]);
        out[key] = ['hash', pairs.sort(), ttl];
      } else if (type === 'zset') {
        const flat = (await c.callOk('ZRANGE', k, 0, -1, 'WITHSCORES')) as string[];
        const pairs: string[] = [];
        for (let i = 0; i < flat.length; i += 2)
          pairs.push(
            `${flat[i]}=${Number(flat[i + 1]!.replace(/^\+?inf$/, 'Infinity').replace(/^-inf$/, '-Infinity'))}`,
          );
        out[key] = ['zset', pairs, ttl];
      } else out[key] = [type, null, ttl];
    }
  }
  await c.callOk('SELECT', 0);
  return out;
}

export function newServer(): Server {
  return new Server();
}
