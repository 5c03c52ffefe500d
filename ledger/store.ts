/**
 * The write path every ledger operation shares: one transaction that checks the client's
 * idempotency key, loads the fund, runs the operation and records its result. A retry with
 * the same key and body gets the first result back and writes nothing; the same key with
 * another body is a 409 (the client reused a key by mistake).
 *
 * Any number of processes may write: the repository's write transaction first locks its
 * scope (the fund, or the estate for a new fund; store/repositories/ledger.ts), so writers
 * of one fund take turns, a second writer of a key reads the first one's stored result, and
 * the chain head each one appends to is the latest.
 */
import type { LedgerReads, LedgerRepository, LedgerWriter } from '../store/repositories/ledger.ts';
import { canonicalJson, sha256Hex } from './canonical.ts';
import { LedgerError } from './errors.ts';
import type { Actor, Fund, LedgerConfig } from './types.ts';

export interface LedgerDeps {
  repository: LedgerRepository;
  clock: () => number;
  config: LedgerConfig;
  newId: () => string;
}

/** What an operation sees: the open write transaction, the fund, who acts, and when. */
export interface WriteContext {
  tx: LedgerWriter;
  fund: Fund;
  actor: Actor;
  at: number;
  config: LedgerConfig;
  newId: () => string;
}

const KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

export function assertIdempotencyKey(key: unknown): string {
  if (typeof key !== 'string' || !KEY.test(key))
    throw new LedgerError('INVALID_INPUT', 'idempotency key must be 8–128 characters of A–Z a–z 0–9 _ . : -');
  return key;
}

export async function loadFund(reads: LedgerReads, fundId: string): Promise<Fund> {
  const fund = await reads.fund(fundId);
  if (!fund) throw new LedgerError('NOT_FOUND', `fund ${fundId} not found`);
  return fund;
}

/** Runs `run` once per (scope, key); see the module comment. */
export async function idempotent<T>(
  deps: LedgerDeps,
  req: { scope: string; key: string; op: string; actor: Actor; body: unknown },
  run: (tx: LedgerWriter, at: number) => Promise<T>,
): Promise<T> {
  const key = assertIdempotencyKey(req.key);
  // Non-finite numbers are hashed as text so the operation itself gets to reject them with its own reason.
  const body = JSON.parse(
    JSON.stringify(req.body ?? null, (_k, v) =>
      typeof v === 'number' && !Number.isFinite(v) ? String(v) : v,
    ),
  );
  const requestHash = sha256Hex(canonicalJson({ actor: req.actor.username, body, op: req.op }));
  return deps.repository.write(req.scope, async (tx) => {
    const prior = await tx.idempotencyRecord(req.scope, key);
    if (prior) {
      if (prior.request_hash !== requestHash)
        throw new LedgerError(
          'IDEMPOTENCY_MISMATCH',
          `idempotency key ${key} was already used for another request`,
        );
      return JSON.parse(prior.result_json) as T;
    }
    const at = deps.clock();
    const result = await run(tx, at);
    await tx.saveIdempotency({
      scope: req.scope,
      key,
      op: req.op,
      request_hash: requestHash,
      result_json: JSON.stringify(result),
      created_at: at,
    });
    // Callers get what a replay would get, so the first answer and a retry are identical.
    return JSON.parse(JSON.stringify(result)) as T;
  });
}

export function requireText(value: unknown, what: string, max = 500): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    throw new LedgerError('INVALID_INPUT', `${what} must be 1–${max} characters`);
  return value.trim();
}

export function optionalText(value: unknown, what: string, max = 500): string | null {
  return value === undefined || value === null || value === '' ? null : requireText(value, what, max);
}
