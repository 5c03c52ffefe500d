/**
 * Amounts as people type them ("1850", "1,850.5", "¥1850.00") to the integers the ledger
 * stores (fen, 1/100 m², basis points), by string arithmetic: a float would turn 0.29
 * yuan into 28.999… fen. No DOM here, so the unit tests import it directly.
 */

/** The ledger's ceiling (ledger/money.ts MAX_FEN): 10 billion yuan. */
export const MAX_FEN = 1_000_000_000_000;

const DECIMAL = /^(\d{1,11})(?:\.(\d{1,2}))?$/;

/** "12.5" → 1250: a positive quantity with at most two decimals, in hundredths; else null. */
export function parseHundredths(text: string, max = MAX_FEN): number | null {
  const match = DECIMAL.exec(text.trim().replace(/[,，\s]/g, ''));
  if (!match) return null;
  const value = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return value > 0 && value <= max ? value : null;
}

/** Fen for a typed amount in yuan (a leading ¥ is allowed), or null. */
export function parseYuan(text: string): number | null {
  return parseHundredths(text.trim().replace(/^[¥￥]/, ''));
}

/** 185000 → "1850.00", for a form field holding an amount already in the ledger. */
export function fenToYuanText(fen: number): string {
  return `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
