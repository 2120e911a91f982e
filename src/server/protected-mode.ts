// Protected mode as Redis 7.0 applies it at accept time: with `protected-mode yes` and no
// password for the default user, only peers at 127.0.0.1 or ::1 are served (whatever `bind`
// says); everybody else gets the DENIED text and the connection is closed.
import type net from 'node:net';
import type { Server } from './server.js';

export const PROTECTED_MODE_DENIED =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/** connIsLocal: exactly the loopback addresses 127.0.0.1 and ::1 (an IPv4-mapped form too). */
export function isLoopbackPeer(ip: string | undefined): boolean {
  return ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
}

export function installProtectedMode(server: Server): void {
  server.protectedModeRefusal = (s: net.Socket) => {
    if (!server.config.bool('protected-mode') || server.authRequiredByConfig()) return null;
    return isLoopbackPeer(s.remoteAddress) ? null : PROTECTED_MODE_DENIED;
  };
}
