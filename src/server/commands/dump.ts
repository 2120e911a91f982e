// DUMP and RESTORE: a value in its RDB encoding (type byte + value, no key), then the RDB
// version (2 bytes LE) and a CRC-64 of everything before it (8 bytes LE), as Redis 7.0 does.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import { crc64 } from '../persistence/crc64.js';
import { RDB_VERSION } from '../persistence/rdb-format.js';
import { readTypedValue } from '../persistence/rdb-reader.js';
import { RdbOutput, writeKeyValue } from '../persistence/rdb-writer.js';
import { encodingLimits, setEncodingFlags } from '../persistence/rdb.js';
import type { Value } from '../types.js';
import { alreadyExpired } from './expire-util.js';
import { ERR_SYNTAX, parseIntArg } from './util.js';

const ERR_PAYLOAD = 'ERR DUMP payload version or checksum are wrong';
const ERR_BAD_FORMAT = 'ERR Bad data format';

function dumpPayload(v: Value, lim: ReturnType<typeof encodingLimits>): string {
  const out = new RdbOutput();
  writeKeyValue(out, null, v, undefined, lim);
  const body = out.body();
  const payload = Buffer.allocUnsafe(body.length + 10);
  body.copy(payload, 0);
  payload.writeUInt16LE(RDB_VERSION, body.length);
  payload.writeBigUInt64LE(crc64(payload, 0, body.length + 2), body.length + 2);
  return payload.latin1Slice();
}

/** verifyDumpPayload: a version we can read and a matching checksum (unlike an RDB file, 0 is no exception). */
function verifiedBody(payload: string): Buffer {
  const buf = Buffer.from(payload, 'latin1');
  if (buf.length < 10) throw new CommandError(ERR_PAYLOAD);
  const at = buf.length - 10;
  if (buf.readUInt16LE(at) > RDB_VERSION) throw new CommandError(ERR_PAYLOAD);
  const sum = buf.readBigUInt64LE(at + 2);
  if (crc64(buf, 0, at + 2) !== sum) throw new CommandError(ERR_PAYLOAD);
  return buf;
}

export const dumpCommands: CommandSpec[] = [
  cmd('dump', 2, ['readonly'], 1, 1, 1, (c, argv) => {
    const v = c.db.lookupRead(argv[1]!);
    if (v === undefined) return c.reply.nullBulk();
    c.reply.bulk(dumpPayload(v, encodingLimits(c.server)));
  }),
  cmd('restore', -4, ['write', 'denyoom'], 1, 1, 1, (c, argv) => {
    const key = argv[1]!;
    let replace = false;
    let absttl = false;
    let idle = -1;
    let freq = -1;
    for (let j = 4; j < argv.length; j++) {
      const o = argv[j]!.toLowerCase();
      const more = j + 1 < argv.length;
      if (o === 'replace') replace = true;
      else if (o === 'absttl') absttl = true;
      else if (o === 'idletime' && more && freq === -1) {
        idle = parseIntArg(argv[++j]!);
        if (idle < 0) throw new CommandError('ERR Invalid IDLETIME value, must be >= 0');
      } else if (o === 'freq' && more && idle === -1) {
        freq = parseIntArg(argv[++j]!);
        if (freq < 0 || freq > 255) throw new CommandError('ERR Invalid FREQ value, must be >= 0 and <= 255');
      } else throw new CommandError(ERR_SYNTAX);
    }
    const db = c.db;
    if (!replace && db.lookup(key) !== undefined) throw new CommandError('BUSYKEY Target key name already exists.');
    let ttl = parseIntArg(argv[2]!);
    if (ttl < 0) throw new CommandError('ERR Invalid TTL value, must be >= 0');
    const body = verifiedBody(argv[3]!);
    let v: Value | null;
    try {
      v = readTypedValue(body);
    } catch {
      throw new CommandError(ERR_BAD_FORMAT);
    }
    if (v === null) throw new CommandError(ERR_BAD_FORMAT); // an empty container
    if (ttl !== 0 && !absttl) ttl += Date.now();
    if (ttl !== 0 && alreadyExpired(c, ttl)) {
      // nothing is created; a replaced key is deleted and that is what replicas get
      if (replace && db.delete(key)) {
        c.server.dirty++;
        c.rewriteArgv(['DEL', key]);
      } else {
        c.preventPropagation = true;
      }
      return c.reply.ok();
    }
    if (replace) db.delete(key);
    setEncodingFlags(v, encodingLimits(c.server));
    db.set(key, v);
    if (ttl !== 0) {
      db.setExpire(key, ttl);
      // replicas get the absolute time
      if (!absttl) c.rewriteArgv([...argv.slice(0, 2), String(ttl), ...argv.slice(3), 'ABSTTL']);
    }
    c.server.dirty++;
    c.reply.ok();
  }),
];
