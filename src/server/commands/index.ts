// Every command family, registered into a server's table.
import type { Server } from '../server.js';
import { connectionCommands } from './connection.js';
import { replicationCommands } from './replication.js';
import { replicationCommands } from './replication.js';
import { stringCommands } from './strings.js';
import { keyCommands } from './keys.js';
import { listCommands } from './lists.js';
import { hashCommands } from './hashes.js';
import { setCommands } from './sets.js';

export function registerAllCommands(server: Server): void {
  server.commands.add(connectionCommands);
  server.commands.add(replicationCommands);
  server.commands.add(replicationCommands);
  server.commands.add(stringCommands);
  server.commands.add(keyCommands);
  server.commands.add(listCommands);
  server.commands.add(hashCommands);
  server.commands.add(setCommands);
}
