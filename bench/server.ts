// bench/server: redis-benchmark -c 50 -n 200000 -t set,get at -P 1 and -P 16 against real
// redis-server and tsredis-server in one run, side by side with the ratio; then RSS after
// loading 1,000,000 small string keys into each. Run: npm run build && node dist/bench/server.js
import { fmt, pipelineLoad, redisBenchmark, rssBytes, startServer, table, which } from './lib.js';

const N = Number(process.env.BENCH_N ?? 200_000);
const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3); // best of 3: this is a shared 2-core VM

async function main(): Promise<void> {
  if (!which('redis-server') || !which('redis-benchmark')) {
    console.error('bench/server needs redis-server and redis-benchmark (apt-get install -y redis-server redis-tools)');
    process.exit(2);
  }
  const redis = await startServer('redis');
  const ts = await startServer('tsredis');
  try {
    const rows: (string | number)[][] = [['test', 'redis req/s', 'tsredis req/s', 'ratio', 'target']];
    for (const pipeline of [1, 16]) {
      const best = { redis: new Map<string, number>(), tsredis: new Map<string, number>() };
      for (let r = 0; r < ROUNDS; r++) {
        // alternate the order so neither server always runs on a warmer/cooler machine
        for (const s of r % 2 === 0 ? [redis, ts] : [ts, redis]) {
          const res = redisBenchmark(s.port, ['-c', '50', '-n', String(N), '-t', 'set,get', '-P', String(pipeline)]);
          const into = best[s.name as 'redis' | 'tsredis'];
          for (const [k, v] of res) into.set(k, Math.max(into.get(k) ?? 0, v));
        }
      }
      for (const t of ['SET', 'GET']) {
        const a = best.redis.get(t) ?? 0;
        const b = best.tsredis.get(t) ?? 0;
        rows.push([`${t} -P ${pipeline}`, fmt(a), fmt(b), (b / a).toFixed(2), pipeline === 1 ? '>= 0.90' : '>= 0.50']);
      }
    }
    console.log(`redis-benchmark -c 50 -n ${N} -t set,get (best of ${ROUNDS} round(s) each)`);
    console.log(table(rows));

    console.log(`\nRSS after loading ${fmt(KEYS)} keys (key:<n> -> 3-byte value):`);
    const rssRows: (string | number)[][] = [['server', 'RSS before', 'RSS after', 'ratio to redis']];
    const after: Record<string, number> = {};
    for (const s of [redis, ts]) {
      const before = rssBytes(s.pid);
      await pipelineLoad(s.port, KEYS, (i) => ['SET', `key:${i}`, 'xxx']);
      await new Promise((r) => setTimeout(r, 500));
      after[s.name] = rssBytes(s.pid);
      rssRows.push([s.name, `${fmt(before / 1048576, 1)} MB`, `${fmt(after[s.name]! / 1048576, 1)} MB`, '']);
    }
    rssRows[2]![3] = `${(after.tsredis! / after.redis!).toFixed(2)} (target <= 2.00)`;
    console.log(table(rssRows));
  } finally {
    await redis.stop();
    await ts.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
