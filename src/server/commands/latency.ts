// LATENCY (the latency monitor; not HISTOGRAM: per-command latency distributions are not kept)
// and the cluster-only READONLY/READWRITE. No event is ever
// recorded here (the event loop does not sample its own stalls), so the replies are those of a
// Redis whose monitor saw no spike: empty LATEST/HISTORY, Redis's two DOCTOR texts.
import { cmd, type CommandSpec } from '../command.js';
import { CommandError } from '../db.js';
import { replyHelp } from './pubsub.js';

const LATENCY_HELP = [
  'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
  'HELP',
  '    Prints this help.',
];

const DOCTOR_DISABLED =
  "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
const DOCTOR_QUIET =
  'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;
const CLUSTER_DISABLED = 'ERR This instance has cluster support disabled';

export const latencyCommands: CommandSpec[] = [
  {
    name: 'latency',
    arity: -2,
    flags: [],
    firstKey: 0,
    lastKey: 0,
    step: 0,
    subcommands: [
      cmd('latest', 2, [...ADMIN], 0, 0, 0, (c) => c.reply.arrayHeader(0)),
      cmd('history', 3, [...ADMIN], 0, 0, 0, (c) => c.reply.arrayHeader(0)),
      cmd('reset', -2, [...ADMIN], 0, 0, 0, (c) => c.reply.int(0)),
      cmd('graph', 3, [...ADMIN], 0, 0, 0, (_c, argv) => {
        throw new CommandError(`ERR No samples available for event '${argv[2]}'`);
      }),
      cmd('doctor', 2, [...ADMIN], 0, 0, 0, (c) => {
        c.reply.verbatim(c.server.config.int('latency-monitor-threshold') === 0 ? DOCTOR_DISABLED : DOCTOR_QUIET);
      }),
      cmd('help', 2, ['loading', 'stale'], 0, 0, 0, (c) => replyHelp(c, LATENCY_HELP)),
    ],
  },
  cmd('readonly', 1, ['loading', 'stale', 'fast'], 0, 0, 0, () => {
    throw new CommandError(CLUSTER_DISABLED);
  }),
  cmd('readwrite', 1, ['loading', 'stale', 'fast'], 0, 0, 0, () => {
    throw new CommandError(CLUSTER_DISABLED);
  }),
];
