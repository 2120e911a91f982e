// Differential tests: LATENCY (as a monitor that saw no spike; HISTOGRAM is not implemented) and
// READONLY/READWRITE outside a cluster.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startDiffPair, haveRealRedis, type DiffPair } from '../helpers/diff.js';
import { words } from '../helpers/diff-cases.js';

const real = haveRealRedis();

describe.skipIf(!real)('LATENCY, READONLY, READWRITE: tsredis vs redis-server (reply bytes)', () => {
  let pair: DiffPair;
  beforeAll(async () => {
    pair = await startDiffPair();
  });
  afterAll(async () => {
    await pair?.stop();
  });

  const cases = words(`
    LATENCY
    LATENCY HELP
    LATENCY HELP x
    LATENCY LATEST
    LATENCY LATEST x
    LATENCY HISTORY command
    LATENCY HISTORY
    LATENCY RESET
    LATENCY RESET command fork
    LATENCY GRAPH command
    LATENCY GRAPH
    LATENCY DOCTOR
    CONFIG SET latency-monitor-threshold 100
    LATENCY DOCTOR
    LATENCY LATEST
    CONFIG SET latency-monitor-threshold 0
    LATENCY foo
    READONLY
    READWRITE
    READONLY x
  `);

  for (const proto of ['2', '3']) {
    it(`RESP${proto}`, async () => {
      await pair.reset();
      await pair.both(['HELLO', proto]);
      expect(await pair.differences(cases)).toEqual([]);
    });
  }
});
