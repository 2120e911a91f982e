// kill-master: SIGKILL the node the sentinels report as master; restart it after the interval.
import { registerNemesis } from '../src/harness/index.js';
import { processFault } from './lib/process-faults.js';

registerNemesis('kill-master', () =>
  processFault({
    name: 'kill-master',
    description: 'SIGKILL the node the sentinels report as master; restart it after the interval',
    target: 'master',
    mode: 'kill',
  }),
);
