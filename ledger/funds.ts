/** Opening a fund and setting its contribution rule: the two writes that are not money. */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
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
  trx: Kysely<Database>,
  actor: Actor,
  at: number,
  newId: () => string,
  input: OpenFundInput,
): Promise<Fund> {
  const estate = await trx
    .selectFrom('estates')
    .select(['id', 'property_firm_id'])
    .where('id', '=', input.estateId)
    .executeTakeFirst();
  if (!estate) throw new LedgerError('NOT_FOUND', `estate ${input.estateId} not found`);
  const buildingId = input.buildingId ?? null;
  if (buildingId) {
    const b = await trx
      .selectFrom('buildings')
      .select('estate_id')
      .where('id', '=', buildingId)
      .executeTakeFirst();
    if (!b || b.estate_id !== estate.id)
      throw new LedgerError('INVALID_INPUT', 'the building is not in this estate');
  }
  const fund: Fund = {
    id: newId(),
    estateId: estate.id,
    buildingId,
    propertyFirmId: estate.property_firm_id,
    name: requireText(input.name, 'name', 200),
  };
  requireOperator(actor, fund);
  let q = trx.selectFrom('ledger_funds').select('id').where('estate_id', '=', fund.estateId);
  q = buildingId ? q.where('building_id', '=', buildingId) : q.where('building_id', 'is', null);
  if (await q.executeTakeFirst())
    throw new LedgerError('DUPLICATE', 'this estate (or building) already has a fund');
  await trx
    .insertInto('ledger_funds')
    .values({
      id: fund.id,
      estate_id: fund.estateId,
      building_id: buildingId,
      name: fund.name,
      created_at: at,
      created_by: actor.username,
    })
    .execute();
  await appendEntry(trx, fund.id, 'fund_opened', at, { ...fund, openedBy: actor.username });
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
  await appendEntry(ctx.trx, ctx.fund.id, 'contribution_rule', ctx.at, {
    ...rule,
    setBy: ctx.actor.username,
  });
  await ctx.trx
    .insertInto('ledger_contribution_rules')
    .values({
      id: rule.id,
      fund_id: rule.fundId,
      effective_from: rule.effectiveFrom,
      rate_fen_per_m2_month: rule.rateFenPerM2Month,
      area_centi_m2: rule.areaCentiM2,
      share_bp: rule.shareBp,
      created_by: ctx.actor.username,
      at: ctx.at,
    })
    .execute();
  return rule;
}
