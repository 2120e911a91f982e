// Stale-process reaping and the cluster's own signals touch only processes the harness started:
// a pid is signalled only while its start time (/proc/<pid>/stat field 22) is the one recorded when
// it was registered. A pid the kernel has since given to another process is left alone, whatever
// its command line says; a node that exited unexpectedly is not signalled at teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ports.js';
import { TSREDIS_BIN } from '../helpers/procs.js';
import {
  cleanupStale,
  isAlive,
  isSameProcess,
  PidRegistry,
  processesLeftBy,
  processStartTime,
  type PidRecord,
} from '../../src/harness/pidfiles.js';
import { Cluster, resolveBinaries } from '../../src/harness/cluster.js';
import { resolveOptions } from '../../src/harness/options.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-reaping-'));
const children = new Set<ChildProcess>();
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A live process of ours whose command line carries `args` (e.g. the markers old registries matched). */
async function liveProcess(...args: string[]): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ...args], { stdio: 'ignore' });
  children.add(c);
  await waitFor(() => processStartTime(c.pid!) !== null, 5000, 'the process to exist');
  return c;
}

async function exited(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  await new Promise((r) => c.once('exit', r));
}

/** A pid that belonged to a process of ours that has exited and been reaped (a dead harness). */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await exited(c);
  return c.pid!;
}

/** Writes the registry of a harness (as PidRegistry does) and returns its path. */
function writeRegistry(resultsDir: string, harnessPid: number, records: PidRecord[], extra: object = {}): string {
  const file = path.join(resultsDir, '.pids', `${harnessPid}-0-test.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ harnessPid, records, ...extra }));
  return file;
}

function resultsDir(name: string): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

describe('cleanupStale', () => {
  it('never signals a reused pid (another live process, other start time), even if its command line carries the old markers', async () => {
    const dir = resultsDir('reused');
    // the node the dead harness started: recorded, then gone
    const node = await liveProcess();
    const recordedStart = processStartTime(node.pid!)!;
    node.kill('SIGKILL');
    await exited(node);
    // a live unrelated process whose command line holds what the old check looked for (config path, :port)
    const conf = path.join(dir, 'nodes/n1/redis.conf');
    // start times count clock ticks (10 ms): one started in the same tick would not stand for a later one
    const unrelated = await waitFor(
      async () => {
        const p = await liveProcess(conf, ':6379');
        if (processStartTime(p.pid!) !== recordedStart) return p;
        p.kill('SIGKILL');
        return null;
      },
      5000,
      'a process started in a later clock tick',
    );
    const file = writeRegistry(dir, await deadPid(), [
      { pid: unrelated.pid!, node: 'n1', start: recordedStart, configFile: conf, markers: [conf, ':6379'] },
    ]);
    expect(isSameProcess({ pid: unrelated.pid!, start: recordedStart })).toBe(false);
    expect(cleanupStale(dir, { includeLeftRunning: true })).toEqual([]);
    expect(isAlive(unrelated.pid!)).toBe(true);
    expect(unrelated.signalCode).toBeNull();
    expect(fs.existsSync(file), 'the stale registry is gone').toBe(false);
  });

  it('kills a live recorded process (same pid, same start time) of a dead harness', async () => {
    const dir = resultsDir('live');
    const node = await liveProcess();
    const file = writeRegistry(dir, await deadPid(), [
      { pid: node.pid!, node: 'n1', start: processStartTime(node.pid!) },
    ]);
    expect(processesLeftBy(dir, JSON.parse(fs.readFileSync(file, 'utf8')).harnessPid)).toBe(true);
    expect(cleanupStale(dir)).toEqual([{ pid: node.pid!, node: 'n1' }]);
    await exited(node);
    expect(node.signalCode).toBe('SIGKILL');
    expect(fs.existsSync(file)).toBe(false);
  });

  it('never signals a record whose start time is unknown, nor one from a registry without start times', async () => {
    const dir = resultsDir('unknown');
    const a = await liveProcess();
    const b = await liveProcess('redis.conf');
    writeRegistry(dir, await deadPid(), [
      { pid: a.pid!, node: 'n1', start: null },
      { pid: b.pid!, node: 'n2', markers: ['redis.conf'] } as unknown as PidRecord, // older engine's format
    ]);
    expect(cleanupStale(dir)).toEqual([]);
    expect(isAlive(a.pid!) && isAlive(b.pid!)).toBe(true);
  });

  it('leaves a live harness alone, but a harness pid now held by another process counts as dead', async () => {
    const dir = resultsDir('harness');
    const harness = await liveProcess();
    const node = await liveProcess();
    const rec = { pid: node.pid!, node: 'n1', start: processStartTime(node.pid!) };
    writeRegistry(dir, harness.pid!, [rec], { harnessStart: processStartTime(harness.pid!) });
    expect(cleanupStale(dir)).toEqual([]);
    expect(isAlive(node.pid!)).toBe(true);
    writeRegistry(dir, harness.pid!, [rec], { harnessStart: String(Number(processStartTime(harness.pid!)) - 1) });
    expect(cleanupStale(dir)).toEqual([{ pid: node.pid!, node: 'n1' }]);
    await exited(node);
    expect(isAlive(harness.pid!)).toBe(true);
  });

  it('a cluster left running: kept until cluster down, whose stopped nodes lose the password in their config', async () => {
    const dir = resultsDir('left');
    const node = await liveProcess();
    const conf = path.join(dir, 'redis.conf');
    fs.writeFileSync(conf, 'port 1\nrequirepass s3cr3t-XYZ\nmasterauth s3cr3t-XYZ\n');
    writeRegistry(
      dir,
      await deadPid(),
      [{ pid: node.pid!, node: 'n1', start: processStartTime(node.pid!), configFile: conf }],
      { leftRunning: true },
    );
    expect(cleanupStale(dir)).toEqual([]); // a run's cleanup leaves it
    expect(fs.readFileSync(conf, 'utf8')).toContain('s3cr3t-XYZ'); // running nodes keep what they need
    expect(cleanupStale(dir, { includeLeftRunning: true })).toEqual([{ pid: node.pid!, node: 'n1' }]);
    await exited(node);
    expect(fs.readFileSync(conf, 'utf8')).toBe('port 1\nrequirepass <redacted>\nmasterauth <redacted>\n');
  });
});

describe('PidRegistry', () => {
  it('owns a registered live process, not once it is gone, not under another pid', async () => {
    const reg = new PidRegistry(resultsDir('registry'));
    try {
      const p = await liveProcess();
      const rec = reg.register('n1', p.pid!);
      expect(rec.start).toBe(processStartTime(p.pid!));
      expect(JSON.parse(fs.readFileSync(reg.file, 'utf8')).records).toEqual([rec]);
      expect(reg.owns('n1', p.pid!)).toBe(true);
      expect(reg.owns('n1', process.pid)).toBe(false);
      expect(reg.owns('n2', p.pid!)).toBe(false);
      p.kill('SIGKILL');
      await exited(p);
      expect(reg.owns('n1', p.pid!)).toBe(false);
    } finally {
      reg.remove();
    }
  });
});

/** Whether this process may choose the next pid (root in its pid namespace): then a pid can really be reused. */
function canChooseNextPid(): boolean {
  try {
    fs.writeFileSync('/proc/sys/kernel/ns_last_pid', fs.readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
    return true;
  } catch {
    return false;
  }
}

/** A live process of ours under exactly `pid` (the kernel hands out last_pid + 1; other processes may race). */
async function processWithPid(pid: number): Promise<ChildProcess | null> {
  for (let attempt = 0; attempt < 50; attempt++) {
    fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const c = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.add(c);
    if (c.pid === pid) return c;
    c.kill('SIGKILL');
    await exited(c);
  }
  return null;
}

describe('the cluster signals only its own processes', () => {
  const clusterOptions = (dir: string) =>
    resolveOptions(
      { replicas: 0, sentinels: 0, resultsDir: dir, password: 's3cr3t-XYZ', serverBin: TSREDIS_BIN },
      new Set(['replicas', 'sentinels', 'resultsDir', 'password', 'serverBin']),
    );

  async function startedCluster(name: string): Promise<{ cluster: Cluster; pid: number }> {
    const dir = resultsDir(name);
    const o = clusterOptions(dir);
    const cluster = await Cluster.create(path.join(dir, 'run'), o, resolveBinaries(o));
    await cluster.start();
    return { cluster, pid: cluster.node('n1').pid! };
  }

  it('a node that exited unexpectedly is dropped from the registry and not signalled again', async () => {
    const { cluster, pid } = await startedCluster('unexpected');
    try {
      expect(cluster.registry.owns('n1', pid)).toBe(true);
      process.kill(pid, 'SIGKILL'); // not through the cluster: an unexpected exit
      await waitFor(() => cluster.node('n1').status === 'stopped', 10_000, 'the cluster to see n1 exit');
      await waitFor(
        () => JSON.parse(fs.readFileSync(cluster.registry.file, 'utf8')).records.length === 0,
        5000,
        'n1 dropped from the registry',
      );
      expect(cluster.registry.owns('n1', pid)).toBe(false);
      expect(cluster.signal('n1', 'SIGCONT')).toBe(false);
    } finally {
      await cluster.teardown();
    }
    expect(fs.existsSync(cluster.registry.file)).toBe(false);
  });

  it.skipIf(!canChooseNextPid())(
    'teardown leaves alone a process that got the pid of a node that exited unexpectedly',
    async () => {
      const { cluster, pid } = await startedCluster('reused-at-teardown');
      let reused: ChildProcess | null = null;
      try {
        process.kill(pid, 'SIGKILL');
        await waitFor(() => cluster.node('n1').status === 'stopped', 10_000, 'the cluster to see n1 exit');
        reused = await processWithPid(pid);
        expect(reused, 'a process of ours under the old pid').not.toBeNull();
        expect(cluster.node('n1').pid).toBe(pid); // the cluster still remembers the number
      } finally {
        await cluster.teardown();
      }
      cluster.teardownSync(); // the exit handler's path too
      expect(isAlive(pid)).toBe(true);
      expect(reused!.signalCode).toBeNull();
      expect(reused!.exitCode).toBeNull();
    },
  );

  it('teardown stops its own live node (same start time), and the node config loses the password', async () => {
    const { cluster, pid } = await startedCluster('own');
    const conf = cluster.node('n1').spec.configFile;
    expect(fs.readFileSync(conf, 'utf8')).toContain('requirepass s3cr3t-XYZ'); // needed while it runs (restarts read it)
    await cluster.teardown();
    await waitFor(() => !isAlive(pid), 5000, 'n1 gone');
    expect(fs.readFileSync(conf, 'utf8')).toContain('requirepass <redacted>');
    expect(fs.readFileSync(conf, 'utf8')).not.toContain('s3cr3t-XYZ');
  });
});
