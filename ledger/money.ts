/**
 * Money is integer fen (分), never floating point: 0.1 + 0.2 is not a sum a fund can owe.
 * Amounts are capped so that every sum of a fund stays a safe JS integer.
 */
import { memoWords } from '../protocol/words.ts';
import { LedgerError } from './errors.ts';

export type Fen = number;

/** 10 billion yuan: far above any fund, far below 2^53 even summed a million times. */
export const MAX_FEN = 1_000_000_000_000;

export function assertFen(value: unknown, what = 'amount'): Fen {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new LedgerError('INVALID_AMOUNT', `${what} must be an integer number of fen`);
  if (value <= 0) throw new LedgerError('INVALID_AMOUNT', `${what} must be positive`);
  if (value > MAX_FEN) throw new LedgerError('INVALID_AMOUNT', `${what} is above ${MAX_FEN} fen`);
  return value;
}

export function assertCount(value: unknown, what: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw new LedgerError('INVALID_INPUT', `${what} must be an integer ≥ ${min}`);
  return value;
}

/** 12345 → "123.45" (no float arithmetic on the way). */
export function formatYuan(fen: Fen): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Expected monthly fund share: rate (fen/m²/month) × area (1/100 m²) × share (1/10000),
 * rounded half up, in BigInt so large estates do not lose precision.
 */
export function expectedContribution(rateFen: number, areaCentiM2: number, shareBp: number): Fen {
  const num = BigInt(rateFen) * BigInt(areaCentiM2) * BigInt(shareBp);
  const den = 1_000_000n;
  return Number((num * 2n + den) / (2n * den));
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function assertPeriod(value: unknown): string {
  if (typeof value !== 'string' || !PERIOD.test(value))
    throw new LedgerError('INVALID_INPUT', 'period must be YYYY-MM');
  return value;
}

export function nextPeriod(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** [fromAt, toAt) in epoch ms of a month in local time `utcOffsetMinutes` east of UTC. */
export function periodBounds(period: string, utcOffsetMinutes: number): { fromAt: number; toAt: number } {
  const at = (p: string) => {
    const [y, m] = assertPeriod(p).split('-').map(Number) as [number, number];
    return Date.UTC(y, m - 1, 1) - utcOffsetMinutes * 60_000;
  };
  return { fromAt: at(period), toAt: at(nextPeriod(period)) };
}

export function periodOf(at: number, utcOffsetMinutes: number): string {
  const d = new Date(at + utcOffsetMinutes * 60_000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** "2025-03-15 14:05" in local time `utcOffsetMinutes` east of UTC (Beijing: 480), for people. */
export function localTime(at: number, utcOffsetMinutes: number): string {
  return new Date(at + utcOffsetMinutes * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** 1234567 → "12,345.67": yuan with thousands separators, for printed pages. */
export function formatYuanGrouped(fen: Fen): string {
  const [whole, cents] = formatYuan(fen).split('.') as [string, string];
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

/** A posting's memo for people: an old English default contribution memo reads in Chinese. */
export const memoText = memoWords;
