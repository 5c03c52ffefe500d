/**
 * The console's health answers read `health_daily` points back (api/data/health.ts pointOf).
 * A trend written by the first, unbounded formula stays in InfluxDB until the lift's next
 * daily close; it must not reach a screen as "−277.7 分/30天".
 */
import { describe, expect, it } from 'vitest';
import { pointOf } from '../../api/data/health.ts';

const columns = ['time', 'elevator', 'status', 'score', 'trend_30d', 'trend_90d'];

describe('a health point read back', () => {
  it('keeps a trend within ±100 points', () => {
    const p = pointOf(columns, [Date.UTC(2026, 10, 1), 'e1', 'ok', 62, -38.5, 100]);
    expect(p.trend30).toBe(-38.5);
    expect(p.trend90).toBe(100);
    expect(p.score).toBe(62);
  });

  it('drops a trend the first formula wrote beyond ±100', () => {
    const p = pointOf(columns, [Date.UTC(2026, 10, 1), 'e1', 'ok', 0, -277.7, 140.2]);
    expect(p.trend30).toBeNull();
    expect(p.trend90).toBeNull();
    expect(p.elevatorId).toBe('e1');
  });
});
