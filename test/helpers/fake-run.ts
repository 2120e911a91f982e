// Realistic synthetic run directories (RUN-FORMAT.md) for the report tests, until the engine
// produces real ones: a 3-server/3-sentinel set workload with a kill-master failover, the old
// master restarted as a writable master for ~10 s (its acknowledged writes lost at
// +convert-to-slave), sentinel events, node logs in Redis's format, ok/fail/info ops.
import fs from 'node:fs';
import path from 'node:path';

export interface FakeRunOptions {
  /** Client operations (invocations); the history holds about twice as many lines. */
  ops?: number;
  concurrency?: number;
  durationS?: number;
  seed?: number;
  /** Test name (results/<name>/<timestamp>). */
  name?: string;
  startedAt?: string;
  /** Omit results.json (a run that crashed before checking). */
  noResults?: boolean;
  /** How long after test.json's startedAt the history clock starts (the engine starts it once the cluster is up). */
  clockOffsetMs?: number;
  /** Put a linearizability failure and Elle anomalies into results.checkers. */
  withCheckerFailures?: boolean;
}

export interface FakeRun {
  dir: string;
  ops: number;
  lost: number;
  results: any;
  test: any;
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Redis log timestamp (local time, as redis-server writes it). */
export function redisLogTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getDate())} ${MON[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

export function timestampDirName(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, '.$1Z');
}

/** Writes a run directory under `resultsDir/<name>/<timestamp>/` and returns what it wrote. */
export function makeFakeRun(resultsDir: string, o: FakeRunOptions = {}): FakeRun {
  const nOps = o.ops ?? 5000;
  const conc = o.concurrency ?? 5;
  const durationS = o.durationS ?? Math.max(40, Math.ceil(nOps / 8000));
  const seed = o.seed ?? 42;
  const name = o.name ?? 'set-kill-master';
  const startedAt = o.startedAt ?? '2026-11-25T01:55:00.000Z';
  const t0ms = Date.parse(startedAt);
  const dir = path.join(resultsDir, name, timestampDirName(startedAt));
  fs.mkdirSync(dir, { recursive: true });
  const rand = rng(seed);
  const S = 1e9;
  const D = durationS * S;

  // Scenario times (ns), scaled to the duration: kill, failover, restart, convert-to-slave.
  const tKill = 0.25 * D,
    tSwitch = tKill + 2.2 * S,
    tRestart = 0.5 * D,
    tConvert = tRestart + 10 * S;
  const nodes = [
    ...[1, 2, 3].map((i) => ({
      name: `n${i}`,
      kind: 'server',
      host: '127.0.0.1',
      port: 7000 + i,
      initialRole: i === 1 ? 'master' : 'replica',
      logFile: `nodes/n${i}/n${i}.log`,
      configFile: `nodes/n${i}/redis.conf`,
    })),
    ...[1, 2, 3].map((i) => ({
      name: `s${i}`,
      kind: 'sentinel',
      host: '127.0.0.1',
      port: 27000 + i,
      initialRole: 'sentinel',
      logFile: `nodes/s${i}/s${i}.log`,
      configFile: `nodes/s${i}/sentinel.conf`,
    })),
  ];
  const argv = [
    'harness',
    'run',
    '--workload',
    'set',
    '--nemesis',
    'kill-master',
    '--time-limit',
    String(durationS),
    '--concurrency',
    String(conc),
    '--seed',
    String(seed),
  ];
  const test = {
    name,
    startedAt,
    endedAt: new Date(t0ms + durationS * 1000 + 2000).toISOString(),
    options: {
      workload: 'set',
      nemesis: ['kill-master'],
      timeLimit: durationS,
      concurrencySpec: String(conc),
      concurrency: conc,
      rate: 0,
      nemesisInterval: 10,
      server: 'tsredis',
      seed,
    },
    seed,
    argv,
    versions: { node: process.version, faultline: '0.1.0', server: 'tsredis 7.0.15' },
    nodes,
  };
  fs.writeFileSync(path.join(dir, 'test.json'), JSON.stringify(test, null, 2));

  // --- history ---
  const fd = fs.openSync(path.join(dir, 'history.jsonl'), 'w');
  let buf: string[] = [];
  let index = 0;
  const emit = (op: Record<string, unknown>) => {
    buf.push(JSON.stringify({ index: index++, ...op }));
    if (buf.length >= 5000) {
      fs.writeSync(fd, buf.join('\n') + '\n');
      buf = [];
    }
  };
  const addr = (n: string) => `127.0.0.1:${7000 + Number(n.slice(1))}`;
  // as the engine writes them: an info op when the fault starts, another with what was done
  const nemesis = (time: number, f: string, value: Record<string, unknown>) => {
    emit({ time: Math.round(time), type: 'info', process: 'nemesis', f, value: { nemesis: 'kill-master' } });
    emit({
      time: Math.round(time + 3e6),
      type: 'info',
      process: 'nemesis',
      f,
      value: { nemesis: 'kill-master', ...value },
    });
  };
  const lost: any[] = [];
  const survivors: number[] = [];
  const procs = Array.from({ length: conc }, (_, i) => i);
  const gap = D / (nOps / conc);
  const nextT = Array.from({ length: conc }, (_, i) => (i * gap) / conc);
  let element = 0;
  let nemDone = 0;
  const counts = { ok: 0, fail: 0, info: 0 };
  const staleWorker = 0; // worker whose client keeps writing to the restarted old master
  for (let k = 0; k < nOps - 1; k++) {
    // the worker with the earliest next start goes next (round robin keeps times ordered)
    const w = k % conc;
    const t = nextT[w]!;
    if (nemDone === 0 && t >= tKill) {
      nemesis(tKill, 'kill', {
        node: 'n1',
        address: '127.0.0.1:7001',
        action: 'killed',
        pid: 4101,
        signal: 'SIGKILL',
        role: 'master',
      });
      nemDone = 1;
    }
    if (nemDone === 1 && t >= tRestart) {
      nemesis(tRestart, 'start', { node: 'n1', address: '127.0.0.1:7001', action: 'restarted', pid: 4188 });
      nemDone = 2;
    }
    const p = procs[w]!;
    const el = element++;
    let lat = (0.15 + rand() * 0.6 + (rand() < 0.01 ? rand() * 8 : 0)) * 1e6;
    let type = 'ok',
      error: string | undefined,
      node = 'n1';
    if (t >= tKill && t < tSwitch + 1.6 * S) {
      // master gone: connection refused (fail) until ioredis finds the new master; some time out (info)
      if (rand() < 0.15) {
        type = 'info';
        error = 'timeout';
        lat = 1e9 * (0.5 + rand() * 0.5);
      } else {
        type = 'fail';
        error =
          rand() < 0.5
            ? 'connect ECONNREFUSED 127.0.0.1:7001'
            : "READONLY You can't write against a read only replica.";
        lat = (0.3 + rand() * 3) * 1e6;
      }
    } else if (t >= tSwitch) node = 'n2';
    // in-flight writes acked by n1 in the 40 ms before the kill never reached the replicas
    const lostA = type === 'ok' && t < tKill && t > tKill - 0.04 * S;
    const lostB = type === 'ok' && w === staleWorker && t >= tRestart + 0.5 * S && t < tConvert;
    if (lostB) node = 'n1';
    const complete = t + lat;
    counts[type as 'ok']++;
    emit({ time: Math.round(t), type: 'invoke', process: p, f: 'add', value: el });
    emit({
      time: Math.round(complete),
      type,
      process: p,
      f: 'add',
      value: el,
      ...(error ? { error } : {}),
      node: addr(node),
    });
    if (lostA || lostB)
      lost.push({
        element: el,
        process: p,
        node: addr('n1'),
        invokeTime: Math.round(t),
        ackTime: Math.round(complete),
        incident: lostA ? 1 : 2,
      });
    else if (type !== 'fail') survivors.push(el);
    if (type === 'info') procs[w] = p + conc; // crashed process: the worker continues as a new one
    nextT[w] = complete + gap * (0.6 + rand() * 0.8);
  }
  if (nemDone === 0)
    nemesis(tKill, 'kill', {
      node: 'n1',
      address: '127.0.0.1:7001',
      action: 'killed',
      pid: 4101,
      signal: 'SIGKILL',
      role: 'master',
    });
  if (nemDone < 2)
    nemesis(tRestart, 'start', { node: 'n1', address: '127.0.0.1:7001', action: 'restarted', pid: 4188 });
  // final read by worker 1 (sees every survivor, none of the lost elements)
  const tRead = Math.max(D, ...nextT) + 0.5 * S;
  emit({ time: Math.round(tRead), type: 'invoke', process: procs[1 % conc]!, f: 'read', value: null });
  emit({
    time: Math.round(tRead + 4e6),
    type: 'ok',
    process: procs[1 % conc]!,
    f: 'read',
    value: survivors,
    node: addr('n2'),
  });
  fs.writeSync(fd, buf.join('\n') + '\n');
  fs.closeSync(fd);

  // --- events (sentinels) and logs ---
  const ev: { time: number; source: string; event: string; text: string }[] = [];
  const m1 = 'master mymaster 127.0.0.1 7001';
  const sl = (n: number, mp = 7001) => `slave 127.0.0.1:${7000 + n} 127.0.0.1 ${7000 + n} @ mymaster 127.0.0.1 ${mp}`;
  const add = (dt: number, source: string, event: string, rest: string) =>
    ev.push({ time: Math.round(tKill + dt * S), source, event, text: `${event} ${rest}` });
  for (const s of ['s1', 's2', 's3']) add(1.03 + Number(s[1]) * 0.01, s, '+sdown', m1);
  add(1.13, 's2', '+odown', `${m1} #quorum 2/2`);
  add(1.13, 's2', '+new-epoch', '1');
  add(1.13, 's2', '+try-failover', m1);
  add(1.15, 's1', '+vote-for-leader', 'b0c5e4d1a7d4c9e2f11b0c5e4d1a7d4c9e2f11b0 1');
  add(1.15, 's3', '+vote-for-leader', 'b0c5e4d1a7d4c9e2f11b0c5e4d1a7d4c9e2f11b0 1');
  add(1.2, 's2', '+elected-leader', m1);
  add(1.2, 's2', '+failover-state-select-slave', m1);
  add(1.25, 's2', '+selected-slave', sl(2));
  add(1.27, 's2', '+failover-state-send-slaveof-noone', sl(2));
  add(1.3, 's2', '+failover-state-wait-promotion', sl(2));
  add(1.5, 's2', '+promoted-slave', sl(2));
  add(1.5, 's2', '+failover-state-reconf-slaves', m1);
  add(1.55, 's2', '+slave-reconf-sent', sl(3));
  add(
    1.56,
    's1',
    '+config-update-from',
    'sentinel b0c5e4d1a7d4c9e2f11b0c5e4d1a7d4c9e2f11b0 127.0.0.1 27002 @ mymaster 127.0.0.1 7001',
  );
  add(1.6, 's2', '+slave-reconf-inprog', sl(3));
  add(2.1, 's2', '+slave-reconf-done', sl(3));
  add(2.2, 's2', '+failover-end', m1);
  for (const s of ['s1', 's2', 's3'])
    add(2.2 + (s === 's2' ? 0 : 0.06), s, '+switch-master', 'mymaster 127.0.0.1 7001 127.0.0.1 7002');
  for (const s of ['s1', 's2', 's3']) add(2.21, s, '+slave', sl(3, 7002));
  for (const s of ['s1', 's2', 's3']) add(2.21, s, '+slave', sl(1, 7002));
  for (const s of ['s1', 's2', 's3']) add(3.25, s, '+sdown', sl(1, 7002));
  const afterRestart = (tRestart - tKill) / S;
  for (const s of ['s1', 's2', 's3']) add(afterRestart + 0.4, s, '-sdown', sl(1, 7002));
  add((tConvert - tKill) / S, 's2', '+convert-to-slave', sl(1, 7002));
  // the engine's INFO polling: each data node's role when it changes
  const role = (t: number, n: number, text: string) =>
    ev.push({ time: Math.round(t), source: `n${n}`, event: 'role', text: `127.0.0.1:${7000 + n} ${text}` });
  role(0.1 * S, 1, 'master replicas=2');
  role(0.1 * S, 2, 'replica of 127.0.0.1:7001 link=up');
  role(0.1 * S, 3, 'replica of 127.0.0.1:7001 link=up');
  role(tKill + 0.1 * S, 1, 'down');
  role(tKill + 0.3 * S, 2, 'replica of 127.0.0.1:7001 link=down');
  role(tKill + 0.3 * S, 3, 'replica of 127.0.0.1:7001 link=down');
  role(tKill + 1.3 * S, 2, 'master replicas=0');
  role(tKill + 2.2 * S, 3, 'replica of 127.0.0.1:7002 link=up');
  role(tKill + 2.3 * S, 2, 'master replicas=1');
  role(tRestart + 0.2 * S, 1, 'master replicas=0');
  role(tConvert + 0.2 * S, 1, 'replica of 127.0.0.1:7002 link=up');
  role(tConvert + 0.3 * S, 2, 'master replicas=2');
  ev.sort((a, b) => a.time - b.time);
  fs.writeFileSync(path.join(dir, 'events.jsonl'), ev.map((e) => JSON.stringify(e)).join('\n') + '\n');

  const clockOffsetMs = o.clockOffsetMs ?? 3217;
  const wall = (ns: number) => redisLogTime(t0ms + clockOffsetMs + ns / 1e6);
  const logs: Record<string, string[]> = {};
  const log = (node: string, pid: number, role: string, ns: number, c: string, msg: string) =>
    (logs[node] ??= []).push(`${pid}:${role} ${wall(ns)} ${c} ${msg}`);
  const startup = (node: string, pid: number, port: number, ns: number, role: string) => {
    log(node, pid, 'C', ns, '#', 'oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
    log(
      node,
      pid,
      'C',
      ns,
      '#',
      `Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=${pid}, just started`,
    );
    log(node, pid, 'C', ns, '#', 'Configuration loaded');
    log(node, pid, role, ns + 1e6, '*', 'monotonic clock: POSIX clock_gettime');
    log(node, pid, role, ns + 1e6, '*', `Running mode=${role === 'X' ? 'sentinel' : 'standalone'}, port=${port}.`);
    if (role !== 'X') log(node, pid, role, ns + 2e6, '#', 'Server initialized');
    log(node, pid, role, ns + 3e6, '*', 'Ready to accept connections tcp');
  };
  startup('n1', 4101, 7001, -2 * S, 'M');
  startup('n2', 4102, 7002, -2 * S, 'S');
  startup('n3', 4103, 7003, -2 * S, 'S');
  for (const n of ['n2', 'n3']) {
    const pid = n === 'n2' ? 4102 : 4103;
    log(n, pid, 'S', -1.9 * S, '*', 'Connecting to MASTER 127.0.0.1:7001');
    log(n, pid, 'S', -1.9 * S, '*', 'MASTER <-> REPLICA sync started');
    log(n, pid, 'S', -1.8 * S, '*', 'MASTER <-> REPLICA sync: Finished with success');
    log('n1', 4101, 'M', -1.85 * S, '*', `Replica 127.0.0.1:${n === 'n2' ? 7002 : 7003} asks for synchronization`);
    log(n, pid, 'S', tKill, '#', 'Connection with master lost.');
    log(n, pid, 'S', tKill, '*', 'Caching the disconnected master state.');
    log(n, pid, 'S', tKill + 0.5 * S, '#', 'Error condition on socket for SYNC: Connection refused');
  }
  log('n2', 4102, 'M', tKill + 1.27 * S, '*', 'Discarding previously cached master state.');
  log(
    'n2',
    4102,
    'M',
    tKill + 1.27 * S,
    '*',
    "MASTER MODE enabled (user request from 'id=7 addr=127.0.0.1:51234 laddr=127.0.0.1:7002 fd=11 name=sentinel-b0c5e4d1-cmd')",
  );
  log('n3', 4103, 'S', tKill + 1.55 * S, '*', 'Connecting to MASTER 127.0.0.1:7002');
  log('n2', 4102, 'M', tKill + 1.6 * S, '*', 'Replica 127.0.0.1:7003 asks for synchronization');
  startup('n1', 4188, 7001, tRestart, 'M');
  log(
    'n1',
    4188,
    'S',
    tConvert,
    '*',
    'Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.',
  );
  log('n1', 4188, 'S', tConvert, '*', 'Connecting to MASTER 127.0.0.1:7002');
  log('n1', 4188, 'S', tConvert + 0.1 * S, '*', 'Full resync from master: 3f1c2a0e:0');
  for (const s of ['s1', 's2', 's3']) {
    const pid = 4200 + Number(s[1]);
    startup(s, pid, 27000 + Number(s[1]), -1.5 * S, 'X');
    log(s, pid, 'X', -1.4 * S, '#', `+monitor master mymaster 127.0.0.1 7001 quorum 2`);
  }
  for (const e of ev)
    log(
      e.source,
      4200 + Number(e.source[1]),
      'X',
      e.time,
      e.event.startsWith('+vote') || e.event.includes('state') ? '*' : '#',
      e.text,
    );
  for (const n of nodes) {
    fs.mkdirSync(path.join(dir, 'nodes', n.name), { recursive: true });
    const lines = logs[n.name] ?? [];
    fs.writeFileSync(path.join(dir, n.logFile), lines.join('\n') + '\n');
    fs.writeFileSync(path.join(dir, n.configFile), `port ${n.port}\nbind 127.0.0.1\n`);
  }

  // --- results ---
  const lostA = lost.filter((l) => l.incident === 1),
    lostB = lost.filter((l) => l.incident === 2);
  const span = (ls: any[]) =>
    ls.length
      ? { from: Math.min(...ls.map((l) => l.ackTime)), to: Math.max(...ls.map((l) => l.ackTime)) }
      : { from: 0, to: 0 };
  const incidents = [
    {
      id: 1,
      node: addr('n1'),
      ...span(lostA),
      count: lostA.length,
      failover: { time: Math.round(tSwitch), oldMaster: addr('n1'), newMaster: addr('n2') },
      explanation: `${lostA.length} writes acknowledged by master 127.0.0.1:7001 in the last ms before it was killed had not reached a replica; +switch-master to 127.0.0.1:7002 discarded them.`,
    },
    {
      id: 2,
      node: addr('n1'),
      ...span(lostB),
      count: lostB.length,
      failover: { time: Math.round(tConvert), oldMaster: addr('n1'), newMaster: addr('n2') },
      explanation: `The restarted old master 127.0.0.1:7001 accepted ${lostB.length} writes as a master until +convert-to-slave made it resync from 127.0.0.1:7002.`,
    },
  ].filter((i) => i.count > 0);
  const acknowledged = survivors.length + lost.length; // approx: info may have survived
  const results: any = {
    valid: lost.length ? false : true,
    checkers: {
      set: {
        valid: lost.length ? false : true,
        'attempt-count': nOps - 1,
        'acknowledged-count': acknowledged,
        'lost-count': lost.length,
        'recovered-count': 0,
        'unexpected-count': 0,
      },
      stats: { valid: true },
    },
    summary: {
      ops: nOps,
      ok: counts.ok + 1,
      fail: counts.fail,
      info: counts.info,
      durationS,
      attempted: nOps - 1,
      acknowledged,
      lost: lost.length,
      recovered: 0,
      unexpected: 0,
    },
    lost,
    incidents,
  };
  if (o.withCheckerFailures) {
    // the checker module's shape: failures[] of ops with start/end/output, the longest
    // linearizable prefix (op ids in order) and the states before the failing op
    const v = (
      id: number,
      index: number,
      process: number,
      f: string,
      value: unknown,
      output: unknown,
      start: number,
      end: number | null,
      desc: string,
    ) => ({
      id,
      index,
      process,
      f,
      value,
      output,
      type: end === null ? 'info' : 'ok',
      start,
      end,
      call: index,
      ret: end === null ? null : index + 1,
      desc,
    });
    const ops = [
      v(0, 90, 0, 'write', 1, undefined, 1e6, 1.5e6, 'write 1'),
      v(1, 100, 0, 'write', 2, undefined, 2e6, 4e6, 'write 2'),
      v(2, 101, 1, 'cas', [2, 3], undefined, 3e6, 4.5e6, 'cas 2 -> 3'),
      v(3, 102, 3, 'write', 4, undefined, 3.2e6, null, 'write 4 (crashed)'),
      v(4, 104, 2, 'read', null, 1, 5.2e6, 5.9e6, 'read -> 1'),
    ];
    results.checkers.linear = {
      valid: false,
      error: 'key 3: not linearizable (model cas-register).',
      model: 'cas-register',
      independent: true,
      ops: 5,
      partitions: 1,
      checked: 1,
      invalidKeys: [3],
      unknownKeys: [],
      failures: [
        {
          key: 3,
          op: ops[4],
          linearization: [0, 1, 2],
          states: ['3', '4'],
          window: [ops[3], ops[4]],
          ops,
          opsTruncated: false,
          text: 'key 3: not linearizable (model cas-register).\n  The first operation that cannot be linearized: #104 process 2 read -> 1.',
        },
      ],
      text: 'key 3: not linearizable (model cas-register).\n  The first operation that cannot be linearized: #104 process 2 read -> 1.',
    };
    results.checkers.elle = {
      valid: false,
      'anomaly-types': ['G-single', 'G1c'],
      anomalies: {
        'G-single': [
          {
            cycle: [
              {
                index: 12,
                process: 1,
                f: 'txn',
                value: [
                  ['append', 3, 4],
                  ['r', 4, [1]],
                ],
              },
              {
                index: 15,
                process: 2,
                f: 'txn',
                value: [
                  ['append', 4, 2],
                  ['r', 3, []],
                ],
              },
            ],
            explanation:
              "Let:\n  T1 = {:index 12}\n  T2 = {:index 15}\n\nThen:\n  - T1 < T2, because T1 did not observe T2's append of 2 to 4.\n  - However, T2 < T1, because T1 appended 4 after T2 read key 3: a contradiction!",
          },
        ],
        G1c: [{ cycle: [], explanation: 'T3 < T4 < T3 via write-read dependencies.' }],
      },
    };
    results.valid = false;
  }
  fs.writeFileSync(path.join(dir, 'history.edn'), '[]\n');
  if (!o.noResults) fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(results, null, 2));
  return { dir, ops: nOps, lost: lost.length, results, test };
}

export const CHROMIUM = '/usr/bin/chromium';

/** Browser tests need Debian's chromium: missing in CI is an error, elsewhere they are skipped. */
export function hasChromium(): boolean {
  if (fs.existsSync(CHROMIUM)) return true;
  const msg = `*** ${CHROMIUM} is not installed: browser tests of the report are SKIPPED (apt-get install -y chromium) ***`;
  if (process.env.CI) throw new Error(msg);
  console.warn(msg);
  return false;
}

/**
 * Debian's chromium driven by playwright-core with a fresh profile (never a downloaded browser).
 * Returns the persistent context; close it and remove `profile` when done.
 */
export async function launchChromium(): Promise<{
  context: import('playwright-core').BrowserContext;
  profile: string;
}> {
  const { chromium } = await import('playwright-core');
  const os = await import('node:os');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { context, profile };
}
