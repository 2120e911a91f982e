// Every command family, registered into a server's table.
import type { Server } from '../server.js';
import { connectionCommands } from './connection.js';
import { persistenceCommands } from './persistence.js';
import { replicationCommands } from './replication.js';
import { stringCommands } from './strings.js';
import { bitCommands } from './bits.js';
import { keyCommands } from './keys.js';
import { dumpCommands } from './dump.js';
import { listCommands } from './lists.js';
import { hashCommands } from './hashes.js';
import { setCommands } from './sets.js';
import { zsetCommands } from './zsets.js';
import { zsetMultiCommands } from './zset-multi.js';
import { transactionCommands } from './transactions.js';
import { pubsubCommands } from './pubsub.js';
import { adminCommands } from './admin.js';
import { clientCommands } from './client.js';
import { configCommands } from './config-cmd.js';
import { commandCommands } from './command-cmd.js';
import { infoCommands } from './info.js';
import { latencyCommands } from './latency.js';
import { monitorCommands } from './monitor.js';

export function registerAllCommands(server: Server): void {
  server.commands.add(connectionCommands);
  server.commands.add(persistenceCommands);
  server.commands.add(replicationCommands);
  server.commands.add(stringCommands);
  server.commands.add(bitCommands);
  server.commands.add(keyCommands);
  server.commands.add(dumpCommands);
  server.commands.add(listCommands);
  server.commands.add(hashCommands);
  server.commands.add(setCommands);
  server.commands.add(zsetCommands);
  server.commands.add(zsetMultiCommands);
  server.commands.add(transactionCommands);
  server.commands.add(pubsubCommands);
  server.commands.add(adminCommands);
  server.commands.add(clientCommands);
  server.commands.add(configCommands);
  server.commands.add(commandCommands);
  server.commands.add(infoCommands);
  server.commands.add(latencyCommands);
  server.commands.add(monitorCommands);
}
