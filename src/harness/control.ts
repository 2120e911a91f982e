// Short-lived control connections (INFO, ROLE, SENTINEL ...) with deadlines: a paused node
// must never hang the harness.
import { RespClient } from '../resp/client.js';
import { RespError, RespMap, type RespValue } from '../resp/reply-parser.js';

export interface Addr {
  host: string;
  port: number;
}

export function addrString(a: Addr): string {
  return `${a.host}:${a.port}`;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** One command (after AUTH when a password is given) on a fresh connection. Throws on error replies. */
export async function query(
  addr: Addr,
  args: (string | number)[],
  opts: { password?: string; timeoutMs?: number } = {},
): Promise<RespValue> {
  const ms = opts.timeoutMs ?? 1000;
  const c = await withTimeout(
    RespClient.connect({ host: addr.host, port: addr.port, connectTimeoutMs: ms }),
    ms,
    `connect ${addrString(addr)}`,
  );
  try {
    if (opts.password) {
      const a = await withTimeout(c.call('AUTH', opts.password), ms, 'AUTH');
      if (a instanceof RespError) throw new Error(a.message);
    }
    const r = await withTimeout(c.call(...args), ms, `${args[0]} on ${addrString(addr)}`);
    if (r instanceof RespError) throw new Error(r.message);
    return r;
  } finally {
    c.close();
  }
}

/** Parses an INFO reply into field -> value. */
export function parseInfo(text: RespValue): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of String(text).split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** A flat [k, v, k, v] list (or RESP3 map) into an object. */
export function flatToObject(v: RespValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (v instanceof RespMap) {
    for (const [k, val] of v.entries as unknown as [RespValue, RespValue][]) out[String(k)] = String(val);
    return out;
  }
  if (Array.isArray(v)) for (let i = 0; i + 1 < v.length; i += 2) out[String(v[i])] = String(v[i + 1]);
  return out;
}

export interface ReplicationInfo {
  role: 'master' | 'slave' | string;
  masterHost?: string;
  masterPort?: number;
  linkUp?: boolean;
  onlineReplicas: string[];
  offset?: number;
}

export function parseReplication(info: Record<string, string>): ReplicationInfo {
  const r: ReplicationInfo = { role: info.role ?? '?', onlineReplicas: [] };
  if (info.master_host) r.masterHost = info.master_host;
  if (info.master_port) r.masterPort = Number(info.master_port);
  if (info.master_link_status) r.linkUp = info.master_link_status === 'up';
  r.offset = Number(info.master_repl_offset ?? info.slave_repl_offset ?? 0);
  for (const [k, v] of Object.entries(info)) {
    if (!/^slave\d+$/.test(k)) continue;
    const f = Object.fromEntries(v.split(',').map((kv) => kv.split('=') as [string, string]));
    if (f.state === 'online') r.onlineReplicas.push(`${f.ip}:${f.port}`);
  }
  return r;
}
