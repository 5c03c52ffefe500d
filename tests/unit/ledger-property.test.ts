/**
 * Property test of the fund ledger against the run's real store (a SQLite file, or PostgreSQL): seeded random sequences
 * of contributions, income, proposals, approvals, amendments, votes, payments, reversals,
 * replays and key reuse. After every step debits equal credits (overall and per
 * transaction), no account is negative, cash matches an independent model, and a replayed
 * idempotency key changes nothing. fast-check prints the seed and path of a failure;
 * pass them back as { seed, path } to replay it exactly.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isDebitNormal } from '../../ledger/accounts.ts';
import { LedgerError } from '../../ledger/errors.ts';
import { createFundLedger, type FundLedger, type WriteMeta } from '../../ledger/ledger.ts';
import { type Actor, EXPENSE_KINDS } from '../../ledger/types.ts';
import type { RegistryDb } from '../../store/db.ts';
import { storeOver } from '../../store/store.ts';
import { registryWithFleet, smallFleet } from '../helpers/fixtures.ts';
import { addEstate, manualClock, sequentialIds } from '../helpers/ledger-fixtures.ts';
import { TEST_STORE } from '../helpers/postgres.ts';

// Each step is a few round trips to a server on PostgreSQL: there the run checks the same
// properties over fewer sequences (the SQLite run is the wide search, PostgreSQL's the
// dialect's check), within the same time bound.
const NUM_RUNS = TEST_STORE === 'postgres' ? 150 : 1500;
const MAX_STEPS = 24;

let db: RegistryDb;
let cleanup: () => Promise<void>;
let runNo = 0;

beforeAll(async () => {
  ({ db, cleanup } = await registryWithFleet(smallFleet(1)));
});
afterAll(() => cleanup());

const amount = fc.integer({ min: 1, max: 400_000 });
// Mostly the latest items, so approvals, payments and reversals meet the same expenditure.
const pick = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat({ max: 8 }) });
const command = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('contribute' as const), amount, month: fc.nat({ max: 11 }) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('income' as const), amount }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('propose' as const),
      // Mostly affordable; sometimes above the vote threshold (1,000,000 fen).
      amount: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 1, max: 300_000 }) },
        { weight: 1, arbitrary: fc.integer({ min: 900_000, max: 1_500_000 }) },
      ),
      kind: fc.nat({ max: 4 }),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('decide' as const),
      which: pick,
      who: fc.constantFrom('proposer', 'manager', 'manager', 'committee', 'committee'),
      approve: fc.constantFrom(true, true, true, true, true, true, true, false),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('amend' as const), which: pick, amount }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('vote' as const),
      which: pick,
      yes: fc.integer({ min: 0, max: 10 }),
    }),
  },
  // The happy path in one step (both sides approve, the owners vote yes), so payments are common.
  { weight: 3, arbitrary: fc.record({ t: fc.constant('approveAll' as const), which: pick }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('pay' as const), which: pick }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reverse' as const), which: pick }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('replay' as const), which: pick }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reuseKey' as const), which: pick }) },
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

interface Done {
  call: (meta: WriteMeta, input: never) => Promise<unknown>;
  meta: WriteMeta;
  input: unknown;
  result: unknown;
}

async function checkInvariants(fundId: string, modelCash: number) {
  const totals = await db
    .selectFrom('ledger_postings')
    .select([
      sql<number>`coalesce(sum(debit_fen), 0)`.as('d'),
      sql<number>`coalesce(sum(credit_fen), 0)`.as('c'),
    ])
    .where('fund_id', '=', fundId)
    .executeTakeFirstOrThrow();
  expect(totals.d).toBe(totals.c);
  const unbalanced = await db
    .selectFrom('ledger_postings')
    .select('transaction_id')
    .where('fund_id', '=', fundId)
    .groupBy('transaction_id')
    .having(sql<boolean>`sum(debit_fen) != sum(credit_fen)`)
    .execute();
  expect(unbalanced).toEqual([]);
  const rows = await db
    .selectFrom('ledger_postings')
    .select(['account', sql<number>`sum(debit_fen) - sum(credit_fen)`.as('net')])
    .where('fund_id', '=', fundId)
    .groupBy('account')
    .execute();
  for (const r of rows)
    expect(isDebitNormal(r.account) ? r.net : -r.net, r.account).toBeGreaterThanOrEqual(0);
  expect(rows.find((r) => r.account === 'cash')?.net ?? 0).toBe(modelCash);
}

async function runSequence(commands: Command[]) {
  const run = ++runNo;
  const estateId = `prop-${run}`;
  await addEstate(db, estateId);
  const clock = manualClock();
  const ledger: FundLedger = createFundLedger({
    repository: storeOver(db).ledger,
    clock: clock.now,
    newId: sequentialIds(`r${run}`),
    config: { voteThresholdFen: 1_000_000 },
  });
  const actors: Record<'proposer' | 'manager' | 'committee', Actor> = {
    proposer: { username: 'pm-a', role: 'property_manager', propertyFirmId: 'pf', estateId: null },
    manager: { username: 'pm-b', role: 'property_manager', propertyFirmId: 'pf', estateId: null },
    committee: { username: 'cm-c', role: 'committee_member', propertyFirmId: null, estateId },
  };
  const fund = await ledger.openFund(
    { actor: actors.proposer, idempotencyKey: `open-fund-${run}` },
    { estateId, name: 'F' },
  );
  let keyNo = 0;
  const meta = (actor: Actor): WriteMeta => ({
    fundId: fund.id,
    actor,
    idempotencyKey: `step-${++keyNo}-key`,
  });
  const done: Done[] = [];
  const expenditures: { id: string; amount: number }[] = [];
  const transactions: { id: string; cashDelta: number }[] = [];
  let cash = 0;

  /** Runs a write; domain refusals are fine, anything else fails the property. */
  async function attempt<I, R>(
    call: (m: WriteMeta, i: I) => Promise<R>,
    m: WriteMeta,
    input: I,
  ): Promise<R | null> {
    try {
      const result = await call(m, input);
      done.push({ call: call as Done['call'], meta: m, input, result });
      return result;
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      return null;
    }
  }
  const nth = <T>(list: T[], i: number) =>
    list.length ? list[list.length - 1 - (i % list.length)] : undefined;

  for (const c of commands) {
    clock.advance(3_600_000);
    switch (c.t) {
      case 'contribute':
      case 'income': {
        const tx =
          c.t === 'contribute'
            ? await attempt(ledger.recordContribution, meta(actors.proposer), {
                period: `2025-${String(c.month + 1).padStart(2, '0')}`,
                amountFen: c.amount,
              })
            : await attempt(ledger.recordOtherIncome, meta(actors.proposer), {
                source: 'interest' as const,
                amountFen: c.amount,
                memo: 'i',
              });
        expect(tx).not.toBeNull();
        transactions.push({ id: tx!.id, cashDelta: c.amount });
        cash += c.amount;
        break;
      }
      case 'propose': {
        const x = await attempt(ledger.propose, meta(actors.proposer), {
          amountFen: c.amount,
          kind: EXPENSE_KINDS[c.kind]!,
          purpose: 'p',
          payee: 'q',
        });
        expenditures.push({ id: x!.id, amount: c.amount });
        break;
      }
      case 'decide': {
        const x = nth(expenditures, c.which);
        if (!x) break;
        const r = await attempt(ledger.decide, meta(actors[c.who]), {
          expenditureId: x.id,
          decision: c.approve ? 'approve' : 'refuse',
          note: 'n',
        });
        if (c.who === 'proposer') expect(r).toBeNull();
        break;
      }
      case 'amend': {
        const x = nth(expenditures, c.which);
        if (!x) break;
        // The proposer amends, which leaves the other manager free to approve the new amount.
        if (
          await attempt(ledger.amendAmount, meta(actors.proposer), {
            expenditureId: x.id,
            amountFen: c.amount,
            reason: 'r',
          })
        )
          x.amount = c.amount;
        break;
      }
      case 'vote': {
        const x = nth(expenditures, c.which);
        if (!x) break;
        const tally = {
          eligibleOwners: 10,
          eligibleAreaCentiM2: 1000,
          participatingOwners: 10,
          participatingAreaCentiM2: 1000,
          yesOwners: c.yes,
          yesAreaCentiM2: c.yes * 100,
        };
        await attempt(ledger.recordVote, meta(actors.committee), { expenditureId: x.id, tally });
        break;
      }
      case 'approveAll': {
        const x = nth(expenditures, c.which);
        if (!x) break;
        const target = { expenditureId: x.id, decision: 'approve' as const };
        await attempt(ledger.decide, meta(actors.manager), target);
        await attempt(ledger.decide, meta(actors.committee), target);
        const tally = {
          eligibleOwners: 3,
          eligibleAreaCentiM2: 300,
          participatingOwners: 3,
          participatingAreaCentiM2: 300,
          yesOwners: 2,
          yesAreaCentiM2: 200,
        };
        if (x.amount > 1_000_000)
          await attempt(ledger.recordVote, meta(actors.committee), { expenditureId: x.id, tally });
        break;
      }
      case 'pay': {
        const x = nth(expenditures, c.which);
        if (!x) break;
        const before = cash;
        const r = await attempt(ledger.pay, meta(actors.proposer), { expenditureId: x.id });
        if (r) {
          expect(before).toBeGreaterThanOrEqual(x.amount);
          transactions.push({ id: r.transaction.id, cashDelta: -x.amount });
          cash -= x.amount;
        }
        break;
      }
      case 'reverse': {
        const tx = nth(transactions, c.which);
        if (!tx) break;
        const r = await attempt(ledger.reverse, meta(actors.proposer), { transactionId: tx.id, reason: 'r' });
        if (r) {
          cash -= tx.cashDelta;
          transactions.splice(transactions.indexOf(tx), 1);
        }
        break;
      }
      case 'replay':
      case 'reuseKey': {
        const prior = nth(done, c.which);
        if (!prior) break;
        const head = await ledger.head(fund.id);
        if (c.t === 'replay')
          expect(await prior.call(prior.meta, prior.input as never)).toEqual(prior.result);
        else
          await expect(
            prior.call(prior.meta, { ...(prior.input as object), changed: true } as never),
          ).rejects.toMatchObject({
            reason: 'IDEMPOTENCY_MISMATCH',
          });
        expect(await ledger.head(fund.id)).toEqual(head);
        break;
      }
    }
    await checkInvariants(fund.id, cash);
  }
  expect((await ledger.verify(fund.id)).ok).toBe(true);
}

it(`keeps the books balanced over ${NUM_RUNS} random sequences`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: MAX_STEPS, size: 'max' }), runSequence),
    {
      numRuns: NUM_RUNS,
      seed: Number(process.env.LEDGER_SEED ?? Date.now() % 2 ** 31),
    },
  );
}, 120_000);
