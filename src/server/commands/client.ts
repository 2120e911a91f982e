// CLIENT ID SETNAME GETNAME SETINFO LIST INFO KILL PAUSE UNPAUSE NO-EVICT REPLY UNBLOCK HELP.
import { cmd, type CommandSpec, type ResolvedCommand } from '../command.js';
import { CommandError } from '../db.js';
import type { Client, ClientKind } from '../client.js';
import type { Server } from '../server.js';
import { CLIENT_HELP } from './help-texts.js';
import { replyHelp } from './pubsub.js';
import { unblockClient } from './blocking.js';

const ERR_SYNTAX = 'ERR syntax error';

function clientTypeByName(name: string): ClientKind | null {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'slave':
    case 'replica':
      return 'replica';
    case 'pubsub':
      return 'pubsub';
    case 'master':
      return 'master';
    default:
      return null;
  }
}

/** Redis's client-name rule: printable ASCII without spaces. */
export function validClientName(name: string): boolean {
  for (let k = 0; k < name.length; k++) {
    const ch = name.charCodeAt(k);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

function setName(c: Client, name: string): void {
  if (!validClientName(name))
    throw new CommandError('ERR Client names cannot contain spaces, newlines or special characters.');
  c.name = name;
}

/** getRangeLongFromObjectOrReply with LONG range [min, max] and a custom message. */
function parseLong(s: string, min: bigint, max: bigint, msg: string): number {
  if (!/^(0|-?[1-9]\d*)$/.test(s)) throw new CommandError('ERR ' + msg);
  const n = BigInt(s);
  if (n < min || n > max) throw new CommandError('ERR ' + msg);
  return Number(n);
}

const LONG_MAX = 9223372036854775807n;

function clientList(c: Client, argv: string[]): void {
  let filter: (x: Client) => boolean = () => true;
  if (argv.length === 2) {
    // all clients
  } else if (argv.length === 4 && argv[2]!.toLowerCase() === 'type') {
    const type = clientTypeByName(argv[3]!);
    if (type === null) throw new CommandError(`ERR Unknown client type '${argv[3]}'`);
    filter = (x) => x.kind === type;
  } else if (argv.length > 3 && argv[2]!.toLowerCase() === 'id') {
    const ids = new Set<number>();
    for (let k = 3; k < argv.length; k++) ids.add(parseLong(argv[k]!, -LONG_MAX - 1n, LONG_MAX, 'Invalid client ID'));
    filter = (x) => ids.has(x.id);
  } else {
    throw new CommandError(ERR_SYNTAX);
  }
  // Redis records the command being run before running it: our own line shows client|list
  if (!c.inExec) c.lastCmd = 'client|list';
  let out = '';
  for (const x of c.server.clients.values()) if (!x.closed && filter(x)) out += x.describe() + '\n';
  c.reply.verbatim(out);
}

interface KillFilter {
  id?: number;
  type?: ClientKind;
  addr?: string;
  laddr?: string;
  user?: string;
  skipme: boolean;
}

function killClient(self: Client, target: Client): void {
  if (target === self) {
    self.closeAfterReply = true;
    return;
  }
  target.close();
}

function clientKill(c: Client, argv: string[]): void {
  const server = c.server;
  if (argv.length === 3) {
    // old form: CLIENT KILL ip:port
    const addr = argv[2]!;
    const target = [...server.clients.values()].find((x) => x.addr === addr && !x.closed);
    if (!target) throw new CommandError('ERR No such client');
    c.reply.ok();
    killClient(c, target);
    return;
  }
  if (argv.length % 2 !== 0) throw new CommandError(ERR_SYNTAX);
  const f: KillFilter = { skipme: true };
  for (let k = 2; k < argv.length; k += 2) {
    const opt = argv[k]!.toLowerCase();
    const val = argv[k + 1]!;
    if (opt === 'id') {
      f.id = parseLong(val, 1n, LONG_MAX, 'client-id should be greater than 0');
    } else if (opt === 'type') {
      const t = clientTypeByName(val);
      if (t === null) throw new CommandError(`ERR Unknown client type '${val}'`);
      f.type = t;
    } else if (opt === 'addr') {
      f.addr = val;
    } else if (opt === 'laddr') {
      f.laddr = val;
    } else if (opt === 'user') {
      if (val !== 'default') throw new CommandError(`ERR No such user '${val}'`);
      f.user = val;
    } else if (opt === 'skipme') {
      const v = val.toLowerCase();
      if (v === 'yes') f.skipme = true;
      else if (v === 'no') f.skipme = false;
      else throw new CommandError(ERR_SYNTAX);
    } else {
      throw new CommandError(ERR_SYNTAX);
    }
  }
  const victims: Client[] = [];
  for (const x of server.clients.values()) {
    if (x.closed) continue;
    if (f.id !== undefined && x.id !== f.id) continue;
    if (f.type !== undefined && x.kind !== f.type) continue;
    if (f.addr !== undefined && x.addr !== f.addr) continue;
    if (f.laddr !== undefined && x.laddr !== f.laddr) continue;
    if (f.user !== undefined && x.user !== f.user) continue;
    if (x === c && f.skipme) continue;
    victims.push(x);
  }
  c.reply.int(victims.length);
  for (const v of victims) killClient(c, v);
}

// ---- CLIENT PAUSE

interface PauseState {
  end: number;
  all: boolean;
  timer: NodeJS.Timeout | null;
  waiters: (() => void)[];
}
const pauses = new WeakMap<Server, PauseState>();

function mayReplicate(c: Client, cmd: ResolvedCommand): boolean {
  // PUBLISH reaches replicas too, so a write pause holds it
  if (cmd.isWrite || cmd.flags.includes('may_replicate') || cmd.name === 'publish' || cmd.name === 'spublish')
    return true;
  if (cmd.name === 'exec' && !cmd.parent)
    return c.multiQueue.some((q) => q.cmd.isWrite || q.cmd.flags.includes('may_replicate'));
  return false;
}

export function unpauseClients(server: Server): void {
  const st = pauses.get(server);
  if (!st) return;
  pauses.delete(server);
  if (st.timer) clearTimeout(st.timer);
  server.pauseGate = null;
  for (const w of st.waiters) w();
}

/** Pauses clients until `end` (ms since epoch); ALL or only writes (pauseClients). */
export function pauseClients(server: Server, end: number, all: boolean): void {
  let st = pauses.get(server);
  if (!st) {
    st = { end, all, timer: null, waiters: [] };
    pauses.set(server, st);
  } else {
    st.end = Math.max(st.end, end);
    st.all = st.all || all;
  }
  const state = st;
  if (state.timer) clearTimeout(state.timer);
  state.timer = setTimeout(() => unpauseClients(server), Math.max(0, state.end - Date.now()));
  server.pauseGate = (c, command) => {
    if (c.isReplica) return null;
    if (!state.all && !mayReplicate(c, command)) return null;
    return new Promise<void>((resolve) => state.waiters.push(resolve));
  };
}

function clientPause(c: Client, argv: string[]): void {
  const t = argv[2]!;
  if (!/^(0|-?[1-9]\d*)$/.test(t) || BigInt(t) > LONG_MAX || BigInt(t) < -LONG_MAX - 1n) {
    throw new CommandError('ERR timeout is not an integer or out of range');
  }
  const ms = Number(t);
  if (ms < 0) throw new CommandError('ERR timeout is negative');
  let all = true;
  if (argv.length === 4) {
    const m = argv[3]!.toLowerCase();
    if (m === 'write') all = false;
    else if (m !== 'all') throw new CommandError('ERR CLIENT PAUSE mode must be WRITE or ALL');
  } else if (argv.length > 4) {
    throw new CommandError(ERR_SYNTAX);
  }
  pauseClients(c.server, Date.now() + ms, all);
  c.reply.ok();
}

// ---- CLIENT REPLY: OFF discards everything written to the client until ON.

export function setReplyOff(c: Client, off: boolean): void {
  if (off) {
    Object.defineProperty(c.reply, 'out', { configurable: true, get: () => '', set: () => {} });
  } else {
    if (!Object.getOwnPropertyDescriptor(c.reply, 'out')?.get) return;
    delete (c.reply as { out?: string }).out;
    c.reply.out = '';
  }
}

const S = ['noscript', 'loading', 'stale'] as const;

export const clientCommands: CommandSpec[] = [
  cmd('client', -2, [], 0, 0, 0, () => {}, {
    subcommands: [
      cmd('id', 2, [...S], 0, 0, 0, (c) => c.reply.int(c.id)),
      cmd('info', 2, [...S], 0, 0, 0, (c) => {
        if (!c.inExec) c.lastCmd = 'client|info';
        c.reply.verbatim(c.describe() + '\n');
      }),
      cmd('list', -2, ['admin', ...S], 0, 0, 0, clientList),
      cmd('kill', -3, ['admin', ...S], 0, 0, 0, clientKill),
      cmd('setname', 3, [...S], 0, 0, 0, (c, argv) => {
        setName(c, argv[2]!);
        c.reply.ok();
      }),
      cmd('getname', 2, [...S], 0, 0, 0, (c) => c.reply.bulkOrNull(c.name === '' ? null : c.name)),
      // not in 7.0.15 (added in 7.2); accepted because ioredis sends it at connect
      cmd('setinfo', 4, [...S], 0, 0, 0, (c, argv) => {
        const attr = argv[2]!.toLowerCase();
        const val = argv[3]!;
        if (attr !== 'lib-name' && attr !== 'lib-ver') throw new CommandError(`ERR Unrecognized option '${argv[2]}'`);
        if (!validClientName(val))
          throw new CommandError(`ERR ${argv[2]} cannot contain spaces, newlines or special characters.`);
        if (attr === 'lib-name') c.libName = val;
        else c.libVer = val;
        c.reply.ok();
      }),
      cmd('pause', -3, ['admin', ...S], 0, 0, 0, clientPause),
      cmd('unpause', 2, ['admin', ...S], 0, 0, 0, (c) => {
        unpauseClients(c.server);
        c.reply.ok();
      }),
      cmd('no-evict', 3, ['admin', ...S], 0, 0, 0, (c, argv) => {
        const v = argv[2]!.toLowerCase();
        if (v !== 'on' && v !== 'off') throw new CommandError(ERR_SYNTAX);
        c.reply.ok();
      }),
      cmd('reply', 3, [...S], 0, 0, 0, (c, argv) => {
        const v = argv[2]!.toLowerCase();
        if (v === 'on') {
          setReplyOff(c, false);
          c.reply.ok();
        } else if (v === 'off') {
          setReplyOff(c, true);
        } else if (v === 'skip') {
          // known difference: only this reply is suppressed, not the next command's
        } else {
          throw new CommandError(ERR_SYNTAX);
        }
      }),
      cmd('unblock', -3, ['admin', ...S], 0, 0, 0, (c, argv) => {
        const id = parseLong(argv[2]!, -LONG_MAX - 1n, LONG_MAX, 'value is not an integer or out of range');
        let withError = false;
        if (argv.length === 4) {
          const r = argv[3]!.toLowerCase();
          if (r !== 'timeout' && r !== 'error')
            throw new CommandError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
          withError = r === 'error';
        } else if (argv.length > 4) {
          throw new CommandError(ERR_SYNTAX);
        }
        // clients blocked on keys (BLPOP, BZPOPMIN ...) are the ones that can be unblocked here
        c.reply.int(unblockClient(c.server, Number(id), withError) ? 1 : 0);
      }),
      cmd('help', 2, ['loading', 'stale'], 0, 0, 0, (c) => replyHelp(c, CLIENT_HELP)),
    ],
  }),
];
