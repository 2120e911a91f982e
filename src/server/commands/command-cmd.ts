// COMMAND [COUNT | LIST | INFO | DOCS | GETKEYS | GETKEYSANDFLAGS | HELP], built from the
// command table (server.commands): arity, flags and key positions as the table declares them.
import { cmd, keysOf, type CommandSpec, type ResolvedCommand } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { stringMatch } from '../glob.js';
import { COMMAND_HELP } from './help-texts.js';
import { replyHelp } from './pubsub.js';
import { COMMAND_META, type KeySpec } from './command-meta.js';
import { COMMAND_DOCS, type DocValue } from './command-docs-data.js';
import { bitfieldKeyFlags } from './bits.js';
import { sortKeys } from './sort.js';

/** ACL categories as COMMAND INFO shows them (declared, or derived from the flags). */
export function aclCategories(c: ResolvedCommand): string[] {
  if (c.acl) return c.acl.map((a) => (a.startsWith('@') ? a.slice(1) : a));
  const meta = COMMAND_META[c.fullname];
  if (meta) return meta.a;
  const out: string[] = [];
  if (c.flags.includes('write')) out.push('write');
  if (c.flags.includes('readonly')) out.push('read');
  if (c.flags.includes('admin')) out.push('admin');
  if (c.flags.includes('pubsub')) out.push('pubsub');
  if (
    c.group &&
    ['string', 'list', 'hash', 'set', 'sortedset', 'keyspace', 'connection', 'transactions'].includes(c.group)
  ) {
    out.push(c.group === 'transactions' ? 'transaction' : c.group);
  }
  out.push(c.flags.includes('fast') ? 'fast' : 'slow');
  if (c.flags.includes('blocking')) out.push('blocking');
  if (c.flags.includes('admin')) out.push('dangerous');
  return out;
}

function allCommands(c: Client): ResolvedCommand[] {
  return [...c.server.commands.commands.values()];
}

/** "get" or "config|get" (a container name alone gives the container). */
function lookupFullname(c: Client, name: string): ResolvedCommand | undefined {
  const bar = name.indexOf('|');
  if (bar === -1) return c.server.commands.get(name);
  const parent = c.server.commands.get(name.slice(0, bar));
  return parent?.subIndex?.get(name.slice(bar + 1).toLowerCase());
}

function keySpecFlags(ci: ResolvedCommand): string[] {
  return COMMAND_META[ci.fullname]?.ks?.[0]?.flags ?? (ci.isWrite ? ['RW', 'update'] : ['RO', 'access']);
}

/** Flags of the key at argv position `pos`: the key spec that covers it (BITOP: dest OW, sources RO). */
function keyFlagsAt(ci: ResolvedCommand, args: string[], pos: number): string[] {
  if (ci.fullname === 'bitfield') return bitfieldKeyFlags(args);
  // SORT's key specs are 'unknown' ones: its own getkeys rule gives positions and flags
  if (ci.fullname === 'sort' || ci.fullname === 'sort_ro')
    return sortKeys(args, ci.fullname === 'sort_ro').find((k) => k.pos === pos)?.flags ?? [];
  const ks = COMMAND_META[ci.fullname]?.ks;
  if (ks && ks.length > 1) {
    let best: KeySpec | undefined;
    for (const k of ks) {
      const idx = k.begin_search.spec['index'];
      if (k.begin_search.type === 'index' && typeof idx === 'number' && idx <= pos) best = k;
    }
    if (best) return best.flags;
  }
  return keySpecFlags(ci);
}

function writeSpecMap(c: Client, m: Record<string, string | number>): void {
  const keys = Object.keys(m);
  c.reply.mapHeader(keys.length);
  for (const k of keys) {
    c.reply.bulk(k);
    const v = m[k]!;
    if (typeof v === 'number') c.reply.int(v);
    else c.reply.bulk(v);
  }
}

/** Redis's key spec layout: notes?, flags, begin_search {type, spec}, find_keys {type, spec}. */
function writeKeySpec(c: Client, ks: KeySpec): void {
  const r = c.reply;
  r.mapHeader(ks.notes !== undefined ? 4 : 3);
  if (ks.notes !== undefined) {
    r.bulk('notes');
    r.bulk(ks.notes);
  }
  r.bulk('flags');
  r.setHeader(ks.flags.length);
  for (const f of ks.flags) r.simple(f);
  for (const part of ['begin_search', 'find_keys'] as const) {
    r.bulk(part);
    r.mapHeader(2);
    r.bulk('type');
    r.bulk(ks[part].type);
    r.bulk('spec');
    writeSpecMap(c, ks[part].spec);
  }
}

function keySpecs(c: Client, cmdInfo: ResolvedCommand): void {
  const r = c.reply;
  const known = COMMAND_META[cmdInfo.fullname]?.ks;
  if (known) {
    r.setHeader(known.length);
    for (const ks of known) writeKeySpec(c, ks);
    return;
  }
  if (cmdInfo.firstKey <= 0) {
    r.setHeader(0);
    return;
  }
  r.setHeader(1);
  r.mapHeader(3);
  r.bulk('flags');
  const flags = keySpecFlags(cmdInfo);
  r.setHeader(flags.length);
  for (const f of flags) r.simple(f);
  r.bulk('begin_search');
  r.mapHeader(2);
  r.bulk('type');
  r.bulk('index');
  r.bulk('spec');
  r.mapHeader(1);
  r.bulk('index');
  r.int(cmdInfo.firstKey);
  r.bulk('find_keys');
  r.mapHeader(2);
  r.bulk('type');
  r.bulk('range');
  r.bulk('spec');
  r.mapHeader(3);
  r.bulk('lastkey');
  r.int(cmdInfo.lastKey < 0 ? cmdInfo.lastKey : cmdInfo.lastKey - cmdInfo.firstKey);
  r.bulk('keystep');
  r.int(cmdInfo.step);
  r.bulk('limit');
  r.int(0);
}

function commandInfo(c: Client, ci: ResolvedCommand): void {
  const r = c.reply;
  r.arrayHeader(10);
  r.bulk(ci.fullname);
  r.int(ci.arity);
  // sentinel-table markers are not command flags COMMAND INFO reports
  const flags = ci.flags.filter((f) => f !== 'sentinel' && f !== 'only_sentinel');
  r.setHeader(flags.length);
  for (const f of flags) r.simple(f);
  r.int(Math.max(0, ci.firstKey));
  r.int(ci.lastKey);
  r.int(ci.step);
  const cats = aclCategories(ci);
  r.setHeader(cats.length);
  for (const a of cats) r.simple('@' + a);
  const tips = COMMAND_META[ci.fullname]?.t ?? [];
  r.setHeader(tips.length);
  for (const t of tips) r.bulk(t);
  keySpecs(c, ci);
  const subs = ci.subIndex ? [...ci.subIndex.values()] : [];
  // addReplyCommandSubCommands: an empty set without subcommands, an array with them
  if (subs.length === 0) r.setHeader(0);
  else r.arrayHeader(subs.length);
  for (const s of subs) commandInfo(c, s);
}

/** Writes a recorded doc value with the RESP types Redis uses (see command-docs-data.ts). */
function writeDoc(c: Client, key: string, v: DocValue): void {
  const r = c.reply;
  if (typeof v === 'number') return r.int(v);
  if (typeof v === 'string') return r.bulk(v);
  if (Array.isArray(v)) {
    if (key === 'flags' || key === 'doc_flags') {
      r.setHeader(v.length);
      for (const f of v) r.simple(String(f));
      return;
    }
    if (key === 'history') r.setHeader(v.length);
    else r.arrayHeader(v.length);
    for (const x of v) writeDoc(c, key === 'history' ? 'history-entry' : key, x);
    return;
  }
  const keys = Object.keys(v);
  r.mapHeader(keys.length);
  for (const k of keys) {
    r.bulk(k);
    writeDoc(c, k, v[k]!);
  }
}

function commandDocs(c: Client, ci: ResolvedCommand): void {
  const r = c.reply;
  const subs = ci.subIndex ? [...ci.subIndex.values()] : [];
  const known = COMMAND_DOCS[ci.fullname];
  if (known) {
    const keys = Object.keys(known);
    r.mapHeader(keys.length + (subs.length > 0 ? 1 : 0));
    for (const k of keys) {
      r.bulk(k);
      writeDoc(c, k, known[k]!);
    }
    if (subs.length > 0) {
      r.bulk('subcommands');
      r.mapHeader(subs.length);
      for (const s of subs) {
        r.bulk(s.fullname);
        commandDocs(c, s);
      }
    }
    return;
  }
  const fields = 3 + (subs.length > 0 ? 1 : 0);
  r.mapHeader(fields);
  r.bulk('summary');
  r.bulk(
    ci.summary ?? (ci.parent ? `${ci.parent.name.toUpperCase()} ${ci.name.toUpperCase()}` : ci.name.toUpperCase()),
  );
  r.bulk('since');
  r.bulk(ci.since ?? '1.0.0');
  r.bulk('group');
  r.bulk(ci.group ?? 'server');
  if (subs.length > 0) {
    r.bulk('subcommands');
    r.mapHeader(subs.length);
    for (const s of subs) {
      r.bulk(s.fullname);
      commandDocs(c, s);
    }
  }
}

function getKeysTarget(c: Client, argv: string[]): { target: ResolvedCommand; args: string[] } {
  const args = argv.slice(2);
  let target = c.server.commands.get(args[0]!);
  if (target?.subIndex) target = args.length >= 2 ? target.subIndex.get(args[1]!.toLowerCase()) : undefined;
  if (!target) throw new CommandError('ERR Invalid command specified');
  const movable = target.flags.includes('movablekeys') && COMMAND_META[target.fullname]?.ks !== undefined;
  if (target.firstKey <= 0 && !movable) throw new CommandError('ERR The command has no key arguments');
  if ((target.arity > 0 && target.arity !== args.length) || args.length < -target.arity) {
    throw new CommandError('ERR Invalid number of arguments specified for command');
  }
  return { target, args };
}

/**
 * Argument positions of a call's keys. Commands with a numkeys argument (ZUNION, LMPOP ...)
 * are read through their key specs; a bad numkeys there gives no keys at all, which GETKEYS
 * answers with Redis's "Invalid arguments" error.
 */
function keyPositions(ci: ResolvedCommand, args: string[]): number[] {
  if (ci.fullname === 'sort' || ci.fullname === 'sort_ro')
    return sortKeys(args, ci.fullname === 'sort_ro').map((k) => k.pos);
  const ks = COMMAND_META[ci.fullname]?.ks;
  if (!ci.flags.includes('movablekeys') || !ks) return keysOf(ci, args).map((_, i) => ci.firstKey + i * (ci.step || 1));
  const out: number[] = [];
  for (const k of ks) {
    const begin = k.begin_search.spec['index'];
    if (k.begin_search.type !== 'index' || typeof begin !== 'number') return [];
    const f = k.find_keys.spec;
    if (k.find_keys.type === 'range') {
      const last = Number(f['lastkey']);
      const end = last < 0 ? args.length + last : begin + last;
      for (let i = begin; i <= end && i < args.length; i += Number(f['keystep']) || 1) out.push(i);
    } else if (k.find_keys.type === 'keynum') {
      const nk = args[begin + Number(f['keynumidx'])];
      if (nk === undefined || !/^[1-9][0-9]{0,17}$/.test(nk)) return [];
      const first = begin + Number(f['firstkey']);
      const step = Number(f['keystep']) || 1;
      if (first + (Number(nk) - 1) * step >= args.length) return [];
      for (let i = 0; i < Number(nk); i++) out.push(first + i * step);
    } else return [];
  }
  return out;
}

function keysOrInvalid(ci: ResolvedCommand, args: string[]): number[] {
  const pos = keyPositions(ci, args);
  if (pos.length === 0) throw new CommandError('ERR Invalid arguments specified for command');
  return pos;
}

const CMD_FLAGS = ['loading', 'stale'] as const;

export const commandCommands: CommandSpec[] = [
  cmd(
    'command',
    -1,
    ['loading', 'stale', 'sentinel'],
    0,
    0,
    0,
    (c) => {
      const list = allCommands(c);
      c.reply.arrayHeader(list.length);
      for (const ci of list) commandInfo(c, ci);
    },
    {
      subcommands: [
        cmd('count', 2, [...CMD_FLAGS], 0, 0, 0, (c) => c.reply.int(c.server.commands.commands.size)),
        cmd('list', -2, [...CMD_FLAGS], 0, 0, 0, (c, argv) => {
          let filter: (x: ResolvedCommand) => boolean = () => true;
          if (argv.length === 5 && argv[2]!.toLowerCase() === 'filterby') {
            const kind = argv[3]!.toLowerCase();
            const v = argv[4]!;
            if (kind === 'module') filter = () => false;
            else if (kind === 'aclcat') filter = (x) => aclCategories(x).includes(v.toLowerCase());
            else if (kind === 'pattern') filter = (x) => stringMatch(v, x.fullname, true);
            else throw new CommandError('ERR syntax error');
          } else if (argv.length !== 2) {
            throw new CommandError('ERR syntax error');
          }
          const out: string[] = [];
          for (const ci of allCommands(c)) {
            if (filter(ci)) out.push(ci.fullname);
            for (const s of ci.subIndex?.values() ?? []) if (filter(s)) out.push(s.fullname);
          }
          c.reply.bulkArray(out);
        }),
        cmd('info', -2, [...CMD_FLAGS], 0, 0, 0, (c, argv) => {
          if (argv.length === 2) {
            const list = allCommands(c);
            c.reply.arrayHeader(list.length);
            for (const ci of list) commandInfo(c, ci);
            return;
          }
          c.reply.arrayHeader(argv.length - 2);
          for (let k = 2; k < argv.length; k++) {
            const ci = lookupFullname(c, argv[k]!);
            if (ci) commandInfo(c, ci);
            else c.reply.nullBulk();
          }
        }),
        cmd('docs', -2, [...CMD_FLAGS], 0, 0, 0, (c, argv) => {
          const list =
            argv.length === 2
              ? allCommands(c)
              : argv
                  .slice(2)
                  .map((n) => lookupFullname(c, n))
                  .filter((x): x is ResolvedCommand => !!x);
          c.reply.mapHeader(list.length);
          for (const ci of list) {
            c.reply.bulk(ci.fullname);
            commandDocs(c, ci);
          }
        }),
        cmd('getkeys', -4, [...CMD_FLAGS], 0, 0, 0, (c, argv) => {
          const { target, args } = getKeysTarget(c, argv);
          c.reply.bulkArray(keysOrInvalid(target, args).map((i) => args[i]!));
        }),
        cmd('getkeysandflags', -4, [...CMD_FLAGS], 0, 0, 0, (c, argv) => {
          const { target, args } = getKeysTarget(c, argv);
          const pos = keysOrInvalid(target, args);
          c.reply.arrayHeader(pos.length);
          for (const i of pos) {
            const flags = keyFlagsAt(target, args, i);
            c.reply.arrayHeader(2);
            c.reply.bulk(args[i]!);
            c.reply.setHeader(flags.length);
            for (const f of flags) c.reply.simple(f);
          }
        }),
        cmd('help', 2, [...CMD_FLAGS], 0, 0, 0, (c) => replyHelp(c, COMMAND_HELP)),
      ],
    },
  ),
];
