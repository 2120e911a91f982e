// kill-random: SIGKILL a random data node; restart it after the interval.
import { registerNemesis } from '../src/harness/index.js';
import { processFault } from './lib/process-faults.js';

registerNemesis('kill-random', () =>
  processFault({
    name: 'kill-random',
    description: 'SIGKILL a random data node; restart it after the interval',
    target: 'random',
    mode: 'kill',
  }),
);
