// Every command family, registered into a server's table.
import type { Server } from '../server.js';
import { connectionCommands } from './connection.js';
import { stringCommands } from './strings.js';
import { keyCommands } from './keys.js';

export function registerAllCommands(server: Server): void {
  server.commands.add(connectionCommands);
  server.commands.add(stringCommands);
  server.commands.add(keyCommands);
}
