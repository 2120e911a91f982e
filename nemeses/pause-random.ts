// pause-random: SIGSTOP a random data node; SIGCONT it after the interval.
import { registerNemesis } from '../src/harness/index.js';
import { processFault } from './lib/process-faults.js';

registerNemesis('pause-random', () =>
  processFault({
    name: 'pause-random',
    description: 'SIGSTOP a random data node; SIGCONT it after the interval',
    target: 'random',
    mode: 'pause',
  }),
);
