/**
 * The per-fund hash chain. Each ChainEntry's hash is SHA-256 of the canonical JSON of
 * { at, data, fund_id, kind, prev_hash, seq }, so an entry commits to its place (seq),
 * its content and everything before it (prev_hash). Seq starts at 1 after GENESIS.
 */
import type { ChainRange, LedgerReads, LedgerWriter } from '../store/repositories/ledger.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';

export const GENESIS_HASH = '0'.repeat(64);

export type ChainKind =
  | 'fund_opened'
  | 'contribution_rule'
  | 'transaction'
  | 'expenditure_proposed'
  | 'expenditure_amended'
  | 'approval'
  | 'vote'
  | 'attachment';

export interface ChainEntry {
  fund_id: string;
  seq: number;
  kind: string;
  at: number;
  data: unknown;
  prev_hash: string;
  hash: string;
}

/** Seq and hash of the last entry: printed on the QR page and in every export. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

export function hashEntry(e: Omit<ChainEntry, 'hash'>): string {
  return sha256Hex(
    canonicalJson({
      at: e.at,
      data: e.data,
      fund_id: e.fund_id,
      kind: e.kind,
      prev_hash: e.prev_hash,
      seq: e.seq,
    }),
  );
}

export async function chainHead(reads: LedgerReads, fundId: string): Promise<ChainHead> {
  return (await reads.chainHead(fundId)) ?? EMPTY_HEAD;
}

/**
 * Call inside the write's transaction, so the entry and its rows commit together. The head
 * is read under the fund's lock (store/repositories/ledger.ts), so two processes never
 * append after the same head.
 */
export async function appendEntry(
  tx: LedgerWriter,
  fundId: string,
  kind: ChainKind,
  at: number,
  data: unknown,
): Promise<ChainEntry> {
  const head = (await tx.chainHeadForAppend(fundId)) ?? EMPTY_HEAD;
  // Round-trip through canonical JSON so the stored data is exactly what was hashed.
  const dataJson = canonicalJson(data);
  const body = {
    fund_id: fundId,
    seq: head.seq + 1,
    kind,
    at,
    data: JSON.parse(dataJson),
    prev_hash: head.hash,
  };
  const entry: ChainEntry = { ...body, hash: hashEntry(body) };
  await tx.insertChainEntry({
    fund_id: fundId,
    seq: entry.seq,
    kind,
    at,
    data_json: dataJson,
    prev_hash: entry.prev_hash,
    hash: entry.hash,
  });
  return entry;
}

/** Entries with seq in [fromSeq, toSeq], in order. */
export function readChain(reads: LedgerReads, fundId: string, range: ChainRange = {}): Promise<ChainEntry[]> {
  return reads.chain(fundId, range);
}
