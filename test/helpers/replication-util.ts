// Helpers for the replication tests: a mixed write load, dataset dumps for comparison,
// ROLE/INFO parsing and waiting until a replica has caught up.
import { afterAll } from 'vitest';
import { RespClient } from '../../src/resp/client.js';
import { RespError, type RespValue } from '../../src/resp/reply-parser.js';
import { waitFor } from './ports.js';
import { startServerProcess, type Proc } from './procs.js';

export const DBS = [0, 2];

/** Writes strings, lists, hashes, sets and sorted sets (some with TTLs) until stop() is called. */
export class WriteLoad {
  private stopped = false;
  private done: Promise<void> | null = null;
  writes = 0;
  errors: string[] = [];

  private rnd: number;

  constructor(
    private readonly client: RespClient,
    seed = 1,
  ) {
    this.rnd = seed * 9973;
  }

  private next(n: number): number {
    this.rnd = (this.rnd * 1103515245 + 12345) % 2147483648;
    return this.rnd % n;
  }

  /** One batch of commands (pipelined). */
  batch(): Promise<RespValue[]> {
    const cmds: string[][] = [];
    const db = DBS[this.next(DBS.length)]!;
    cmds.push(['SELECT', String(db)]);
    for (let i = 0; i < 20; i++) {
      const k = this.next(200);
      switch (this.next(12)) {
        case 0:
          cmds.push(['SET', `s:${k}`, `v${this.writes}-${i}`]);
          break;
        case 1:
          cmds.push(['SET', `s:${k}`, `e${this.writes}`, 'EX', String(100 + this.next(100))]);
          break;
        case 2:
          cmds.push(['SET', `t:${k}`, `short${this.writes}`, 'PX', String(300 + this.next(700))]);
          break;
        case 3:
          cmds.push(['INCR', `n:${k % 20}`]);
          break;
        case 4:
          cmds.push(['RPUSH', `l:${k % 30}`, `a${this.writes}`, `b${i}`]);
          break;
        case 5:
          cmds.push(['LPOP', `l:${k % 30}`]);
          break;
        case 6:
          cmds.push(['HSET', `h:${k % 30}`, `f${this.next(10)}`, `x${this.writes}`]);
          break;
        case 7:
          cmds.push(['SADD', `set:${k % 30}`, `m${this.next(50)}`]);
          break;
        case 8:
          cmds.push(['ZADD', `z:${k % 30}`, String(this.next(1000) / 7), `m${this.next(40)}`]);
          break;
        case 9:
          cmds.push(['EXPIRE', `h:${k % 30}`, String(200 + this.next(100))]);
          break;
        case 10:
          cmds.push(['PEXPIRE', `z:${k % 30}`, String(150000 + this.next(1000))]);
          break;
        default:
          cmds.push(['DEL', `s:${k}`]);
      }
    }
    this.writes += cmds.length - 1;
    return Promise.all(cmds.map((c) => this.client.call(...c)));
  }

  start(): void {
    this.done = (async () => {
      while (!this.stopped) {
        const replies = await this.batch();
        for (const r of replies) if (r instanceof RespError && this.errors.length < 10) this.errors.push(r.message);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

export interface KeyDump {
  type: string;
  value: unknown;
  pttl: number;
}

/** Every key of DBS with type, value and PTTL. */
export async function dumpDataset(c: RespClient): Promise<Map<string, KeyDump>> {
  const out = new Map<string, KeyDump>();
  for (const db of DBS) {
    await c.callOk('SELECT', String(db));
    const keys = (await c.callOk('KEYS', '*')) as string[];
    for (const k of keys) {
      const type = (await c.callOk('TYPE', k)) as string;
      const pttl = (await c.callOk('PTTL', k)) as number;
      let value: unknown;
      if (type === 'string') value = await c.callOk('GET', k);
      else if (type === 'list') value = await c.callOk('LRANGE', k, '0', '-1');
      else if (type === 'hash')
        value = ((await c.callOk('HGETALL', k)) as string[])
          .reduce<string[][]>((a, x, i) => (i % 2 ? a[a.length - 1]!.push(x) : a.push([x]), a), [])
          .map((p) => p.join('='))
          .sort();
      else if (type === 'set') value = ((await c.callOk('SMEMBERS', k)) as string[]).sort();
      else if (type === 'zset') value = await c.callOk('ZRANGE', k, '0', '-1', 'WITHSCORES');
      else if (type === 'none') continue;
      out.set(`${db}:${k}`, { type, value, pttl });
    }
  }
  await c.callOk('SELECT', '0');
  return out;
}

/** Differences between two dumps (TTLs compared with a tolerance); [] when identical. */
export function diffDatasets(a: Map<string, KeyDump>, b: Map<string, KeyDump>, ttlToleranceMs = 1500): string[] {
  const diffs: string[] = [];
  for (const [k, x] of a) {
    const y = b.get(k);
    if (!y) {
      diffs.push(`${k} missing on the second (${x.type}, pttl ${x.pttl})`);
      continue;
    }
    if (x.type !== y.type) diffs.push(`${k} type ${x.type} vs ${y.type}`);
    else if (JSON.stringify(x.value) !== JSON.stringify(y.value))
      diffs.push(`${k} value ${JSON.stringify(x.value)} vs ${JSON.stringify(y.value)}`);
    if (x.pttl < 0 !== y.pttl < 0 || Math.abs(x.pttl - y.pttl) > ttlToleranceMs)
      diffs.push(`${k} pttl ${x.pttl} vs ${y.pttl}`);
  }
  for (const k of b.keys()) if (!a.has(k)) diffs.push(`${k} missing on the first`);
  return diffs;
}

/** ROLE as [role, ...]: master -> offset; slave -> state and offset. */
export async function role(
  c: RespClient,
): Promise<{ role: string; offset: number; state?: string; replicas?: string[][] }> {
  const r = (await c.callOk('ROLE')) as RespValue[];
  if (r[0] === 'master') return { role: 'master', offset: Number(r[1]), replicas: r[2] as string[][] };
  return { role: String(r[0]), state: String(r[3]), offset: Number(r[4]) };
}

/** INFO <section> as ordered [field, value] pairs. */
export async function infoFields(c: RespClient, section: string): Promise<[string, string][]> {
  const text = String(await c.callOk('INFO', section));
  const out: [string, string][] = [];
  for (const line of text.split('\r\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    out.push([line.slice(0, i), line.slice(i + 1)]);
  }
  return out;
}

/** Waits until `replica` is connected and has applied everything `master` has. */
export async function waitCaughtUp(master: RespClient, replica: RespClient, timeoutMs = 20_000): Promise<number> {
  let offset = 0;
  await waitFor(
    async () => {
      const m = await role(master);
      const r = await role(replica);
      offset = m.offset;
      return r.state === 'connected' && r.offset === m.offset;
    },
    timeoutMs,
    'replica to catch up',
    50,
  );
  return offset;
}

export async function connect(p: Proc): Promise<RespClient> {
  return RespClient.connect({ host: p.host, port: p.port });
}

/** Log lines of a process (stdout) that contain `text`. */
export function logLines(p: Proc, text: string): string[] {
  return p
    .output()
    .split('\n')
    .filter((l) => l.includes(text));
}

/**
 * The servers and connections a test file starts, all stopped by the afterAll this registers.
 * `start(kind, args)` runs a server with `baseArgs` + args and returns it with a connection.
 */
export function nodePool(baseArgs: string[] = []) {
  const procs: Proc[] = [];
  const clients: RespClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all(procs.map((p) => p.stop()));
  });
  const start = async (kind: 'tsredis' | 'redis', args: string[] = []): Promise<{ p: Proc; c: RespClient }> => {
    const p = await startServerProcess(kind, [...baseArgs, ...args]);
    procs.push(p);
    const c = await connect(p);
    clients.push(c);
    return { p, c };
  };
  return { start, procs, clients };
}
