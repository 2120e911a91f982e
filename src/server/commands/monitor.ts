// MONITOR: the connection then receives every command the server runs (Server.feedMonitors),
// as "+<unix time.usec> [<db> <addr>] "arg" ..." lines; RESET or closing ends it.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';

export const monitorCommands: CommandSpec[] = [
  cmd('monitor', 1, ['admin', 'noscript', 'loading', 'stale'], 0, 0, 0, (c) => {
    // a transaction expects one reply per command: it cannot turn into a monitor (CLIENT_DENY_BLOCKING)
    if (c.inExec) throw new CommandError("ERR MONITOR isn't allowed for DENY BLOCKING client");
    if (c.monitor || c.isReplica) return; // already one: ignored, no reply
    c.monitor = true;
    c.server.monitors.add(c);
    c.reply.ok();
  }),
];
