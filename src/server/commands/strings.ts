// String commands (seed: GET and SET; the family is completed in its own change).
import { cmd, type CommandSpec } from '../command.js';

export const stringCommands: CommandSpec[] = [
  cmd('get', 2, ['readonly', 'fast'], 1, 1, 1, (c, argv) => {
    const v = c.db.lookupTyped<string>(argv[1]!, 'string');
    c.reply.bulkOrNull(v);
  }),
  cmd('set', -3, ['write', 'denyoom'], 1, 1, 1, (c, argv) => {
    c.db.set(argv[1]!, argv[2]!);
    c.server.dirty++;
    c.reply.ok();
  }),
];
