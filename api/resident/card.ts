/**
 * The slow-changing half of a QR page (recent visits, 90-day incidents), read from
 * the store at most once per elevator per TTL and dropped as soon as an alert or a visit
 * of that elevator changes. The live half (state) comes from the state source.
 */
import { FAULT_CODES } from '../../protocol/index.ts';
import type { ResidentCardRepository } from '../../store/repositories/resident-card.ts';
import type { ResidentHealth } from './health-words.ts';

const DAY_MS = 86_400_000;
const INCIDENT_WINDOW_MS = 90 * DAY_MS;
const RECENT_VISITS = 5;
const INCIDENT_CODES = Object.keys(FAULT_CODES).filter((c) => c !== 'device_offline');

export interface CardVisit {
  kind: string;
  checkInAt: number;
  checkOutAt: number | null;
  verdict: string | null;
  score: number | null;
  evidence: Record<string, unknown> | null;
  /** Who signed the visit, by name (residents of 智慧电梯码 pages expect it); null when unknown. */
  technician: string | null;
}

export interface CardIncident {
  code: string;
  severity: string;
  openedAt: number;
  acknowledgedAt: number | null;
  /** "到场": someone on site (migration 0011). */
  arrivedAt: number | null;
  resolvedAt: number | null;
}

export interface ResidentCard {
  visits: CardVisit[];
  lastVerifiedAt: number | null;
  incidents: CardIncident[];
  /** The one-line health state; null when none is known (no InfluxDB, no point yet, a failed read). */
  health: ResidentHealth | null;
  loadedAt: number;
}

export class ResidentCardCache {
  readonly #reads: ResidentCardRepository;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #health: ((elevatorId: string) => Promise<ResidentHealth | null>) | null;
  readonly #cards = new Map<string, ResidentCard>();
  /** Concurrent first hits on one car share one read. */
  readonly #loading = new Map<string, Promise<ResidentCard>>();

  constructor(options: {
    reads: ResidentCardRepository;
    ttlMs: number;
    clock: () => number;
    health?: (elevatorId: string) => Promise<ResidentHealth | null>;
  }) {
    this.#reads = options.reads;
    this.#health = options.health ?? null;
    this.#ttlMs = options.ttlMs;
    this.#clock = options.clock;
  }

  /** The card when it is in memory and fresh: the QR hot path then awaits nothing. */
  peek(elevatorId: string): ResidentCard | undefined {
    const card = this.#cards.get(elevatorId);
    return card && this.#clock() - card.loadedAt < this.#ttlMs ? card : undefined;
  }

  async get(elevatorId: string): Promise<ResidentCard> {
    const card = this.peek(elevatorId);
    if (card) return card;
    let pending = this.#loading.get(elevatorId);
    if (!pending) {
      pending = this.#load(elevatorId).finally(() => this.#loading.delete(elevatorId));
      this.#loading.set(elevatorId, pending);
    }
    return pending;
  }

  invalidate(elevatorId: string): void {
    this.#cards.delete(elevatorId);
  }

  async #load(elevatorId: string): Promise<ResidentCard> {
    const now = this.#clock();
    // Health is a nicety on this page: a slow or failed read leaves the line out.
    const [visits, lastVerifiedAt, incidents, health] = await Promise.all([
      this.#reads.recentVisits(elevatorId, RECENT_VISITS),
      this.#reads.lastVerifiedAt(elevatorId),
      this.#reads.incidents(elevatorId, now - INCIDENT_WINDOW_MS, INCIDENT_CODES, 20),
      this.#health ? this.#health(elevatorId).catch(() => null) : Promise.resolve(null),
    ]);
    const card: ResidentCard = {
      health,
      visits: visits.map((v) => ({
        kind: v.kind,
        checkInAt: v.check_in_at,
        checkOutAt: v.check_out_at,
        verdict: v.verdict,
        score: v.evidence_score,
        evidence: parseObject(v.evidence_json),
        technician: v.technician_name,
      })),
      lastVerifiedAt,
      incidents: incidents.map((a) => ({
        code: a.code,
        severity: a.severity,
        openedAt: a.opened_at,
        acknowledgedAt: a.acknowledged_at,
        arrivedAt: a.arrived_at,
        resolvedAt: a.resolved_at,
      })),
      loadedAt: now,
    };
    this.#cards.set(elevatorId, card);
    return card;
  }
}

function parseObject(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
