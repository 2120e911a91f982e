// bench/persistence: the longest client-visible stall while BGSAVE runs over 1,000,000 keys,
// tsredis-server next to real redis-server. A probe client sends PING back to back and
// records every round trip; BGSAVE starts mid-way; the worst round trip during the save
// is the stall a client sees. Run: npm run build && node dist/bench/persistence.js
// measureBgsaveStall() is exported for other benches (e.g. replication full syncs).
import net from 'node:net';
import { fmt, pipelineLoad, startServer, table, which, type BenchServer } from './lib.js';

const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);

export interface StallResult {
  /** worst PING round trip while the save ran (ms) */
  maxStallMs: number;
  /** 99th percentile round trip during the save (ms) */
  p99Ms: number;
  /** worst round trip before the save, same probe (ms) */
  baselineMaxMs: number;
  saveMs: number;
  pings: number;
}

/** A single connection doing PING after PING; resolves round-trip times per call. */
class Prober {
  private sock: net.Socket;
  private buf = '';
  private waiting: (() => void) | null = null;
  constructor(port: number, host = '127.0.0.1') {
    this.sock = net.connect(port, host);
    this.sock.setNoDelay(true);
    this.sock.on('data', (d) => {
      this.buf += d.toString('latin1');
      let nl;
      while ((nl = this.buf.indexOf('\r\n')) !== -1) {
        this.buf = this.buf.slice(nl + 2);
        const w = this.waiting;
        this.waiting = null;
        w?.();
      }
    });
  }
  async ready(): Promise<void> {
    if (this.sock.readyState === 'open') return;
    await new Promise<void>((r, j) => {
      this.sock.once('connect', () => r());
      this.sock.once('error', j);
    });
  }
  /** Sends a command, returns ms until the (single-line) reply. */
  async rtt(cmd: string): Promise<number> {
    const t = process.hrtime.bigint();
    await new Promise<void>((r) => {
      this.waiting = r;
      this.sock.write(cmd);
    });
    return Number(process.hrtime.bigint() - t) / 1e6;
  }
  /** Sends a command and resolves with the first data chunk of its reply (INFO fits one). */
  async call(cmd: string): Promise<string> {
    return new Promise<string>((resolve) => {
      const onData = (d: Buffer) => {
        const s = d.toString('latin1');
        this.sock.off('data', onData);
        resolve(s);
      };
      this.sock.on('data', onData);
      this.waiting = () => {};
      this.sock.write(cmd);
    });
  }
  close(): void {
    this.sock.destroy();
  }
}

const PING = '*1\r\n$4\r\nPING\r\n';
const BGSAVE = '*1\r\n$6\r\nBGSAVE\r\n';
const INFO = '*2\r\n$4\r\nINFO\r\n$11\r\npersistence\r\n';

/** Measures the worst PING round trip while a BGSAVE runs on host:port (the data must be loaded). */
export async function measureBgsaveStall(port: number, host = '127.0.0.1', baselineMs = 1000): Promise<StallResult> {
  const probe = new Prober(port, host);
  const ctl = new Prober(port, host);
  await Promise.all([probe.ready(), ctl.ready()]);
  let baselineMax = 0;
  const until = Date.now() + baselineMs;
  while (Date.now() < until) baselineMax = Math.max(baselineMax, await probe.rtt(PING));
  const samples: number[] = [];
  let saving = true;
  const t0 = Date.now();
  const probing = (async () => {
    while (saving) samples.push(await probe.rtt(PING));
  })();
  await ctl.call(BGSAVE);
  // poll until the save finished
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const info = await ctl.call(INFO);
    if (/rdb_bgsave_in_progress:0/.test(info)) break;
  }
  const saveMs = Date.now() - t0;
  saving = false;
  await probing;
  probe.close();
  ctl.close();
  samples.sort((a, b) => a - b);
  return {
    maxStallMs: samples[samples.length - 1] ?? 0,
    p99Ms: samples[Math.floor(samples.length * 0.99)] ?? 0,
    baselineMaxMs: baselineMax,
    saveMs,
    pings: samples.length,
  };
}

async function main(): Promise<void> {
  const kinds: ('tsredis' | 'redis')[] = which('redis-server') ? ['redis', 'tsredis'] : ['tsredis'];
  const rows: (string | number)[][] = [
    ['server', 'keys', 'BGSAVE ms', 'max stall ms', 'p99 ms', 'baseline max ms', 'pings'],
  ];
  for (const kind of kinds) {
    const s: BenchServer = await startServer(kind);
    try {
      // mostly strings, some small containers, some TTLs
      await pipelineLoad(s.port, KEYS, (i) =>
        i % 10 === 0
          ? ['HSET', `h:${i}`, 'f', String(i), 'g', 'x']
          : i % 10 === 1
            ? ['RPUSH', `l:${i}`, 'a', 'b', String(i)]
            : ['SET', `key:${i}`, `value:${i}`],
      );
      const r = await measureBgsaveStall(s.port);
      rows.push([
        kind,
        fmt(KEYS),
        fmt(r.saveMs),
        r.maxStallMs.toFixed(1),
        r.p99Ms.toFixed(2),
        r.baselineMaxMs.toFixed(1),
        fmt(r.pings),
      ]);
    } finally {
      await s.stop();
    }
  }
  console.log(`BGSAVE of ${fmt(KEYS)} keys: longest PING round trip seen by a client while saving`);
  console.log(table(rows));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
