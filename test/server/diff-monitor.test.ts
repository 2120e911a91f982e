// Differential test: what a MONITOR connection receives (format, escaping, redaction, which
// commands are hidden, transactions, db numbers, leaving with RESET) against real redis-server.
import { describe, it, expect, afterAll } from 'vitest';
import net from 'node:net';
import { haveRealRedis } from '../helpers/diff.js';
import { startServerProcess, type Proc } from '../helpers/procs.js';
import { waitFor } from '../helpers/ports.js';
import { encodeCommand } from '../../src/resp/reply-parser.js';

const real = haveRealRedis();
const procs: Proc[] = [];
afterAll(async () => {
  for (const p of procs) await p.stop();
});

/** A raw connection that keeps everything it receives. */
function rawConn(port: number): Promise<{ sock: net.Socket; text: () => string; clear: () => void }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const sock = net.connect(port, '127.0.0.1', () => resolve({ sock, text: () => buf, clear: () => (buf = '') }));
    sock.on('data', (d) => (buf += d.toString('latin1')));
    sock.once('error', reject);
  });
}

const script: string[][] = [
  ['SET', 'a', '1'],
  ['AUTH', 'nobody', 'wrong'],
  ['HELLO', '3', 'AUTH', 'default', 'nopass'],
  ['HELLO', '2'],
  ['SELECT', '3'],
  ['SET', 'b', 'x"y\\z\n\r\t\x07\x08\x01\xe9 end'],
  ['SELECT', '0'],
  ['CONFIG', 'GET', 'maxmemory'],
  ['CLIENT', 'LIST'],
  ['DEBUG', 'SLEEP', '0'],
  ['BOGUS'],
  ['GET'],
  ['MULTI'],
  ['INCR', 'n'],
  ['LPUSH', 'l', 'v'],
  ['EXEC'],
  ['BLPOP', 'nolist', '0.01'],
  ['INFO', 'server'],
  ['PING'],
];

async function monitorOutput(kind: 'redis' | 'tsredis'): Promise<string> {
  const p = await startServerProcess(kind, []);
  procs.push(p);
  const mon = await rawConn(p.port);
  mon.sock.write(encodeCommand(['MONITOR']));
  await waitFor(() => mon.text() === '+OK\r\n', 5000, 'MONITOR ok');
  const w = await rawConn(p.port);
  for (const argv of script) {
    w.clear();
    w.sock.write(encodeCommand(argv));
    await waitFor(() => w.text().length > 0 && w.text().endsWith('\r\n'), 5000, argv[0]!);
    if (argv[0] === 'HELLO' || argv[0] === 'INFO' || argv[0] === 'CLIENT') await new Promise((r) => setTimeout(r, 20)); // multi-part replies
  }
  // the monitor's own commands are shown too, after their replies; RESET ends the mode
  mon.sock.write(encodeCommand(['PING']));
  mon.sock.write(encodeCommand(['MONITOR']));
  mon.sock.write(encodeCommand(['RESET']));
  await waitFor(() => mon.text().includes('+RESET\r\n'), 5000, 'RESET');
  w.sock.write(encodeCommand(['SET', 'after', 'reset']));
  mon.sock.write(encodeCommand(['ECHO', 'done']));
  await waitFor(() => mon.text().endsWith('$4\r\ndone\r\n'), 5000, 'ECHO');
  w.sock.destroy();
  mon.sock.destroy();
  return mon
    .text()
    .replace(/^\+\d{10}\.\d{6} /gm, '+<time> ')
    .replace(/127\.0\.0\.1:\d+/g, '<addr>');
}

describe.skipIf(!real)('MONITOR: tsredis vs redis-server', () => {
  it('feeds the same lines', async () => {
    const [a, b] = [await monitorOutput('redis'), await monitorOutput('tsredis')];
    expect(b.split('\r\n')).toEqual(a.split('\r\n'));
    if (process.env.SHOW_MONITOR) console.log(a);
    expect(a).toContain('"AUTH" "(redacted)" "(redacted)"');
    expect(a).not.toContain('"CONFIG"');
  });
});
