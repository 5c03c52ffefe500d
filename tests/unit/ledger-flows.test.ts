/**
 * Expenditure and contribution flows of the fund ledger against a real SQLite registry:
 * four eyes, self-approval, amount changes voiding approvals, owners' vote thresholds,
 * the emergency path (the vote still applies, the cited alert must be open or resolved
 * as a real fault, not a false alarm or cleared by itself; listed first), idempotency, and the CSV export's BOM and formula escaping.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildExport, csvCell, toCsv } from '../../ledger/export.ts';
import { createFundLedger, type FundLedger } from '../../ledger/ledger.ts';
import { evaluateVote } from '../../ledger/rules.ts';
import { monthlyStatement } from '../../ledger/statement.ts';
import type { Actor, VoteTally } from '../../ledger/types.ts';
import type { RegistryDb } from '../../store/db.ts';
import { storeOver } from '../../store/store.ts';
import { registryWithFleet, smallFleet } from '../helpers/fixtures.ts';
import { ACTORS, addAlert, addEstate, manualClock, sequentialIds } from '../helpers/ledger-fixtures.ts';

let db: RegistryDb;
let cleanup: () => Promise<void>;
let ledger: FundLedger;
let clock: ReturnType<typeof manualClock>;
let fundId: string;
let keyN = 0;
const key = () => `k-${String(++keyN).padStart(8, '0')}`;
const as = (actor: Actor, idempotencyKey = key()) => ({ fundId, actor, idempotencyKey });

async function rejects(p: Promise<unknown>, reason: string, statusCode?: number) {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${reason}`).toMatchObject({ reason, ...(statusCode ? { statusCode } : {}) });
}

beforeEach(async () => {
  ({ db, cleanup } = await registryWithFleet(smallFleet(2)));
  clock = manualClock();
  ledger = createFundLedger({
    repository: storeOver(db).ledger,
    clock: clock.now,
    newId: sequentialIds(),
    config: { voteThresholdFen: 1_000_000 },
  });
  const fund = await ledger.openFund(
    { actor: ACTORS.proposer, idempotencyKey: key() },
    { estateId: 'te', name: 'Fund' },
  );
  fundId = fund.id;
  await ledger.recordContribution(as(ACTORS.proposer), { period: '2025-03', amountFen: 5_000_000 });
});
afterEach(() => cleanup());

const proposal = {
  amountFen: 80_000,
  kind: 'repair' as const,
  purpose: 'Door lock',
  payee: 'MC Lifts',
  elevatorId: 't-e1',
};

describe('four eyes', () => {
  it('pays only after another firm manager and a committee member approve', async () => {
    const x = await ledger.propose(as(ACTORS.proposer), proposal);
    await rejects(ledger.pay(as(ACTORS.proposer), { expenditureId: x.id }), 'INVALID_STATE', 409);
    await ledger.decide(as(ACTORS.manager), { expenditureId: x.id, decision: 'approve' });
    await rejects(ledger.pay(as(ACTORS.proposer), { expenditureId: x.id }), 'INVALID_STATE');
    const approved = await ledger.decide(as(ACTORS.committee), {
      expenditureId: x.id,
      decision: 'approve',
      note: 'ok',
    });
    expect(approved.status).toBe('approved');
    const { transaction, expenditure } = await ledger.pay(as(ACTORS.proposer), { expenditureId: x.id });
    expect(expenditure.status).toBe('paid');
    expect(transaction.postings).toEqual([
      { account: 'expense:repair', debit: 80_000, credit: 0 },
      { account: 'cash', debit: 0, credit: 80_000 },
    ]);
    expect((await ledger.balance(fundId)).cashFen).toBe(5_000_000 - 80_000);
  });

  it('refuses self-approval, other tenants, technicians and admins', async () => {
    const x = await ledger.propose(as(ACTORS.proposer), proposal);
    await rejects(
      ledger.decide(as(ACTORS.proposer), { expenditureId: x.id, decision: 'approve' }),
      'SELF_APPROVAL',
      403,
    );
    await rejects(
      ledger.decide(as(ACTORS.otherFirm), { expenditureId: x.id, decision: 'approve' }),
      'NOT_AUTHORIZED',
    );
    await rejects(
      ledger.decide(as(ACTORS.otherCommittee), { expenditureId: x.id, decision: 'approve' }),
      'NOT_AUTHORIZED',
    );
    await rejects(
      ledger.decide(as(ACTORS.technician), { expenditureId: x.id, decision: 'approve' }),
      'NOT_AUTHORIZED',
    );
    await rejects(
      ledger.decide(as(ACTORS.admin), { expenditureId: x.id, decision: 'approve' }),
      'NOT_AUTHORIZED',
    );
    await rejects(ledger.propose(as(ACTORS.committee), proposal), 'NOT_AUTHORIZED');
    await rejects(
      ledger.recordContribution(as(ACTORS.technician), { period: '2025-03', amountFen: 1 }),
      'NOT_AUTHORIZED',
    );
  });

  it('a refusal with a note ends the proposal', async () => {
    const x = await ledger.propose(as(ACTORS.proposer), proposal);
    await rejects(
      ledger.decide(as(ACTORS.committee), { expenditureId: x.id, decision: 'refuse' }),
      'INVALID_INPUT',
    );
    const refused = await ledger.decide(as(ACTORS.committee), {
      expenditureId: x.id,
      decision: 'refuse',
      note: 'Too dear',
    });
    expect(refused.status).toBe('refused');
    await rejects(
      ledger.decide(as(ACTORS.manager), { expenditureId: x.id, decision: 'approve' }),
      'INVALID_STATE',
    );
  });

  it('changing the amount voids earlier approvals, and the amender cannot approve', async () => {
    const x = await ledger.propose(as(ACTORS.proposer), proposal);
    await ledger.decide(as(ACTORS.committee), { expenditureId: x.id, decision: 'approve' });
    const amended = await ledger.amendAmount(as(ACTORS.manager), {
      expenditureId: x.id,
      amountFen: 90_000,
      reason: 'new quote',
    });
    expect(amended.amountVersion).toBe(2);
    expect(amended.missing).toEqual(['firm_approval', 'committee_approval']);
    await rejects(
      ledger.decide(as(ACTORS.manager), { expenditureId: x.id, decision: 'approve' }),
      'SELF_APPROVAL',
    );
    await rejects(ledger.pay(as(ACTORS.proposer), { expenditureId: x.id }), 'INVALID_STATE');
  });
});

describe("owners' vote", () => {
  const tally = (over: Partial<VoteTally>): VoteTally => ({
    eligibleOwners: 300,
    eligibleAreaCentiM2: 3_000_000,
    participatingOwners: 200,
    participatingAreaCentiM2: 2_000_000,
    yesOwners: 101,
    yesAreaCentiM2: 1_000_001,
    ...over,
  });

  it.each([
    ['exactly ⅔ participation and a bare majority', {}, true],
    ['participation one owner short of ⅔', { participatingOwners: 199, yesOwners: 100 }, false],
    [
      'participation short of ⅔ of the area',
      { participatingAreaCentiM2: 1_999_999, yesAreaCentiM2: 1_000_000 },
      false,
    ],
    ['half of the participants is not a majority', { yesOwners: 100 }, false],
    ['half of the participating area is not a majority', { yesAreaCentiM2: 1_000_000 }, false],
  ])('%s', (_name, over, passed) => {
    expect(evaluateVote(tally(over)).passed).toBe(passed);
  });

  it('is required above the threshold and must pass on the current amount', async () => {
    const big = await ledger.propose(as(ACTORS.proposer), { ...proposal, amountFen: 1_000_001 });
    expect(big.voteRequired).toBe(true);
    await ledger.decide(as(ACTORS.manager), { expenditureId: big.id, decision: 'approve' });
    await ledger.decide(as(ACTORS.committee), { expenditureId: big.id, decision: 'approve' });
    const failed = await ledger.recordVote(as(ACTORS.committee), {
      expenditureId: big.id,
      tally: tally({ yesOwners: 50 }),
    });
    expect(failed.missing).toEqual(['owners_vote']);
    const passed = await ledger.recordVote(as(ACTORS.committee), { expenditureId: big.id, tally: tally({}) });
    expect(passed.status).toBe('approved');
    await rejects(
      ledger.recordVote(as(ACTORS.committee), { expenditureId: big.id, tally: tally({ yesOwners: 201 }) }),
      'INVALID_INPUT',
    );
    const atThreshold = await ledger.propose(as(ACTORS.proposer), { ...proposal, amountFen: 1_000_000 });
    expect(atThreshold.voteRequired).toBe(false);
  });
});

describe('emergency path', () => {
  const passingTally: VoteTally = {
    eligibleOwners: 300,
    eligibleAreaCentiM2: 3_000_000,
    participatingOwners: 240,
    participatingAreaCentiM2: 2_500_000,
    yesOwners: 200,
    yesAreaCentiM2: 2_000_000,
  };

  it('pays first on a critical alert and stays flagged until the committee ratifies', async () => {
    await addAlert(db, {
      id: 'al-minor',
      elevatorId: 't-e1',
      estateId: 'te',
      severity: 'minor',
      code: 'long_door_open',
    });
    await addAlert(db, { id: 'al-crit', elevatorId: 't-e1', estateId: 'te', severity: 'critical' });
    await rejects(
      ledger.propose(as(ACTORS.proposer), { ...proposal, emergencyAlertId: 'al-minor' }),
      'INVALID_INPUT',
    );
    const x = await ledger.propose(as(ACTORS.proposer), {
      ...proposal,
      amountFen: 900_000,
      emergencyAlertId: 'al-crit',
    });
    expect(x.links.alertIds).toContain('al-crit');
    const { expenditure } = await ledger.pay(as(ACTORS.proposer), { expenditureId: x.id });
    expect(expenditure.flags).toEqual(['awaiting_ratification']);
    clock.advance(8 * 86_400_000);
    expect((await ledger.expenditure(fundId, x.id)).flags).toEqual([
      'awaiting_ratification',
      'ratification_overdue',
    ]);
    await rejects(
      ledger.decide(as(ACTORS.manager), { expenditureId: x.id, decision: 'approve' }),
      'INVALID_STATE',
    );
    const ratified = await ledger.decide(as(ACTORS.committee), { expenditureId: x.id, decision: 'approve' });
    expect(ratified.flags).toEqual([]);
  });

  it('may skip the wait, not the owners’ vote: above the threshold it pays only once the vote passed', async () => {
    // ¥11,000 against a ¥10,000 threshold: the issue's ¥55,000 against ¥50,000, scaled.
    await addAlert(db, { id: 'al-trap', elevatorId: 't-e1', estateId: 'te', severity: 'critical' });
    const x = await ledger.propose(as(ACTORS.proposer), {
      ...proposal,
      amountFen: 1_100_000,
      emergencyAlertId: 'al-trap',
    });
    expect(x).toMatchObject({ voteRequired: true, missing: ['owners_vote'], status: 'proposed' });
    const refused = await ledger.pay(as(ACTORS.proposer), { expenditureId: x.id }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ reason: 'INVALID_STATE', statusCode: 409 });
    expect(String((refused as Error).message)).toMatch(/owners_vote.*only after the owners' vote passes/);
    expect((await ledger.balance(fundId)).cashFen).toBe(5_000_000);
    await ledger.recordVote(as(ACTORS.committee), { expenditureId: x.id, tally: passingTally });
    // The vote passed: no approvals are waited for, the committee ratifies afterwards.
    const { expenditure } = await ledger.pay(as(ACTORS.proposer), { expenditureId: x.id });
    expect(expenditure).toMatchObject({ status: 'paid', flags: ['awaiting_ratification'] });
  });

  it.each([
    [
      'resolved as a false alarm',
      { resolvedNote: 'sensor loose, nobody inside', resolution: 'false_alarm' as const },
      'EMERGENCY_ALERT_CLOSED',
      409,
      /was resolved as a false alarm at .*needs an alert that is still open or was resolved as a real fault/,
    ],
    [
      'that cleared by itself',
      { resolvedNote: '', resolution: 'auto_cleared' as const },
      'EMERGENCY_ALERT_CLOSED',
      409,
      /cleared by itself at .*conditions returned to normal/,
    ],
    [
      'resolved before outcomes were recorded, even with a note saying it was real',
      { resolvedNote: 'fixed the lock', resolution: null },
      'EMERGENCY_ALERT_CLOSED',
      409,
      /without saying whether it was a real fault/,
    ],
    ['of another estate', { estateId: 'other' }, 'INVALID_INPUT', 400, /not one/],
    ['not critical', { severity: 'major' }, 'INVALID_INPUT', 400, /needs a critical alert/],
  ])('refuses to cite an alert %s', async (_, override, reason, statusCode, message) => {
    await addEstate(db, 'other');
    await addAlert(db, { id: 'al-x', elevatorId: 't-e1', estateId: 'te', severity: 'critical', ...override });
    const refused = ledger.propose(as(ACTORS.proposer), { ...proposal, emergencyAlertId: 'al-x' });
    await rejects(refused, reason, statusCode);
    await expect(refused).rejects.toThrow(message);
    await rejects(
      ledger.propose(as(ACTORS.proposer), { ...proposal, emergencyAlertId: 'no-such-alert' }),
      'INVALID_INPUT',
      400,
    );
    expect(await ledger.expenditures(fundId)).toEqual([]);
  });

  it('accepts an alert resolved as a real fault and records what it was in the chain', async () => {
    // The lock was replaced on the spot; the bill comes after the alert is closed.
    await addAlert(db, {
      id: 'al-fixed',
      elevatorId: 't-e1',
      estateId: 'te',
      severity: 'critical',
      resolvedNote: 'door lock contact burnt, replaced',
      resolution: 'fault',
    });
    const x = await ledger.propose(as(ACTORS.proposer), { ...proposal, emergencyAlertId: 'al-fixed' });
    expect(x).toMatchObject({ status: 'proposed', links: { alertIds: ['al-fixed'] } });
    expect((await ledger.chain(fundId)).at(-1)!.data).toMatchObject({
      emergencyAlertId: 'al-fixed',
      emergencyAlert: {
        id: 'al-fixed',
        state: 'resolved',
        resolution: 'fault',
        resolvedAt: 1_700_000_600_000,
      },
    });
    const { expenditure } = await ledger.pay(as(ACTORS.proposer), { expenditureId: x.id });
    expect(expenditure).toMatchObject({ status: 'paid', flags: ['awaiting_ratification'] });
  });

  it('accepts an acknowledged alert, records it in the chain and lists the emergency first', async () => {
    await addAlert(db, {
      id: 'al-ack',
      elevatorId: 't-e1',
      estateId: 'te',
      severity: 'critical',
      acknowledged: true,
    });
    const normal = await ledger.propose(as(ACTORS.proposer), proposal);
    clock.advance(60_000);
    const sos = await ledger.propose(as(ACTORS.proposer), { ...proposal, emergencyAlertId: 'al-ack' });
    expect((await ledger.expenditures(fundId)).map((x) => x.id)).toEqual([sos.id, normal.id]);
    const entry = (await ledger.chain(fundId)).at(-1)!;
    expect(entry.data).toMatchObject({
      emergencyAlertId: 'al-ack',
      emergencyAlert: {
        id: 'al-ack',
        severity: 'critical',
        state: 'acknowledged',
        code: 'passenger_trapped',
      },
    });
    // Once ratified it is an ordinary paid expenditure again, listed in its place.
    await ledger.pay(as(ACTORS.proposer), { expenditureId: sos.id });
    await ledger.decide(as(ACTORS.committee), { expenditureId: sos.id, decision: 'approve' });
    expect((await ledger.expenditures(fundId)).map((x) => x.id)).toEqual([normal.id, sos.id]);
  });
});

describe('money and idempotency', () => {
  it('replays the first result for the same key and body; 409 for another body', async () => {
    const meta = as(ACTORS.proposer, 'replay-key-1');
    const first = await ledger.recordContribution(meta, { period: '2025-04', amountFen: 100 });
    const again = await ledger.recordContribution(meta, { period: '2025-04', amountFen: 100 });
    expect(again).toEqual(first);
    expect((await ledger.balance(fundId)).cashFen).toBe(5_000_100);
    await rejects(
      ledger.recordContribution(meta, { period: '2025-04', amountFen: 101 }),
      'IDEMPOTENCY_MISMATCH',
      409,
    );
    await rejects(
      ledger
        .recordContribution(meta, { period: '2025-04', amountFen: 100 })
        .then(() => ledger.reverse(meta, { transactionId: first.id, reason: 'x' })),
      'IDEMPOTENCY_MISMATCH',
      409,
    );
  });

  it('rejects non-integer, negative and unsafe amounts, and never lets cash go negative', async () => {
    for (const amountFen of [1.5, -1, 0, Number.NaN, 2 ** 60])
      await rejects(
        ledger.recordContribution(as(ACTORS.proposer), { period: '2025-04', amountFen }),
        'INVALID_AMOUNT',
        400,
      );
    const x = await ledger.propose(as(ACTORS.proposer), { ...proposal, amountFen: 900_000 });
    const contribution = await ledger.recordContribution(as(ACTORS.proposer), {
      period: '2025-05',
      amountFen: 10,
    });
    await ledger.decide(as(ACTORS.manager), { expenditureId: x.id, decision: 'approve' });
    await ledger.decide(as(ACTORS.committee), { expenditureId: x.id, decision: 'approve' });
    await ledger.pay(as(ACTORS.proposer), { expenditureId: x.id });
    const first = (await ledger.postings(fundId))[0]!;
    await rejects(
      ledger.reverse(as(ACTORS.proposer), { transactionId: first.transactionId, reason: 'typo' }),
      'INSUFFICIENT_FUNDS',
      409,
    );
    const rev = await ledger.reverse(as(ACTORS.proposer), { transactionId: contribution.id, reason: 'typo' });
    expect(rev.reversesId).toBe(contribution.id);
    await rejects(
      ledger.reverse(as(ACTORS.proposer), { transactionId: contribution.id, reason: 'again' }),
      'ALREADY_REVERSED',
      409,
    );
    await rejects(
      ledger.reverse(as(ACTORS.proposer), { transactionId: rev.id, reason: 'undo' }),
      'INVALID_STATE',
    );
  });

  it('shows expected vs actual contributions from the rule', async () => {
    // The seed case: 1.18 yuan/m²/month on 12,345.67 m², a quarter of it to the fund.
    await ledger.setContributionRule(as(ACTORS.proposer), {
      effectiveFrom: '2025-03',
      rateFenPerM2Month: 118,
      areaCentiM2: 1_234_567,
      shareBp: 2500,
    });
    const report = await ledger.contributions(fundId, '2025-02', '2025-04');
    expect(report).toEqual([
      { period: '2025-03', expectedFen: 364_197, actualFen: 5_000_000, differenceFen: 5_000_000 - 364_197 },
      { period: '2025-04', expectedFen: 364_197, actualFen: 0, differenceFen: -364_197 },
    ]);
  });
});

describe('CSV export', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+86 123', "'+86 123"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['plain, "quoted"', '"plain, ""quoted"""'],
    ['电梯维修', '电梯维修'],
  ])('escapes %s', (input, output) => {
    expect(csvCell(input)).toBe(output);
  });

  it('starts with a UTF-8 BOM, names the head and escapes memos', async () => {
    await ledger.recordOtherIncome(as(ACTORS.proposer), {
      source: 'interest',
      amountFen: 123,
      memo: '=HYPERLINK("x")',
    });
    const exp = await buildExport(storeOver(db).ledger, fundId, { utcOffsetMinutes: 480 });
    const csv = toCsv(exp);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv).toContain(`链头哈希,${exp.head.hash}`);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).not.toMatch(/,=HYPERLINK/);
  });

  it('prints a monthly statement with the head hash, escaping what users typed', async () => {
    const x = await ledger.propose(as(ACTORS.proposer), {
      ...proposal,
      purpose: '<script>alert(1)</script>',
    });
    await ledger.decide(as(ACTORS.manager), { expenditureId: x.id, decision: 'approve' });
    await ledger.decide(as(ACTORS.committee), { expenditureId: x.id, decision: 'approve' });
    await ledger.pay(as(ACTORS.proposer), { expenditureId: x.id });
    const head = await ledger.head(fundId);
    const html = await monthlyStatement(storeOver(db).ledger, fundId, '2025-03', ledger.config, clock.now());
    expect(html).toContain(`${head.seq}:${head.hash}`);
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('¥50,000.00');
    expect(html).toContain('¥49,200.00');
  });
});
