/**
 * The log's partitioner and subject names: stable (a fixed table, so a change of hash is a
 * visible break of every deployed stream), in range, and spread evenly over a real-sized fleet.
 */
import { describe, expect, it } from 'vitest';
import {
  deviceSubject,
  fnv1a32,
  logStreamOf,
  logStreams,
  partitionFilter,
  partitionOf,
  topicOfSubject,
  topicOfTransitionSubject,
  transitionSubject,
  transitionsDurable,
} from '../../log/subjects.ts';
import { topics } from '../../protocol/index.ts';

describe('partitioner', () => {
  it('is FNV-1a 32 (reference vectors)', () => {
    // The published FNV-1a test vectors (Fowler, Noll, Vo): "" and "a" and "foobar".
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('keeps an elevator in one partition, within range', () => {
    for (const id of ['e-0001', 'bj-chaoyang-017', 'x']) {
      const p = partitionOf(id, 64);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(64);
      expect(partitionOf(id, 64)).toBe(p);
    }
  });

  it('spreads 10,000 ids over 64 partitions within ±30% of even', () => {
    const counts = new Array<number>(64).fill(0);
    for (let i = 0; i < 10_000; i++) counts[partitionOf(`e-${String(i).padStart(5, '0')}`, 64)]! += 1;
    const even = 10_000 / 64;
    expect(Math.min(...counts)).toBeGreaterThan(even * 0.7);
    expect(Math.max(...counts)).toBeLessThan(even * 1.3);
  });
});

describe('subjects', () => {
  it('round-trips a device topic through its subject', () => {
    const topic = topics.telemetry('e-0042');
    const subject = deviceSubject(topic, 64)!;
    expect(subject).toBe(`lw.in.${partitionOf('e-0042', 64)}.e-0042.telemetry`);
    expect(topicOfSubject(subject)).toBe(topic);
    expect(subject.startsWith(partitionFilter(partitionOf('e-0042', 64)).slice(0, -1))).toBe(true);
  });

  it('has no subject for what is not a device topic', () => {
    expect(deviceSubject('alerts/e-1', 64)).toBeNull();
    expect(deviceSubject('elevators/E.1/telemetry', 64)).toBeNull();
    expect(deviceSubject('elevators/e-1/other', 64)).toBeNull();
    expect(topicOfSubject('lw.in.3.e-1')).toBeNull();
  });
});

describe('partitions spread over streams', () => {
  it('puts every partition in exactly one stream, the one logStreamOf names', () => {
    for (const layout of [
      { partitions: 64, streams: 8 },
      { partitions: 64, streams: 1 },
      { partitions: 10, streams: 3 },
      { partitions: 4, streams: 16 },
    ]) {
      const streams = logStreams(layout);
      expect(streams).toHaveLength(Math.min(layout.streams, layout.partitions));
      const holders = new Map<string, string>();
      for (const { name, subjects } of streams) for (const subject of subjects) holders.set(subject, name);
      expect(holders.size).toBe(layout.partitions);
      for (let p = 0; p < layout.partitions; p++)
        expect(holders.get(partitionFilter(p))).toBe(logStreamOf(p, layout));
    }
    expect(logStreams({ partitions: 64, streams: 8 })[3]).toMatchObject({
      name: 'LW_IN_3',
      subjects: expect.arrayContaining(['lw.in.3.>', 'lw.in.11.>', 'lw.in.59.>']),
    });
  });
});

describe('transition subjects', () => {
  it('round-trips alert and visit topics through their subjects', () => {
    expect(transitionSubject(topics.alert('e-0042'))).toBe('lw.svc.alerts.e-0042');
    expect(transitionSubject(topics.visit('e-0042'))).toBe('lw.svc.visits.e-0042');
    for (const topic of [topics.alert('e-0042'), topics.visit('e-0042')])
      expect(topicOfTransitionSubject(transitionSubject(topic)!)).toBe(topic);
    expect(transitionsDurable('node-1')).toBe('api-node-1');
  });

  it('has no subject for a device topic, and no topic for a subject of another kind', () => {
    expect(transitionSubject(topics.telemetry('e-1'))).toBeNull();
    expect(transitionSubject('alerts/E.1')).toBeNull();
    expect(topicOfTransitionSubject('lw.svc.fleet.e-1')).toBeNull();
    expect(topicOfTransitionSubject('lw.in.3.e-1.telemetry')).toBeNull();
    expect(topicOfTransitionSubject('lw.svc.alerts.E-1')).toBeNull();
  });
});
