/**
 * The per-fund hash chain. Each ChainEntry's hash is SHA-256 of the canonical JSON of
 * { at, data, fund_id, kind, prev_hash, seq }, so an entry commits to its place (seq),
 * its content and everything before it (prev_hash). Seq starts at 1 after GENESIS.
 */
import type { Kysely } from 'kysely';
import { dialectOf } from '../store/dialect.ts';
import type { Database } from '../store/schema.ts';
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

export async function chainHead(db: Kysely<Database>, fundId: string): Promise<ChainHead> {
  const row = await db
    .selectFrom('ledger_chain')
    .select(['seq', 'hash'])
    .where('fund_id', '=', fundId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ?? EMPTY_HEAD;
}

/**
 * Call inside the write's transaction, so the entry and its rows commit together. The head
 * is read under a lock on the fund's row (PostgreSQL; SQLite's write transaction is already
 * exclusive), so two processes never append after the same head.
 */
export async function appendEntry(
  trx: Kysely<Database>,
  fundId: string,
  kind: ChainKind,
  at: number,
  data: unknown,
): Promise<ChainEntry> {
  if (dialectOf(trx) === 'postgres')
    await trx.selectFrom('ledger_funds').select('id').where('id', '=', fundId).forUpdate().execute();
  const head = await chainHead(trx, fundId);
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
  await trx
    .insertInto('ledger_chain')
    .values({
      fund_id: fundId,
      seq: entry.seq,
      kind,
      at,
      data_json: dataJson,
      prev_hash: entry.prev_hash,
      hash: entry.hash,
    })
    .execute();
  return entry;
}

/** Entries with seq in [fromSeq, toSeq], in order. */
export async function readChain(
  db: Kysely<Database>,
  fundId: string,
  range: { fromSeq?: number; toSeq?: number; fromAt?: number; toAt?: number } = {},
): Promise<ChainEntry[]> {
  let q = db.selectFrom('ledger_chain').selectAll().where('fund_id', '=', fundId);
  if (range.fromSeq !== undefined) q = q.where('seq', '>=', range.fromSeq);
  if (range.toSeq !== undefined) q = q.where('seq', '<=', range.toSeq);
  if (range.fromAt !== undefined) q = q.where('at', '>=', range.fromAt);
  if (range.toAt !== undefined) q = q.where('at', '<', range.toAt);
  const rows = await q.orderBy('seq').execute();
  return rows.map((r) => ({
    fund_id: r.fund_id,
    seq: r.seq,
    kind: r.kind,
    at: r.at,
    data: JSON.parse(r.data_json),
    prev_hash: r.prev_hash,
    hash: r.hash,
  }));
}
