/** The console's amount parsing: what a firm user types in yuan to the integer fen the ledger takes. */
import { describe, expect, it } from 'vitest';
import { fenToYuanText, MAX_FEN, parseHundredths, parseYuan } from '../../dashboard/src/money.ts';
import { MAX_FEN as LEDGER_MAX_FEN } from '../../ledger/money.ts';

describe('parseYuan', () => {
  it.each([
    ['1850', 185_000],
    ['1850.00', 185_000],
    ['1,850.5', 185_050],
    ['¥ 1850.05', 185_005],
    ['￥0.29', 29],
    ['0.01', 1],
    ['  12.3 ', 1230],
    ['1，000', 100_000],
    ['10000000000', MAX_FEN],
  ] as const)('%j → %d fen', (text, fen) => {
    expect(parseYuan(text)).toBe(fen);
  });

  it.each(['', '0', '0.00', '-5', '1.234', '1e3', 'abc', '12.', '.5', '10000000000.01', 'NaN'])(
    'refuses %j',
    (text) => {
      expect(parseYuan(text)).toBeNull();
    },
  );

  it('has the ledger’s ceiling', () => {
    expect(MAX_FEN).toBe(LEDGER_MAX_FEN);
  });
});

describe('parseHundredths', () => {
  it('reads areas in 1/100 m² and shares in basis points, with a cap', () => {
    expect(parseHundredths('30000')).toBe(3_000_000);
    expect(parseHundredths('50', 10_000)).toBe(5000);
    expect(parseHundredths('100', 10_000)).toBe(10_000);
    expect(parseHundredths('100.01', 10_000)).toBeNull();
  });
});

describe('fenToYuanText', () => {
  it.each([
    [185_000, '1850.00'],
    [5, '0.05'],
    [123_456, '1234.56'],
  ] as const)('%d → %s', (fen, text) => {
    expect(fenToYuanText(fen)).toBe(text);
    expect(parseYuan(text)).toBe(fen);
  });
});
