// An AOF-format base file (aof-use-rdb-preamble no): commands that rebuild a captured
// keyspace, at most 64 items per command as Redis's rewriteAppendOnlyFile does.
import { RList, RZSet, type Value } from '../types.js';
import { CaptureCancelled, type Capture } from './snapshot.js';
import { d2string } from './rdb-format.js';

const ITEMS_PER_CMD = 64;

export function respCommand(argv: readonly string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return s;
}

function emitBatched(out: string[], head: string[], items: string[], per: number): void {
  for (let i = 0; i < items.length; i += ITEMS_PER_CMD * per)
    out.push(respCommand([...head, ...items.slice(i, i + ITEMS_PER_CMD * per)]));
}

function emitValue(out: string[], key: string, v: Value): void {
  if (typeof v === 'string') out.push(respCommand(['SET', key, v]));
  else if (v instanceof RList) emitBatched(out, ['RPUSH', key], v.toArray(), 1);
  else if (v instanceof Map) emitBatched(out, ['HMSET', key], [...v].flat(), 2);
  else if (v instanceof Set) emitBatched(out, ['SADD', key], [...v], 1);
  else if (v instanceof RZSet)
    emitBatched(
      out,
      ['ZADD', key],
      v.entries().flatMap(([m, s]) => [d2string(s), m]),
      2,
    );
}

/** Encodes the capture as RESP commands, yielding between slices. */
export async function encodeAofBase(cap: Capture, sliceMs = 5): Promise<Buffer> {
  const parts: Buffer[] = [];
  let deadline = Date.now() + sliceMs;
  for (const db of cap.dbs) {
    const out: string[] = [respCommand(['SELECT', String(db.id)])];
    const expires = new Map<string, number>();
    for (let i = 0; i < db.expKeys.length; i++) expires.set(db.expKeys[i]!, db.expWhen[i]!);
    for (let i = 0; i < db.keys.length; i++) {
      const k = db.keys[i]!;
      const v = cap.view(db.values[i]!);
      if (typeof v !== 'string' && (v instanceof RList ? v.length : v.size) === 0) continue;
      emitValue(out, k, v);
      const when = expires.get(k);
      if (when !== undefined) out.push(respCommand(['PEXPIREAT', k, String(when)]));
      if ((i & 63) === 63 && Date.now() >= deadline) {
        parts.push(Buffer.from(out.join(''), 'latin1'));
        out.length = 0;
        await new Promise<void>((r) => setImmediate(r));
        if (cap.cancelled) throw new CaptureCancelled();
        deadline = Date.now() + sliceMs;
      }
    }
    parts.push(Buffer.from(out.join(''), 'latin1'));
  }
  return Buffer.concat(parts);
}
