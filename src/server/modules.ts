// Optional server subsystems (replication, persistence, admin commands) hook themselves in
// here so that the core stays independent of them.
import type { Server } from './server.js';
import { installPersistence } from './persistence/index.js';
import { installReplication } from './replication/index.js';

export async function installServerModules(server: Server): Promise<void> {
  installPersistence(server);
  // filled in by the replication and persistence changes
  await installReplication(server);
}
