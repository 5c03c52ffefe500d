/** The spill file: order kept, cap honoured, truncated when drained, survives a reopen. */
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../ingest/metrics.ts';
import { SpillFile } from '../../ingest/spill.ts';
import { tempDir } from '../helpers/fixtures.ts';

describe('SpillFile', () => {
  const dirs: Array<{ remove(): void }> = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });
  const open = (cap = 1_000_000) => {
    const dir = tempDir('liftwatch-spill-');
    dirs.push(dir);
    const spill = new SpillFile(dir.path, cap);
    spill.open();
    return { spill, dir };
  };

  it('reads back in append order, in bounded chunks, then truncates', () => {
    const { spill } = open();
    spill.append(['a 1', 'b 2', 'ü 3']);
    spill.append(['d 4']);
    expect(spill.points).toBe(4);
    expect(spill.read(2)).toEqual(['a 1', 'b 2']);
    expect(spill.read(10)).toEqual(['ü 3', 'd 4']);
    expect(spill.hasData).toBe(false);
    expect(statSync(spill.path).size).toBe(0);
  });

  it('refuses what would exceed the disk cap', () => {
    const { spill } = open(10);
    expect(spill.append(['12345'])).toBe(true);
    expect(spill.append(['12345'])).toBe(false);
    expect(spill.points).toBe(1);
  });

  it('a reopened file replays what the last run left', () => {
    const { spill, dir } = open();
    spill.append(['x 1', 'y 2']);
    spill.close();
    const again = new SpillFile(dir.path, 1_000_000);
    again.open();
    expect(again.points).toBe(2);
    expect(again.read(5)).toEqual(['x 1', 'y 2']);
    again.close();
  });
});

describe('LatencyHistogram', () => {
  it('reports percentiles from millisecond buckets', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) h.record(i);
    expect(h.percentile(0.5)).toBe(50);
    expect(h.percentile(0.99)).toBe(99);
    h.record(120_000);
    expect(h.max).toBe(120_000);
  });
});
