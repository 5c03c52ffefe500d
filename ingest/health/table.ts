/**
 * The fleet's health state: one slot per lift in four fleet-wide typed arrays (the signals'
 * state numbers, this table's integer bookkeeping, baseline rings, daily scores), so a lift
 * costs BYTES_PER_LIFT bytes and no objects. `feed` is the per-message path (O(1): signals.ts); at each device-day rollover
 * it closes the lift's day: daily values → ring → levels → reasons, score, recommendation.
 * `onVisit` keeps the verified-visit history (fake visits never count).
 */
import { HEALTH_WORDS } from '../../protocol/words.ts';
import { type Level, MIN_HISTORY_DAYS, pushDay, RING_SLOTS, signalLevel, WINDOW_DAYS } from './baseline.ts';
import {
  DEFAULT_LIMITS,
  type HealthReason,
  judgeLevel,
  judgementFloor,
  judgeRunCounter,
  type Recommendation,
  type RecommendationLimits,
  recommend,
  recommendationLimits,
  scoreOf,
  trendPer30Days,
} from './score.ts';
import {
  accumulate,
  currentDay,
  type DailyValues,
  dailyValues,
  dayDate,
  dayStartMs,
  deviceDay,
  grownSlabs,
  INT_SLOTS,
  ignoreBefore,
  JUDGED,
  type JudgedSignal,
  type LiftSpec,
  type OutOfRange,
  resetState,
  type SignalSlabs,
  STATE_BYTES,
  signalSlabs,
  startDay,
} from './signals.ts';

export const SCORE_DAYS = 90;
const NO_SCORE = 255;

/**
 * Slots of a lift's bookkeeping: ring heads and counts, and the visit history the
 * recommendation relies on (score.ts VisitHistory). All whole numbers (device days, counts),
 * so they sit in an Int32Array at half the width of the signals' Float64 state.
 */
const H = {
  ringHead: 0,
  ringCount: 1,
  scoreHead: 2,
  scoreCount: 3,
  /** Device day the lift was first seen, or -1. */
  firstDay: 4,
  lastVerifiedDay: 5,
  verifiedCount: 6,
  lastFakeDay: 7,
  daysRecorded: 8,
} as const;
const BOOK_SLOTS = 9;

export const BYTES_PER_LIFT = STATE_BYTES + BOOK_SLOTS * 4 + RING_SLOTS * 2 + SCORE_DAYS;

/** What the health table needs of a lift: ElevatorInfo has it. */
export interface HealthLift extends LiftSpec {
  id: string;
  thresholds?: Readonly<Record<string, number>>;
}

export interface HealthReport {
  elevatorId: string;
  day: number;
  date: string;
  status: 'ok' | 'insufficient';
  /** "not enough data yet" while fewer than MIN_HISTORY_DAYS days are recorded: never a score then. */
  message?: { zh: string; en: string };
  score: number | null;
  reasons: HealthReason[];
  /**
   * Each judged signal's baseline as of this day: the median of the older days in the window
   * and the judgement floor (a departure beyond median ± floor costs points). Absent for a
   * signal without enough history.
   */
  bands: Partial<Record<JudgedSignal, { median: number; floor: number }>>;
  /** Score change over the last 30 days, and per 30 days over the last 90 (points, within ±100; score.ts trendPer30Days); null without enough scores. */
  trend: { d30: number | null; d90: number | null };
  recommendation: Recommendation & { latestVisitDate: string };
}

export interface HealthDay {
  elevatorId: string;
  day: number;
  values: DailyValues;
  report: HealthReport;
}

/** A closed day read back from its `health_daily` point (restore.ts): what judging needs of it. */
export interface RestoredDay {
  day: number;
  /** In JUDGED order; NaN where the day had no value. */
  judged: Float64Array;
  score: number | null;
}

export const NOT_ENOUGH_DATA = HEALTH_WORDS.insufficient;

export class HealthTable {
  private signals: SignalSlabs;
  private books: Int32Array;
  private rings: Int16Array;
  private scores: Uint8Array;
  private readonly index = new Map<string, number>();
  private lifts: HealthLift[] = [];
  /** Only the lifts whose fleet entry sets their own limits: most share the defaults. */
  private readonly ownLimits = new Map<number, RecommendationLimits>();
  private readonly scratch = new Float64Array(WINDOW_DAYS);
  private readonly judged = new Float64Array(JUDGED.length);
  private readonly level: Level = { recent: 0, median: 0, sigma: 0, n: 0 };

  constructor(lifts: readonly HealthLift[] = []) {
    const capacity = Math.max(16, lifts.length);
    this.signals = signalSlabs(capacity);
    this.books = new Int32Array(capacity * BOOK_SLOTS);
    this.rings = new Int16Array(capacity * RING_SLOTS);
    this.scores = new Uint8Array(capacity * SCORE_DAYS);
    for (const lift of lifts) this.add(lift);
  }

  get size(): number {
    return this.lifts.length;
  }

  /** Adds a lift, or updates its spec and limits (fleet reload): its history is kept. */
  add(lift: HealthLift): number {
    const known = this.index.get(lift.id);
    if (known !== undefined) {
      this.lifts[known] = lift;
      this.setLimits(known, lift);
      return known;
    }
    const i = this.lifts.length;
    if ((i + 1) * INT_SLOTS > this.signals.n.length) this.grow();
    this.index.set(lift.id, i);
    this.lifts.push(lift);
    this.setLimits(i, lift);
    resetState(this.signals, i);
    const b = i * BOOK_SLOTS;
    this.books.fill(0, b, b + BOOK_SLOTS);
    this.books[b + H.firstDay] = -1;
    this.books[b + H.lastVerifiedDay] = -1;
    this.books[b + H.lastFakeDay] = -1;
    this.scores.fill(NO_SCORE, i * SCORE_DAYS, (i + 1) * SCORE_DAYS);
    return i;
  }

  indexOf(elevatorId: string): number {
    return this.index.get(elevatorId) ?? -1;
  }

  /**
   * One message of lift `i`. Returns the lift's closed day when this message starts a new
   * device day (the message then counts in the new day), else null. Out-of-range values
   * go to `rejected`.
   */
  feed(
    i: number,
    message: Parameters<typeof accumulate>[2],
    rejected: OutOfRange[] | null,
  ): HealthDay | null {
    const lift = this.lifts[i]!;
    const ended = accumulate(this.signals, i, message, lift, rejected);
    const b = i * BOOK_SLOTS;
    if (this.books[b + H.firstDay]! < 0) this.books[b + H.firstDay] = currentDay(this.signals, i);
    if (ended < 0) return null;
    const closed = this.closeDay(i);
    startDay(this.signals, i, deviceDay(message.payload.ts));
    accumulate(this.signals, i, message, lift, rejected);
    return closed;
  }

  /** Closes lift i's current day: ring, judgement, score, recommendation (the daily recomputation). */
  closeDay(i: number): HealthDay {
    const bk = this.books;
    const b = i * BOOK_SLOTS;
    const lift = this.lifts[i]!;
    const day = currentDay(this.signals, i);
    const values = dailyValues(this.signals, i, lift, this.judged);
    const ro = i * RING_SLOTS;
    bk[b + H.ringHead] = pushDay(this.rings, ro, bk[b + H.ringHead]!, values.judged);
    bk[b + H.ringCount] = Math.min(WINDOW_DAYS, bk[b + H.ringCount]! + 1);
    bk[b + H.daysRecorded]! += 1;
    const report = this.judge(i, day, values.run_counter_ratio);
    const so = i * SCORE_DAYS;
    this.scores[so + bk[b + H.scoreHead]!] = report.score ?? NO_SCORE;
    bk[b + H.scoreHead] = (bk[b + H.scoreHead]! + 1) % SCORE_DAYS;
    bk[b + H.scoreCount] = Math.min(SCORE_DAYS, bk[b + H.scoreCount]! + 1);
    report.trend = this.trend(i);
    return { elevatorId: lift.id, day, values: { ...values, judged: values.judged.slice() }, report };
  }

  /** Lift i's report as of its last closed day (what an API would show). */
  report(i: number): HealthReport {
    const report = this.judge(i, currentDay(this.signals, i), Number.NaN);
    report.trend = this.trend(i);
    return report;
  }

  /**
   * Rebuilds lift i's history from its written days (oldest first), so a restarted ingest
   * judges from the baseline it had instead of "not enough data yet": the baseline ring, the
   * days recorded, the daily scores (trend). Replaces the history, keeps the day being
   * accumulated: restored days at or after it are skipped. With no day started yet, messages
   * before the day after the last restored one are ignored, so a replayed day (the log
   * redelivering) is never closed again over its written point with partial figures.
   * Returns the days restored.
   */
  restore(i: number, days: readonly RestoredDay[]): number {
    const bk = this.books;
    const b = i * BOOK_SLOTS;
    const current = currentDay(this.signals, i);
    const kept = days.filter((d) => current < 0 || d.day < current);
    if (kept.length === 0) return 0;
    const ro = i * RING_SLOTS;
    let head = 0;
    for (const d of kept.slice(-WINDOW_DAYS)) head = pushDay(this.rings, ro, head, d.judged);
    bk[b + H.ringHead] = head % WINDOW_DAYS;
    bk[b + H.ringCount] = Math.min(WINDOW_DAYS, kept.length);
    const scored = kept.slice(-SCORE_DAYS);
    const so = i * SCORE_DAYS;
    this.scores.fill(NO_SCORE, so, so + SCORE_DAYS);
    for (const [k, d] of scored.entries()) this.scores[so + k] = d.score ?? NO_SCORE;
    bk[b + H.scoreHead] = scored.length % SCORE_DAYS;
    bk[b + H.scoreCount] = scored.length;
    bk[b + H.daysRecorded] = kept.length;
    const first = kept[0]!.day;
    bk[b + H.firstDay] = bk[b + H.firstDay]! < 0 ? first : Math.min(first, bk[b + H.firstDay]!);
    if (current < 0) {
      ignoreBefore(this.signals, i, dayStartMs(kept[kept.length - 1]!.day + 1));
    }
    return kept.length;
  }

  /** Forgets lift i's visit history: restore.ts replays the stored visits after it. */
  clearVisits(i: number): void {
    const b = i * BOOK_SLOTS;
    this.books[b + H.lastVerifiedDay] = -1;
    this.books[b + H.verifiedCount] = 0;
    this.books[b + H.lastFakeDay] = -1;
  }

  /** A judged visit: verified routine visits build the history; a fake one wipes the stretch. */
  onVisit(i: number, atMs: number, verdict: 'verified' | 'suspect' | 'fake' | null, kind: string): void {
    const bk = this.books;
    const b = i * BOOK_SLOTS;
    if (verdict === 'fake') {
      bk[b + H.verifiedCount] = 0;
      bk[b + H.lastFakeDay] = deviceDay(atMs);
    } else if (verdict === 'verified' && kind !== 'repair') {
      bk[b + H.lastVerifiedDay] = Math.max(bk[b + H.lastVerifiedDay]!, deviceDay(atMs));
      bk[b + H.verifiedCount]! += 1;
    }
  }

  private judge(i: number, day: number, runCounterRatio: number): HealthReport {
    const bk = this.books;
    const b = i * BOOK_SLOTS;
    const lift = this.lifts[i]!;
    const history = {
      lastVerifiedDay: bk[b + H.lastVerifiedDay]!,
      verifiedCount: bk[b + H.verifiedCount]!,
      firstDay: bk[b + H.firstDay]!,
    };
    const enough = bk[b + H.daysRecorded]! >= MIN_HISTORY_DAYS;
    const reasons: HealthReason[] = [];
    const bands: HealthReport['bands'] = {};
    if (enough) {
      const ro = i * RING_SLOTS;
      const head = bk[b + H.ringHead]!;
      const count = bk[b + H.ringCount]!;
      for (let k = 0; k < JUDGED.length; k++) {
        const level = signalLevel(this.rings, ro, head, count, k, this.scratch, this.level);
        if (level === null) continue;
        bands[JUDGED[k]!] = { median: level.median, floor: judgementFloor(JUDGED[k]!, level) };
        const reason = judgeLevel(JUDGED[k]!, level);
        if (reason) reasons.push(reason);
      }
      const counter = judgeRunCounter(runCounterRatio);
      if (counter) reasons.push(counter);
      reasons.sort((a, b) => b.pointsLost - a.pointsLost);
    }
    const score = enough ? scoreOf(reasons) : null;
    const rec = recommend(day, score, reasons, history, this.ownLimits.get(i) ?? DEFAULT_LIMITS);
    return {
      elevatorId: lift.id,
      day,
      date: dayDate(day),
      status: enough ? 'ok' : 'insufficient',
      ...(enough ? {} : { message: NOT_ENOUGH_DATA }),
      score,
      reasons,
      bands,
      trend: { d30: null, d90: null },
      recommendation: { ...rec, latestVisitDate: dayDate(rec.latestVisitDay) },
    };
  }

  private trend(i: number): HealthReport['trend'] {
    return { d30: this.trendOver(i, 30, 7), d90: this.trendOver(i, 90, 21) };
  }

  /** The trend over lift i's last `window` closed days (days without a score are left out, not closed up). */
  private trendOver(i: number, window: number, minPoints: number): number | null {
    const bk = this.books;
    const b = i * BOOK_SLOTS;
    const so = i * SCORE_DAYS;
    const head = bk[b + H.scoreHead]!;
    const count = Math.min(window, bk[b + H.scoreCount]!);
    const days: number[] = [];
    const scores: number[] = [];
    for (let d = count - 1; d >= 0; d--) {
      const v = this.scores[so + ((head - 1 - d + SCORE_DAYS) % SCORE_DAYS)]!;
      if (v === NO_SCORE) continue;
      days.push(-d);
      scores.push(v);
    }
    return trendPer30Days(days, scores, minPoints);
  }

  private setLimits(i: number, lift: HealthLift): void {
    const limits = recommendationLimits(lift.thresholds);
    if (limits === DEFAULT_LIMITS) this.ownLimits.delete(i);
    else this.ownLimits.set(i, limits);
  }

  private grow(): void {
    const cap = (this.signals.n.length / INT_SLOTS) * 2;
    this.signals = grownSlabs(this.signals, cap);
    const books = new Int32Array(cap * BOOK_SLOTS);
    books.set(this.books);
    const rings = new Int16Array(cap * RING_SLOTS);
    rings.set(this.rings);
    const scores = new Uint8Array(cap * SCORE_DAYS);
    scores.set(this.scores);
    this.books = books;
    this.rings = rings;
    this.scores = scores;
  }
}
