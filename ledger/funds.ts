/** Opening a fund and setting its contribution rule: the two writes that are not money. */
import type { LedgerWriter } from '../store/repositories/ledger.ts';
import { requireOperator } from './authority.ts';
import { appendEntry } from './chain.ts';
import { LedgerError } from './errors.ts';
import { assertCount, assertFen, assertPeriod } from './money.ts';
import { requireText, type WriteContext } from './store.ts';
import type { Actor, ContributionRule, Fund } from './types.ts';

export interface OpenFundInput {
  estateId: string;
  buildingId?: string | null;
  name: string;
}

export async function openFund(
  tx: LedgerWriter,
  actor: Actor,
  at: number,
  newId: () => string,
  input: OpenFundInput,
): Promise<Fund> {
  const estate = await tx.estate(input.estateId);
  if (!estate) throw new LedgerError('NOT_FOUND', `estate ${input.estateId} not found`);
  const buildingId = input.buildingId ?? null;
  if (buildingId) {
    if ((await tx.buildingEstate(buildingId)) !== estate.id)
      throw new LedgerError('INVALID_INPUT', 'the building is not in this estate');
  }
  const fund: Fund = {
    id: newId(),
    estateId: estate.id,
    buildingId,
    propertyFirmId: estate.propertyFirmId,
    name: requireText(input.name, 'name', 200),
  };
  requireOperator(actor, fund);
  if (await tx.fundExists(fund.estateId, buildingId))
    throw new LedgerError('DUPLICATE', 'this estate (or building) already has a fund');
  await tx.insertFund({
    id: fund.id,
    estateId: fund.estateId,
    buildingId,
    name: fund.name,
    at,
    by: actor.username,
  });
  await appendEntry(tx, fund.id, 'fund_opened', at, { ...fund, openedBy: actor.username });
  return fund;
}

export interface ContributionRuleInput {
  effectiveFrom: string;
  rateFenPerM2Month: number;
  areaCentiM2: number;
  shareBp: number;
}

export async function setContributionRule(
  ctx: WriteContext,
  input: ContributionRuleInput,
): Promise<ContributionRule> {
  requireOperator(ctx.actor, ctx.fund);
  const shareBp = assertCount(input.shareBp, 'shareBp', 1);
  if (shareBp > 10_000) throw new LedgerError('INVALID_INPUT', 'shareBp is at most 10000 (all of the fee)');
  const rule: ContributionRule = {
    id: ctx.newId(),
    fundId: ctx.fund.id,
    effectiveFrom: assertPeriod(input.effectiveFrom),
    rateFenPerM2Month: assertFen(input.rateFenPerM2Month, 'rateFenPerM2Month'),
    areaCentiM2: assertCount(input.areaCentiM2, 'areaCentiM2', 1),
    shareBp,
  };
  await appendEntry(ctx.tx, ctx.fund.id, 'contribution_rule', ctx.at, {
    ...rule,
    setBy: ctx.actor.username,
  });
  await ctx.tx.insertContributionRule({
    id: rule.id,
    fund_id: rule.fundId,
    effective_from: rule.effectiveFrom,
    rate_fen_per_m2_month: rule.rateFenPerM2Month,
    area_centi_m2: rule.areaCentiM2,
    share_bp: rule.shareBp,
    created_by: ctx.actor.username,
    at: ctx.at,
  });
  return rule;
}
