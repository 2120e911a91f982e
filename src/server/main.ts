// tsredis-server [config-file] [-] [--directive value ...] — starts like redis-server 7.0:
// config validated before daemonizing, Redis's startup/shutdown log lines, pidfile,
// SIGTERM/SIGINT clean shutdown.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Server, REDIS_VERSION } from './server.js';
import { applyConfigLines, loadStartupConfig, ConfigFileError, type ConfigLine } from './config-file.js';
import { registerAllCommands } from './commands/index.js';
import { installServerModules } from './modules.js';
import { installProtectedMode } from './protected-mode.js';
import { installIdleTimeout, setExitHandler } from './commands/admin.js';
import { installInfo } from './commands/info.js';
import { discardTransaction } from './commands/transactions.js';

export interface StartOptions {
  argv: string[];
  /** Config text to use for `-` (defaults to reading standard input). */
  stdinText?: string;
  /** Told the server once it listens, before it loads its dataset. */
  onLoading?: (server: Server) => void;
}

const DEFAULT_PIDFILE = '/var/run/redis.pid';

/** rename-command / user lines: directives that are not settings. */
function specialLines(server: Server, renames: [string, string][]): (l: ConfigLine) => boolean {
  return (l) => {
    const name = l.args[0]!.toLowerCase();
    if (name === 'rename-command' && l.args.length === 3) {
      renames.push([l.args[1]!, l.args[2]!]);
      applyRename(server, l.args[1]!, l.args[2]!);
      return true;
    }
    if (name === 'user') return true; // ACL users: only "default" exists here; requirepass carries the password
    return false;
  };
}

function applyRename(server: Server, from: string, to: string): void {
  server.commands.rename(from, to);
}

/** Parses and validates the whole configuration (also used before daemonizing). */
export function configureServer(server: Server, argv: string[], stdinText?: string): void {
  const cfg = loadStartupConfig(argv, stdinText !== undefined ? () => stdinText : undefined);
  if (cfg.stdin) server.log.raw('warning', 'Reading config from stdin');
  if (cfg.file) server.config.file = path.resolve(cfg.file);
  registerAllCommands(server);
  applyConfigLines(server.config, cfg.lines, specialLines(server, []));
}

/** Builds, configures and starts a server; resolves once it listens. */
export async function startServer(opts: StartOptions): Promise<Server> {
  const server = new Server();
  server.log.role = 'C';
  configureServer(server, opts.argv, opts.stdinText);
  server.resizeDatabases();
  server.log.level = server.config.get('loglevel') as never;
  server.config.onChange((name, v) => {
    if (name === 'loglevel') server.log.level = v as never;
  });
  const dir = server.config.get('dir');
  if (dir) {
    try {
      process.chdir(dir);
    } catch (e) {
      throw new Error(
        `Can't chdir to '${dir}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`,
      );
    }
  }
  if (server.config.get('logfile')) {
    try {
      server.log.setFile(server.config.get('logfile'));
    } catch (e) {
      throw new Error(
        `Can't open the log file: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`,
      );
    }
  } else if (server.config.bool('daemonize')) {
    server.log.setFile('/dev/null');
  }
  server.log.warning('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  server.log.warning(
    `Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started`,
  );
  server.log.warning(
    server.config.file || opts.argv.length > 0
      ? 'Configuration loaded'
      : 'Warning: no config file specified, using the default config. In order to specify a config file use tsredis-server /path/to/redis.conf',
  );
  server.log.role = server.config.get('replicaof') ? 'S' : 'M';
  server.log.notice('monotonic clock: POSIX clock_gettime');
  server.abortTransaction = discardTransaction;
  installProtectedMode(server);
  installIdleTimeout(server);
  installInfo(server);
  await installServerModules(server);
  try {
    await server.listen();
  } catch (e) {
    // Redis's wording for the usual bind errors
    const msg = (e as Error).message
      .replace(/listen EADDRINUSE: address already in use \S+/, 'bind: Address already in use')
      .replace(/listen EADDRNOTAVAIL: address not available \S+/, 'bind: Cannot assign requested address')
      .replace(/listen EACCES: permission denied \S+/, 'bind: Permission denied');
    server.log.warning(msg);
    server.log.warning(`Failed listening on port ${server.config.get('port')} (tcp), aborting.`);
    throw Object.assign(new Error(`Failed listening on port ${server.config.get('port')} (tcp), aborting.`), {
      logged: true,
    });
  }
  server.log.notice(`Running mode=standalone, port=${server.listeningPort}.`);
  server.log.warning('Server initialized');
  opts.onLoading?.(server);
  // loading serves clients between slices; serverCron (expiry, saves, replication) starts after it
  for (const h of server.startHooks) await h();
  server.startCron();
  server.log.notice('Ready to accept connections');
  return server;
}

function writePidfile(server: Server): void {
  let pidfile = server.config.get('pidfile');
  if (!pidfile && server.config.bool('daemonize')) pidfile = DEFAULT_PIDFILE;
  if (!pidfile) return;
  try {
    fs.writeFileSync(pidfile, `${process.pid}\n`);
  } catch (e) {
    server.log.warning(`Failed to write PID file: ${(e as Error).message}`);
    return;
  }
  server.shutdownHooks.push(() => {
    server.log.notice('Removing the pid file.');
    try {
      fs.unlinkSync(pidfile);
    } catch {
      /* already gone */
    }
  });
}

function usage(): void {
  process.stderr.write(
    'Usage: ./tsredis-server [/path/to/redis.conf] [options] [-]\n' +
      '       ./tsredis-server - (read config from stdin)\n' +
      '       ./tsredis-server -v or --version\n' +
      '       ./tsredis-server -h or --help\n' +
      '       ./tsredis-server --test-memory <megabytes>\n\n' +
      'Examples:\n' +
      '       ./tsredis-server (run the server with default conf)\n' +
      '       ./tsredis-server /etc/redis/6379.conf\n' +
      '       ./tsredis-server --port 7777\n' +
      '       ./tsredis-server --port 7777 --replicaof 127.0.0.1 8888\n' +
      '       ./tsredis-server /etc/myredis.conf --loglevel verbose -\n' +
      '       ./tsredis-server /etc/myredis.conf --loglevel verbose\n\n' +
      'Sentinel mode:\n' +
      '       ./tsredis-server /etc/sentinel.conf --sentinel\n',
  );
}

/** Entry point of the tsredis-server binary. */
export async function main(argv: string[]): Promise<void> {
  if (argv.includes('--sentinel')) {
    const { main: sentinelMain } = await import('../sentinel/main.js');
    await sentinelMain(argv.filter((a) => a !== '--sentinel'));
    return;
  }
  if (argv[0] === '-v' || argv[0] === '--version') {
    console.log(`Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=libc bits=64 build=tsredis`);
    return;
  }
  if (argv[0] === '--help' || argv[0] === '-h') {
    usage();
    process.exit(1);
  }
  // stdin is read once here, so that a daemon child can be given the same text
  let stdinText: string | undefined = process.env.TSREDIS_STDIN_CONFIG;
  const wantsStdin = argv.some((a, j) => a === '-' && (j === 0 || j === argv.length - 1));
  if (wantsStdin && stdinText === undefined) stdinText = fs.readFileSync(0, 'latin1');
  // validate the whole configuration first: errors reach the terminal even with daemonize yes
  const probe = new Server();
  probe.log.role = 'C';
  try {
    configureServer(probe, argv, stdinText);
  } catch (e) {
    if (e instanceof ConfigFileError) process.stderr.write(e.message + '\n');
    else probe.log.raw('warning', (e as Error).message);
    process.exit(1);
  }
  if (probe.config.bool('daemonize') && !process.env.TSREDIS_DAEMON_CHILD) {
    const child = spawn(process.execPath, [process.argv[1]!, ...argv], {
      detached: true,
      stdio: 'ignore',
      cwd: process.cwd(),
      env: {
        ...process.env,
        TSREDIS_DAEMON_CHILD: '1',
        ...(stdinText !== undefined ? { TSREDIS_STDIN_CONFIG: stdinText } : {}),
      },
    });
    child.unref();
    return;
  }
  // signal handlers go in before the listener opens: a SIGTERM that arrives while the server
  // is still starting is honoured (as a clean shutdown) once it is up, never a hard kill
  let server: Server | null = null;
  let loadingServer: Server | null = null;
  let pendingSignal: string | null = null;
  let stopping = false;
  const stop = (sig: string) => {
    if (!server && loadingServer?.loading) {
      // whileBlockedCron: a signal while loading exits at once, without saving
      loadingServer.log.fromSignalHandler('Received shutdown signal during loading, scheduling shutdown.');
      if (stopping) return;
      stopping = true;
      void loadingServer.requestShutdown({ save: false }).then((ok) => {
        if (ok) process.exit(0);
        stopping = false;
      });
      return;
    }
    if (!server) {
      pendingSignal ??= sig;
      return;
    }
    // serverLogFromHandler's layout: "<pid>:signal-handler (<unix time>) <message>"
    server.log.fromSignalHandler(`Received ${sig} scheduling shutdown...`);
    if (stopping) return;
    stopping = true;
    // shutdown-on-sigterm / shutdown-on-sigint: default | save | nosave (now/force: no replica wait here anyway)
    const flags = server.config.get(sig === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm').split(/\s+/);
    const save = flags.includes('save') ? true : flags.includes('nosave') ? false : undefined;
    void server.requestShutdown({ save, force: flags.includes('force') }).then((ok) => {
      if (ok) process.exit(0);
      stopping = false; // the final save failed: keep serving, a later signal may try again
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    server = await startServer({
      argv,
      stdinText,
      onLoading: (s) => {
        // as createPidFile before loadDataFromDisk; SHUTDOWN while loading exits too
        loadingServer = s;
        writePidfile(s);
        setExitHandler(s, (code) => process.exit(code));
      },
    });
  } catch (e) {
    if (e instanceof ConfigFileError) process.stderr.write(e.message + '\n');
    else if (!(e as { logged?: boolean }).logged) new Server().log.raw('warning', (e as Error).message);
    process.exit(1);
  }
  if (pendingSignal) stop(pendingSignal);
}
