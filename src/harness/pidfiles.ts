// Every process the harness starts is recorded under <results>/.pids/<harness-pid>.json, so a
// later run can clean up after a harness that was killed with SIGKILL (no exit handler ran).
//
// A pid is signalled only while it is provably the process that was recorded: the same pid with the
// same start time (/proc/<pid>/stat field 22). A pid the kernel has since given to another process
// has another start time, whatever its command line says, and is never signalled.
import fs from 'node:fs';
import path from 'node:path';
import { redactNodeConfig, writeFileAtomic } from './store.js';

export interface PidRecord {
  pid: number;
  node: string;
  /** /proc/<pid>/stat starttime when the pid was registered; null where it could not be read. */
  start: string | null;
  /** The node's config file: redacted (passwords) once `harness cluster down` stopped the node. */
  configFile?: string;
  /** Registries written before start times were recorded: strings of which one appeared in
   *  /proc/<pid>/cmdline. Enough to say such a node may still run, never to signal it. */
  markers?: string[];
}

let registryCount = 0;
/** The start time of a process (field 22 of /proc/<pid>/stat), or null if it cannot be read. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // field 2 (comm) is parenthesised and may hold spaces or parentheses: count from the last ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[22 - 3] ?? null;
  } catch {
    return null;
  }
}

const HARNESS_START = processStartTime(process.pid);

export class PidRegistry {
  readonly file: string;
  private records = new Map<string, PidRecord>();
  private removed = false;
  constructor(resultsDir: string) {
    const dir = path.join(resultsDir, '.pids');
    fs.mkdirSync(dir, { recursive: true });
    // one file per cluster: several clusters may run in one process (suites run tests in parallel)
    this.file = path.join(dir, `${process.pid}-${(registryCount++).toString(36)}-${Date.now().toString(36)}.json`);
  }
  /** Records the process now running for `node`, with its start time. */
  register(node: string, pid: number, configFile?: string): PidRecord {
    const rec: PidRecord = { pid, node, start: processStartTime(pid), ...(configFile ? { configFile } : {}) };
    this.records.set(node, rec);
    this.save();
    return rec;
  }
  /** Whether `pid` is still the live process recorded for `node` (the only pids the cluster signals). */
  owns(node: string, pid: number): boolean {
    const r = this.records.get(node);
    if (r === undefined || r.pid !== pid) return false;
    // without /proc (not Linux) the record is dropped when the child is reaped, so a live pid here is ours
    return isSameProcess(r) || (r.start === null && !HAVE_PROC_STAT && isAlive(pid));
  }
  delete(node: string): void {
    this.records.delete(node);
    this.save();
  }
  remove(): void {
    this.removed = true;
    try {
      fs.unlinkSync(this.file);
    } catch {
      /* already gone */
    }
  }
  private save(): void {
    if (this.removed) return; // torn down: a late exit must not bring the file back
    writeFileAtomic(
      this.file,
      JSON.stringify({ harnessPid: process.pid, harnessStart: HARNESS_START, records: [...this.records.values()] }),
    );
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Whether /proc is there to read start times from (Linux); elsewhere no stale pid is ever signalled. */
const HAVE_PROC_STAT = processStartTime(process.pid) !== null;

/** Whether the recorded process still runs under its pid: alive with the recorded start time. */
export function isSameProcess(r: Pick<PidRecord, 'pid' | 'start'>): boolean {
  if (r.start === null || r.start === undefined || !isAlive(r.pid)) return false;
  return processStartTime(r.pid) === r.start;
}

interface RegistryFile {
  harnessPid: number;
  /** start time of the harness process (absent in registries of older engines) */
  harnessStart?: string | null;
  leftRunning?: boolean;
  records: PidRecord[];
}

/** Whether the harness that wrote a registry still runs (its pid given to another process does not count). */
function harnessRunning(data: RegistryFile): boolean {
  if (!isAlive(data.harnessPid)) return false;
  return typeof data.harnessStart !== 'string' || processStartTime(data.harnessPid) === data.harnessStart;
}

/** Whether a process still executes (a zombie, dead and waiting for its parent, does not). */
function executing(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Blocks until the killed pids no longer execute (they write nothing after that) or `ms` passed. */
function waitGone(pids: number[], ms: number): void {
  const deadline = Date.now() + ms;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (pids.some(executing) && Date.now() < deadline) Atomics.wait(cell, 0, 0, 10);
}

/** Whether the process a record names may still run (for keeping claims; never a reason to signal). */
function recordAlive(r: PidRecord): boolean {
  if (r.start !== undefined) return isSameProcess(r);
  if (!isAlive(r.pid)) return false; // a registry from before start times were recorded
  const cl = cmdline(r.pid);
  return (r.markers ?? []).some((m) => cl.includes(m));
}

/**
 * Kills processes left by harness runs that are no longer alive. Returns what was killed.
 * `includeLive` also stops those of live harnesses started with --leave-running (cluster down).
 */
export function cleanupStale(
  resultsDir: string,
  opts: { includeLeftRunning?: boolean } = {},
): { pid: number; node: string }[] {
  const dir = path.join(resultsDir, '.pids');
  const killed: { pid: number; node: string }[] = [];
  let files: string[] = [];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return killed;
  }
  for (const f of files) {
    const file = path.join(dir, f);
    let data: RegistryFile;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (data.harnessPid === process.pid) continue;
    if (harnessRunning(data)) continue;
    if (data.leftRunning && !opts.includeLeftRunning) continue;
    const stopped: PidRecord[] = [];
    for (const r of data.records) {
      if (!isSameProcess(r)) continue; // dead, reused by another process, or of unknown start: never ours to signal
      try {
        process.kill(r.pid, 'SIGKILL');
        killed.push({ pid: r.pid, node: r.node });
        stopped.push(r);
      } catch {
        /* gone meanwhile */
      }
    }
    // the nodes will not start again: their config files lose the password (RUN-FORMAT.md, Secrets)
    waitGone(
      stopped.map((r) => r.pid),
      2000,
    );
    for (const r of data.records)
      if (r.configFile && (stopped.includes(r) || !isSameProcess(r))) redactNodeConfig(r.configFile);
    try {
      fs.unlinkSync(file);
    } catch {
      /* raced with another cleaner */
    }
  }
  return killed;
}

/**
 * Whether processes started by harness `pid` still run: a cluster left running on purpose (until
 * `harness cluster down`), or the nodes of a harness killed with SIGKILL (until the next run's cleanup).
 */
export function processesLeftBy(resultsDir: string, pid: number): boolean {
  const dir = path.join(resultsDir, '.pids');
  let files: string[] = [];
  try {
    files = fs.readdirSync(dir).filter((f) => f.startsWith(`${pid}-`) && f.endsWith('.json'));
  } catch {
    return false;
  }
  return files.some((f) => {
    try {
      const data = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as RegistryFile;
      return data.harnessPid === pid && data.records.some(recordAlive);
    } catch {
      return false;
    }
  });
}

/** Marks this harness's registry as "left running on purpose" (harness cluster up / --leave-running). */
export function markLeftRunning(reg: PidRegistry): void {
  try {
    const data = JSON.parse(fs.readFileSync(reg.file, 'utf8'));
    data.leftRunning = true;
    writeFileAtomic(reg.file, JSON.stringify(data));
  } catch {
    /* nothing recorded */
  }
}
