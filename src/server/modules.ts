// Optional server subsystems (replication, persistence, admin commands) hook themselves in
// here so that the core stays independent of them.
import type { Server } from './server.js';

export async function installServerModules(_server: Server): Promise<void> {
  // filled in by the replication and persistence changes
}
