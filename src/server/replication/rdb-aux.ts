// Reads the auxiliary fields at the head of an RDB payload (repl-id, repl-offset,
// repl-stream-db...). The replica needs repl-stream-db: the db its master's stream writes to
// until the next SELECT.

/** Aux fields by name (values as strings; LZF-compressed values are skipped). */
export function readRdbAux(buf: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  if (buf.length < 9 || buf.latin1Slice(0, 5) !== 'REDIS') return out;
  let pos = 9;
  const readLen = (): { len: number; enc: number } | null => {
    if (pos >= buf.length) return null;
    const b = buf[pos++]!;
    const type = b >> 6;
    if (type === 0) return { len: b & 0x3f, enc: -1 };
    if (type === 1) return { len: ((b & 0x3f) << 8) | buf[pos++]!, enc: -1 };
    if (b === 0x80) {
      const v = buf.readUInt32BE(pos);
      pos += 4;
      return { len: v, enc: -1 };
    }
    if (b === 0x81) {
      const v = Number(buf.readBigUInt64BE(pos));
      pos += 8;
      return { len: v, enc: -1 };
    }
    return { len: 0, enc: b & 0x3f };
  };
  const readString = (): string | null => {
    const l = readLen();
    if (!l) return null;
    if (l.enc === -1) {
      const s = buf.latin1Slice(pos, pos + l.len);
      pos += l.len;
      return s;
    }
    if (l.enc === 0) return String(buf.readInt8(pos++));
    if (l.enc === 1) {
      const v = buf.readInt16LE(pos);
      pos += 2;
      return String(v);
    }
    if (l.enc === 2) {
      const v = buf.readInt32LE(pos);
      pos += 4;
      return String(v);
    }
    if (l.enc === 3) {
      const clen = readLen();
      readLen();
      if (!clen) return null;
      pos += clen.len;
      return '';
    }
    return null;
  };
  try {
    while (pos < buf.length && buf[pos] === 0xfa) {
      pos++;
      const k = readString();
      const v = readString();
      if (k === null || v === null) break;
      out.set(k, v);
    }
  } catch {
    /* truncated: return what was read */
  }
  return out;
}
