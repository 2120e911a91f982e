// Structured events: the observer records the fields each event's text says (history.ts
// EventFields), one masterTimeline answers "who was master at time t", and events stored with
// text only (older engines) read the same through eventFields. A real run checks what the
// observer writes and what test.json declares for the report's fault intervals.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventFields, masterTimeline, parseEventText, type ClusterEvent } from '../../src/harness/history.js';
import { explainLostWrites, failoversFromEvents } from '../../src/harness/checker/set-lost.js';
import { readEventsJsonl } from '../../src/harness/store.js';
import { buildModel } from '../../src/harness/report/data.js';
import { runHarness, runsDir } from '../helpers/harness.js';

const A = '127.0.0.1:7001';
const B = '127.0.0.1:7002';
const C = '127.0.0.1:7003';
const ev = (s: number, source: string, event: string, text: string): ClusterEvent => ({
  time: s * 1e9,
  source,
  event,
  text,
});
const sw = (s: number, source: string, from: string, to: string) =>
  ev(s, source, '+switch-master', `mymaster ${from.replace(':', ' ')} ${to.replace(':', ' ')}`);

describe('parseEventText: the texts Redis Sentinel and the observer publish', () => {
  it.each([
    ['role', `${A} master replicas=2`, { node: A, role: 'master', replicas: 2 }],
    ['role', `${B} replica of ${A} link=up`, { node: B, role: 'replica', master: A, link: 'up' }],
    ['role', `${B} replica of ${A} link=down`, { node: B, role: 'replica', master: A, link: 'down' }],
    ['role', `${A} down`, { node: A, role: 'down' }],
    ['role', `${A} paused`, { node: A, role: 'paused' }],
    ['role', `${A} unreachable`, { node: A, role: 'unreachable' }],
    ['+switch-master', 'mymaster 127.0.0.1 7001 127.0.0.1 7002', { masterName: 'mymaster', from: A, to: B, node: B }],
    ['+sdown', 'master mymaster 127.0.0.1 7001', { instance: 'master', node: A, masterName: 'mymaster' }],
    ['+odown', 'master mymaster 127.0.0.1 7001 #quorum 2/2', { instance: 'master', node: A, masterName: 'mymaster' }],
    [
      '+convert-to-slave',
      `slave ${A} 127.0.0.1 7001 @ mymaster 127.0.0.1 7002`,
      { instance: 'slave', node: A, masterName: 'mymaster', master: B },
    ],
    [
      '+config-update-from',
      'sentinel 8bed22e0 127.0.0.1 26379 @ mymaster 127.0.0.1 7001',
      { instance: 'sentinel', node: '127.0.0.1:26379', masterName: 'mymaster', master: A },
    ],
    ['+new-epoch', '3', { epoch: 3 }],
    [
      '+vote-for-leader',
      '8bed22e03d9f32cf7ace08203247411326ee8bed 3',
      { leader: '8bed22e03d9f32cf7ace08203247411326ee8bed', epoch: 3 },
    ],
    ['+tilt', '#tilt mode entered', {}],
    ['recovered', 'one master with all replicas online after 1.2 s', {}],
    ['role', 'something else', {}],
  ] as const)('%s %s', (event, text, fields) => {
    expect(parseEventText(event, text)).toEqual(fields);
  });

  it('eventFields: the recorded fields, else (events stored before fields) the text parsed', () => {
    const old = ev(1, 'n1', 'role', `${A} master replicas=2`);
    expect(eventFields(old)).toEqual({ node: A, role: 'master', replicas: 2 });
    const recorded = { ...old, ...parseEventText(old.event, old.text) };
    expect(eventFields(recorded)).toBe(recorded);
  });
});

describe('masterTimeline: who the sentinels took for master', () => {
  it('the initial master (the first role report, or as given), then each distinct failover', () => {
    const events = [
      ev(0.01, 'n1', 'role', `${A} master replicas=2`),
      sw(4, 's1', A, B),
      sw(4.3, 's2', A, B),
      sw(5.5, 's3', A, B),
      sw(12, 's2', B, C),
    ];
    const t = masterTimeline(events);
    expect(t.initial).toBe(A);
    expect(t.failovers).toEqual([
      { time: 4e9, oldMaster: A, newMaster: B },
      { time: 12e9, oldMaster: B, newMaster: C },
    ]);
    expect([0, 3.9, 4, 11, 12, 99].map((s) => t.at(s * 1e9))).toEqual([A, A, B, B, C, C]);
    expect(masterTimeline(events, C).at(0)).toBe(C);
    expect(masterTimeline([sw(4, 's1', A, B)]).at(0)).toBeUndefined();
  });

  it('a sentinel that missed an intermediate failover names an older old master: the same promotion', () => {
    const events = [sw(4, 's1', A, B), sw(10, 's1', B, C), sw(11, 's2', A, C)];
    expect(masterTimeline(events, A).failovers.map((f) => f.newMaster)).toEqual([B, C]);
  });

  it("a minority sentinel's late stale failover (A->B again after B->A) is not the sentinels' view", () => {
    // a stored run: s1 ended its own failover of epoch 1 by timeout and published it after the others had failed back
    const events = [
      sw(3.66, 's2', A, B),
      sw(3.78, 's3', A, B),
      sw(6.53, 's3', B, A),
      sw(6.82, 's2', B, A),
      sw(10.17, 's1', A, B),
    ];
    const t = masterTimeline(events, A);
    expect(t.failovers.map((f) => f.time / 1e9)).toEqual([3.66, 6.53]);
    expect(t.at(11e9)).toBe(A);
  });

  it('events out of order, and with the event name repeated in the text, read the same', () => {
    const events = [
      sw(12, 's2', B, C),
      ev(4, 's1', '+switch-master', '+switch-master mymaster 127.0.0.1 7001 127.0.0.1 7002'),
    ];
    expect(failoversFromEvents(events).map((f) => f.newMaster)).toEqual([B, C]);
  });
});

describe('lost-write explanations read role and conversion events by their fields', () => {
  const lostWrite = (ackS: number, node: string, shownS: number) => ({
    key: 0,
    element: 1,
    process: 0,
    node,
    invokeTime: ackS * 1e9 - 1e6,
    ackTime: ackS * 1e9,
    acknowledged: true,
    shownBy: { index: 9, process: 1, invokeTime: shownS * 1e9, completeTime: shownS * 1e9 + 1e6 },
  });
  const events = [
    ev(0.01, 'n1', 'role', `${A} master replicas=2`),
    ev(1, 'n2', 'role', `${B} down`),
    ev(3, 'n2', 'role', `${B} unreachable`),
    sw(5, 's1', A, B),
    ev(9, 's1', '+convert-to-slave', `slave ${A} 127.0.0.1 7001 @ mymaster 127.0.0.1 7002`),
  ];
  const withFields = events.map((e) => ({ ...e, ...parseEventText(e.event, e.text) }));

  it('a failover that promoted a node which went down and never resynchronised; a zombie until its conversion', () => {
    for (const evs of [events, withFields]) {
      const { incidents } = explainLostWrites([lostWrite(4, A, 6), lostWrite(7, A, 10)], evs);
      expect(incidents.map((i) => i.explanation)).toEqual([
        expect.stringContaining(`${B} had gone down at 1.0 s (no persistence: it restarted empty)`),
        expect.stringContaining(
          'zombie master still accepting writes, discarded when it rejoined as a replica (+convert-to-slave at 9.0 s)',
        ),
      ]);
    }
  });

  it('a node that resynchronised (link=up) before its promotion held the writes', () => {
    const synced = [...events.slice(0, 3), ev(3.5, 'n2', 'role', `${B} replica of ${A} link=up`), ...events.slice(3)];
    const { incidents } = explainLostWrites([lostWrite(4, A, 6)], synced);
    expect(incidents[0]!.explanation).toContain(`BEFORE the failover to ${B}`);
  });
});

const tmp = runsDir('harness-events-');

describe('a real run records structured events and declares its nemeses', () => {
  it('kill-master with WAIT 2 on tsredis (valid): every event carries its fields, test.json lists the nemesis, the report pairs its faults by it', async () => {
    const results = path.join(tmp, 'kill');
    // WAIT 2: every acknowledged write is on both replicas, so the failover loses none
    const r = await runHarness([
      'run',
      '--workload',
      'set',
      '--nemesis',
      'kill-master',
      '--wait',
      '2',
      '--nemesis-interval',
      '3',
      '--time-limit',
      '8',
      '--rate',
      '300',
      '--concurrency',
      '4',
      '--seed',
      '21',
      '--results-dir',
      results,
    ]);
    const runDir = fs.realpathSync(path.join(results, 'latest'));
    const where = `${r.out}\nrun directory: ${runDir}`;
    expect(r.code, where).toBe(0);
    expect(r.out, where).toMatch(/verdict: VALID/);
    const test = JSON.parse(fs.readFileSync(path.join(runDir, 'test.json'), 'utf8'));
    expect(test.nemeses).toEqual([{ name: 'kill-master', startF: 'kill', stopF: 'start', needsNetwork: false }]);
    expect(path.basename(runDir)).toBe(test.startedAt.replace(/[-:]/g, '')); // one start time

    const events = readEventsJsonl(path.join(runDir, 'events.jsonl'));
    for (const e of events)
      expect(e, JSON.stringify(e)).toEqual({
        time: e.time,
        source: e.source,
        event: e.event,
        text: e.text,
        ...parseEventText(e.event, e.text),
      });
    const roles = events.filter((e) => e.event === 'role');
    expect(roles.length, where).toBeGreaterThan(3);
    for (const e of roles) expect(e.node, JSON.stringify(e)).toBe(e.text.split(' ')[0]);
    expect(
      roles.some((e) => e.role === 'down'),
      where,
    ).toBe(true); // the killed master
    const switches = events.filter((e) => e.event === '+switch-master');
    expect(switches.length, where).toBeGreaterThan(0);
    for (const e of switches)
      expect(
        [e.from, e.to].every((a) => /^127\.\d+\.\d+\.\d+:\d+$/.test(a ?? '')),
        JSON.stringify(e),
      ).toBe(true);
    const timeline = masterTimeline(events);
    expect(timeline.initial).toBe(`${test.nodes[0].host}:${test.nodes[0].port}`);
    expect(timeline.failovers[0]!.oldMaster).toBe(timeline.initial);

    // the report: faults paired by the declared op names, the same intervals the name patterns give
    const model = await buildModel(runDir);
    const kills = model.cluster.faults.filter((f) => f.f === 'kill');
    expect(kills.length, where).toBeGreaterThan(0);
    expect(kills[0]!.open).toBe(false);
    const down = model.cluster.roles.filter((x) => x.role === 'down');
    expect(down.map((x) => x.from)).toEqual(kills.map((k) => k.from));
    delete test.nemeses;
    fs.writeFileSync(path.join(runDir, 'test.json'), JSON.stringify(test));
    expect((await buildModel(runDir)).cluster).toEqual(model.cluster);
  }, 120_000);
});
