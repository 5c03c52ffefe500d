/**
 * Verifies a JSON export read from a file, with no I/O. Nothing a reader sees may be
 * taken on the export's word: every field is a chain entry or recomputed from them.
 * - `entries` hash and link from genesis, or from `anchor` (only in a period export,
 *   and only if the anchor lies before the period and the entries start inside it);
 * - `head` is required and must be the last entry (a pinned head catches a cut tail);
 * - `fund` must be what the `fund_opened` entry recorded (`entries[0]`, or `genesis`);
 * - `postings` must equal the postings of the transaction entries (of the period);
 * - no other field is allowed.
 * The first failure found is returned, naming the entry or posting index, or the field.
 */
import { type ChainEntry, type ChainHead, EMPTY_HEAD, GENESIS_HASH } from './chain.ts';
import { EXPORT_FORMAT, fundOfGenesis, type LedgerExport } from './export.ts';
import { periodBounds } from './money.ts';
import type { PostingRow } from './queries.ts';
import type { Posting } from './types.ts';
import {
  malformedEntry,
  selfConsistent,
  type VerifyFailure,
  type VerifyResult,
  verifyChain,
} from './verify.ts';

const EXPORT_KEYS = ['format', 'fund', 'period', 'anchor', 'genesis', 'head', 'entries', 'postings'];
const FUND_KEYS = ['id', 'estateId', 'buildingId', 'propertyFirmId', 'name'] as const;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

const header = (field: string, reason: string, seq: number | null = null): VerifyFailure => ({
  ok: false,
  part: 'header',
  index: null,
  seq,
  field,
  reason,
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function exactKeys(v: Record<string, unknown>, keys: readonly string[]): string | null {
  const missing = keys.find((k) => !(k in v));
  if (missing) return `${missing} is missing`;
  const extra = Object.keys(v).find((k) => !keys.includes(k));
  return extra ? `${extra} is not part of the format (nothing binds it to the chain)` : null;
}

/** Every real UTC offset is a whole number of quarter hours between −12:00 and +14:00. */
function checkPeriod(p: unknown): VerifyFailure | null {
  if (p === null) return null;
  if (!isObject(p)) return header('period', 'period must be null or { from, to, utcOffsetMinutes }');
  const keys = exactKeys(p, ['from', 'to', 'utcOffsetMinutes']);
  if (keys) return header('period', `period: ${keys}`);
  for (const k of ['from', 'to'] as const)
    if (typeof p[k] !== 'string' || !PERIOD.test(p[k]))
      return header(`period.${k}`, `period.${k} must be YYYY-MM`);
  if ((p.from as string) > (p.to as string)) return header('period', 'period.from is after period.to');
  const off = p.utcOffsetMinutes;
  if (typeof off !== 'number' || !Number.isInteger(off) || off % 15 !== 0 || off < -720 || off > 840)
    return header(
      'period.utcOffsetMinutes',
      'period.utcOffsetMinutes is not a UTC offset (whole quarter hours)',
    );
  return null;
}

/** A whole entry standing outside `entries` (anchor, genesis): sound on its own. */
function checkLoneEntry(field: string, e: unknown, fundId: string | undefined): VerifyFailure | null {
  const bad = malformedEntry(e);
  if (bad) return header(field, `${field} is malformed: ${bad}`);
  const x = e as ChainEntry;
  if (!selfConsistent(x))
    return header(field, `${field}: hash does not match the entry content (edited)`, x.seq);
  if (fundId !== undefined && x.fund_id !== fundId)
    return header(field, `${field} belongs to fund ${x.fund_id}, not ${fundId}`, x.seq);
  return null;
}

function checkHead(head: unknown, entries: readonly ChainEntry[], actual: ChainHead): VerifyFailure | null {
  if (!isObject(head) || exactKeys(head, ['seq', 'hash']) !== null)
    return header(
      'head',
      'the head (SEQ:HASH of the last entry) is missing or malformed: a cut tail could not be told',
    );
  if (head.seq === actual.seq && head.hash === actual.hash) return null;
  const claimed = `${String(head.seq)}:${String(head.hash)}`;
  const fail = (index: number, reason: string): VerifyFailure => ({
    ok: false,
    part: 'entries',
    index,
    seq: entries[index]?.seq ?? actual.seq + 1,
    field: 'head',
    reason,
  });
  if (typeof head.seq === 'number' && head.seq > actual.seq)
    return fail(
      entries.length,
      `the export's head is ${claimed} but its entries end at seq ${actual.seq}: entries are missing at the end`,
    );
  if (head.seq === actual.seq)
    return fail(
      entries.length - 1,
      `the last entry is not the one the head ${claimed} names (the entry or the head was replaced)`,
    );
  const after = entries.findIndex((e) => typeof head.seq === 'number' && e.seq > head.seq);
  return fail(
    after < 0 ? entries.length : after,
    `the entries go on past the export's head ${claimed} (entries added, or the head edited)`,
  );
}

function checkFund(fund: unknown, genesis: ChainEntry): VerifyFailure | null {
  if (genesis.kind !== 'fund_opened' || genesis.seq !== 1 || genesis.prev_hash !== GENESIS_HASH)
    return header('genesis', 'the fund’s first entry (seq 1, fund_opened) is not there', genesis.seq);
  if (!isObject(genesis.data)) return header('genesis', 'fund_opened records no fund', 1);
  const recorded = fundOfGenesis(genesis);
  if (recorded.id !== genesis.fund_id) return header('genesis', 'fund_opened names another fund', 1);
  if (!isObject(fund)) return header('fund', 'fund is missing');
  const keys = exactKeys(fund, FUND_KEYS);
  if (keys) return header('fund', `fund: ${keys}`);
  for (const k of FUND_KEYS)
    if (fund[k] !== recorded[k])
      return header(
        `fund.${k}`,
        `fund.${k} is ${JSON.stringify(fund[k])} but the chain recorded ${JSON.stringify(recorded[k])} when the fund was opened`,
      );
  return null;
}

/** The rows listPostings() gives for these entries: transactions in seq order, postings in order. */
export function postingsOf(
  entries: readonly ChainEntry[],
  range: { fromAt?: number; toAt?: number },
): PostingRow[] {
  const rows: PostingRow[] = [];
  for (const e of entries) {
    if (e.kind !== 'transaction') continue;
    const t = e.data as Record<string, unknown>;
    const at = t.at as number;
    if ((range.fromAt !== undefined && at < range.fromAt) || (range.toAt !== undefined && at >= range.toAt))
      continue;
    for (const p of (Array.isArray(t.postings) ? t.postings : []) as Posting[])
      rows.push({
        seq: e.seq,
        at,
        transactionId: t.id as string,
        kind: t.kind as string,
        memo: t.memo as string,
        period: (t.period ?? null) as string | null,
        expenditureId: (t.expenditureId ?? null) as string | null,
        reversesId: (t.reversesId ?? null) as string | null,
        account: p.account,
        debitFen: p.debit,
        creditFen: p.credit,
        hash: e.hash,
      });
  }
  return rows;
}

function checkPostings(given: unknown, expected: PostingRow[]): VerifyFailure | null {
  if (!Array.isArray(given)) return header('postings', 'postings is missing');
  const fail = (index: number, field: string, reason: string): VerifyFailure => ({
    ok: false,
    part: 'postings',
    index,
    seq: expected[index]?.seq ?? null,
    field: `postings[${index}]${field}`,
    reason,
  });
  for (let i = 0; i < Math.max(given.length, expected.length); i++) {
    const want = expected[i];
    const got = given[i] as unknown;
    if (!want) return fail(i, '', 'posting that no transaction entry (of the period) contains');
    if (!isObject(got))
      return fail(i, '', `posting missing: the entries have ${want.transactionId} ${want.account} here`);
    if (got.seq !== want.seq || got.transactionId !== want.transactionId || got.account !== want.account)
      return fail(
        i,
        '',
        `expected the ${want.account} posting of entry seq ${want.seq} (transaction ${want.transactionId}) here: a posting was dropped, added or moved`,
      );
    const keys = exactKeys(got, Object.keys(want));
    if (keys) return fail(i, '', `posting: ${keys}`);
    for (const [k, v] of Object.entries(want))
      if (got[k] !== v)
        return fail(
          i,
          `.${k}`,
          `posting ${k} is ${JSON.stringify(got[k])} but the chain entry seq ${want.seq} says ${JSON.stringify(v)}`,
        );
  }
  return null;
}

export function verifyExport(data: unknown, pinned?: ChainHead): VerifyResult {
  if (!isObject(data) || !Array.isArray(data.entries))
    return header('entries', 'not a ledger export (no entries array)');
  if (data.format !== EXPORT_FORMAT)
    return header('format', `format must be ${EXPORT_FORMAT} (found ${JSON.stringify(data.format)})`);
  const keys = exactKeys(data, EXPORT_KEYS);
  if (keys)
    return keys.startsWith('head ')
      ? (checkHead(undefined, [], EMPTY_HEAD) as VerifyFailure)
      : header(keys.split(' ')[0] as string, keys);
  const x = data as unknown as LedgerExport;
  const periodBad = checkPeriod(x.period);
  if (periodBad) return periodBad;
  // An anchor starts the chain mid-way, which only a period export may do.
  if (x.period === null && x.anchor !== null)
    return header('anchor', 'an anchor (a start mid-chain) is allowed only in a period export');
  if (x.anchor === null && x.genesis !== null)
    return header('genesis', 'genesis is given only with an anchor; otherwise it is entries[0]');
  if (x.anchor !== null) {
    const bad =
      checkLoneEntry('anchor', x.anchor, undefined) ?? checkLoneEntry('genesis', x.genesis, x.anchor.fund_id);
    if (bad) return bad;
    if (x.anchor.seq === 1 && x.genesis?.hash !== x.anchor.hash)
      return header('genesis', 'genesis differs from the anchor, which is seq 1', 1);
  }
  const anchorHead = x.anchor ? { seq: x.anchor.seq, hash: x.anchor.hash } : EMPTY_HEAD;
  const result = verifyChain(x.entries, {
    anchor: anchorHead,
    ...(pinned ? { pinned } : {}),
    ...(x.anchor ? { fundId: x.anchor.fund_id } : {}),
  });
  if (!result.ok) return result;
  const headBad = checkHead(x.head, x.entries, result.head);
  if (headBad) return headBad;
  const genesis = x.genesis ?? x.entries[0];
  if (!genesis)
    return {
      ok: false,
      part: 'entries',
      index: 0,
      seq: 1,
      reason: 'no entries: a full export starts with the fund_opened entry',
    };
  const fundBad = checkFund(x.fund, genesis);
  if (fundBad) return fundBad;
  let range: { fromAt?: number; toAt?: number } = {};
  if (x.period) {
    const { from, to, utcOffsetMinutes: off } = x.period;
    range = { fromAt: periodBounds(from, off).fromAt, toAt: periodBounds(to, off).toAt };
    // The anchor must be the entry just before the period, so none of the period's entries is left out.
    if (x.anchor && x.anchor.at >= range.fromAt!)
      return header(
        'period',
        `the anchor (seq ${x.anchor.seq}) lies inside the period from ${from}: the period's first entries are missing, or the anchor or period was changed`,
        x.anchor.seq,
      );
    const first = x.entries[0];
    if (x.anchor && first && first.at < range.fromAt!)
      return header(
        'period',
        `the entries start (seq ${first.seq}) before the period from ${from}: the period does not match the anchor`,
        first.seq,
      );
  }
  const postingsBad = checkPostings(x.postings, postingsOf(x.entries, range));
  if (postingsBad) return postingsBad;
  return result;
}
