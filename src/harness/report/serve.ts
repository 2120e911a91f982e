// `harness serve`: browses the results directory (index, reports, raw files) over HTTP.
// Bound to 127.0.0.1 unless told otherwise; nothing outside the results directory is served:
// `..` segments (raw or percent-encoded), backslashes and NULs are refused, and the real path
// (symlinks resolved) must stay inside the real results directory. Only requests naming this server
// in their Host header are answered (localhost, 127.0.0.1, [::1], the bound address, with its port):
// a page on another site that rebinds its DNS name to 127.0.0.1 sends its own name and gets 403.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { esc } from './assets.js';
import { collectRuns, renderIndex } from './index-page.js';
import { writeFileAtomic } from '../store.js';

export interface ServeHandle {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.edn': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.conf': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.yml': 'text/plain; charset=utf-8',
  '.csv': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export type Resolved =
  | { status: 200; file: string; stat: fs.Stats }
  | { status: 301; location: string }
  | { status: 400 | 403 | 404; reason: string };

/** Maps a raw request target to a file inside `root`, or says why not. */
export function resolveRequest(root: string, rawUrl: string): Resolved {
  const rawPath = rawUrl.split('?')[0]!.split('#')[0]!;
  if (!rawPath.startsWith('/')) return { status: 400, reason: 'bad request target' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { status: 400, reason: 'bad percent-encoding' };
  }
  if (decoded.includes('\0')) return { status: 400, reason: 'NUL in path' };
  if (decoded.includes('\\')) return { status: 403, reason: 'backslash in path' };
  if (decoded.split('/').some((s) => s === '..')) return { status: 403, reason: 'path leaves the results directory' };
  const realRoot = fs.realpathSync(root);
  const abs = path.resolve(realRoot, '.' + decoded);
  if (abs !== realRoot && !abs.startsWith(realRoot + path.sep))
    return { status: 403, reason: 'path leaves the results directory' };
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    return { status: 404, reason: 'not found' };
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep))
    return { status: 403, reason: 'symlink leaves the results directory' };
  const stat = fs.statSync(real);
  if (stat.isDirectory()) {
    if (!rawPath.endsWith('/')) return { status: 301, location: rawPath + '/' };
    return { status: 200, file: real, stat };
  }
  if (!stat.isFile()) return { status: 403, reason: 'not a regular file' };
  return { status: 200, file: real, stat };
}

/** The name and port of a Host header ("[::1]:8080" -> ["::1", 8080]); null if malformed. */
function parseHost(header: string): { name: string; port: number | null } | null {
  const m = /^(?:\[([0-9a-f:.]+)\]|([^:\[\]]+))(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return null;
  return { name: (m[1] ?? m[2]!).toLowerCase(), port: m[3] === undefined ? null : Number(m[3]) };
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** Host names this server answers to: loopback names, the bound address, and every local address when bound to all. */
export function ownHostNames(boundHost: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', boundHost.replace(/^\[|\]$/g, '').toLowerCase()]);
  if (WILDCARD.has(boundHost)) {
    // an address literal is never a rebound DNS name: the browser connected to that very address
    for (const addrs of Object.values(os.networkInterfaces()))
      for (const a of addrs ?? []) names.add(a.address.toLowerCase());
  }
  return names;
}

/** Whether a request's Host header names this server (same port; no port only on port 80). */
export function isOwnHost(header: string | undefined, names: Set<string>, port: number): boolean {
  if (!header) return false;
  const h = parseHost(header);
  if (!h || !names.has(h.name)) return false;
  return h.port === null ? port === 80 : h.port === port;
}

function listing(dir: string, urlPath: string): string {
  const ents = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  const rows = ents
    .map((e) => {
      let size = '';
      try {
        const st = fs.statSync(path.join(dir, e.name));
        size = st.isDirectory() ? '' : st.size.toLocaleString('en-US');
      } catch {
        /* dangling link */
      }
      const isDir = (() => {
        try {
          return fs.statSync(path.join(dir, e.name)).isDirectory();
        } catch {
          return false;
        }
      })();
      const name = e.name + (isDir ? '/' : '');
      return `<tr><td><a href="${esc(encodeURIComponent(e.name) + (isDir ? '/' : ''))}">${esc(name)}</a></td><td style="text-align:right">${size}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(urlPath)}</title>
<style>body{font:14px system-ui,sans-serif;margin:20px}td{padding:2px 14px 2px 0}</style></head><body>
<h1 style="font-size:18px">${esc(urlPath)}</h1><p><a href="../">..</a> · <a href="/">all runs</a></p><table>${rows}</table></body></html>`;
}

/** Rewrites index.html when a run is newer than it (runs stored by older engines, crashed runs). */
function refreshIndex(root: string): void {
  const index = path.join(root, 'index.html');
  let indexMtime = -1;
  try {
    indexMtime = fs.statSync(index).mtimeMs;
  } catch {
    /* missing */
  }
  let newest = 0,
    runs = 0;
  try {
    for (const t of fs.readdirSync(root, { withFileTypes: true })) {
      if (!t.isDirectory()) continue;
      for (const r of fs.readdirSync(path.join(root, t.name), { withFileTypes: true })) {
        if (!r.isDirectory()) continue;
        for (const f of ['test.json', 'results.json', 'report.html']) {
          try {
            newest = Math.max(newest, fs.statSync(path.join(root, t.name, r.name, f)).mtimeMs);
            runs++;
          } catch {
            /* absent */
          }
        }
      }
    }
  } catch {
    return;
  }
  if (runs === 0 || newest <= indexMtime) return;
  writeFileAtomic(index, renderIndex(collectRuns(root)));
}

export async function serve(opts: { port: number; host?: string; resultsDir: string }): Promise<ServeHandle> {
  const root = path.resolve(opts.resultsDir);
  if (!fs.existsSync(root)) fs.mkdirSync(root, { recursive: true });
  const host = opts.host ?? '127.0.0.1';
  const names = ownHostNames(host);
  let port = opts.port;
  const server = http.createServer((req, res) => {
    const send = (
      status: number,
      body: string,
      type = 'text/plain; charset=utf-8',
      extra: Record<string, string> = {},
    ) => {
      res.writeHead(status, {
        'content-type': type,
        'content-length': Buffer.byteLength(body),
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
        ...extra,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!isOwnHost(req.headers.host, names, port)) {
      return send(
        403,
        `forbidden: Host '${req.headers.host ?? ''}' is not this server (use http://127.0.0.1:${port}/ or http://localhost:${port}/)\n`,
      );
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, 'method not allowed\n', undefined, { allow: 'GET, HEAD' });
    const target = (req.url ?? '/').split('?')[0];
    if (target === '/' || target === '/index.html') {
      try {
        refreshIndex(root);
      } catch {
        /* serve what is there */
      }
    }
    let r: Resolved;
    try {
      r = resolveRequest(root, req.url ?? '/');
    } catch (e) {
      return send(500, `${(e as Error).message}\n`);
    }
    if (r.status === 301) return send(301, `moved to ${r.location}\n`, undefined, { location: r.location });
    if (r.status === 404 && (req.url ?? '').split('?')[0] === '/favicon.ico') return send(204, '');
    if (r.status !== 200)
      return send(
        r.status,
        `${r.status === 403 ? 'forbidden' : r.status === 404 ? 'not found' : 'bad request'}: ${r.reason}\n`,
      );
    let file = r.file,
      stat = r.stat;
    if (stat.isDirectory()) {
      const idx = path.join(file, 'index.html');
      if (fs.existsSync(idx) && fs.statSync(idx).isFile()) {
        file = idx;
        stat = fs.statSync(idx);
      } else
        return send(
          200,
          listing(file, decodeURIComponent((req.url ?? '/').split('?')[0]!)),
          'text/html; charset=utf-8',
        );
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': stat.size,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address();
  port = typeof a === 'object' && a ? a.port : opts.port; // --port 0: the port the system chose
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
