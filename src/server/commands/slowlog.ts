// SLOWLOG GET / LEN / RESET / HELP and the log itself (Redis 7.0 slowlog.c). The dispatcher
// (Server.call) hands over commands that took at least server.slowlogTrigger microseconds.
import { cmd, type CommandSpec, type ResolvedCommand } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { replyHelp } from './pubsub.js';

/** SLOWLOG_ENTRY_MAX_ARGC / SLOWLOG_ENTRY_MAX_STRING */
const MAX_ARGC = 32;
const MAX_STRING = 128;

interface Entry {
  id: number;
  time: number;
  duration: number;
  argv: string[];
  peer: string;
  name: string;
}

interface SlowlogState {
  /** newest last */
  entries: Entry[];
  nextId: number;
}

const states = new WeakMap<Server, SlowlogState>();

function state(server: Server): SlowlogState {
  let st = states.get(server);
  if (!st) states.set(server, (st = { entries: [], nextId: 0 }));
  return st;
}

/** slowlogCreateEntry: at most 32 arguments (the last says how many were left out), strings cut at 128 bytes. */
function entryArgv(argv: string[], redacted: number[] | null): string[] {
  const argc = argv.length;
  const n = Math.min(argc, MAX_ARGC);
  const out = new Array<string>(n);
  for (let j = 0; j < n; j++) {
    if (n !== argc && j === n - 1) {
      out[j] = `... (${argc - n + 1} more arguments)`;
    } else if (redacted !== null && redacted.includes(j)) {
      out[j] = '(redacted)';
    } else {
      const a = argv[j]!;
      out[j] = a.length > MAX_STRING ? `${a.slice(0, MAX_STRING)}... (${a.length - MAX_STRING} more bytes)` : a;
    }
  }
  return out;
}

/** The dispatcher's trigger: the threshold, 0 while the log is over its length, off when disabled. */
function updateTrigger(server: Server): void {
  const threshold = server.config.int('slowlog-log-slower-than');
  if (threshold < 0) server.slowlogTrigger = Infinity;
  else if (state(server).entries.length > server.config.int('slowlog-max-len')) server.slowlogTrigger = 0;
  else server.slowlogTrigger = threshold;
}

/** slowlogPushCurrentCommand + slowlogPushEntryIfNeeded. */
function push(c: Client, cmd: ResolvedCommand, argv: string[], usec: number, redacted: number[] | null): void {
  const server = c.server;
  if (cmd.flags.includes('skip_slowlog')) return updateTrigger(server);
  const threshold = server.config.int('slowlog-log-slower-than');
  if (threshold < 0) return updateTrigger(server);
  const st = state(server);
  const duration = Math.floor(usec);
  if (duration >= threshold) {
    st.entries.push({
      id: st.nextId++,
      time: Math.floor(Date.now() / 1000),
      duration,
      argv: entryArgv(argv, redacted),
      peer: c.addr,
      name: c.name,
    });
  }
  const max = server.config.int('slowlog-max-len');
  if (st.entries.length > max) st.entries.splice(0, st.entries.length - max);
  updateTrigger(server);
}

/** Installs the dispatcher hook; the trigger follows CONFIG SET of the two directives. */
export function installSlowlog(server: Server): void {
  server.slowlogHook = push;
  // the first command computes the real trigger (the configuration is not loaded yet)
  server.slowlogTrigger = 0;
  server.config.onChange((name) => {
    if (name === 'slowlog-log-slower-than' || name === 'slowlog-max-len') server.slowlogTrigger = 0;
  });
}

const SLOWLOG_HELP = [
  'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
  'HELP',
  '    Prints this help.',
];

const LONG_MAX = 9223372036854775807n;

function slowlogGet(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    throw new CommandError(
      `ERR unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try ${argv[0]!.toUpperCase()} HELP.`,
    );
  }
  const entries = state(c.server).entries;
  let count = 10;
  if (argv.length === 3) {
    const a = argv[2]!;
    const ok = /^(0|-?[1-9][0-9]*)$/.test(a) && a.length <= 20 && BigInt(a) >= -1n && BigInt(a) <= LONG_MAX;
    if (!ok) throw new CommandError('ERR count should be greater than or equal to -1');
    count = a === '-1' ? entries.length : Math.min(Number(a), entries.length);
  }
  const n = Math.min(count, entries.length);
  const r = c.reply;
  r.arrayHeader(n);
  for (let i = entries.length - 1; i >= entries.length - n; i--) {
    const e = entries[i]!;
    r.arrayHeader(6);
    r.int(e.id);
    r.int(e.time);
    r.int(e.duration);
    r.bulkArray(e.argv);
    r.bulk(e.peer);
    r.bulk(e.name);
  }
}

const S = ['admin', 'loading', 'stale'] as const;

export const slowlogCommands: CommandSpec[] = [
  cmd('slowlog', -2, [], 0, 0, 0, () => {}, {
    subcommands: [
      cmd('reset', 2, [...S], 0, 0, 0, (c) => {
        // entry ids keep counting
        state(c.server).entries = [];
        c.reply.ok();
      }),
      cmd('help', 2, ['loading', 'stale'], 0, 0, 0, (c) => replyHelp(c, SLOWLOG_HELP)),
      cmd('len', 2, [...S], 0, 0, 0, (c) => c.reply.int(state(c.server).entries.length)),
      cmd('get', -2, [...S], 0, 0, 0, slowlogGet),
    ],
  }),
];
