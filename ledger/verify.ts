/**
 * Verifies a run of ChainEntries, from an export or the database, with no I/O, and names
 * the first bad index:
 * - an edited entry no longer hashes to its own `hash` (caught at that entry);
 * - a deleted, moved or copied entry breaks the expected seq (caught where it happens);
 * - a forged entry with a recomputed hash still breaks the link to its neighbour; the
 *   entries around the break tell which side is foreign (an inserted entry is skipped
 *   over by its successor; a replaced one is not what its successor committed to).
 * Truncation, or a tail rewritten end to end, is only visible against a head pinned
 * elsewhere: the seq:hash printed on a notice or shown on the QR page.
 * What an export carries around the entries (header, postings) is checked in export-verify.ts.
 */
import { type ChainEntry, type ChainHead, EMPTY_HEAD, hashEntry } from './chain.ts';

/** Where a failure is: an entry, a posting (the export's derived view), or a header field. */
export type VerifyPart = 'entries' | 'postings' | 'header';

export type VerifyFailure = {
  ok: false;
  part: VerifyPart;
  /** Index in `entries` or `postings`; null for a header field. */
  index: number | null;
  seq: number | null;
  /** The field at fault, e.g. `fund.name`, `anchor`, `head`, `postings[3].debitFen`. */
  field?: string;
  reason: string;
};

export type VerifyResult =
  | {
      ok: true;
      count: number;
      head: ChainHead;
      /** False: nothing recorded elsewhere was compared, so a cut tail cannot be seen. */
      pinned: boolean;
    }
  | VerifyFailure;

export interface VerifyOptions {
  /** The entry before the first one given; genesis for a full export. */
  anchor?: ChainHead;
  /** A head recorded independently; the entries must reach it and agree with it. */
  pinned?: ChainHead;
  /** The fund the entries must belong to (the anchor's); else the first entry's. */
  fundId?: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const ENTRY_KEYS = ['at', 'data', 'fund_id', 'hash', 'kind', 'prev_hash', 'seq'];

export function malformedEntry(e: unknown): string | null {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return 'not an object';
  const x = e as Record<string, unknown>;
  if (typeof x.fund_id !== 'string') return 'fund_id missing';
  if (typeof x.seq !== 'number' || !Number.isSafeInteger(x.seq)) return 'seq missing';
  if (typeof x.kind !== 'string') return 'kind missing';
  if (typeof x.at !== 'number') return 'at missing';
  if (!('data' in x)) return 'data missing';
  if (typeof x.prev_hash !== 'string' || !HEX64.test(x.prev_hash)) return 'prev_hash malformed';
  if (typeof x.hash !== 'string' || !HEX64.test(x.hash)) return 'hash malformed';
  const extra = Object.keys(x).find((k) => !ENTRY_KEYS.includes(k));
  if (extra) return `unknown field ${extra}`;
  return null;
}

export function selfConsistent(e: ChainEntry): boolean {
  try {
    return hashEntry(e) === e.hash;
  } catch {
    return false;
  }
}

function linksTo(e: ChainEntry, prev: ChainHead): boolean {
  return e.seq === prev.seq + 1 && e.prev_hash === prev.hash;
}

/**
 * `SEQ:HASH`, or what the QR page shows (`#SEQ HASH16`): at least the first 16 hex digits
 * of the hash (64 bits: no one forges a chain to match them).
 */
export function parsePinnedHead(text: string): ChainHead | null {
  const m = /^#?(\d+)[:\s]\s*([0-9a-f]{16,64})$/.exec(text.trim().toLowerCase());
  return m ? { seq: Number(m[1]), hash: m[2] as string } : null;
}

/** A pin may be the QR page's prefix of the hash. */
export function matchesPin(hash: string, pinned: ChainHead): boolean {
  return pinned.hash.length >= 16 && hash.startsWith(pinned.hash);
}

export function entryFailure(index: number, seq: number | null, reason: string): VerifyFailure {
  return { ok: false, part: 'entries', index, seq, reason };
}

/** Entry k is sound on its own but does not follow entry k-1: which one is foreign? */
function blameBreak(
  entries: readonly ChainEntry[],
  k: number,
  before: ChainHead,
  prev: ChainHead,
): VerifyFailure {
  const e = entries[k] as ChainEntry;
  const at = (index: number, reason: string) => entryFailure(index, entries[index]?.seq ?? null, reason);
  if (k >= 1 && linksTo(e, before) && e.hash !== prev.hash)
    return at(k - 1, 'entry is not part of the chain (inserted): the next entry links past it');
  if (e.seq === prev.seq + 1) {
    const next = entries[k + 1];
    if (k === 0 || (next && !linksTo(next, { seq: e.seq, hash: e.hash })))
      return at(k, 'prev_hash does not match the previous entry (entry replaced)');
    return at(k - 1, 'entry was replaced: the next entry committed to a different hash');
  }
  return at(k, `expected seq ${prev.seq + 1}, found ${e.seq} (entry deleted, inserted or moved)`);
}

export function verifyChain(entries: readonly unknown[], options: VerifyOptions = {}): VerifyResult {
  const anchor = options.anchor ?? EMPTY_HEAD;
  const pinned = options.pinned;
  let before = anchor;
  let prev = anchor;
  let fundId: string | null = options.fundId ?? null;
  for (let index = 0; index < entries.length; index++) {
    const bad = malformedEntry(entries[index]);
    if (bad) return entryFailure(index, null, `entry is malformed: ${bad}`);
    const e = entries[index] as ChainEntry;
    const fail = (reason: string) => entryFailure(index, e.seq, reason);
    if (!selfConsistent(e)) return fail('hash does not match the entry content (entry edited)');
    fundId ??= e.fund_id;
    if (e.fund_id !== fundId) return fail(`entry belongs to fund ${e.fund_id}, not ${fundId}`);
    if (!linksTo(e, prev)) return blameBreak(entries as ChainEntry[], index, before, prev);
    if (pinned && e.seq === pinned.seq && !matchesPin(e.hash, pinned))
      return fail(`hash differs from the pinned head ${pinned.seq}:${pinned.hash}`);
    before = prev;
    prev = { seq: e.seq, hash: e.hash };
  }
  if (pinned && pinned.seq > prev.seq)
    return entryFailure(
      entries.length,
      prev.seq + 1,
      `truncated: entries end at seq ${prev.seq}, the pinned head is seq ${pinned.seq}`,
    );
  if (pinned && pinned.seq === anchor.seq && !matchesPin(anchor.hash, pinned))
    return {
      ok: false,
      part: 'header',
      index: null,
      seq: anchor.seq,
      field: 'anchor',
      reason: 'anchor differs from the pinned head',
    };
  if (pinned && pinned.seq < anchor.seq)
    return {
      ok: false,
      part: 'header',
      index: null,
      seq: anchor.seq,
      field: 'anchor',
      reason: `the pinned head (seq ${pinned.seq}) is before the first entry given (seq ${anchor.seq + 1}): it cannot be checked here`,
    };
  return { ok: true, count: entries.length, head: prev, pinned: pinned !== undefined };
}
