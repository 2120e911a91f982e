// The command table. Each command family (src/server/commands/<family>.ts) exports a list of
// CommandSpec; the registry indexes them by lower-case name. Arity, flags and key positions
// have Redis's meanings (COMMAND INFO reports them; the dispatcher enforces them).
import type { Client } from './client.js';

export type CommandFlag =
  | 'write'
  | 'readonly'
  | 'denyoom'
  | 'admin'
  | 'pubsub'
  | 'noscript'
  | 'blocking'
  | 'loading'
  | 'stale'
  | 'skip_monitor'
  | 'skip_slowlog'
  | 'fast'
  | 'no_auth'
  | 'may_replicate'
  | 'no_multi'
  | 'allow_busy'
  | 'no_mandatory_keys'
  | 'sentinel'
  | 'only_sentinel'
  /** keys found by a key spec (numkeys argument), not by first/last/step */
  | 'movablekeys';

/**
 * A handler writes its reply to `c.reply` and throws CommandError for error replies.
 * Synchronous handlers that change data bump `c.server.dirty`; the dispatcher then
 * propagates argv (or what the handler set with c.rewriteArgv) to replicas and the AOF.
 * A handler may return a Promise (blocking commands): the client's later commands wait,
 * and such a handler propagates what it did itself with c.server.propagate().
 */
export type Handler = (c: Client, argv: string[]) => void | Promise<void>;

export interface CommandSpec {
  /** Lower-case name; subcommands use their own name (e.g. "get" under "config"). */
  name: string;
  /** Redis arity: N exact argument count (including the name), -N at least N. */
  arity: number;
  flags: CommandFlag[];
  firstKey: number;
  lastKey: number;
  step: number;
  /** ACL categories as COMMAND INFO shows them, without '@' (e.g. ["write","string","slow"]). */
  acl?: string[];
  /** One-line summary for COMMAND DOCS. */
  summary?: string;
  since?: string;
  group?: string;
  handler?: Handler;
  subcommands?: CommandSpec[];
}

export interface ResolvedCommand extends CommandSpec {
  /** "get" or "config|get" — what Redis 7.0 calls the command's fullname. */
  fullname: string;
  parent?: ResolvedCommand;
  isWrite: boolean;
  /** INFO commandstats entry, cached here by the dispatcher (see Server.statsEpoch). */
  statsEntry?: { calls: number; usec: number; rejected: number; failed: number };
  statsEpoch?: number;
  subIndex?: Map<string, ResolvedCommand>;
}

export class CommandTable {
  readonly commands = new Map<string, ResolvedCommand>();

  /** Lookup by lower- and upper-case name: clients send "SET" or "set"; only mixed case pays a toLowerCase. */
  private readonly byName = new Map<string, ResolvedCommand>();

  add(specs: CommandSpec[]): void {
    for (const spec of specs) {
      const cmd = resolve(spec);
      this.commands.set(cmd.name, cmd);
      this.byName.set(cmd.name, cmd);
      this.byName.set(cmd.name.toUpperCase(), cmd);
    }
  }

  get(name: string): ResolvedCommand | undefined {
    return this.byName.get(name) ?? this.commands.get(name.toLowerCase());
  }

  /** rename-command: `to` '' removes the command. Throws Redis's errors. */
  rename(from: string, to: string): void {
    const c = this.commands.get(from.toLowerCase());
    if (!c) throw new Error('No such command in rename-command');
    if (to !== '' && this.commands.has(to.toLowerCase())) throw new Error('Target command name already exists');
    this.commands.delete(c.name);
    this.byName.delete(c.name);
    this.byName.delete(c.name.toUpperCase());
    if (to !== '') {
      (c as { name: string }).name = to.toLowerCase();
      this.commands.set(c.name, c);
      this.byName.set(c.name, c);
      this.byName.set(c.name.toUpperCase(), c);
    }
  }
}

function resolve(spec: CommandSpec, parent?: ResolvedCommand): ResolvedCommand {
  const cmd: ResolvedCommand = {
    ...spec,
    fullname: parent ? `${parent.name}|${spec.name}` : spec.name,
    parent,
    isWrite: spec.flags.includes('write'),
  };
  if (spec.subcommands) {
    cmd.subIndex = new Map();
    for (const sub of spec.subcommands) cmd.subIndex.set(sub.name, resolve(sub, cmd));
  }
  return cmd;
}

/** Convenience for family files: `cmd('get', 2, ['readonly','fast'], 1, 1, 1, handler)`. */
export function cmd(
  name: string,
  arity: number,
  flags: CommandFlag[],
  firstKey: number,
  lastKey: number,
  step: number,
  handler: Handler,
  extra: Partial<CommandSpec> = {},
): CommandSpec {
  return { name, arity, flags, firstKey, lastKey, step, handler, ...extra };
}

/** Key arguments of a call, from firstKey/lastKey/step (lastKey -1 = up to the end). */
export function keysOf(c: CommandSpec, argv: string[]): string[] {
  if (c.firstKey <= 0) return [];
  const last = c.lastKey < 0 ? argv.length + c.lastKey : c.lastKey;
  const out: string[] = [];
  for (let i = c.firstKey; i <= last && i < argv.length; i += c.step || 1) out.push(argv[i]!);
  return out;
}
