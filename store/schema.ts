/** Kysely table types of the SQLite registry. One interface per table, named as in SQL. */
import type { Generated } from 'kysely';
import type { AlertResolution, VisitVerdict } from '../protocol/index.ts';

export type { AlertResolution, VisitVerdict } from '../protocol/index.ts';

export interface MaintenanceCompanyTable {
  id: string;
  name: string;
  name_en: string | null;
  phone: string;
}

export interface PropertyFirmTable {
  id: string;
  name: string;
  name_en: string | null;
  phone: string;
}

export interface EstateTable {
  id: string;
  name: string;
  name_en: string | null;
  property_firm_id: string;
  maintenance_company_id: string;
  address: string | null;
  lat: number;
  lon: number;
  emergency_phone: string;
}

export interface BuildingTable {
  id: string;
  estate_id: string;
  name: string;
}

export interface ElevatorTable {
  id: string;
  building_id: string;
  estate_id: string;
  name: string;
  registration_code: string;
  /** GB/T 24476 basic information, optional in the fleet file (migration 0014). */
  manufacturer: string | null;
  install_date: string | null;
  /** 检验有效期至 YYYY-MM-DD (migration 0085); null when the fleet file does not say. */
  inspection_due: string | null;
  floors: number;
  floor_height_m: number;
  rated_speed_mps: number;
  rated_load_kg: number;
  thresholds_json: string | null;
  /** Opaque token of the resident QR page: random, never derived from the id. */
  public_token: string;
}

export interface DeviceCredentialTable {
  username: string;
  elevator_id: string;
  password_hash: string;
}

export interface ServiceCredentialTable {
  username: string;
  role: string;
  password_hash: string;
}

export interface TechnicianTable {
  id: string;
  company_id: string;
  name: string;
}

export interface UserTable {
  username: string;
  display_name: string;
  role: string;
  property_firm_id: string | null;
  estate_id: string | null;
  company_id: string | null;
  password_hash: string;
}

export interface DeadLetterTable {
  id: Generated<number>;
  received_at: number;
  topic: string;
  client_id: string | null;
  stage: string;
  reason: string;
  payload: string;
}

export type AlertState = 'open' | 'acknowledged' | 'resolved';

/** One row per alert; at most one not-resolved alert per (elevator, code). */
export interface AlertTable {
  id: string;
  elevator_id: string;
  estate_id: string;
  code: string;
  severity: string;
  state: AlertState;
  /** Device time of the first finding. */
  opened_at: number;
  /** Device time of the latest repeat. */
  last_seen_at: number;
  count: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  ack_note: string | null;
  /** A username, or 'auto' when the condition cleared by itself. */
  resolved_by: string | null;
  resolved_at: number | null;
  resolve_note: string | null;
  /** What it was (migration 0007); null until resolved, and on rows resolved before 0007. */
  resolution: AlertResolution | null;
  /** JSON: what the rule saw (readings, thresholds, the visit's reasons). */
  evidence_json: string;
  escalated_at: number | null;
  escalation_reason: string | null;
  /** "到场" (migration 0011): when someone was on site, who stamped it, with what note. */
  arrived_at: number | null;
  arrived_by: string | null;
  arrive_note: string | null;
  /** Who raised it, comma-separated: 'detector', 'resident' (migration 0011). */
  sources: string;
  /**
   * The partition-lease epoch of the ingest worker whose detection last opened, bumped or
   * cleared it; null when no leased worker did (migration 0080). A record of who wrote; the
   * refusal of a stale worker's write is `partition_epochs` (migration 0090).
   */
  lease_epoch: number | null;
}

/** One maintenance visit, from check-in to check-out (or its timeout), with its verdict. */
export interface MaintenanceVisitTable {
  id: string;
  elevator_id: string;
  estate_id: string;
  technician_id: string;
  company_id: string;
  kind: string;
  method: string;
  check_in_at: number;
  check_out_at: number | null;
  /** 'open' until check-out; 'closed'; or 'timed_out' when no check-out came. */
  status: 'open' | 'closed' | 'timed_out';
  location_json: string | null;
  items_json: string | null;
  evidence_score: number | null;
  verdict: VisitVerdict | null;
  /** JSON array of { points, reason } explaining every point of the score. */
  reasons_json: string | null;
  /** JSON: the measured evidence (minutes in inspection, shaft coverage, ...). */
  evidence_json: string | null;
}

/** A technician's check-in from the phone (migration 0040); `id` is the visit id the ingest judges. */
export interface FieldVisitTable {
  id: string;
  elevator_id: string;
  estate_id: string;
  company_id: string;
  /** The technician's username (also their technician id in the fleet). */
  technician: string;
  kind: string;
  /** 'qr' (scanned the car's code) or 'app' (chose the car from the list). */
  method: string;
  check_in_key: string;
  check_in_at: number;
  lat: number | null;
  lon: number | null;
  accuracy_m: number | null;
  /** JSON array of the TSG T5002 item numbers ticked (protocol/maintenance-items.ts). */
  items_json: string;
  check_out_key: string | null;
  check_out_at: number | null;
  /** When the check-in reached the broker for the ingest (migration 0041); null: send again. */
  check_in_sent_at: number | null;
  /** When the check-out reached the broker for the ingest; null while unsent or not checked out. */
  check_out_sent_at: number | null;
}

/** A photo taken on a field visit (migration 0040). */
export interface FieldVisitPhotoTable {
  id: string;
  visit_id: string;
  upload_key: string;
  item: number | null;
  media_type: string;
  size: number;
  content: Uint8Array;
  taken_at: number;
}

export interface ApiSessionTable {
  /** SHA-256 of the cookie value; the value itself is never stored. */
  id_hash: string;
  username: string;
  created_at: number;
  expires_at: number;
  ip: string | null;
}

export interface ApiTokenTable {
  id: string;
  /** SHA-256 of the bearer token; the token is shown once, at creation. */
  token_hash: string;
  username: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** Every write through the API: who, what, when, from where. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  /** A username, or 'resident' for the anonymous QR form. */
  actor: string;
  role: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  estate_id: string | null;
  ip: string | null;
  detail_json: string | null;
}

export type ResidentReportStatus = 'received' | 'in_progress' | 'resolved' | 'rejected';

/** A problem a resident reported from the QR page (居民点单), in the firm's queue. */
export interface ResidentReportTable {
  id: string;
  /** What the resident keeps to follow progress; random, bound to the elevator. */
  receipt: string;
  elevator_id: string;
  estate_id: string;
  category: string;
  description: string;
  status: ResidentReportStatus;
  created_at: number;
  updated_at: number;
  handled_by: string | null;
  /** The firm's answer, shown to residents on the receipt page. */
  reply: string | null;
  /** The alert this report opened or joined (a "有人被困" report; migration 0011). */
  alert_id: string | null;
  /** The resident's word after handling: 'fixed' or 'not_fixed' (which reopened it). */
  feedback: 'fixed' | 'not_fixed' | null;
  feedback_at: number | null;
  /** The resident's rating of the handling, 1–5. */
  rating: number | null;
  /** Times the resident said it was not fixed. */
  reopen_count: number;
}

/** One maintenance fund per estate (or per building); see ledger/. */
export interface LedgerFundTable {
  id: string;
  estate_id: string;
  building_id: string | null;
  name: string;
  created_at: number;
  created_by: string;
}

/** The tamper-evident hash chain: every ledger entry of a fund, in order. Append-only. */
export interface LedgerChainTable {
  fund_id: string;
  seq: number;
  kind: string;
  at: number;
  /** Canonical JSON (sorted keys) of the entry's data. */
  data_json: string;
  prev_hash: string;
  hash: string;
}

/** First result of each client idempotency key, with the hash of the request it answered. */
export interface LedgerIdempotencyTable {
  scope: string;
  key: string;
  op: string;
  request_hash: string;
  result_json: string;
  created_at: number;
}

export interface LedgerTransactionTable {
  id: string;
  fund_id: string;
  seq: number;
  kind: string;
  memo: string;
  /** YYYY-MM of a contribution. */
  period: string | null;
  /** interest | subsidy | insurance_payout for other income. */
  source: string | null;
  expenditure_id: string | null;
  reverses_id: string | null;
  created_by: string;
  at: number;
}

/** One leg of a transaction, in integer fen; exactly one of debit/credit is non-zero. */
export interface LedgerPostingTable {
  id: Generated<number>;
  transaction_id: string;
  fund_id: string;
  account: string;
  debit_fen: number;
  credit_fen: number;
}

export interface LedgerContributionRuleTable {
  id: string;
  fund_id: string;
  /** YYYY-MM from which the rule applies, until a later rule. */
  effective_from: string;
  rate_fen_per_m2_month: number;
  area_centi_m2: number;
  /** Share of the fee going to the fund, in basis points (10000 = all). */
  share_bp: number;
  created_by: string;
  at: number;
}

export interface LedgerExpenditureTable {
  id: string;
  fund_id: string;
  amount_fen: number;
  /** Bumped on every amount change; approvals and votes of older versions are void. */
  amount_version: number;
  expense_kind: string;
  purpose: string;
  payee: string;
  elevator_id: string | null;
  links_json: string;
  /** Set on the emergency path: the critical alert that justified paying first. */
  emergency_alert_id: string | null;
  status: 'proposed' | 'refused' | 'paid' | 'reversed';
  proposed_by: string;
  amended_by: string | null;
  proposed_at: number;
  paid_transaction_id: string | null;
  paid_at: number | null;
  ratification_due_at: number | null;
}

export interface LedgerApprovalTable {
  id: string;
  expenditure_id: string;
  seq: number;
  amount_version: number;
  side: 'firm' | 'committee';
  decision: 'approve' | 'refuse';
  actor: string;
  note: string;
  at: number;
}

export interface LedgerVoteTable {
  id: string;
  expenditure_id: string;
  seq: number;
  amount_version: number;
  tally_json: string;
  passed: number;
  recorded_by: string;
  at: number;
}

export interface LedgerAttachmentTable {
  id: string;
  expenditure_id: string;
  seq: number;
  kind: string;
  filename: string;
  media_type: string;
  size: number;
  sha256: string;
  content: Buffer;
  uploaded_by: string;
  at: number;
}

export type WebhookFormat = 'generic' | 'wecom' | 'dingtalk';
export type WebhookEvent = 'alert.transition' | 'visit.verdict';

/** An estate's outbound webhook (generic JSON, WeCom or DingTalk robot). */
export interface EstateWebhookTable {
  id: string;
  estate_id: string;
  name: string;
  format: WebhookFormat;
  url: string;
  /** HMAC key; shown once at creation, never answered again. */
  secret: string;
  /** JSON array of WebhookEvent. */
  events_json: string;
  enabled: number;
  created_at: number;
  created_by: string;
  deleted_at: number | null;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event sent to one webhook, with every retry counted in `attempts`. */
export interface WebhookDeliveryTable {
  id: string;
  webhook_id: string;
  estate_id: string;
  event: WebhookEvent | 'ping' | 'alert.escalation';
  /** The alert or visit id the event is about. */
  subject_id: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  response_status: number | null;
  error: string | null;
  created_at: number;
  finished_at: number | null;
}

/** Which roster tier: the duty officers, told in turn, or the managers, told when nobody is on site. */
export type OnCallTier = 'duty' | 'manager';
/** How an on-call person is reached: one of the estate's webhooks, or their own robot. */
export type OnCallChannel = 'webhook' | 'wecom' | 'dingtalk';

/** One entry of an estate's on-call roster (migration 0012). */
export interface EstateOnCallTable {
  id: string;
  estate_id: string;
  tier: OnCallTier;
  /** Order within the tier, 1 first. */
  position: number;
  username: string;
  channel: OnCallChannel;
  /** The estate webhook when `channel` is 'webhook'. */
  webhook_id: string | null;
  /** The person's robot when `channel` is 'wecom' or 'dingtalk' (the URL carries its token). */
  robot_url: string | null;
  robot_secret: string | null;
  created_at: number;
  created_by: string;
}

/** An estate's escalation windows (migration 0012); absent: the defaults. */
export interface EstateEscalationPolicyTable {
  estate_id: string;
  ack_within_s: number;
  arrive_within_s: number;
  updated_at: number;
  updated_by: string;
}

/** 'skipped': by the time it was sent the alert no longer needed it (acknowledged, on site, resolved). */
export type EscalationStepStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

/** One escalation step of one alert; (alert_id, step) is the primary key: a step happens once. */
export interface AlertEscalationStepTable {
  alert_id: string;
  /** 'duty:1' (the first on duty, at opening), 'duty:N' (the Nth, after N-1 ack windows), 'manager:N'. */
  step: string;
  estate_id: string;
  /** The roster entry told (null: the roster had nobody for this step). */
  on_call_id: string | null;
  username: string | null;
  decided_at: number;
  status: EscalationStepStatus;
  attempts: number;
  claimed_at: number | null;
  finished_at: number | null;
  error: string | null;
}

/** One row per finished step of the demo's seed (demo/seed.ts). */
export interface DemoSeedStepTable {
  step: string;
  done_at: number;
  detail: string | null;
}

/** Migration 0080: alert and visit transitions waiting for (or done with) their append to the log. */
export interface TransitionOutboxTable {
  id: Generated<number>;
  /** JetStream's message id of the append (Nats-Msg-Id): a second relay's append of the row is a duplicate. */
  msg_id: string;
  /** The MQTT-style service topic, `alerts/{id}` or `visits/{id}`. */
  topic: string;
  payload: string;
  created_at: number;
  sent_at: number | null;
}

/** Migration 0090: each log partition's current owner epoch, the store's fence on leased workers' writes. */
export interface PartitionEpochTable {
  log_partition: number;
  /** The lease epoch (NATS KV revision) of the worker that last took the partition; only rises. */
  epoch: number;
  worker: string;
  claimed_at: number;
}

export interface Database {
  maintenance_companies: MaintenanceCompanyTable;
  property_firms: PropertyFirmTable;
  estates: EstateTable;
  buildings: BuildingTable;
  elevators: ElevatorTable;
  device_credentials: DeviceCredentialTable;
  service_credentials: ServiceCredentialTable;
  technicians: TechnicianTable;
  users: UserTable;
  dead_letters: DeadLetterTable;
  alerts: AlertTable;
  maintenance_visits: MaintenanceVisitTable;
  api_sessions: ApiSessionTable;
  api_tokens: ApiTokenTable;
  audit_log: AuditLogTable;
  resident_reports: ResidentReportTable;
  estate_webhooks: EstateWebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  estate_on_call: EstateOnCallTable;
  estate_escalation_policies: EstateEscalationPolicyTable;
  alert_escalation_steps: AlertEscalationStepTable;
  ledger_funds: LedgerFundTable;
  ledger_chain: LedgerChainTable;
  ledger_idempotency: LedgerIdempotencyTable;
  ledger_transactions: LedgerTransactionTable;
  ledger_postings: LedgerPostingTable;
  ledger_contribution_rules: LedgerContributionRuleTable;
  ledger_expenditures: LedgerExpenditureTable;
  ledger_approvals: LedgerApprovalTable;
  ledger_votes: LedgerVoteTable;
  ledger_attachments: LedgerAttachmentTable;
  demo_seed_steps: DemoSeedStepTable;
  field_visits: FieldVisitTable;
  field_visit_photos: FieldVisitPhotoTable;
  transition_outbox: TransitionOutboxTable;
  partition_epochs: PartitionEpochTable;
}
