// Hostname resolution for resolve-hostnames (Redis resolves synchronously with getaddrinfo).
// Only local sources are read — the literal address, "localhost", /etc/hosts — so that a
// sentinel never queries a DNS server.
import fs from 'node:fs';
import net from 'node:net';

/** The IPv4/IPv6 address of `host`, or null when it cannot be resolved locally. */
export function resolveHost(host: string): string | null {
  if (net.isIP(host) !== 0) return host;
  const name = host.toLowerCase();
  let hosts = '';
  try {
    hosts = fs.readFileSync('/etc/hosts', 'utf8');
  } catch {
    /* no hosts file */
  }
  let v6: string | null = null;
  for (const line of hosts.split('\n')) {
    const [addr, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (!addr || net.isIP(addr) === 0 || !names.some((n) => n.toLowerCase() === name)) continue;
    if (net.isIPv4(addr)) return addr;
    v6 ??= addr;
  }
  if (v6) return v6;
  return name === 'localhost' || name.endsWith('.localhost') ? '127.0.0.1' : null;
}
