// Differential testing: one real redis-server and one tsredis-server, the same commands sent
// to both over raw sockets, reply BYTES compared (RESP2, and RESP3 after HELLO 3).
// Replies that are legitimately nondeterministic (set order, SCAN cursors, random picks,
// TTL countdowns) go through normalisers first; everything else must match exactly.
//
//   const real = haveRealRedis();            // loud warning, or a failure under CI=true
//   describe.skipIf(!real)('...', () => {
//     it('...', () => withDiffPair(async (pair) => {
//       await pair.expectSame(['SET', 'k', 'v']);          // throws showing both replies
//       const { real, ts } = await pair.both(['GET', 'k']); // raw reply bytes (latin1)
//       expect(await pair.differences([['GET', 'k'], ['TTL', 'k']])).toEqual([]);
//       await pair.expectSameSequence([[...], [...]]);       // pipelined
//       const other = await pair.connect();                  // another client on both
//       const blocked = other.start(['BLPOP', 'q', '0']);    // reply compared later
//       await pair.waitBlocked(1);
//     }, ['--some-directive', 'value']));                    // extra args for both servers
//   });
//
// Normalisers: defaultNormaliser(argv) picks one by command (sortItems, sortPairs,
// scanReply, shapeOnly, within(ms)); pass your own as expectSame's 2nd argument, or set
// pair.normaliserFor. test/helpers/diff-stream.ts reads both servers' replication streams.
import net from 'node:net';
import { startServerProcess, requireReal, type Proc } from './procs.js';
import { encodeCommand } from '../../src/resp/reply-parser.js';

/** A reply as a tree that keeps RESP type bytes, so it can be re-serialised exactly. */
export interface RNode {
  /** RESP type byte: + - : $ * % ~ > , # _ ( = ! | */
  t: string;
  /** Line or blob content for scalars ('$' null is v === null). */
  v?: string | null;
  /** Children for aggregates (maps: k1 v1 k2 v2 ...). */
  items?: RNode[] | null;
}

/** Parses one reply at `pos`; null when the buffer holds no complete reply yet. */
export function parseReply(buf: string, pos: number): { node: RNode; end: number } | null {
  if (pos >= buf.length) return null;
  const t = buf[pos]!;
  const nl = buf.indexOf('\r\n', pos);
  if (nl === -1) return null;
  const line = buf.slice(pos + 1, nl);
  let p = nl + 2;
  switch (t) {
    case '+':
    case '-':
    case ':':
    case ',':
    case '#':
    case '_':
    case '(':
      return { node: { t, v: line }, end: p };
    case '$':
    case '=':
    case '!': {
      const n = Number(line);
      if (n < 0) return { node: { t, v: null }, end: p };
      if (buf.length < p + n + 2) return null;
      return { node: { t, v: buf.slice(p, p + n) }, end: p + n + 2 };
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      const n = Number(line);
      if (n < 0) return { node: { t, items: null }, end: p };
      const count = t === '%' || t === '|' ? n * 2 : n;
      const items: RNode[] = [];
      for (let i = 0; i < count; i++) {
        const r = parseReply(buf, p);
        if (!r) return null;
        items.push(r.node);
        p = r.end;
      }
      return { node: { t, items }, end: p };
    }
    default:
      throw new Error(`bad RESP type byte ${JSON.stringify(t)} in ${JSON.stringify(buf.slice(pos, pos + 40))}`);
  }
}

export function serialize(n: RNode): string {
  if (n.items !== undefined) {
    if (n.items === null) return n.t + '-1\r\n';
    const len = n.t === '%' || n.t === '|' ? n.items.length / 2 : n.items.length;
    return n.t + len + '\r\n' + n.items.map(serialize).join('');
  }
  if (n.t === '$' || n.t === '=' || n.t === '!')
    return n.v === null ? n.t + '-1\r\n' : n.t + n.v!.length + '\r\n' + n.v + '\r\n';
  return n.t + n.v + '\r\n';
}

/** A raw connection: FIFO of pending replies, each reply returned as its exact bytes. */
export class RawConn {
  private buf = '';
  private readonly waiting: ((r: string) => void)[] = [];
  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d) => {
      this.buf += d.toString('latin1');
      let pos = 0;
      while (this.waiting.length > 0) {
        const r = parseReply(this.buf, pos);
        if (!r) break;
        this.waiting.shift()!(this.buf.slice(pos, r.end));
        pos = r.end;
      }
      this.buf = this.buf.slice(pos);
    });
    socket.on('error', () => {});
  }
  static connect(port: number, host = '127.0.0.1'): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }
  /** Sends one command; resolves with the raw reply bytes (latin1). */
  send(args: readonly string[]): Promise<string> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(encodeCommand(args));
    });
  }
  /** Sends many commands in one write (pipelined); resolves with every reply. */
  pipeline(cmds: readonly (readonly string[])[]): Promise<string[]> {
    const ps = cmds.map((a) => new Promise<string>((resolve) => this.waiting.push(resolve)));
    this.socket.write(Buffer.concat(cmds.map((a) => encodeCommand(a))));
    return Promise.all(ps);
  }
  close(): void {
    this.socket.destroy();
  }
}

/** Rewrites both parsed replies so that legitimate differences disappear. */
export type Normaliser = (real: RNode, ts: RNode, argv: readonly string[]) => void;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sort the elements of an aggregate reply (SMEMBERS, KEYS, SUNION ...). */
export const sortItems: Normaliser = (a, b) => {
  for (const n of [a, b]) if (n.items) n.items.sort((x, y) => cmp(serialize(x), serialize(y)));
};
/** Sort field/value pairs (map or flat pair array), for hashtable-encoded hashes. */
export const sortPairs: Normaliser = (a, b) => {
  for (const n of [a, b]) {
    if (!n.items) continue;
    const pairs: RNode[][] = [];
    for (let i = 0; i + 1 < n.items.length; i += 2) pairs.push([n.items[i]!, n.items[i + 1]!]);
    pairs.sort((x, y) => cmp(serialize(x[0]!), serialize(y[0]!)));
    n.items = pairs.flat();
  }
};
/** SCAN-family: cursor compared as zero / non-zero, elements sorted (pairs for HSCAN/ZSCAN). */
export const scanReply =
  (pairs: boolean): Normaliser =>
  (a, b, argv) => {
    for (const n of [a, b]) {
      if (!n.items || n.items.length !== 2) continue;
      const cur = n.items[0]!;
      if (cur.v !== '0') cur.v = '<cursor>';
      const els = n.items[1]!;
      if (pairs) sortPairs(els, { t: '*', items: [] }, argv);
      else sortItems(els, { t: '*', items: [] }, argv);
    }
  };
/** Random picks (RANDOMKEY, SRANDMEMBER, HRANDFIELD, SPOP): keep only the reply's shape. */
export const shapeOnly: Normaliser = (a, b) => {
  const strip = (n: RNode): void => {
    if (n.items) n.items.forEach(strip);
    else if ((n.t === '$' || n.t === ',') && n.v !== null) n.v = '?';
  };
  strip(a);
  strip(b);
};
/** Integer countdowns (TTL, PTTL, OBJECT IDLETIME): equal within `tol`. */
export const within =
  (tol: number): Normaliser =>
  (a, b) => {
    if (a.t === ':' && b.t === ':' && Number(a.v) >= 0 && Math.abs(Number(a.v) - Number(b.v)) <= tol) b.v = a.v;
  };
/** The hash family orders by insertion while listpack-encoded, randomly as a hashtable. */
const hashOrder =
  (pairs: boolean): Normaliser =>
  (a, b, argv) => {
    const big = (n: RNode): boolean =>
      !!n.items && (n.items.length > (pairs ? 256 : 128) || n.items.some((x) => (x.v?.length ?? 0) > 64));
    if (big(a) || big(b)) (pairs ? sortPairs : sortItems)(a, b, argv);
  };

/**
 * For runs where hashes and sets may be hashtable-encoded at any size (small *-max-*
 * thresholds): their element order is unspecified, so sort it as well.
 */
export function unorderedCollections(argv: readonly string[]): Normaliser | undefined {
  const name = argv[0]!.toLowerCase();
  if (name === 'hgetall') return sortPairs;
  if (
    name === 'hkeys' ||
    name === 'hvals' ||
    name === 'smembers' ||
    name === 'sinter' ||
    name === 'sunion' ||
    name === 'sdiff'
  )
    return sortItems;
  return defaultNormaliser(argv);
}

/** The normaliser Redis semantics call for, by command name (undefined = exact bytes). */
export function defaultNormaliser(argv: readonly string[]): Normaliser | undefined {
  const name = argv[0]!.toLowerCase();
  switch (name) {
    case 'smembers':
    case 'sinter':
    case 'sunion':
    case 'sdiff':
    case 'keys':
      return sortItems;
    case 'scan':
    case 'sscan':
      return scanReply(false);
    case 'hscan':
    case 'zscan':
      return scanReply(true);
    case 'randomkey':
    case 'srandmember':
    case 'hrandfield':
    case 'spop':
      return shapeOnly;
    case 'ttl':
    case 'expiretime':
      return within(1);
    case 'pttl':
    case 'pexpiretime':
      return within(250);
    case 'hgetall':
      return hashOrder(true);
    case 'hkeys':
    case 'hvals':
      return hashOrder(false);
    case 'object':
      return argv[1]?.toLowerCase() === 'idletime' ? within(1) : undefined;
    default:
      return undefined;
  }
}

export interface Compared {
  argv: readonly string[];
  real: string;
  ts: string;
  /** After normalisation. */
  realNorm: string;
  tsNorm: string;
  same: boolean;
}

export function compare(
  argv: readonly string[],
  real: string,
  ts: string,
  norm: Normaliser | undefined | null = defaultNormaliser(argv),
): Compared {
  let realNorm = real;
  let tsNorm = ts;
  if (norm && real !== ts) {
    const a = parseReply(real, 0)!.node;
    const b = parseReply(ts, 0)!.node;
    norm(a, b, argv);
    realNorm = serialize(a);
    tsNorm = serialize(b);
  }
  return { argv, real, ts, realNorm, tsNorm, same: realNorm === tsNorm };
}

const show = (s: string): string => JSON.stringify(s.length > 600 ? s.slice(0, 600) + '...' : s);

export function describeDiff(d: Compared): string {
  return `${show(d.argv.join(' '))}\n  real:     ${show(d.real)}\n  tsredis:  ${show(d.ts)}`;
}

/** One client connection to each server. */
export class DiffConn {
  /** Picks the normaliser per command (override e.g. when small encoding thresholds make hashes hashtables). */
  normaliserFor: (argv: readonly string[]) => Normaliser | undefined = defaultNormaliser;
  constructor(
    readonly real: RawConn,
    readonly ts: RawConn,
  ) {}
  /** Sends to both; resolves with both raw replies. */
  async both(argv: readonly string[]): Promise<{ real: string; ts: string }> {
    const [real, ts] = await Promise.all([this.real.send(argv), this.ts.send(argv)]);
    return { real, ts };
  }
  /** Sends and throws with both replies shown when they differ (after normalisation). */
  async expectSame(argv: readonly string[], norm?: Normaliser | null): Promise<string> {
    const { real, ts } = await this.both(argv);
    const d = compare(argv, real, ts, norm === undefined ? this.normaliserFor(argv) : norm);
    if (!d.same) throw new Error('tsredis differs from redis for ' + describeDiff(d));
    return real;
  }
  /**
   * Sends without waiting (a blocking command): the returned promise resolves with the
   * comparison once both servers answered.
   */
  start(argv: readonly string[], norm?: Normaliser | null): Promise<Compared> {
    return Promise.all([this.real.send(argv), this.ts.send(argv)]).then(([real, ts]) =>
      compare(argv, real, ts, norm === undefined ? this.normaliserFor(argv) : norm),
    );
  }
  /** Pipelines a whole sequence to both; returns the comparisons (first difference = first !same). */
  async sequence(cmds: readonly (readonly string[])[]): Promise<Compared[]> {
    const [r, t] = await Promise.all([this.real.pipeline(cmds), this.ts.pipeline(cmds)]);
    return cmds.map((argv, i) => compare(argv, r[i]!, t[i]!, this.normaliserFor(argv)));
  }
  /** Pipelines a sequence and throws on the first difference. */
  async expectSameSequence(cmds: readonly (readonly string[])[]): Promise<void> {
    const res = await this.sequence(cmds);
    const bad = res.find((x) => !x.same);
    if (bad) {
      const idx = res.indexOf(bad);
      throw new Error(`difference at command ${idx + 1} of ${cmds.length}: ${describeDiff(bad)}`);
    }
  }
  close(): void {
    this.real.close();
    this.ts.close();
  }
}

/** A real redis-server and a tsredis-server, fresh, with `--save ""`. */
export class DiffPair extends DiffConn {
  private readonly extra: DiffConn[] = [];
  constructor(
    readonly realProc: Proc,
    readonly tsProc: Proc,
    real: RawConn,
    ts: RawConn,
  ) {
    super(real, ts);
  }
  /** Another client connection to each server (blocking commands, WATCH, MULTI ...). */
  async connect(): Promise<DiffConn> {
    const c = new DiffConn(await RawConn.connect(this.realProc.port), await RawConn.connect(this.tsProc.port));
    this.extra.push(c);
    return c;
  }
  /** FLUSHALL on both (and back to db 0, RESP2 on the main connection). */
  async reset(): Promise<void> {
    await this.both(['HELLO', '2']);
    const { ts } = await this.both(['FLUSHALL']);
    if (ts.startsWith('-')) {
      // a tsredis without the admin family: empty the databases tests use by hand
      for (const db of ['0', '1', '2', '3']) {
        await this.ts.send(['SELECT', db]);
        const keys = parseReply(await this.ts.send(['KEYS', '*']), 0)!.node.items ?? [];
        if (keys.length > 0) await this.ts.send(['DEL', ...keys.map((k) => k.v!)]);
      }
    }
    await this.both(['SELECT', '0']);
  }
  /**
   * Sends each case in turn and collects every difference (instead of stopping at the
   * first); returns the descriptions, empty when all replies matched.
   */
  async differences(cases: readonly (readonly string[])[]): Promise<string[]> {
    const out: string[] = [];
    for (const argv of cases) {
      const { real, ts } = await this.both(argv);
      const d = compare(argv, real, ts, this.normaliserFor(argv));
      if (!d.same) out.push(describeDiff(d));
    }
    return out;
  }
  /** Waits until both servers report `n` blocked clients (INFO clients). */
  async waitBlocked(n: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const re = new RegExp(`blocked_clients:${n}\\r\\n`);
    for (;;) {
      const { real, ts } = await this.both(['INFO', 'clients']);
      if (re.test(real) && re.test(ts)) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} blocked clients:\n${real}\n${ts}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  async stop(): Promise<void> {
    for (const c of this.extra) c.close();
    this.close();
    await Promise.all([this.realProc.stop(), this.tsProc.stop()]);
  }
}

/** Starts both servers (extra `--directive value` args go to both). */
export async function startDiffPair(args: string[] = []): Promise<DiffPair> {
  const [realProc, tsProc] = await Promise.all([
    startServerProcess('redis', args),
    startServerProcess('tsredis', args),
  ]);
  return new DiffPair(realProc, tsProc, await RawConn.connect(realProc.port), await RawConn.connect(tsProc.port));
}

/** Runs `fn` with a fresh pair and always stops both servers. */
export async function withDiffPair<T>(fn: (pair: DiffPair) => Promise<T>, args: string[] = []): Promise<T> {
  const pair = await startDiffPair(args);
  try {
    return await fn(pair);
  } finally {
    await pair.stop();
  }
}

/** True when the reference binary exists (warns loudly, or throws under CI, when it does not). */
export function haveRealRedis(): boolean {
  return requireReal('redis-server') !== null;
}

/** Pipelines `cmds` on the pair's main connection and expects identical bytes for each. */
export async function expectSamePipeline(
  pair: DiffPair,
  cmds: string[][],
  norm?: Record<number, Normaliser>,
): Promise<void> {
  const [r, t] = await Promise.all([pair.real.pipeline(cmds), pair.ts.pipeline(cmds)]);
  cmds.forEach((argv, i) => {
    const res = compare(argv, r[i]!, t[i]!, norm?.[i] ?? undefined);
    if (!res.same) throw new Error(`command ${i + 1}: ${describeDiff(res)}`);
  });
}
