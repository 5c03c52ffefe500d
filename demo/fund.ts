/**
 * The demo's maintenance fund for estate lianhua, written through the ledger's own
 * operations (ledger/ledger.ts) by the demo's people as they would through the console:
 * duty-anju opens it, sets the contribution rule and records six months of contributions;
 * proposes the repair after the trapped passenger (linked to that alert and the verified
 * visit that followed, with the quote and the paid invoice); manager-anju and
 * committee-lianhua approve (four eyes); duty-anju records the payment. A second proposal,
 * the door operator the health screen flags, waits for the committee.
 */
import { createFundLedger } from '../ledger/ledger.ts';
import type { Actor } from '../ledger/types.ts';
import type { Store } from '../store/store.ts';

const DAY_MS = 86_400_000;

const duty: Actor = {
  username: 'duty-anju',
  role: 'property_manager',
  propertyFirmId: 'anju-pm',
  estateId: null,
};
const manager: Actor = { ...duty, username: 'manager-anju' };
const committee: Actor = {
  username: 'committee-lianhua',
  role: 'committee_member',
  propertyFirmId: null,
  estateId: 'lianhua',
};

export interface FundSeedLinks {
  /** The resolved trapped-passenger alert the repair answers. */
  alertIds: string[];
  /** The verified visit after the repair. */
  visitIds: string[];
  /** The lift whose door the health screen flags (the pending proposal). */
  degradingElevator: string | null;
}

/** `YYYY-MM` of the local month `monthsAgo` before `now`'s. */
function period(now: number, monthsAgo: number): string {
  const d = new Date(now + 8 * 3_600_000);
  const m = d.getUTCFullYear() * 12 + d.getUTCMonth() - monthsAgo;
  return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
}

export async function seedDemoFund(store: Store, now: number, links: FundSeedLinks): Promise<string> {
  // Back-dated, oldest first: the chain's times only move forward.
  let at = now - 40 * DAY_MS;
  const ledger = createFundLedger({ repository: store.ledger, clock: () => at });
  // Keys are fixed: a second run of the seed replays them and changes nothing.
  const key = (name: string) => `demo-seed-${name}`;
  const fund = await ledger.openFund(
    { actor: duty, idempotencyKey: key('open') },
    { estateId: 'lianhua', name: '莲花花园电梯专项维修基金' },
  );
  const meta = (actor: Actor, name: string) => ({ fundId: fund.id, actor, idempotencyKey: key(name) });
  await ledger.setContributionRule(meta(duty, 'rule'), {
    effectiveFrom: period(now, 6),
    rateFenPerM2Month: 118,
    areaCentiM2: 2_400_000,
    shareBp: 5000,
  });
  // 24,000 m² × ¥1.18 × 50 % = ¥14,160 a month; one month short paid.
  for (let m = 6; m >= 1; m--) {
    at += DAY_MS;
    await ledger.recordContribution(meta(duty, `contribution-${m}`), {
      period: period(now, m),
      amountFen: m === 3 ? 900_000 : 1_416_000,
    });
  }
  at = now - 11 * DAY_MS;
  const repair = await ledger.propose(meta(duty, 'repair'), {
    amountFen: 386_000,
    kind: 'repair',
    purpose: '3栋1号梯困人故障后更换制动器闸瓦并调整间隙',
    payee: '华夏电梯维保有限公司',
    elevatorId: 'lianhua-b3-e1',
    alertIds: links.alertIds,
    visitIds: links.visitIds,
    workOrder: 'WO-LH-0312',
  });
  const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n`);
  await ledger.attach(meta(duty, 'repair-quote'), {
    expenditureId: repair.id,
    kind: 'quote',
    filename: 'quote-WO-LH-0312.pdf',
    mediaType: 'application/pdf',
    content: pdf('quote WO-LH-0312'),
  });
  at += DAY_MS;
  await ledger.decide(meta(manager, 'repair-firm'), {
    expenditureId: repair.id,
    decision: 'approve',
    note: '报价与工单一致',
  });
  at += DAY_MS;
  await ledger.decide(meta(committee, 'repair-committee'), {
    expenditureId: repair.id,
    decision: 'approve',
    note: '同意，请保留旧件备查',
  });
  at += 2 * DAY_MS;
  await ledger.attach(meta(duty, 'repair-invoice'), {
    expenditureId: repair.id,
    kind: 'invoice',
    filename: 'invoice-WO-LH-0312.pdf',
    mediaType: 'application/pdf',
    content: pdf('invoice WO-LH-0312'),
  });
  await ledger.pay(meta(duty, 'repair-pay'), { expenditureId: repair.id, memo: '银行转账 回单号 8830217' });
  if (links.degradingElevator) {
    at = now - DAY_MS;
    const door = await ledger.propose(meta(duty, 'door'), {
      amountFen: 1_250_000,
      kind: 'parts',
      purpose: '门机关门变慢（按需维保提示），更换门机电机与皮带',
      payee: '华夏电梯维保有限公司',
      elevatorId: links.degradingElevator,
      workOrder: 'WO-LH-0330',
    });
    await ledger.decide(meta(manager, 'door-firm'), { expenditureId: door.id, decision: 'approve' });
  }
  return fund.id;
}
