/** TypeBox schemas of the fund routes (api/routes/fund.ts): validators, serializers, OpenAPI. */
import { type TSchema, Type } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.String({ minLength: 1, maxLength: 128 });
const Fen = Type.Integer({ description: 'Integer fen (1/100 yuan)' });
const Period = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' });
const Head = Type.Object({ seq: Type.Integer(), hash: Type.String() });

export const FundParams = Type.Object({ id: Id });
export const ExpenditureParams = Type.Object({ id: Id, xid: Id });
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({ minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' }),
});

export const FundView = Type.Object({
  id: Type.String(),
  estateId: Type.String(),
  buildingId: Nullable(Type.String()),
  propertyFirmId: Type.String(),
  name: Type.String(),
});

export const BalanceView = Type.Object({
  fund: FundView,
  cashFen: Fen,
  accounts: Type.Record(Type.String(), Fen),
  head: Head,
});

export const PostingView = Type.Object({
  seq: Type.Integer(),
  at: Type.Integer(),
  transactionId: Type.String(),
  kind: Type.String(),
  memo: Type.String(),
  period: Nullable(Type.String()),
  expenditureId: Nullable(Type.String()),
  reversesId: Nullable(Type.String()),
  account: Type.String(),
  debitFen: Fen,
  creditFen: Fen,
  hash: Type.String(),
});

export const ContributionMonthView = Type.Object({
  period: Type.String(),
  expectedFen: Fen,
  actualFen: Fen,
  differenceFen: Fen,
});

const Tally = Type.Object({
  eligibleOwners: Type.Integer({ minimum: 1 }),
  eligibleAreaCentiM2: Type.Integer({ minimum: 1 }),
  participatingOwners: Type.Integer({ minimum: 0 }),
  participatingAreaCentiM2: Type.Integer({ minimum: 0 }),
  yesOwners: Type.Integer({ minimum: 0 }),
  yesAreaCentiM2: Type.Integer({ minimum: 0 }),
});

export const ExpenditureView = Type.Object({
  id: Type.String(),
  fundId: Type.String(),
  amountFen: Fen,
  amountVersion: Type.Integer(),
  kind: Type.String(),
  purpose: Type.String(),
  payee: Type.String(),
  elevatorId: Nullable(Type.String()),
  links: Type.Object({
    alertIds: Type.Array(Type.String()),
    visitIds: Type.Array(Type.String()),
    workOrder: Nullable(Type.String()),
  }),
  emergencyAlertId: Nullable(Type.String()),
  status: Type.String(),
  proposedBy: Type.String(),
  amendedBy: Nullable(Type.String()),
  proposedAt: Type.Integer(),
  paidTransactionId: Nullable(Type.String()),
  paidAt: Nullable(Type.Integer()),
  ratificationDueAt: Nullable(Type.Integer()),
  approvals: Type.Array(
    Type.Object({
      id: Type.String(),
      seq: Type.Integer(),
      amountVersion: Type.Integer(),
      side: Type.String(),
      decision: Type.String(),
      actor: Type.String(),
      note: Type.String(),
      at: Type.Integer(),
    }),
  ),
  votes: Type.Array(
    Type.Object({
      id: Type.String(),
      seq: Type.Integer(),
      amountVersion: Type.Integer(),
      tally: Tally,
      passed: Type.Boolean(),
      recordedBy: Type.String(),
      at: Type.Integer(),
    }),
  ),
  attachments: Type.Array(
    Type.Object({
      id: Type.String(),
      seq: Type.Integer(),
      kind: Type.String(),
      filename: Type.String(),
      mediaType: Type.String(),
      size: Type.Integer(),
      sha256: Type.String(),
      uploadedBy: Type.String(),
      at: Type.Integer(),
    }),
  ),
  voteRequired: Type.Boolean(),
  missing: Type.Array(Type.String()),
  flags: Type.Array(Type.String()),
});

export const DecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('approve'), Type.Literal('refuse')]),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const VoteBody = Type.Object({ tally: Tally }, { additionalProperties: false });

export const PeriodQuery = Type.Object({ from: Type.Optional(Period), to: Type.Optional(Period) });
export const StatementQuery = Type.Object({ period: Period });
export const VerifyQuery = Type.Object({
  head: Type.Optional(Type.String({ pattern: '^\\d+:[0-9a-fA-F]{64}$', description: 'Pinned SEQ:HASH' })),
});

export const VerifyView = Type.Object({
  ok: Type.Boolean(),
  count: Type.Optional(Type.Integer()),
  head: Type.Optional(Head),
  index: Type.Optional(Type.Integer()),
  seq: Type.Optional(Nullable(Type.Integer())),
  reason: Type.Optional(Type.String()),
});
