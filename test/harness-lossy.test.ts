// Ground truth for the set checker (issue 13 item 7): a replica that deliberately skips every Nth
// write of its master's stream (tsredis-server's test-only debug-replica-drop-every) while still
// acknowledging the bytes. First the switch itself on real processes, then a harness run with
// kill-master and WAIT 2 on a cluster of such servers: the checker must report exactly the
// acknowledged elements the promoted replica skipped before its promotion, and the same run
// without the switch must be valid.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHarness } from './helpers/harness.js';
import { skippedWrites, writeLossyServerBin } from './helpers/lossy-server.js';
import { freePort, waitFor } from './helpers/ports.js';
import { TSREDIS_BIN } from './helpers/procs.js';
import { infoFields, nodePool } from './replication-util.js';
import { RespClient } from '../src/resp/client.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-lossy-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const { start } = nodePool(['--repl-diskless-sync-delay', '0']);

async function replOffsets(c: RespClient): Promise<Record<string, string>> {
  return Object.fromEntries((await infoFields(c, 'replication')).filter(([k]) => k.endsWith('repl_offset')));
}

describe('debug-replica-drop-every (test-only switch of tsredis-server)', () => {
  it('a replica skips exactly every Nth write of its stream (inside MULTI too), logs each, passes none on, and acknowledges every byte', async () => {
    const N = 10;
    const master = await start('tsredis');
    const lossy = await start('tsredis', ['--replicaof', '127.0.0.1', String(master.p.port), '--debug-replica-drop-every', String(N)]);
    const sub = await start('tsredis', ['--replicaof', '127.0.0.1', String(lossy.p.port)]);
    await waitFor(async () => (await infoFields(master.c, 'replication')).some(([k, v]) => k === 'slave0' && v.includes('state=online')), 20_000, 'the lossy replica online');
    await waitFor(async () => (await infoFields(lossy.c, 'replication')).some(([k, v]) => k === 'slave0' && v.includes('state=online')), 20_000, 'the sub-replica online');

    // keys 1..60 and 81..100 one SET each; 61..80 in MULTI/EXEC blocks of four (key 70 inside, 80 last)
    const m = master.c;
    for (let k = 1; k <= 100; ) {
      if (k > 60 && k <= 80) {
        await m.callOk('MULTI');
        for (let j = 0; j < 4; j++, k++) await m.callOk('SET', `key:${k}`, `v${k}`);
        await m.callOk('EXEC');
      } else {
        await m.callOk('SET', `key:${k}`, `v${k}`);
        await m.callOk('PING'); // not a write: not counted
        k++;
      }
    }
    // the master takes the skipped writes as received: WAIT counts the lossy replica
    expect(await m.callOk('WAIT', '1', '5000')).toBe(1);
    const masterOffset = (await replOffsets(m)).master_repl_offset!;
    await waitFor(async () => (await replOffsets(sub.c)).slave_repl_offset === masterOffset, 20_000, 'the sub-replica at the master offset');

    const expectedMissing = Array.from({ length: 100 / N }, (_, i) => `key:${(i + 1) * N}`);
    const keysOf = async (c: RespClient) => ((await c.callOk('KEYS', 'key:*')) as string[]).sort();
    const all = Array.from({ length: 100 }, (_, i) => `key:${i + 1}`);
    expect(await keysOf(m)).toEqual([...all].sort());
    expect(await keysOf(lossy.c)).toEqual(all.filter((k) => !expectedMissing.includes(k)).sort());
    expect(await keysOf(sub.c)).toEqual(await keysOf(lossy.c)); // not propagated either

    // byte-exact offsets everywhere: master, lossy replica (applied, read, own), sub-replica
    const lossyOffsets = await replOffsets(lossy.c);
    expect(lossyOffsets.slave_repl_offset).toBe(masterOffset);
    expect(lossyOffsets.slave_read_repl_offset).toBe(masterOffset);
    expect(lossyOffsets.master_repl_offset).toBe(masterOffset);
    expect((await replOffsets(sub.c)).master_repl_offset).toBe(masterOffset);

    const skipped = skippedWrites(lossy.p.output());
    expect(skipped.map((s) => s.n)).toEqual(expectedMissing.map((_, i) => (i + 1) * N));
    expect(skipped.map((s) => s.argv.join(' '))).toEqual(expectedMissing.map((k) => `SET ${k} v${k.slice(4)}`));
    expect(lossy.p.output()).toMatch(/^\d+:S \d\d \w{3} \d{4} [\d:.]+ # DEBUG replica-drop-every: skipped write #10 of the master stream: SET key:10 v10$/m);
    expect(skippedWrites(sub.p.output())).toEqual([]);
    expect(skippedWrites(master.p.output())).toEqual([]);
  });

  it('is a directive: from redis.conf or the command line, shown by CONFIG GET of its name only, 0 (off) by default, not settable at run time', async () => {
    const plain = await start('tsredis');
    expect(await plain.c.callOk('CONFIG', 'GET', 'debug-replica-drop-every')).toEqual(['debug-replica-drop-every', '0']);
    const globbed = (await plain.c.callOk('CONFIG', 'GET', '*')) as string[];
    expect(globbed.some((x) => String(x).includes('drop-every'))).toBe(false); // real Redis 7.0 lists no such name
    await expect(plain.c.callOk('CONFIG', 'SET', 'debug-replica-drop-every', '5')).rejects.toThrow(/debug-replica-drop-every/);

    const fromArgs = await start('tsredis', ['--debug-replica-drop-every', '7']);
    expect(await fromArgs.c.callOk('CONFIG', 'GET', 'debug-replica-drop-every')).toEqual(['debug-replica-drop-every', '7']);

    const conf = path.join(tmp, 'lossy.conf');
    fs.writeFileSync(conf, 'save ""\nappendonly no\ndebug-replica-drop-every 13\n');
    const port = await freePort();
    const child = spawn(process.execPath, [TSREDIS_BIN, conf, '--port', String(port), '--bind', '127.0.0.1', '--dir', tmp], { stdio: 'ignore' });
    try {
      const c = await waitFor(() => RespClient.connect({ host: '127.0.0.1', port, connectTimeoutMs: 500 }), 15_000, 'tsredis with the directive in redis.conf');
      expect(await c.callOk('CONFIG', 'GET', 'debug-replica-drop-every')).toEqual(['debug-replica-drop-every', '13']);
      c.close();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
