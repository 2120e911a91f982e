// Connection commands: PING ECHO QUIT SELECT AUTH HELLO RESET.
import { cmd, type CommandSpec } from '../command.js';
import { discardTransaction } from './transactions.js';
import { unsubscribeEverything } from './pubsub.js';
import { setReplyOff, validClientName } from './client.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { REDIS_VERSION } from '../server.js';
import { parseIntArg } from './util.js';

function checkPassword(c: Client, user: string, pass: string): boolean {
  const required = c.server.config.get('requirepass');
  if (user !== 'default') return false;
  return required === '' || pass === required;
}

export function authenticate(c: Client, user: string, pass: string): void {
  if (!checkPassword(c, user, pass)) {
    throw new CommandError('WRONGPASS invalid username-password pair or user is disabled.');
  }
  c.authenticated = true;
  c.user = user;
}

export const connectionCommands: CommandSpec[] = [
  cmd('ping', -1, ['fast', 'sentinel'], 0, 0, 0, (c, argv) => {
    if (argv.length > 2) throw new CommandError("ERR wrong number of arguments for 'ping' command");
    if (c.reply.proto === 2 && (c.subscriptionCount > 0 || c.shardChannels.size > 0)) {
      c.reply.arrayHeader(2);
      c.reply.bulk('pong');
      c.reply.bulk(argv.length === 2 ? argv[1]! : '');
      return;
    }
    if (argv.length === 2) c.reply.bulk(argv[1]!);
    else c.reply.simple('PONG');
  }),
  cmd('echo', 2, ['loading', 'stale', 'fast'], 0, 0, 0, (c, argv) => c.reply.bulk(argv[1]!)),
  cmd('quit', -1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], 0, 0, 0, (c) => {
    c.reply.ok();
    c.closeAfterReply = true;
  }),
  cmd('select', 2, ['loading', 'stale', 'fast'], 0, 0, 0, (c, argv) => {
    const id = parseIntArg(argv[1]!, 'ERR value is not an integer or out of range');
    if (id < 0 || id >= c.server.dbs.length) throw new CommandError('ERR DB index is out of range');
    c.db = c.server.dbs[id]!;
    c.reply.ok();
  }),
  cmd('auth', -2, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'sentinel', 'allow_busy'], 0, 0, 0, (c, argv) => {
    if (argv.length > 3) throw new CommandError('ERR syntax error');
    // passwords never reach the slow log
    c.redactArg(1);
    if (argv.length === 3) c.redactArg(2);
    if (argv.length === 2 && c.server.config.get('requirepass') === '') {
      throw new CommandError(
        'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
      );
    }
    const user = argv.length === 3 ? argv[1]! : 'default';
    const pass = argv[argv.length - 1]!;
    authenticate(c, user, pass);
    c.reply.ok();
  }),
  cmd(
    'hello',
    -1,
    ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'sentinel', 'allow_busy'],
    0,
    0,
    0,
    (c, argv) => {
      let ver = c.reply.proto as number;
      let i = 1;
      if (argv.length >= 2) {
        if (!/^(0|-?[1-9][0-9]*)$/.test(argv[1]!) || argv[1]!.length > 20) {
          throw new CommandError('ERR Protocol version is not an integer or out of range');
        }
        const v = Number(argv[1]);
        if (v < 2 || v > 3) throw new CommandError('NOPROTO unsupported protocol version');
        ver = v;
        i = 2;
      }
      let setname: string | null = null;
      let auth: [string, string] | null = null;
      for (; i < argv.length; i++) {
        const opt = argv[i]!.toLowerCase();
        const more = argv.length - i - 1;
        if (opt === 'auth' && more >= 2) {
          c.redactArg(i + 1);
          c.redactArg(i + 2);
          auth = [argv[i + 1]!, argv[i + 2]!];
          i += 2;
        } else if (opt === 'setname' && more >= 1) {
          setname = argv[i + 1]!;
          if (!validClientName(setname)) {
            throw new CommandError('ERR Client names cannot contain spaces, newlines or special characters.');
          }
          // 7.0 names the client as it parses the option, even when a later option or AUTH fails
          c.name = setname;
          i += 1;
        } else {
          throw new CommandError(`ERR Syntax error in HELLO option '${argv[i]}'`);
        }
      }
      if (auth) authenticate(c, auth[0], auth[1]);
      if (!c.authenticated && c.server.authRequiredByConfig()) {
        throw new CommandError(
          'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
        );
      }
      c.reply.proto = ver as 2 | 3;
      const r = c.reply;
      r.mapHeader(7);
      r.bulk('server');
      r.bulk('redis');
      r.bulk('version');
      r.bulk(REDIS_VERSION);
      r.bulk('proto');
      r.int(ver);
      r.bulk('id');
      r.int(c.id);
      r.bulk('mode');
      r.bulk(c.server.sentinelMode ? 'sentinel' : 'standalone');
      r.bulk('role');
      r.bulk(c.server.isReplica() ? 'replica' : 'master');
      r.bulk('modules');
      r.arrayHeader(0);
    },
  ),
  cmd('reset', 1, ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], 0, 0, 0, (c) => {
    // clearClientConnectionState: back to a fresh connection's state
    discardTransaction(c);
    unsubscribeEverything(c);
    if (c.monitor) {
      c.monitor = false;
      c.server.monitors.delete(c);
    }
    setReplyOff(c, false);
    c.db = c.server.dbs[0]!;
    c.reply.proto = 2;
    c.name = '';
    c.user = 'default';
    c.authenticated = !c.server.authRequiredByConfig();
    c.reply.simple('RESET');
  }),
];
