// Free loopback ports: the OS picks one, we release it and hand it out. Ports handed out in
// this process are remembered so two nodes never get the same one.
import net from 'node:net';

const handedOut = new Set<string>();

function probe(host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(port, host, () => {
      const a = srv.address();
      const p = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(p));
    });
  });
}

export async function allocatePort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await probe(host);
    if (handedOut.has(`${host}:${p}`)) continue;
    handedOut.add(`${host}:${p}`);
    return p;
  }
  throw new Error(`no free port on ${host}`);
}

/** True when nothing listens on host:port (used after teardown to verify ports were released). */
export async function portIsFree(host: string, port: number): Promise<boolean> {
  try {
    await probe(host, port);
    return true;
  } catch {
    return false;
  }
}
