// SAVE BGSAVE [SCHEDULE] LASTSAVE BGREWRITEAOF — replies and errors as Redis 7.0.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import type { Client } from '../client.js';
import { getPersistence, type Persistence } from '../persistence/index.js';
import { ERR_SYNTAX } from './util.js';

function p(c: Client): Persistence {
  const x = getPersistence(c.server);
  if (!x) throw new CommandError('ERR persistence is not available');
  return x;
}

export const persistenceCommands: CommandSpec[] = [
  cmd(
    'save',
    1,
    ['admin', 'noscript', 'no_multi'],
    0,
    0,
    0,
    (c) => {
      const { rdb } = p(c);
      if (rdb.bgsaveInProgress) throw new CommandError('ERR Background save already in progress');
      if (!rdb.saveSync()) throw new CommandError('ERR');
      c.reply.ok();
    },
    {
      acl: ['admin', 'slow', 'dangerous'],
      summary: 'Synchronously save the dataset to disk',
      since: '1.0.0',
      group: 'server',
    },
  ),
  cmd(
    'bgsave',
    -1,
    ['admin', 'noscript'],
    0,
    0,
    0,
    (c, argv) => {
      const { rdb, aof } = p(c);
      let schedule = false;
      if (argv.length > 1) {
        if (argv.length === 2 && argv[1]!.toLowerCase() === 'schedule') schedule = true;
        else throw new CommandError(ERR_SYNTAX);
      }
      if (rdb.bgsaveInProgress) throw new CommandError('ERR Background save already in progress');
      if (aof.rewriteInProgress || c.inExec) {
        if (schedule || c.inExec) {
          rdb.scheduled = true;
          c.reply.simple('Background saving scheduled');
          return;
        }
        throw new CommandError(
          "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
        );
      }
      if (!rdb.startBgsave()) throw new CommandError('ERR');
      c.reply.simple('Background saving started');
    },
    {
      acl: ['admin', 'slow', 'dangerous'],
      summary: 'Asynchronously save the dataset to disk',
      since: '1.0.0',
      group: 'server',
    },
  ),
  cmd(
    'lastsave',
    1,
    ['fast', 'loading', 'stale'],
    0,
    0,
    0,
    (c) => {
      c.reply.int(p(c).rdb.lastSave);
    },
    {
      acl: ['admin', 'fast', 'dangerous'],
      summary: 'Get the UNIX time stamp of the last successful save to disk',
      since: '1.0.0',
      group: 'server',
    },
  ),
  cmd(
    'bgrewriteaof',
    1,
    ['admin', 'noscript'],
    0,
    0,
    0,
    (c) => {
      const { rdb, aof } = p(c);
      if (aof.rewriteInProgress)
        throw new CommandError('ERR Background append only file rewriting already in progress');
      if (rdb.bgsaveInProgress || c.inExec) {
        aof.rewriteScheduled = true;
        aof.consecutiveFailures = 0;
        c.reply.simple('Background append only file rewriting scheduled');
        return;
      }
      if (!aof.startRewrite()) {
        throw new CommandError(
          "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.",
        );
      }
      c.reply.simple('Background append only file rewriting started');
    },
    {
      acl: ['admin', 'slow', 'dangerous'],
      summary: 'Asynchronously rewrite the append-only file',
      since: '1.0.0',
      group: 'server',
    },
  ),
];
