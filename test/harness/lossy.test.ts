// Ground truth for the set checker (issue 13 item 7): a replica that deliberately skips every Nth
// write of its master's stream (tsredis-server's test-only debug-replica-drop-every) while still
// acknowledging the bytes. First the switch itself on real processes, then a harness run with
// kill-master and WAIT 2 on a cluster of such servers: the checker must report exactly the
// acknowledged elements the promoted replica skipped before its promotion, and the same run
// without the switch must be valid.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHarness } from '../helpers/harness.js';
import { skippedWrites, writeLossyServerBin } from '../helpers/lossy-server.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { TSREDIS_BIN } from '../helpers/procs.js';
import { infoFields, nodePool } from '../helpers/replication-util.js';
import { RespClient } from '../../src/resp/client.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-lossy-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const { start } = nodePool(['--repl-diskless-sync-delay', '0']);

async function replOffsets(c: RespClient): Promise<Record<string, string>> {
  return Object.fromEntries((await infoFields(c, 'replication')).filter(([k]) => k.endsWith('repl_offset')));
}

describe('debug-replica-drop-every (test-only switch of tsredis-server)', () => {
  it('a replica skips exactly every Nth write of its stream (inside MULTI too), logs each, passes none on, and acknowledges every byte', async () => {
    const N = 10;
    const master = await start('tsredis');
    const lossy = await start('tsredis', [
      '--replicaof',
      '127.0.0.1',
      String(master.p.port),
      '--debug-replica-drop-every',
      String(N),
    ]);
    const sub = await start('tsredis', ['--replicaof', '127.0.0.1', String(lossy.p.port)]);
    await waitFor(
      async () =>
        (await infoFields(master.c, 'replication')).some(([k, v]) => k === 'slave0' && v.includes('state=online')),
      20_000,
      'the lossy replica online',
    );
    await waitFor(
      async () =>
        (await infoFields(lossy.c, 'replication')).some(([k, v]) => k === 'slave0' && v.includes('state=online')),
      20_000,
      'the sub-replica online',
    );

    // keys 1..60 and 81..100 one SET each; 61..80 in MULTI/EXEC blocks of four (key 70 inside, 80 last)
    const m = master.c;
    for (let k = 1; k <= 100; ) {
      if (k > 60 && k <= 80) {
        await m.callOk('MULTI');
        for (let j = 0; j < 4; j++, k++) await m.callOk('SET', `key:${k}`, `v${k}`);
        await m.callOk('EXEC');
      } else {
        await m.callOk('SET', `key:${k}`, `v${k}`);
        await m.callOk('PING'); // not a write: not counted
        k++;
      }
    }
    // the master takes the skipped writes as received: WAIT counts the lossy replica
    expect(await m.callOk('WAIT', '1', '5000')).toBe(1);
    const masterOffset = (await replOffsets(m)).master_repl_offset!;
    await waitFor(
      async () => (await replOffsets(sub.c)).slave_repl_offset === masterOffset,
      20_000,
      'the sub-replica at the master offset',
    );

    const expectedMissing = Array.from({ length: 100 / N }, (_, i) => `key:${(i + 1) * N}`);
    const keysOf = async (c: RespClient) => ((await c.callOk('KEYS', 'key:*')) as string[]).sort();
    const all = Array.from({ length: 100 }, (_, i) => `key:${i + 1}`);
    expect(await keysOf(m)).toEqual([...all].sort());
    expect(await keysOf(lossy.c)).toEqual(all.filter((k) => !expectedMissing.includes(k)).sort());
    expect(await keysOf(sub.c)).toEqual(await keysOf(lossy.c)); // not propagated either

    // byte-exact offsets everywhere: master, lossy replica (applied, read, own), sub-replica
    const lossyOffsets = await replOffsets(lossy.c);
    expect(lossyOffsets.slave_repl_offset).toBe(masterOffset);
    expect(lossyOffsets.slave_read_repl_offset).toBe(masterOffset);
    expect(lossyOffsets.master_repl_offset).toBe(masterOffset);
    expect((await replOffsets(sub.c)).master_repl_offset).toBe(masterOffset);

    const skipped = skippedWrites(lossy.p.output());
    expect(skipped.map((s) => s.n)).toEqual(expectedMissing.map((_, i) => (i + 1) * N));
    expect(skipped.map((s) => s.argv.join(' '))).toEqual(expectedMissing.map((k) => `SET ${k} v${k.slice(4)}`));
    expect(lossy.p.output()).toMatch(
      /^\d+:S \d\d \w{3} \d{4} [\d:.]+ # DEBUG replica-drop-every: skipped write #10 of the master stream: SET key:10 v10$/m,
    );
    expect(skippedWrites(sub.p.output())).toEqual([]);
    expect(skippedWrites(master.p.output())).toEqual([]);
  });

  it('is a directive: from redis.conf or the command line, shown by CONFIG GET of its name only, 0 (off) by default, not settable at run time', async () => {
    const plain = await start('tsredis');
    expect(await plain.c.callOk('CONFIG', 'GET', 'debug-replica-drop-every')).toEqual([
      'debug-replica-drop-every',
      '0',
    ]);
    const globbed = (await plain.c.callOk('CONFIG', 'GET', '*')) as string[];
    expect(globbed.some((x) => String(x).includes('drop-every'))).toBe(false); // real Redis 7.0 lists no such name
    await expect(plain.c.callOk('CONFIG', 'SET', 'debug-replica-drop-every', '5')).rejects.toThrow(
      /debug-replica-drop-every/,
    );

    const fromArgs = await start('tsredis', ['--debug-replica-drop-every', '7']);
    expect(await fromArgs.c.callOk('CONFIG', 'GET', 'debug-replica-drop-every')).toEqual([
      'debug-replica-drop-every',
      '7',
    ]);

    const conf = path.join(tmp, 'lossy.conf');
    fs.writeFileSync(conf, 'save ""\nappendonly no\ndebug-replica-drop-every 13\n');
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [TSREDIS_BIN, conf, '--port', String(port), '--bind', '127.0.0.1', '--dir', tmp],
      { stdio: 'ignore' },
    );
    try {
      const c = await waitFor(
        () => RespClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 500 }),
        15_000,
        'tsredis with the directive in redis.conf',
      );
      expect(await c.callOk('CONFIG', 'GET', 'debug-replica-drop-every')).toEqual(['debug-replica-drop-every', '13']);
      c.close();
    } finally {
      child.kill('SIGKILL');
    }
  });
});

interface HistoryOp {
  type: string;
  f: string;
  value: unknown;
  process: number | string;
}
interface LostEntry {
  element: unknown;
  key?: unknown;
}

const readJsonl = <T>(file: string): T[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as T];
      } catch {
        return []; // a torn last line
      }
    });

/** An add's element: the number, whether the value is `e` or `[key, e]`. */
const elementOf = (v: unknown): number => Number(Array.isArray(v) ? v[1] : v);
/** The last segment of a key (`faultline:set:3` and 3 both give "3"). */
const keyTail = (k: unknown): string => String(k).split(':').pop()!;

/** Runs the harness's set/kill-master/WAIT 2 job on servers started through `serverBin`; returns the run dir and its results. */
async function setKillMasterRun(serverBin: string, label: string) {
  const resultsDir = path.join(tmp, `results-${label}`);
  const args = [
    'run',
    '--server-bin',
    serverBin,
    '--workload',
    'set',
    '--nemesis',
    'kill-master',
    '--wait',
    '2',
    '--replicas',
    '2',
    '--time-limit',
    '8',
    '--nemesis-interval',
    '3',
    '--rate',
    '300',
    '--results-dir',
    resultsDir,
  ];
  const { code, out } = await runHarness(args, 150_000);
  const runDir = fs.realpathSync(path.join(resultsDir, 'latest'));
  const results = JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8')) as {
    valid: boolean | 'unknown';
    summary: Record<string, number>;
    lost?: LostEntry[];
  };
  return { code, out, runDir, results };
}

/**
 * The truth of a lossy run: the acknowledged elements that the node which is master at the end
 * skipped while it was still a replica (its log, before its promotion), as "key/element".
 */
function droppedAcknowledged(runDir: string): { truth: Set<string>; skippedBeforePromotion: number; promoted: string } {
  const nodes = (
    JSON.parse(fs.readFileSync(path.join(runDir, 'test.json'), 'utf8')) as {
      nodes: { name: string; host: string; port: number; logFile: string }[];
    }
  ).nodes;
  const events = readJsonl<{ event: string; text: string }>(path.join(runDir, 'events.jsonl'));
  const newMasters = [
    ...new Set(events.filter((e) => e.event === '+switch-master').map((e) => e.text.split(' ').slice(3, 5).join(':'))),
  ];
  expect(newMasters, 'exactly one failover in the run (the ground truth below assumes it)').toHaveLength(1);
  const promoted = nodes.find((n) => `${n.host}:${n.port}` === newMasters[0])!;
  const log = fs.readFileSync(path.join(runDir, promoted.logFile), 'utf8');
  // REPLICAOF NO ONE logs the replication id shift: the skipped writes before it are the lost ones
  const promotionLine = log.split('\n').findIndex((l) => l.includes('# Setting secondary replication ID to'));
  expect(promotionLine, `${promoted.name} logged its promotion`).toBeGreaterThanOrEqual(0);
  const skipped = skippedWrites(log).filter((s) => s.line < promotionLine);
  const acknowledged = new Set(
    readJsonl<HistoryOp>(path.join(runDir, 'history.jsonl'))
      .filter((o) => o.f === 'add' && o.type === 'ok')
      .map((o) => elementOf(o.value)),
  );
  const truth = new Set<string>();
  for (const s of skipped) {
    expect(s.argv[0]!.toLowerCase(), `${promoted.name} skipped only the workload's SADDs`).toBe('sadd');
    for (const member of s.argv.slice(2))
      if (acknowledged.has(Number(member))) truth.add(`${keyTail(s.argv[1])}/${Number(member)}`);
  }
  return { truth, skippedBeforePromotion: skipped.length, promoted: promoted.name };
}

describe('the set checker against a lossy replica: exactly the dropped acknowledged elements are lost', () => {
  it('kill-master with WAIT 2 on replicas that skip every 40th write: INVALID, lost = what the promoted replica skipped, 0 unverified', async () => {
    const { code, out, runDir, results } = await setKillMasterRun(
      writeLossyServerBin(fs.mkdtempSync(path.join(tmp, 'bin-')), 40),
      'lossy',
    );
    const { truth, skippedBeforePromotion, promoted } = droppedAcknowledged(runDir);
    // a run that dropped nothing acknowledged would prove nothing
    expect(truth.size, `${promoted} skipped ${skippedBeforePromotion} writes before its promotion`).toBeGreaterThan(0);
    const lost = results.lost ?? [];
    const withKey = lost.every((l) => l.key !== undefined);
    const reported = new Set(
      lost.map((l) => (withKey ? `${keyTail(l.key)}/${elementOf(l.element)}` : elementOf(l.element))),
    );
    const expected = new Set([...truth].map((t) => (withKey ? t : Number(t.split('/')[1]))));
    expect(results.valid, out).toBe(false);
    expect(code, out).toBe(1);
    expect(results.summary.lost).toBe(truth.size);
    expect(lost).toHaveLength(truth.size);
    expect([...reported].sort()).toEqual([...expected].sort());
    expect(results.summary.unverified).toBe(0);
  }, 180_000);

  it('the same job with the switch off (debug-replica-drop-every 0): valid, 0 lost, 0 unverified', async () => {
    const { code, out, runDir, results } = await setKillMasterRun(
      writeLossyServerBin(fs.mkdtempSync(path.join(tmp, 'bin-')), 0),
      'exact',
    );
    expect(results.valid, out).toBe(true);
    expect(code, out).toBe(0);
    expect(results.summary.lost).toBe(0);
    expect(results.lost ?? []).toEqual([]);
    expect(results.summary.unverified).toBe(0);
    expect(results.summary.acknowledged).toBeGreaterThan(0);
    for (const n of ['n1', 'n2', 'n3'])
      expect(skippedWrites(fs.readFileSync(path.join(runDir, 'nodes', n, `${n}.log`), 'utf8'))).toEqual([]);
  }, 180_000);
});
