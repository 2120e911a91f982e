// Fuzzing the request parser: random and truncated frames never crash the server and never
// corrupt another client's session; chunking never changes what is parsed.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import net from 'node:net';
import { RequestParser, ProtocolError } from '../../src/resp/request-parser.js';
import { startServerProcess, type Proc } from '../helpers/procs.js';

const limits = { maxBulkLen: 512 * 1024 * 1024, authRequired: () => false };

function encode(args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
}

/** Parses everything; returns commands plus the protocol error message, if any. */
function parseChunks(chunks: Buffer[]): { cmds: string[][]; error: string | null } {
  const p = new RequestParser(limits);
  const cmds: string[][] = [];
  try {
    for (const ch of chunks) {
      p.feed(ch);
      for (let c = p.next(); c; c = p.next()) cmds.push(c);
    }
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return { cmds, error: e.message };
  }
  return { cmds, error: null };
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

const arg = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((n) => String.fromCharCode(n)), maxLength: 40 });

describe('request parser fuzz', () => {
  it('only ever throws ProtocolError on random bytes, whatever the chunking', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const buf = Buffer.from(bytes);
        const whole = parseChunks([buf]);
        const split = parseChunks(splitAt(buf, cuts));
        expect(split).toEqual(whole);
      }),
      { numRuns: 3000 },
    );
  });

  it('parses valid multibulk pipelines identically under any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(arg, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (cmds, cuts) => {
          const buf = Buffer.from(cmds.map(encode).join(''), 'latin1');
          const r = parseChunks(splitAt(buf, cuts));
          expect(r.error).toBeNull();
          expect(r.cmds).toEqual(cmds);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a truncated frame yields nothing until it completes', () => {
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 5 }), (args) => {
        const frame = Buffer.from(encode(args), 'latin1');
        for (let cut = 0; cut < frame.length; cut++) {
          const p = new RequestParser(limits);
          p.feed(frame.subarray(0, cut));
          expect(p.next()).toBeNull();
          p.feed(frame.subarray(cut));
          expect(p.next()).toEqual(args);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('server under fuzzing clients', () => {
  let srv: Proc;
  beforeAll(async () => {
    srv = await startServerProcess('tsredis');
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('keeps serving a well-behaved client correctly while others send garbage', async () => {
    // the victim: a pipelined SET/GET session whose every reply is checked
    const victim = net.connect(srv.port, '127.0.0.1');
    await new Promise((r) => victim.once('connect', r));
    let received = '';
    victim.on('data', (d) => (received += d.toString('latin1')));

    const rng = fc.sample(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat({ max: 4 })), {
      numRuns: 400,
      seed: 42,
    });
    const valid = encode(['SET', 'fuzz', 'v']);
    const garbageClients: Promise<void>[] = [];
    for (let i = 0; i < rng.length; i++) {
      const [bytes, mode] = rng[i]!;
      let payload: Buffer;
      if (mode === 0) payload = Buffer.from(bytes);
      else if (mode === 1)
        payload = Buffer.from(valid.slice(0, bytes.length % valid.length), 'latin1'); // truncated
      else if (mode === 2) payload = Buffer.concat([Buffer.from(valid, 'latin1'), Buffer.from(bytes)]);
      else if (mode === 3) payload = Buffer.from(`*${bytes[0]}\r\n$${(bytes[1] ?? 0) * 1000}\r\n`, 'latin1');
      else payload = Buffer.from(`*2\r\n$3\r\nGET\r\n$${bytes.length}\r\n`, 'latin1');
      garbageClients.push(
        new Promise<void>((resolve) => {
          const s = net.connect(srv.port, '127.0.0.1');
          s.on('error', () => resolve());
          s.on('connect', () => {
            s.write(payload);
            setTimeout(() => s.destroy(), 20);
          });
          s.on('close', () => resolve());
        }),
      );
      if (i % 10 === 0) victim.write(encode(['SET', `k${i}`, `value-${i}`]) + encode(['GET', `k${i}`]));
    }
    await Promise.all(garbageClients);
    const expected = Array.from(
      { length: 40 },
      (_, j) => `+OK\r\n$${`value-${j * 10}`.length}\r\nvalue-${j * 10}\r\n`,
    ).join('');
    const deadline = Date.now() + 10_000;
    while (received.length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received).toBe(expected);
    victim.destroy();

    const c = await srv.client();
    expect(await c.call('PING')).toBe('PONG');
    c.close();
    expect(srv.child.exitCode).toBeNull();
  });
});
