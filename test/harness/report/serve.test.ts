// `harness serve`: serves the index, reports and raw files from the results directory, bound to
// 127.0.0.1; refuses every way out of it (.., encoded variants, backslashes, symlinks).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, makeFakeRun, launchChromium, type FakeRun } from '../../helpers/fake-run.js';
import { freePort, waitFor } from '../../helpers/ports.js';
import { serve, writeIndex, writeReport, type ServeHandle } from '../../../src/harness/report/index.js';

let tmp: string;
let results: string;
let run: FakeRun;
let srv: ServeHandle;

/** Raw GET: the path goes on the wire exactly as given (no client-side normalisation of ..); `host` forges the Host header. */
function get(
  rawPath: string,
  host?: string,
  url = srv.url,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: rawPath,
        method: 'GET',
        ...(host !== undefined ? { headers: { host } } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fl-serve-'));
  results = path.join(tmp, 'results');
  fs.mkdirSync(results);
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'top secret\n');
  run = makeFakeRun(results, { ops: 2000 });
  await writeReport(run.dir);
  await writeIndex(results);
  // symlinks: one inside (like results/latest), one out of the results directory
  fs.symlinkSync(path.relative(results, run.dir), path.join(results, 'latest'));
  fs.symlinkSync(tmp, path.join(results, 'escape'));
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(results, 'secret-link.txt'));
  srv = await serve({ port: 0, resultsDir: results });
});

afterAll(async () => {
  await srv?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('harness serve', () => {
  it('binds 127.0.0.1 by default', () => {
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves the index, a report and raw files', async () => {
    const idx = await get('/');
    expect(idx.status).toBe(200);
    expect(idx.headers['content-type']).toContain('text/html');
    expect(idx.body).toContain('faultline results');
    const rel = path.relative(results, run.dir).split(path.sep).join('/');
    expect(idx.body).toContain(`${rel}/report.html`);
    const rep = await get(`/${rel}/report.html`);
    expect(rep.status).toBe(200);
    expect(rep.body).toContain('id="fl-model"');
    const raw = await get(`/${rel}/results.json`);
    expect(JSON.parse(raw.body).summary.lost).toBe(run.lost);
    const log = await get(`/${rel}/nodes/s1/s1.log`);
    expect(log.headers['content-type']).toContain('text/plain');
    expect(log.body).toContain('+switch-master');
    // directories: redirect to the slash form, then a listing
    const dir = await get(`/${rel}`);
    expect(dir.status).toBe(301);
    expect(dir.headers.location).toBe(`/${rel}/`);
    const listing = await get(`/${rel}/nodes/`);
    expect(listing.status).toBe(200);
    expect(listing.body).toContain('n1/');
    // a symlink that stays inside is fine
    expect((await get('/latest/test.json')).status).toBe(200);
    expect((await get('/nope.html')).status).toBe(404);
  });

  it.each([
    '/../secret.txt',
    '/..',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/set-kill-master/../../secret.txt',
    '/set-kill-master/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '/%5c..%5csecret.txt',
    '/escape/secret.txt',
    '/secret-link.txt',
    '/escape/',
    '/%00',
    '/%zz',
  ])('refuses %s', async (p) => {
    const r = await get(p);
    expect([400, 403]).toContain(r.status);
    expect(r.body).not.toContain('top secret');
  });

  it('rewrites a stale index when a newer run appears', async () => {
    const later = makeFakeRun(results, { ops: 200, name: 'later', startedAt: '2026-11-25T09:00:00.000Z' });
    const idx = await get('/');
    expect(idx.body).toContain(path.relative(results, later.dir).split(path.sep).join('/'));
  });

  it('`harness serve` (bin, built dist/) serves the index on 127.0.0.1', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['bin/harness.js', 'serve', '--port', String(port), '--results-dir', results],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    try {
      await waitFor(() => out.includes('serving'), 20_000, `harness serve to start (output: ${out})`);
      expect(out).toContain(`http://127.0.0.1:${port}/`);
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/' }, (res) => {
            let b = '';
            res.on('data', (c) => {
              b += c;
            });
            res.on('end', () => resolve(b));
          })
          .on('error', reject);
      });
      expect(body).toContain('faultline results');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  describe('answers only requests naming this server in Host (DNS rebinding)', () => {
    const port = () => new URL(srv.url).port;
    it.each(['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]'])('accepts %s with its port', async (name) => {
      const r = await get('/latest/test.json', `${name}:${port()}`);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).name).toBeDefined();
    });
    it.each([
      (p: string) => `evil.example:${p}`,
      (p: string) => 'evil.example',
      (p: string) => `localhost.evil.example:${p}`,
      (p: string) => `127.0.0.1.nip.io:${p}`,
      (p: string) => `127.0.0.1:${Number(p) + 1}`,
      (p: string) => '127.0.0.1',
      (p: string) => `localhost:${p}@evil.example`,
      (p: string) => `[::1]:${p}x`,
      () => '127.0.0.1:0',
    ])('refuses a forged Host (%#)', async (forge) => {
      const host = forge(port());
      for (const target of [
        '/',
        '/latest/test.json',
        `/${path.relative(results, run.dir).split(path.sep).join('/')}/nodes/n1/redis.conf`,
      ]) {
        const r = await get(target, host);
        expect(r.status, `${host} ${target}`).toBe(403);
        expect(r.body).toMatch(/^forbidden: Host/);
      }
    });
    it('refuses a request without a Host header (HTTP/1.0)', async () => {
      const net = await import('node:net');
      const reply = await new Promise<string>((resolve, reject) => {
        const sock = net.connect(Number(port()), '127.0.0.1', () =>
          sock.write('GET /latest/test.json HTTP/1.0\r\n\r\n'),
        );
        let b = '';
        sock.on('data', (d) => {
          b += d;
        });
        sock.on('end', () => resolve(b));
        sock.on('error', reject);
      });
      expect(reply).toMatch(/^HTTP\/1\.[01] 403 /);
    });
    it('accepts the bound address of a server on another loopback address, refuses names', async () => {
      const other = await serve({ port: 0, host: '127.0.0.9', resultsDir: results });
      try {
        const p = new URL(other.url).port;
        expect((await get('/', `127.0.0.9:${p}`, other.url)).status).toBe(200);
        expect((await get('/', `localhost:${p}`, other.url)).status).toBe(200);
        expect((await get('/', `rebound.example:${p}`, other.url)).status).toBe(403);
      } finally {
        await other.close();
      }
    });
  });

  it('refuses other methods', async () => {
    const u = new URL(srv.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: u.port, path: '/', method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(405);
  });

  it.skipIf(!hasChromium())('the served index and report work in chromium', async () => {
    const { context, profile } = await launchChromium();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(srv.url);
      await page.click('#runs tbody tr[data-run^="set-kill-master/"] a');
      await page.waitForSelector('html[data-ready="1"]');
      expect(await page.textContent('.verdict-word')).toBe('INVALID');
      await page.click('nav.top a.home');
      await page.waitForSelector('#runs');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });
});
