// tsredis-sentinel sentinel.conf [--directive value ...] (also `tsredis-server sentinel.conf --sentinel`):
// a Server core running only the sentinel-mode command set, plus the Sentinel state machine.
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { Server, REDIS_VERSION } from '../server/server.js';
import {
  applyConfigLines,
  argvToConfigLines,
  readConfigLines,
  ConfigFileError,
  type ConfigLine,
} from '../server/config-file.js';
import { Sentinel } from './sentinel.js';
import { loadSentinelQueue, rewriteSentinelConfig, sentinelLineHandler } from './config.js';
import { PubSub } from './pubsub.js';
import { sentinelCommands } from './commands.js';

export interface RunningSentinel {
  server: Server;
  sentinel: Sentinel;
  stop(): Promise<void>;
}

/** The source address for outgoing links: bind-source-addr, else our own specific bind address. */
function sourceAddress(server: Server): string | undefined {
  const src = server.config.get('bind-source-addr');
  if (src) return src;
  const first = server.config.get('bind').split(' ').filter(Boolean)[0] ?? '';
  if (net.isIPv4(first) && first !== '0.0.0.0') return first;
  return undefined;
}

export async function startSentinel(argv: string[]): Promise<RunningSentinel> {
  const args = [...argv];
  let file: string | undefined;
  if (args.length > 0 && !args[0]!.startsWith('--')) file = args.shift();
  if (!file || file === '-') throw new Error('Sentinel needs config file on disk to save state. Exiting...');
  file = path.resolve(file);
  try {
    fs.accessSync(file, fs.constants.W_OK);
  } catch (e) {
    throw new Error(`Sentinel config file ${file} is not writable: ${(e as Error).message}. Exiting...`);
  }
  const server = new Server();
  server.sentinelMode = true;
  server.config.setRaw('port', '26379');
  server.config.setRaw('protected-mode', 'no');
  server.config.file = file;
  const st = new Sentinel(server);
  const lines: ConfigLine[] = [...readConfigLines(file), ...argvToConfigLines(args)];
  const queued: ConfigLine[] = [];
  applyConfigLines(server.config, lines, sentinelLineHandler(queued, server.config));
  // Redis changes directory while reading `dir`, before the queued sentinel lines (script paths are relative to it)
  const dir = server.config.get('dir');
  if (dir) process.chdir(dir);
  loadSentinelQueue(st, queued);
  const hadMyid = lines.some(
    (l) => l.args[0]!.toLowerCase() === 'sentinel' && (l.args[1] ?? '').toLowerCase() === 'myid',
  );
  const ps = new PubSub(server);
  st.publish = (ch, msg) => void ps.publish(ch, msg);
  server.commands.add(sentinelCommands(st, ps));
  server.log.role = 'X';
  server.log.level = server.config.get('loglevel') as never;
  if (server.config.get('logfile')) server.log.setFile(server.config.get('logfile'));
  server.log.warning('oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo');
  server.log.warning(
    `Redis version=${REDIS_VERSION}, bits=64, commit=00000000, modified=0, pid=${process.pid}, just started`,
  );
  server.log.warning('Configuration loaded');
  st.sourceAddr = sourceAddress(server);
  st.flushConfig = () => {
    try {
      rewriteSentinelConfig(st, file!);
      server.log.notice('Sentinel new configuration saved on disk');
      return true;
    } catch (e) {
      server.log.warning(
        `WARNING: Sentinel was not able to save the new configuration on disk!!!: ${(e as Error).message}`,
      );
      return false;
    }
  };
  await server.listen();
  server.log.notice(`Running mode=sentinel, port=${server.listeningPort}.`);
  if (!hadMyid) st.flushConfig();
  server.log.warning(`Sentinel ID is ${st.myid}`);
  for (const m of st.masters.values()) st.event('warning', '+monitor', m, `%@ quorum ${m.quorum}`);
  st.start();
  return {
    server,
    sentinel: st,
    async stop() {
      st.stop();
      await server.shutdown();
    },
  };
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
    return false;
  }
}

export async function main(argv: string[]): Promise<void> {
  if (!process.env.TSREDIS_DAEMON_CHILD && wantsDaemon(argv)) {
    const child = spawn(process.execPath, [process.argv[1]!, ...argv], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, TSREDIS_DAEMON_CHILD: '1' },
    });
    child.unref();
    return;
  }
  // handlers go in before the listener opens: a signal during start-up is honoured once up
  let running: RunningSentinel | null = null;
  let pendingSignal: string | null = null;
  const stop = (sig: string) => {
    if (!running) {
      pendingSignal ??= sig;
      return;
    }
    const { server, sentinel } = running;
    const pidfile = server.config.get('pidfile');
    server.log.warning(`Received ${sig} scheduling shutdown...`);
    server.log.warning('User requested shutdown...');
    sentinel.flushConfig();
    sentinel.stop();
    if (pidfile) {
      try {
        fs.unlinkSync(pidfile);
      } catch {
        /* gone */
      }
    }
    server.log.warning('Sentinel is now ready to exit, bye bye...');
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    running = await startSentinel(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
  const pidfile = running.server.config.get('pidfile');
  if (pidfile) fs.writeFileSync(pidfile, `${process.pid}\n`);
  if (pendingSignal) stop(pendingSignal);
}

export { ConfigFileError };
