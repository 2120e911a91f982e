// tsredis-server [config-file] [--directive value ...] — starts like redis-server.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Server, REDIS_VERSION } from './server.js';
import { applyConfigLines, argvToConfigLines, readConfigLines, ConfigFileError, type ConfigLine } from './config-file.js';
import { registerAllCommands } from './commands/index.js';
import { installServerModules } from './modules.js';

export interface StartOptions {
  argv: string[];
  /** Do not daemonize or install signal handlers (embedded use in tests). */
  embedded?: boolean;
}

/** Builds, configures and starts a server; resolves once it listens. */
export async function startServer(opts: StartOptions): Promise<Server> {
  const server = new Server();
  const args = [...opts.argv];
  let file: string | undefined;
  if (args.length > 0 && !args[0]!.startsWith('--')) file = args.shift();
  const lines: ConfigLine[] = [];
  if (file && file !== '-') {
    lines.push(...readConfigLines(file));
    server.config.file = path.resolve(file);
  }
  lines.push(...argvToConfigLines(args));
  applyConfigLines(server.config, lines);
  server.resizeDatabases();
  registerAllCommands(server);
  server.log.level = server.config.get('loglevel') as never;
  const dir = server.config.get('dir');
  if (dir) process.chdir(dir);
  if (server.config.get('logfile')) server.log.setFile(server.config.get('logfile'));
  server.log.role = 'C';
  server.log.warning('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  server.log.warning(`Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started`);
  server.log.warning(file ? 'Configuration loaded' : 'Warning: no config file specified, using the default config. In order to specify a config file use tsredis-server /path/to/redis.conf');
  server.log.role = server.config.get('replicaof') ? 'S' : 'M';
  await installServerModules(server);
  await server.listen();
  server.log.notice(`Running mode=standalone, port=${server.listeningPort}.`);
  server.log.warning('Server initialized');
  server.startCron();
  for (const h of server.startHooks) await h();
  server.log.notice('Ready to accept connections');
  return server;
}

function writePidfile(server: Server): void {
  const pidfile = server.config.get('pidfile');
  if (!pidfile) return;
  fs.writeFileSync(pidfile, `${process.pid}\n`);
  server.shutdownHooks.push(() => {
    try {
      fs.unlinkSync(pidfile);
    } catch {
      /* already gone */
    }
  });
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
  if (argv[0] === '-h' || argv[0] === '--help') {
    console.log('Usage: tsredis-server [/path/to/redis.conf] [options] [-]\n       tsredis-server - (read config from stdin)\n       tsredis-server -v or --version\n       tsredis-server -h or --help\n\nExamples:\n       tsredis-server (run the server with default conf)\n       tsredis-server /etc/redis/6379.conf\n       tsredis-server --port 7777\n       tsredis-server --port 7777 --replicaof 127.0.0.1 8888\n       tsredis-server /etc/myredis.conf --loglevel verbose -\n       tsredis-server /etc/myredis.conf --loglevel verbose');
    return;
  }
  // `daemonize yes`: re-spawn detached without the directive, parent exits at once
  if (!process.env.TSREDIS_DAEMON_CHILD && wantsDaemon(argv)) {
    const child = spawn(process.execPath, [process.argv[1]!, ...argv], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, TSREDIS_DAEMON_CHILD: '1' },
    });
    child.unref();
    return;
  }
  let server: Server;
  try {
    server = await startServer({ argv });
  } catch (e) {
    if (e instanceof ConfigFileError) {
      process.stderr.write(e.message + '\n');
    } else {
      process.stderr.write(`${(e as Error).message}\n`);
    }
    process.exit(1);
  }
  writePidfile(server);
  const stop = (sig: string) => {
    server.log.role = server.isReplica() ? 'S' : 'M';
    process.stdout.write('');
    server.log.warning(`Received ${sig} scheduling shutdown...`);
    void server.requestShutdown({ save: true }).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function wantsDaemon(argv: string[]): boolean {
  try {
    const args = [...argv];
    const lines: ConfigLine[] = [];
    if (args.length > 0 && !args[0]!.startsWith('--')) lines.push(...readConfigLines(args.shift()!));
    lines.push(...argvToConfigLines(args));
    let d = false;
    for (const l of lines) if (l.args[0]!.toLowerCase() === 'daemonize') d = (l.args[1] ?? '').toLowerCase() === 'yes';
    return d;
  } catch {
    return false; // the real start reports the error
  }
}
