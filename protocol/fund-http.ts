/** The HTTP contract of the fund routes (api/routes/fund*): the API's validators, serializers and OpenAPI, and the dashboard's fund types. */
import { Type } from '@sinclair/typebox';
import { Id, Nullable } from './schema-kit.ts';

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

/** An attached file as listed (in an expenditure, and on its own with its expenditure's id). */
const attachmentFields = {
  seq: Type.Integer(),
  kind: Type.String(),
  filename: Type.String(),
  mediaType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  uploadedBy: Type.String(),
  at: Type.Integer(),
};

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
  status: Type.Union([
    Type.Literal('proposed'),
    Type.Literal('approved'),
    Type.Literal('refused'),
    Type.Literal('paid'),
    Type.Literal('reversed'),
  ]),
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
      side: Type.Union([Type.Literal('firm'), Type.Literal('committee')]),
      decision: Type.Union([Type.Literal('approve'), Type.Literal('refuse')]),
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
  attachments: Type.Array(Type.Object({ id: Type.String(), ...attachmentFields })),
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
  head: Type.Optional(
    Type.String({
      pattern: '^\\d+:[0-9a-fA-F]{16,64}$',
      description: 'Pinned SEQ:HASH (the QR page shows SEQ and the first 16 hex digits)',
    }),
  ),
});

export const VerifyView = Type.Object({
  ok: Type.Boolean(),
  count: Type.Optional(Type.Integer()),
  head: Type.Optional(Head),
  /** False when no head was pinned: a cut tail cannot be seen then. */
  pinned: Type.Optional(Type.Boolean()),
  part: Type.Optional(
    Type.Union([Type.Literal('entries'), Type.Literal('postings'), Type.Literal('header')]),
  ),
  index: Type.Optional(Nullable(Type.Integer())),
  field: Type.Optional(Type.String()),
  seq: Type.Optional(Nullable(Type.Integer())),
  reason: Type.Optional(Type.String()),
});

// Writes of the property firm (api/routes/fund/*.ts). Amounts are positive integer fen.
const Amount = Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'Integer fen' });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const TransactionParams = Type.Object({ id: Id, tid: Id });
export const AttachmentParams = Type.Object({ id: Id, xid: Id, aid: Id });

export const OpenFundBody = Type.Object(
  { estateId: Id, buildingId: Type.Optional(Nullable(Id)), name: Text(200) },
  { additionalProperties: false },
);

export const ContributionRuleBody = Type.Object(
  {
    effectiveFrom: Period,
    rateFenPerM2Month: Amount,
    areaCentiM2: Type.Integer({ minimum: 1, description: 'Total charged area, 1/100 m²' }),
    shareBp: Type.Integer({ minimum: 1, maximum: 10_000, description: 'Share of the fee, basis points' }),
  },
  { additionalProperties: false },
);

export const ContributionRuleView = Type.Object({
  id: Type.String(),
  fundId: Type.String(),
  effectiveFrom: Type.String(),
  rateFenPerM2Month: Fen,
  areaCentiM2: Type.Integer(),
  shareBp: Type.Integer(),
});

export const ContributionBody = Type.Object(
  { period: Period, amountFen: Amount, memo: Type.Optional(Text(500)) },
  { additionalProperties: false },
);

export const OtherIncomeBody = Type.Object(
  {
    source: Type.Union([Type.Literal('interest'), Type.Literal('subsidy'), Type.Literal('insurance_payout')]),
    amountFen: Amount,
    memo: Text(500),
  },
  { additionalProperties: false },
);

export const ReversalBody = Type.Object({ reason: Text(500) }, { additionalProperties: false });

export const TransactionView = Type.Object({
  id: Type.String(),
  fundId: Type.String(),
  seq: Type.Integer(),
  kind: Type.String(),
  memo: Type.String(),
  period: Nullable(Type.String()),
  source: Nullable(Type.String()),
  expenditureId: Nullable(Type.String()),
  reversesId: Nullable(Type.String()),
  createdBy: Type.String(),
  at: Type.Integer(),
  postings: Type.Array(Type.Object({ account: Type.String(), debit: Fen, credit: Fen })),
});

export const ProposalBody = Type.Object(
  {
    amountFen: Amount,
    kind: Type.Union(
      ['routine_maintenance', 'repair', 'parts', 'inspection', 'major_overhaul'].map((k) => Type.Literal(k)),
    ),
    purpose: Text(500),
    payee: Text(200),
    elevatorId: Type.Optional(Nullable(Id)),
    alertIds: Type.Optional(Type.Array(Id, { maxItems: 50 })),
    visitIds: Type.Optional(Type.Array(Id, { maxItems: 50 })),
    workOrder: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    emergencyAlertId: Type.Optional(Nullable(Id)),
  },
  { additionalProperties: false },
);

export const AmendBody = Type.Object(
  { amountFen: Amount, reason: Text(500) },
  { additionalProperties: false },
);

export const PaymentBody = Type.Object({ memo: Type.Optional(Text(500)) }, { additionalProperties: false });

export const PaymentView = Type.Object({ transaction: TransactionView, expenditure: ExpenditureView });

export const AttachmentQuery = Type.Object({
  kind: Type.Union([Type.Literal('quote'), Type.Literal('invoice'), Type.Literal('other')]),
  filename: Text(200),
});

export const AttachmentView = Type.Object({
  id: Type.String(),
  expenditureId: Type.String(),
  ...attachmentFields,
});
