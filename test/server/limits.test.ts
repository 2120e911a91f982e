// No input may crash tsredis-server (issue 16, item 5): a 512 MB bulk (longer than any V8
// string) is answered with Redis's error while the connection goes on, the longest bulk a
// string can hold is parsed (a write that big is refused: it could not be propagated), a write
// just under that reaches a replica, client-query-buffer-limit closes a client as Redis 7.0 does (same
// log line, compared with real redis-server), and 100,000 fuzzed frames leave the server up.
// Big bulks are streamed from one reused chunk, so the test itself holds a few MB at most.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import net from 'node:net';
import { MAX_ARG_LEN, RequestParser, UnholdableArgument } from '../../src/resp/request-parser.js';
import { startServerProcess, requireReal, type Proc } from '../helpers/procs.js';
import { waitFor } from '../helpers/ports.js';
import { encodeCommand } from '../../src/resp/reply-parser.js';

const BULK_512MB = 512 * 1024 * 1024;
const SIZE_ERROR = '-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n';
const chunk = Buffer.alloc(4 * 1024 * 1024, 'x');

function frame(args: string[]): Buffer {
  return encodeCommand(args);
}

/** A client socket that keeps every byte received and knows when the server closed it. */
class Conn {
  received = '';
  closed = false;
  private constructor(
    readonly socket: net.Socket,
    keep: boolean,
  ) {
    socket.on('data', (d) => {
      if (keep) this.received += d.toString('latin1');
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => {});
  }
  /** `keep` false: replies are read and dropped (fuzzing clients). */
  static open(port: number, keep = true): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(new Conn(s, keep)));
      s.once('error', reject);
    });
  }
  async write(b: Buffer | string): Promise<void> {
    if (this.closed) return;
    if (this.socket.write(b)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }
  /** Streams `n` bytes of 'x' from the reused chunk (backpressure respected). */
  async stream(n: number): Promise<void> {
    for (let left = n; left > 0 && !this.closed; left -= chunk.length)
      await this.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
  }
  async until(text: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      () => this.received === text,
      timeoutMs,
      `reply ${JSON.stringify(text)} (have ${JSON.stringify(this.received.slice(0, 200))})`,
      5,
    );
  }
  close(): void {
    this.socket.destroy();
  }
}

/** Resident memory of a process, in MB. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

describe('request parser: bulks V8 cannot hold', () => {
  it('a 512 MB bulk is discarded as it arrives; its command is refused once whole, the next one parsed', () => {
    const p = new RequestParser({ maxBulkLen: BULK_512MB, authRequired: () => false });
    const before = process.memoryUsage().arrayBuffers;
    const head = `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${BULK_512MB}\r\n`;
    p.feed(Buffer.from(head));
    expect(p.next()).toBeNull();
    let fed = 0;
    while (fed < BULK_512MB) {
      p.feed(chunk);
      fed += chunk.length;
      expect(p.next()).toBeNull();
      expect(p.pendingBytes).toBe(fed); // counted in the query buffer, as Redis's querybuf holds it
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
    p.feed(Buffer.from('\r\n*1\r\n$4\r\nPING\r\n'));
    expect(() => p.next()).toThrow(UnholdableArgument);
    expect(p.lastCommandBytes).toBe(head.length + BULK_512MB + 2);
    expect(p.next()).toEqual(['PING']);
    expect(p.next()).toBeNull();
    expect(p.pendingBytes).toBe(0);
  });

  it('bulks around the large-bulk threshold, split anywhere, parse as one piece does; lastCommandBytes counts each frame', () => {
    const sizes = [0, 5, 32 * 1024 - 1, 32 * 1024, 70_000, 300_000];
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(...sizes), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 20 }),
        (cmdSizes, cuts) => {
          const cmds = cmdSizes.map((szs, i) => [
            'SET',
            ...szs.map((n, j) => String.fromCharCode(97 + ((i + j) % 26)).repeat(n)),
          ]);
          const frames = cmds.map(frame);
          const all = Buffer.concat(frames);
          const p = new RequestParser({ maxBulkLen: BULK_512MB, authRequired: () => false });
          const got: string[][] = [];
          const bytes: number[] = [];
          let at = 0;
          for (let k = 0; at < all.length; k++) {
            const n = cuts[k % cuts.length]!;
            p.feed(all.subarray(at, at + n));
            at += n;
            for (let c = p.next(); c; c = p.next()) {
              got.push(c);
              bytes.push(p.lastCommandBytes);
            }
          }
          expect(got).toEqual(cmds);
          expect(bytes).toEqual(frames.map((f) => f.length));
          expect(p.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('tsredis-server limits', () => {
  let srv: Proc;
  beforeAll(async () => {
    srv = await startServerProcess('tsredis');
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('a 512 MB bulk gets the size error (flagging MULTI), the connection goes on, memory stays bounded', async () => {
    const c = await Conn.open(srv.port);
    await c.write(Buffer.concat([frame(['MULTI']), Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${BULK_512MB}\r\n`)]));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(srv.child.pid!))), 20);
    try {
      await c.stream(BULK_512MB);
      await c.write(Buffer.concat([Buffer.from('\r\n'), frame(['EXEC']), frame(['STRLEN', 'big']), frame(['PING'])]));
      await c.until(
        '+OK\r\n' + SIZE_ERROR + '-EXECABORT Transaction discarded because of previous errors.\r\n:0\r\n+PONG\r\n',
      );
    } finally {
      clearInterval(sampler);
      c.close();
    }
    expect(peak).toBeLessThan(400); // the bulk was never buffered
    expect(srv.child.exitCode).toBeNull();
  });

  it('with a replica attached: the longest bulk a string holds is parsed, a write that big refused, one just under stored and streamed whole', async () => {
    // a replica link (PSYNC): every write is now encoded for the replication stream, where a
    // command longer than a string would throw outside any handler
    const replica = await Conn.open(srv.port, false);
    let streamed = 0;
    replica.socket.on('data', (d) => (streamed += d.length));
    await replica.write(frame(['REPLCONF', 'capa', 'psync2']));
    await replica.write(frame(['PSYNC', '?', '-1']));
    await waitFor(() => streamed > 0, 10_000, 'full sync start');
    const c = await Conn.open(srv.port);
    const under = MAX_ARG_LEN - 8192;
    try {
      await c.write(`*3\r\n$9\r\nSISMEMBER\r\n$1\r\ns\r\n$${MAX_ARG_LEN}\r\n`);
      await c.stream(MAX_ARG_LEN);
      await c.write(`\r\n*3\r\n$3\r\nSET\r\n$7\r\nlongest\r\n$${MAX_ARG_LEN}\r\n`);
      await c.stream(MAX_ARG_LEN);
      await c.write(Buffer.concat([Buffer.from('\r\n'), frame(['EXISTS', 'longest'])]));
      await c.until(`:0\r\n${SIZE_ERROR}:0\r\n`, 60_000);
      const before = streamed;
      await c.write(`*3\r\n$3\r\nSET\r\n$4\r\nhuge\r\n$${under}\r\n`);
      await c.stream(under);
      await c.write(Buffer.concat([Buffer.from('\r\n'), frame(['STRLEN', 'huge']), frame(['DEL', 'huge'])]));
      await c.until(`:0\r\n${SIZE_ERROR}:0\r\n+OK\r\n:${under}\r\n:1\r\n`, 60_000);
      await waitFor(
        () => streamed - before > under,
        30_000,
        `the SET on the replication stream (${streamed - before} bytes so far)`,
      );
    } finally {
      c.close();
      replica.close();
    }
    expect(srv.child.exitCode).toBeNull();
  });
});

const realBin = requireReal('redis-server');

describe.skipIf(!realBin)('client-query-buffer-limit: tsredis vs redis-server', () => {
  const procs: Proc[] = [];
  beforeAll(async () => {
    procs.push(...(await Promise.all([startServerProcess('redis'), startServerProcess('tsredis')])));
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
  });

  const closedLine =
    /Closing client that reached max query buffer length: id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name= age=\d+ idle=\d+ flags=(\w+) db=0 .*qbuf=(\d+) .*cmd=(\S+) user=default redir=-1 resp=2 \(qbuf initial bytes: "(.*)"\)/g;

  /** The "Closing client ..." log lines a server wrote since `from` (flags, qbuf, cmd, first bytes). */
  function closings(p: Proc, from: number): { flags: string; qbuf: number; cmd: string; head: string }[] {
    return [...p.output().slice(from).matchAll(closedLine)].map((m) => ({
      flags: m[1]!,
      qbuf: Number(m[2]),
      cmd: m[3]!,
      head: m[4]!,
    }));
  }

  it('a client whose unparsed bytes pass the limit is closed without a reply and logged, on both', async () => {
    for (const p of procs) {
      const admin = await Conn.open(p.port);
      await admin.write(frame(['CONFIG', 'SET', 'client-query-buffer-limit', '1mb']));
      await admin.until('+OK\r\n');
      const from = p.output().length;
      const c = await Conn.open(p.port);
      await c.write(
        Buffer.concat([frame(['PING']), Buffer.from(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${3 * 1024 * 1024}\r\n`)]),
      );
      await c.stream(2 * 1024 * 1024);
      await waitFor(() => c.closed, 10_000, `${p.kind} closing the client`);
      expect(c.received, p.kind).toBe('+PONG\r\n');
      const lines = await waitFor(
        () => (closings(p, from).length > 0 ? closings(p, from) : null),
        5000,
        `${p.kind} log line`,
      );
      expect(lines, p.kind).toHaveLength(1);
      expect(lines[0]!.qbuf, p.kind).toBeGreaterThan(1024 * 1024);
      expect(lines[0]!.cmd, p.kind).toBe('ping');
      expect(lines[0]!.head, p.kind).toBe('x'.repeat(64));
      // the server goes on; a bulk within the limit still works
      await admin.write(frame(['SET', 'small', 'x'.repeat(512 * 1024)]));
      await admin.write(frame(['STRLEN', 'small']));
      await admin.until('+OK\r\n+OK\r\n:524288\r\n');
      admin.close();
    }
  });

  it('a blocked client that keeps sending is closed once its pending bytes pass the limit, on both', async () => {
    for (const p of procs) {
      const from = p.output().length;
      const c = await Conn.open(p.port);
      await c.write(frame(['BLPOP', 'nothing', '0']));
      const set = frame(['SET', 'k', 'v'.repeat(1000)]);
      const batch = Buffer.concat(Array.from({ length: 100 }, () => set));
      for (let sent = 0; sent < 3 * 1024 * 1024 && !c.closed; sent += batch.length) await c.write(batch);
      await waitFor(() => c.closed, 10_000, `${p.kind} closing the blocked client`);
      expect(c.received, p.kind).toBe('');
      const lines = await waitFor(
        () => (closings(p, from).length > 0 ? closings(p, from) : null),
        5000,
        `${p.kind} log line`,
      );
      expect(lines[0]!.flags, p.kind).toBe('b');
      expect(lines[0]!.head.startsWith('*3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nk\\r\\n$1000\\r\\nvvv'), p.kind).toBe(true);
      const admin = await Conn.open(p.port);
      await admin.write(frame(['CONFIG', 'SET', 'client-query-buffer-limit', '1gb']));
      await admin.until('+OK\r\n');
      admin.close();
    }
  });
});

// ---- 100,000 fuzzed frames

/** mulberry32: a small seeded PRNG, so a failing run can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Commands that neither block, nor stop or reconfigure the server, nor touch other databases
// or the disk; numbers stay small (a count like SRANDMEMBER's -2^63+1 would make any Redis
// build an enormous reply).
const COMMANDS = (
  'get set del incr incrby decr decrby incrbyfloat append strlen getrange setrange mget mset msetnx exists expire pexpire ttl pttl ' +
  'persist type rename renamenx getset getdel getex setnx setex psetex lpush rpush lpushx lpop rpop lrange llen lindex lrem ltrim ' +
  'linsert lset lpos lmove sadd srem smembers scard sismember smismember sinter sunion sdiff sinterstore spop srandmember smove ' +
  'hset hsetnx hget hmget hdel hgetall hincrby hincrbyfloat hkeys hvals hlen hexists hstrlen zadd zrem zrange zrangebyscore ' +
  'zrevrange zscore zincrby zcard zrank zcount zpopmin zpopmax zunionstore zinterstore zrangestore bitcount setbit getbit bitpos ' +
  'bitop bitfield pfadd pfcount pfmerge object dump restore scan sscan hscan zscan sort lcs ping echo multi exec discard watch ' +
  'unwatch hello client dbsize time keys randomkey command info touch unlink copy substr reset nosuchcommand'
).split(' ');
const WORDS = [
  'NX',
  'XX',
  'EX',
  'PX',
  'EXAT',
  'PXAT',
  'GET',
  'KEEPTTL',
  'PERSIST',
  'WITHSCORES',
  'LIMIT',
  'BY',
  'STORE',
  'COUNT',
  'MATCH',
  'TYPE',
  'REPLACE',
  'ABSTTL',
  'LEFT',
  'RIGHT',
  'BEFORE',
  'AFTER',
  'AND',
  'OR',
  'XOR',
  'NOT',
  'u8',
  'i16',
  'OVERFLOW',
  'SAT',
  'INCRBY',
  'encoding',
  'setname',
  'getname',
  'id',
  'info',
  'list',
  'count',
  'HELP',
  'ALPHA',
  'DESC',
  'IDX',
  'LEN',
  'WITHMATCHLEN',
];
const NUMBERS = [
  '0',
  '1',
  '2',
  '3',
  '-1',
  '-2',
  '7',
  '10',
  '64',
  '100',
  '1.5',
  '-0.5',
  'inf',
  '-inf',
  '+inf',
  'nan',
  '1e3',
  '0x10',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '18446744073709551616',
  '007',
  ' 1',
  '',
];

function fuzzArg(r: () => number): string {
  const x = r();
  if (x < 0.3) return 'k' + Math.floor(r() * 8);
  if (x < 0.55) return NUMBERS[Math.floor(r() * NUMBERS.length)]!;
  if (x < 0.75) return WORDS[Math.floor(r() * WORDS.length)]!;
  let s = '';
  const n = Math.floor(r() * 24);
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(r() * 256));
  return s;
}

function validFrame(r: () => number): Buffer {
  const args = [COMMANDS[Math.floor(r() * COMMANDS.length)]!];
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) args.push(fuzzArg(r));
  if (r() < 0.15) {
    // inline form, quotes and escapes included
    const line = args
      .map((a) => (r() < 0.5 ? `"${a.replace(/[\r\n]/g, '').replace(/"/g, '\\"')}"` : a.replace(/[\s"']/g, '')))
      .join(' ');
    return Buffer.from(line + (r() < 0.5 ? '\r\n' : '\n'), 'latin1');
  }
  return frame(args);
}

/** A frame that may break the protocol: bytes flipped, cut short, random, odd lengths. */
function brokenFrame(r: () => number): Buffer {
  const x = r();
  const f = Buffer.from(validFrame(r));
  if (x < 0.25) {
    for (let i = 0; i < 1 + Math.floor(r() * 3); i++) f[Math.floor(r() * f.length)] = Math.floor(r() * 256);
    return f;
  }
  if (x < 0.45) return f.subarray(0, Math.floor(r() * f.length));
  if (x < 0.65) return Buffer.from(Array.from({ length: 1 + Math.floor(r() * 80) }, () => Math.floor(r() * 256)));
  const heads = [
    '*-1\r\n',
    '*0\r\n',
    '*99999999999\r\n',
    '*2\r\n$-5\r\n',
    '*1\r\n$999999999999\r\n',
    '*1\r\n+x\r\n',
    '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$70000\r\nabc',
    '*1048577\r\n',
    '$3\r\nGET\r\n',
    '*2\r\n$3\r\nGET\r\n$01\r\n',
    '*1\r\n$4\r\nPING',
    '"unbalanced\r\n',
    'x'.repeat(70_000),
  ];
  return Buffer.from(heads[Math.floor(r() * heads.length)]!, 'latin1');
}

describe('tsredis-server under 100,000 fuzzed frames', () => {
  let srv: Proc;
  beforeAll(async () => {
    srv = await startServerProcess('tsredis');
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('stays up and keeps serving; a bystander client is unharmed', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 16);
    const r = prng(seed);
    const bystander = await Conn.open(srv.port);
    await bystander.write(frame(['SELECT', '15']));
    await bystander.write(frame(['SET', 'bystander', 'intact']));
    await bystander.until('+OK\r\n+OK\r\n');

    const TOTAL = 100_000;
    const PER_CONN = 25; // the last frame of each connection's batch may be broken
    const PARALLEL = 4;
    let sent = 0;
    const oneConnection = async (): Promise<void> => {
      const frames: Buffer[] = [];
      for (let i = 0; i < PER_CONN - 1; i++) frames.push(validFrame(r));
      frames.push(r() < 0.5 ? brokenFrame(r) : validFrame(r));
      sent += frames.length;
      const c = await Conn.open(srv.port, false);
      await c.write(Buffer.concat(frames));
      c.socket.end(); // the server reads everything, then closes at EOF (or at a protocol error)
      await waitFor(
        () => c.closed,
        15_000,
        `server closing a fuzzed connection (seed ${seed}, ${sent} frames sent)`,
        2,
      );
    };
    while (sent < TOTAL) await Promise.all(Array.from({ length: PARALLEL }, oneConnection));

    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    expect(srv.child.exitCode, `seed ${seed}`).toBeNull();
    await bystander.write(frame(['GET', 'bystander']));
    await bystander.write(frame(['PING']));
    await bystander.until('+OK\r\n+OK\r\n$6\r\nintact\r\n+PONG\r\n');
    bystander.close();
    // the frames were really run, not dropped unread
    const info = await srv.client();
    const stats = String(await info.call('INFO', 'stats'));
    info.close();
    const stat = (name: string): number => Number(new RegExp(`${name}:(\\d+)`).exec(stats)?.[1]);
    const [processed, errors] = [stat('total_commands_processed'), stat('total_error_replies')];
    console.log(
      `fuzz seed ${seed}: ${sent} frames; ${processed} commands run, ${errors} error replies; handler exceptions logged: ${(srv.output().match(/Error running/g) ?? []).length}`,
    );
    expect(processed).toBeGreaterThan(TOTAL / 4);
    expect(processed + errors).toBeGreaterThan(TOTAL / 2);
  });
});
