// The sentinel-mode CLIENT and ACL commands: Redis 7.0's subcommand sets (CLIENT has 16, ACL 13),
// so that COMMAND LIST / COUNT / INFO / DOCS match a real sentinel. CLIENT reuses the server's
// subcommands; tracking has its state machine and errors (a sentinel has no keys to invalidate).
// ACL knows only the default user (ACL itself is a separate piece of work).
import crypto from 'node:crypto';
import { cmd, type CommandSpec } from '../server/command.js';
import { CommandError } from '../server/db.js';
import type { Client } from '../server/client.js';
import { clientCommands } from '../server/commands/client.js';
import { replyHelp } from '../server/commands/pubsub.js';
import { aclCategories } from '../server/commands/command-cmd.js';

interface Tracking {
  on: boolean;
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  caching: boolean;
  prefixes: string[];
}

const tracking = new WeakMap<Client, Tracking>();

function trackingOf(c: Client): Tracking {
  let t = tracking.get(c);
  if (!t) {
    t = {
      on: false,
      redirect: 0,
      bcast: false,
      optin: false,
      optout: false,
      noloop: false,
      caching: false,
      prefixes: [],
    };
    tracking.set(c, t);
  }
  return t;
}

const SYNTAX = 'ERR syntax error';

/** CLIENT TRACKING (ON|OFF) [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP] */
function clientTracking(c: Client, a: string[]): void {
  let redir = 0;
  const opts = { bcast: false, optin: false, optout: false, noloop: false };
  const prefixes: string[] = [];
  for (let j = 3; j < a.length; j++) {
    const o = a[j]!.toLowerCase();
    const more = j < a.length - 1;
    if (o === 'redirect' && more) {
      j++;
      if (redir !== 0) throw new CommandError('ERR A client can only redirect to a single other client');
      if (!/^-?\d+$/.test(a[j]!)) throw new CommandError('ERR value is not an integer or out of range');
      redir = Number(a[j]);
      if (!c.server.clients.has(redir)) throw new CommandError('ERR The client ID you want redirect to does not exist');
    } else if (o === 'bcast' || o === 'optin' || o === 'optout' || o === 'noloop') {
      opts[o] = true;
    } else if (o === 'prefix' && more) {
      prefixes.push(a[++j]!);
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const t = trackingOf(c);
  const mode = a[2]!.toLowerCase();
  if (mode === 'on') {
    if (!opts.bcast && prefixes.length) throw new CommandError('ERR PREFIX option requires BCAST mode to be enabled');
    if (t.on && t.bcast !== opts.bcast) {
      throw new CommandError(
        "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
      );
    }
    if (opts.bcast && (opts.optin || opts.optout))
      throw new CommandError('ERR OPTIN and OPTOUT are not compatible with BCAST');
    if (opts.optin && opts.optout) throw new CommandError("ERR You can't use both OPTIN and OPTOUT");
    if ((opts.optin && t.optout) || (opts.optout && t.optin)) {
      throw new CommandError(
        "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
      );
    }
    Object.assign(t, opts, { on: true, redirect: redir, caching: false });
    for (const p of prefixes) if (!t.prefixes.includes(p)) t.prefixes.push(p);
  } else if (mode === 'off') {
    tracking.delete(c);
  } else {
    throw new CommandError(SYNTAX);
  }
  c.reply.ok();
}

function clientCaching(c: Client, a: string[]): void {
  const t = trackingOf(c);
  if (!t.on)
    throw new CommandError(
      'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
    );
  const v = a[2]!.toLowerCase();
  if (v === 'yes') {
    if (!t.optin)
      throw new CommandError('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (v === 'no') {
    if (!t.optout)
      throw new CommandError('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else {
    throw new CommandError(SYNTAX);
  }
  t.caching = true;
  c.reply.ok();
}

function clientTrackingInfo(c: Client): void {
  const t = trackingOf(c);
  const flags: string[] = [];
  if (!t.on) flags.push('off');
  else {
    flags.push('on');
    if (t.bcast) flags.push('bcast');
    if (t.optin) flags.push('optin', ...(t.caching ? ['caching-yes'] : []));
    if (t.optout) flags.push('optout', ...(t.caching ? ['caching-no'] : []));
    if (t.noloop) flags.push('noloop');
    if (t.redirect && !c.server.clients.has(t.redirect)) flags.push('broken_redirect');
  }
  c.reply.mapHeader(3);
  c.reply.bulk('flags');
  c.reply.setHeader(flags.length);
  for (const f of flags) c.reply.bulk(f);
  c.reply.bulk('redirect');
  c.reply.int(t.on ? t.redirect : -1);
  c.reply.bulk('prefixes');
  c.reply.bulkArray(t.prefixes);
}

const S = ['noscript', 'loading', 'stale'] as const;

/** CLIENT as Redis 7.0 has it: the server's subcommands (without 7.2's SETINFO) plus tracking. */
export function sentinelClientCommand(): CommandSpec {
  const base = clientCommands.find((x) => x.name === 'client')!;
  const subs = (base.subcommands ?? []).filter((s) => s.name !== 'setinfo');
  return {
    ...base,
    flags: ['sentinel'],
    subcommands: [
      ...subs,
      cmd('tracking', -3, [...S], 0, 0, 0, clientTracking),
      cmd('caching', 3, [...S], 0, 0, 0, clientCaching),
      cmd('getredir', 2, [...S], 0, 0, 0, (c) => {
        const t = trackingOf(c);
        c.reply.int(t.on ? t.redirect : -1);
      }),
      cmd('trackinginfo', 2, [...S], 0, 0, 0, clientTrackingInfo),
    ],
  };
}

const ACL_HELP = [
  'ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
  'HELP',
  '    Prints this help.',
];

const CATEGORIES = [
  'keyspace',
  'read',
  'write',
  'set',
  'sortedset',
  'list',
  'hash',
  'string',
  'bitmap',
  'hyperloglog',
  'geo',
  'stream',
  'pubsub',
  'admin',
  'fast',
  'slow',
  'blocking',
  'dangerous',
  'connection',
  'transaction',
  'scripting',
];

const NO_ACLFILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

/** ACL with only the default user: its 13 subcommands, SETUSER refused (no ACL users in tsredis-sentinel yet). */
export function sentinelAclCommand(): CommandSpec {
  const A = ['admin', 'noscript', 'loading', 'stale', 'sentinel'] as const;
  const N = ['noscript', 'loading', 'stale', 'sentinel'] as const;
  const requirepass = (c: Client) => c.server.config.get('requirepass');
  return {
    name: 'acl',
    arity: -2,
    flags: ['sentinel'],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    subcommands: [
      cmd('whoami', 2, [...N], 0, 0, 0, (c) => c.reply.bulk(c.user)),
      cmd('users', 2, [...A], 0, 0, 0, (c) => c.reply.bulkArray(['default'])),
      cmd('list', 2, [...A], 0, 0, 0, (c) =>
        c.reply.bulkArray([
          `user default on ${requirepass(c) ? '#' + crypto.createHash('sha256').update(requirepass(c)).digest('hex') : 'nopass'} ~* &* +@all`,
        ]),
      ),
      cmd('cat', -2, [...N], 0, 0, 0, (c, a) => {
        if (a.length > 3) throw new CommandError(`ERR unknown subcommand or wrong number of arguments for 'cat'`);
        if (a.length === 3) {
          const cat = a[2]!.toLowerCase();
          if (!CATEGORIES.includes(cat)) throw new CommandError(`ERR Unknown category '${a[2]}'`);
          const all = [...c.server.commands.commands.values()].flatMap((x) => [x, ...(x.subIndex?.values() ?? [])]);
          return c.reply.bulkArray(all.filter((x) => aclCategories(x).includes(cat)).map((x) => x.fullname));
        }
        c.reply.bulkArray(CATEGORIES);
      }),
      cmd('getuser', 3, [...A], 0, 0, 0, (c, a) => {
        if (a[2] !== 'default') return c.reply.nullBulk();
        const pass = requirepass(c);
        c.reply.mapHeader(6);
        c.reply.bulk('flags');
        c.reply.setHeader(pass ? 1 : 2);
        c.reply.bulk('on');
        if (!pass) c.reply.bulk('nopass');
        c.reply.bulk('passwords');
        c.reply.bulkArray(pass ? [crypto.createHash('sha256').update(pass).digest('hex')] : []);
        c.reply.bulk('commands');
        c.reply.bulk('+@all');
        c.reply.bulk('keys');
        c.reply.bulk('~*');
        c.reply.bulk('channels');
        c.reply.bulk('&*');
        c.reply.bulk('selectors');
        c.reply.arrayHeader(0);
      }),
      cmd('deluser', -3, [...A], 0, 0, 0, (c, a) => {
        if (a.slice(2).includes('default')) throw new CommandError("ERR The 'default' user cannot be removed");
        c.reply.int(0);
      }),
      cmd('setuser', -3, [...A], 0, 0, 0, () => {
        throw new CommandError('ERR ACL SETUSER is not supported by tsredis-sentinel');
      }),
      cmd('dryrun', -4, [...A], 0, 0, 0, (c, a) => {
        if (a[2] !== 'default') throw new CommandError(`ERR User '${a[2]}' not found`);
        if (!c.server.commands.get(a[3]!)) throw new CommandError(`ERR Command '${a[3]}' not found`);
        c.reply.ok();
      }),
      cmd('genpass', -2, [...N], 0, 0, 0, (c, a) => {
        const bits = a.length > 2 ? Number(a[2]) : 256;
        if (!Number.isInteger(bits) || bits <= 0 || bits > 4096)
          throw new CommandError(
            'ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096',
          );
        const chars = Math.ceil(bits / 4);
        c.reply.bulk(
          crypto
            .randomBytes(Math.ceil(chars / 2))
            .toString('hex')
            .slice(0, chars),
        );
      }),
      cmd('log', -2, [...A], 0, 0, 0, (c, a) => {
        if (a.length > 2 && a[2]!.toLowerCase() === 'reset') return c.reply.ok();
        c.reply.arrayHeader(0);
      }),
      cmd('load', 2, [...A], 0, 0, 0, () => {
        throw new CommandError(NO_ACLFILE);
      }),
      cmd('save', 2, [...A], 0, 0, 0, () => {
        throw new CommandError(NO_ACLFILE);
      }),
      cmd('help', 2, ['loading', 'stale', 'sentinel'], 0, 0, 0, (c) => replyHelp(c, ACL_HELP)),
    ],
  };
}
