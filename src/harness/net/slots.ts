// Network slots are claimed on disk, not computed from the pid: a run that gives each node its own
// loopback address (--net proxy|iptables) holds <slots dir>/<slot>.lock, created with O_EXCL, for
// as long as its addresses are in use. The slots dir is machine-wide by default, because loopback
// addresses are: two runs with different --results-dir must not share them either.
//
// A claim records its owner's pid and start time (/proc/<pid>/stat field 22), so a claim whose
// owner died, or whose pid now belongs to another process, is taken over, unless nodes it started
// still run there: a cluster left running on purpose (harness cluster up, --leave-running) keeps its
// claim until `harness cluster down`, the orphans of a killed harness until a later run cleans them up.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive, processStartTime, processesLeftBy } from '../pidfiles.js';

export { processStartTime };

/** What a lock file holds. */
export interface SlotOwner {
  pid: number;
  /** /proc/<pid>/stat starttime (clock ticks since boot); null where /proc is not readable. */
  start: string | null;
  /** The owner's results dir, whose pid registry lists the processes it started. */
  resultsDir: string;
  claimedAt: string;
  /** Tells apart two claims of one process (a suite runs several clusters), so each releases only its own. */
  claim: number;
}

export interface NetSlotClaim {
  slot: number;
  file: string;
  /** Removes the lock if it is still this claim's (synchronous: safe in process 'exit' handlers). */
  release(): void;
}

/** A lock file with no readable owner (its creator died between open and write) is stale after this. */
const UNREADABLE_STALE_MS = 10_000;
let claimsMade = 0;

/** Where claims live: $FAULTLINE_NET_SLOTS_DIR, else one directory in the system temp dir for every user. */
export function defaultSlotsDir(): string {
  return process.env.FAULTLINE_NET_SLOTS_DIR || path.join(os.tmpdir(), 'faultline-net-slots');
}

function parseOwner(text: string | null): SlotOwner | null {
  if (text === null) return null;
  try {
    const o = JSON.parse(text) as SlotOwner;
    return Number.isInteger(o.pid) && o.pid > 0 ? o : null;
  } catch {
    return null; // half-written: its creator is between open and write, or died there
  }
}

/** Who holds a slot's lock file (null: free or unreadable). */
export function readSlotOwner(file: string): SlotOwner | null {
  return parseOwner(readText(file));
}

/** Whether the process that wrote this claim is still the one running under its pid. */
function ownerRunning(o: SlotOwner): boolean {
  if (!isAlive(o.pid)) return false;
  if (o.start === null) return true;
  const now = processStartTime(o.pid);
  return now === null || now === o.start;
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Whether a lock (as read) is stale: its owner is gone and no process it started still runs. */
function isStale(file: string, text: string | null): boolean {
  const owner = parseOwner(text);
  if (!owner) return ageMs(file) > UNREADABLE_STALE_MS;
  if (ownerRunning(owner)) return false;
  return !(typeof owner.resultsDir === 'string' && processesLeftBy(owner.resultsDir, owner.pid));
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Creates `file` holding `text` only if it does not exist (O_EXCL). */
function createExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/**
 * Replaces a stale lock. Takers serialise on <slot>.takeover (O_EXCL) and re-read the lock under it,
 * so two runs that both judged the same lock stale cannot both end up owning the slot; a run that
 * claims a free slot with O_EXCL meanwhile simply wins it.
 */
function takeOver(file: string, seen: string | null, mine: string): boolean {
  const mutex = `${file.slice(0, -'.lock'.length)}.takeover`;
  if (!createExclusive(mutex, mine)) {
    // a taker holds it for microseconds; one this old was left by a taker that died in between
    if (ageMs(mutex) > UNREADABLE_STALE_MS && isStale(mutex, readText(mutex))) fs.rmSync(mutex, { force: true });
    return false;
  }
  try {
    if (readText(file) !== seen) return false; // someone else took it (or released it) meanwhile
    fs.rmSync(file, { force: true });
    return createExclusive(file, mine);
  } finally {
    fs.rmSync(mutex, { force: true });
  }
}

/**
 * Claims the first free network slot at or after `first` (wrapping around). `first` defaults to
 * $FAULTLINE_NET_SLOT (a test hook: force a run into a given slot) or a pid-derived point, so runs
 * started together rarely try the same slot; when they do, O_EXCL decides and the loser moves on.
 */
export function claimNetSlot(o: { slotCount: number; resultsDir: string; dir?: string; first?: number }): NetSlotClaim {
  const dir = o.dir ?? defaultSlotsDir();
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    try {
      // shared by every user of the machine, like /tmp (sticky: each removes only its own locks)
      if (!o.dir && !process.env.FAULTLINE_NET_SLOTS_DIR) fs.chmodSync(dir, 0o1777);
    } catch {
      /* another user created it at the same moment */
    }
  }
  const fromEnv = process.env.FAULTLINE_NET_SLOT;
  let first = process.pid % o.slotCount;
  if (o.first !== undefined) first = o.first % o.slotCount;
  else if (fromEnv !== undefined && fromEnv !== '') {
    first = Number(fromEnv);
    if (!Number.isInteger(first) || first < 0 || first >= o.slotCount)
      throw new Error(`FAULTLINE_NET_SLOT must be a slot number in 0..${o.slotCount - 1}, not "${fromEnv}"`);
  }
  const owner: SlotOwner = {
    pid: process.pid,
    start: processStartTime(process.pid),
    resultsDir: path.resolve(o.resultsDir),
    claimedAt: new Date().toISOString(),
    claim: claimsMade++,
  };
  const mine = JSON.stringify(owner) + '\n';
  for (let k = 0; k < o.slotCount; k++) {
    const slot = (first + k) % o.slotCount;
    const file = path.join(dir, `${slot}.lock`);
    let won: boolean;
    try {
      won = createExclusive(file, mine);
      if (!won) {
        const seen = readText(file);
        if (seen === null)
          won = createExclusive(file, mine); // released between the two calls
        else if (isStale(file, seen)) won = takeOver(file, seen, mine);
      }
    } catch (e) {
      throw new Error(
        `cannot claim a network slot in ${dir}: ${(e as Error).message} (FAULTLINE_NET_SLOTS_DIR chooses another directory)`,
      );
    }
    if (won) {
      return {
        slot,
        file,
        release: () => {
          if (readText(file) === mine) fs.rmSync(file, { force: true });
        },
      };
    }
  }
  throw new Error(
    `all ${o.slotCount} network slots in ${dir} are claimed by running harnesses (or clusters left running: harness cluster down)`,
  );
}
