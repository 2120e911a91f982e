// Every process the harness starts is recorded under <results>/.pids/<harness-pid>.json, so a
// later run can clean up after a harness that was killed with SIGKILL (no exit handler ran).
import fs from 'node:fs';
import path from 'node:path';

export interface PidRecord {
  pid: number;
  node: string;
  /** Strings of which one must appear in /proc/<pid>/cmdline, so a recycled pid is never killed
   *  (redis-server retitles itself "redis-server host:port", so the config path alone is not enough). */
  markers: string[];
}

let registryCount = 0;

export class PidRegistry {
  readonly file: string;
  private records = new Map<string, PidRecord>();
  constructor(resultsDir: string) {
    const dir = path.join(resultsDir, '.pids');
    fs.mkdirSync(dir, { recursive: true });
    // one file per cluster: several clusters may run in one process (suites run tests in parallel)
    this.file = path.join(dir, `${process.pid}-${(registryCount++).toString(36)}-${Date.now().toString(36)}.json`);
  }
  set(rec: PidRecord): void {
    this.records.set(rec.node, rec);
    this.save();
  }
  delete(node: string): void {
    this.records.delete(node);
    this.save();
  }
  remove(): void {
    try {
      fs.unlinkSync(this.file);
    } catch {
      /* already gone */
    }
  }
  private save(): void {
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ harnessPid: process.pid, records: [...this.records.values()] }));
    fs.renameSync(tmp, this.file);
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

/** Whether the process a record names still runs (a recycled pid does not count). */
function recordAlive(r: PidRecord): boolean {
  if (!isAlive(r.pid)) return false;
  const cl = cmdline(r.pid);
  return r.markers.some((m) => cl.includes(m));
}

/**
 * Kills processes left by harness runs that are no longer alive. Returns what was killed.
 * `includeLive` also stops those of live harnesses started with --leave-running (cluster down).
 */
export function cleanupStale(resultsDir: string, opts: { includeLeftRunning?: boolean } = {}): { pid: number; node: string }[] {
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
    let data: { harnessPid: number; leftRunning?: boolean; records: PidRecord[] };
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (data.harnessPid === process.pid) continue;
    if (isAlive(data.harnessPid)) continue;
    if (data.leftRunning && !opts.includeLeftRunning) continue;
    for (const r of data.records) {
      if (!recordAlive(r)) continue;
      try {
        process.kill(r.pid, 'SIGKILL');
        killed.push({ pid: r.pid, node: r.node });
      } catch {
        /* gone meanwhile */
      }
    }
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
      const data = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { harnessPid: number; records: PidRecord[] };
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
    fs.writeFileSync(reg.file, JSON.stringify(data));
  } catch {
    /* nothing recorded */
  }
}
