// pause-master: SIGSTOP the node the sentinels report as master; SIGCONT it after the interval.
import { registerNemesis } from '../src/harness/index.js';
import { processFault } from './lib/process-faults.js';

registerNemesis('pause-master', () =>
  processFault({
    name: 'pause-master',
    description: 'SIGSTOP the node the sentinels report as master; SIGCONT it after the interval',
    target: 'master',
    mode: 'pause',
  }),
);
