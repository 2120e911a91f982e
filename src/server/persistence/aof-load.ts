// Replaying AOF files (loadSingleAppendOnlyFile): an RDB base or preamble, then commands
// in RESP, run through the dispatcher's call() in a fake client. A short tail (a command
// cut by a crash) is truncated away when aof-load-truncated is yes, with Redis's log lines.
import fs from 'node:fs';
import type { Server } from '../server.js';
import type { Client } from '../client.js';
import type { ResolvedCommand } from '../command.js';

export type AofLoadStatus = 'ok' | 'not-exist' | 'empty' | 'truncated' | 'failed' | 'open-err';

class ShortRead extends Error {}
class FormatError extends Error {}

/** Reads one RESP command at `pos`; returns [argv, next] or throws ShortRead/FormatError. */
function readCommand(data: Buffer, pos: number): [string[] | null, number] {
  const lineEnd = (p: number) => {
    const i = data.indexOf(10, p);
    if (i < 0) throw new ShortRead();
    return i;
  };
  if (data[pos] === 0x23) return [null, lineEnd(pos) + 1]; // '#' annotation
  if (data[pos] !== 0x2a) throw new FormatError();
  const e = lineEnd(pos);
  const argc = parseInt(data.latin1Slice(pos + 1, e), 10);
  if (!(argc >= 1)) throw new FormatError();
  let p = e + 1;
  const argv: string[] = [];
  for (let j = 0; j < argc; j++) {
    if (p >= data.length) throw new ShortRead();
    if (data[p] !== 0x24) throw new FormatError();
    const le = lineEnd(p);
    const len = parseInt(data.latin1Slice(p + 1, le), 10);
    if (!(len >= 0)) throw new FormatError();
    p = le + 1;
    if (p + len + 2 > data.length) throw new ShortRead();
    argv.push(data.latin1Slice(p, p + len));
    p += len + 2;
  }
  return [argv, p];
}

function resolve(server: Server, argv: string[]): ResolvedCommand | undefined {
  let cmd = server.commands.get(argv[0]!);
  if (cmd?.subIndex && argv.length >= 2) cmd = cmd.subIndex.get(argv[1]!.toLowerCase()) ?? cmd;
  return cmd;
}

export interface AofLoadHooks {
  /** Loads an RDB at the start of the file; returns the offset after it. */
  loadRdb(data: Buffer, name: string): number;
}

/**
 * Replays one file. `fakeClient` persists across files (its selected db carries over, as
 * Redis's does not — each file starts with SELECT anyway).
 */
export function loadSingleAofFile(
  server: Server,
  fullPath: string,
  name: string,
  fakeClient: Client,
  hooks: AofLoadHooks,
  oldStyle = false,
): AofLoadStatus {
  const log = server.log;
  let data: Buffer;
  try {
    data = fs.readFileSync(fullPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      log.warning(`The append log file ${name} doesn't exist: No such file or directory`);
      return 'not-exist';
    }
    log.warning(`Fatal error: can't open the append log file ${name} for reading: ${(e as Error).message}`);
    return 'open-err';
  }
  if (data.length === 0) return 'empty';
  let pos = 0;
  if (data.length >= 5 && data.latin1Slice(0, 5) === 'REDIS') {
    log.notice(oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
    try {
      pos = hooks.loadRdb(data, name);
    } catch {
      log.warning(
        oldStyle
          ? `Error reading the RDB preamble of the AOF file ${name}, AOF loading aborted`
          : `Error reading the RDB base file ${name}, AOF loading aborted`,
      );
      return 'failed';
    }
    if (oldStyle) log.notice('Reading the remaining AOF tail...');
  }
  let validUpTo = pos;
  let validBeforeMulti = pos;
  let multi: { cmd: ResolvedCommand; argv: string[] }[] | null = null;
  // like Redis's loader: the command procedure itself, no propagation, no stats
  const run = (cmd: ResolvedCommand, argv: string[]) => {
    const prev = server.currentClient;
    server.currentClient = fakeClient;
    try {
      const r = cmd.handler!(fakeClient, argv);
      if (r instanceof Promise) r.catch(() => {});
    } catch {
      /* an error reply: Redis ignores it too */
    } finally {
      server.currentClient = prev;
    }
    fakeClient.reply.take();
  };
  let short = false;
  while (pos < data.length) {
    let argv: string[] | null;
    let next: number;
    try {
      [argv, next] = readCommand(data, pos);
    } catch (e) {
      if (e instanceof ShortRead) {
        short = true;
        break;
      }
      log.warning(
        `Bad file format reading the append only file ${name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`,
      );
      return 'failed';
    }
    pos = next;
    if (argv === null) continue;
    const cmd = resolve(server, argv);
    if (!cmd) {
      log.warning(`Unknown command '${argv[0]}' reading the append only file ${name}`);
      return 'failed';
    }
    const lname = cmd.fullname;
    if (lname === 'multi') {
      validBeforeMulti = validUpTo;
      multi = [];
    } else if (lname === 'exec' && multi) {
      const queued = multi;
      multi = null;
      for (const q of queued) run(q.cmd, q.argv);
    } else if (multi) {
      multi.push({ cmd, argv });
    } else {
      run(cmd, argv);
    }
    validUpTo = pos;
  }
  if (!short && multi) {
    log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${name}`);
    validUpTo = validBeforeMulti;
    short = true;
  } else if (short && multi) {
    // the commands queued in an unfinished MULTI were never run
    validUpTo = validBeforeMulti;
  }
  if (!short) return 'ok';
  if (server.config.bool('aof-load-truncated')) {
    log.warning(`!!! Warning: short read while loading the AOF file ${name}!!!`);
    log.warning(`!!! Truncating the AOF ${name} at offset ${validUpTo} !!!`);
    try {
      fs.truncateSync(fullPath, validUpTo);
    } catch (e) {
      log.warning(`Error truncating the AOF file ${name}: ${(e as Error).message}`);
      return 'failed';
    }
    log.warning(`AOF ${name} loaded anyway because aof-load-truncated is enabled`);
    return 'truncated';
  }
  log.warning(
    `Unexpected end of file reading the append only file ${name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
  );
  return 'failed';
}
