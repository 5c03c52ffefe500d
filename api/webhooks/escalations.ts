/**
 * Sends the escalation steps the alert lifecycle took (alerts/escalation.ts): the lifecycle,
 * wherever it runs (the ingest's escalation timer, or the all-in-one process), records each
 * step once in `alert_escalation_steps`; this sender, in the API, which owns the channels and
 * the egress guard, sends them. It reads pending steps every `pollMs` and at once when an
 * alert is announced escalated, claims each by a conditional update (so of several API
 * processes one sends it), sends it through the on-call entry's channel (an estate webhook
 * or the person's WeCom/DingTalk robot), retries what can be retried, records the outcome on
 * the step, logs it as a domain event and audits it. A step the alert no longer needs by
 * then (acknowledged, resolved) is recorded as skipped, not sent.
 */
import { randomUUID } from 'node:crypto';
import { onSiteAt } from '../../alerts/escalation.ts';
import type { Directory } from '../../fleet/directory.ts';
import { backoffMs, waitUnlessAborted } from '../../lib/backoff.ts';
import type { Logger } from '../../lib/logger.ts';
import { ALERT_CATALOGUE } from '../../protocol/index.ts';
import { escalationStepWords } from '../../protocol/words.ts';
import type { EscalationStepRow } from '../../store/repositories/on-call.ts';
import type { AlertTable } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import type { ElevatorStateSource, StateChange } from '../state-source.ts';
import type { Attempt, Destination, WebhookDispatcher } from './dispatcher.ts';
import { escalationLines } from './escalation-text.ts';
import type { WebhookPayload } from './formats.ts';

export interface EscalationSenderOptions {
  /** How often pending steps are looked for (the ingest records them; MQTT only hurries us). */
  pollMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Defaults of the windows, for the message's clocks when the estate has none of its own. */
  ackWithinMs: number;
  arriveWithinMs: number;
}

export const ESCALATION_SENDER_DEFAULTS: EscalationSenderOptions = {
  pollMs: 2000,
  maxAttempts: 4,
  retryBaseMs: 1000,
  ackWithinMs: 5 * 60_000,
  arriveWithinMs: 30 * 60_000,
};

export interface EscalationSenderDeps {
  store: Store;
  directory: Directory;
  dispatcher: WebhookDispatcher;
  stateSource: ElevatorStateSource;
  clock: () => number;
  log: Logger;
  /** Base of the console link in the message. */
  publicBaseUrl: string;
  options?: Partial<EscalationSenderOptions>;
}

type Outcome = { status: 'sent' | 'failed' | 'skipped'; attempts: number; error: string | null };

export class EscalationSender {
  readonly #deps: EscalationSenderDeps;
  readonly #options: EscalationSenderOptions;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopping = new AbortController();
  /** Steps finished since start, by outcome (`/metrics`). */
  readonly counts = { sent: 0, failed: 0, skipped: 0 };
  readonly #listener = (change: StateChange) => {
    if (change.kind === 'alert' && change.transition === 'escalated') this.kick();
  };

  constructor(deps: EscalationSenderDeps) {
    this.#deps = deps;
    this.#options = { ...ESCALATION_SENDER_DEFAULTS, ...deps.options };
    this.#log = deps.log.child({ module: 'escalations' });
  }

  start(): void {
    this.#stopping = new AbortController();
    this.#deps.stateSource.on('change', this.#listener);
    if (this.#options.pollMs > 0) {
      this.#timer = setInterval(() => this.kick(), this.#options.pollMs);
      this.#timer.unref();
    }
    this.kick();
  }

  async stop(): Promise<void> {
    this.#deps.stateSource.off('change', this.#listener);
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#stopping.abort();
    await this.settled();
  }

  /** Resolves when no sweep is running (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  /** Looks for pending steps now (one sweep at a time; a kick during one runs another after it). */
  kick(): void {
    if (this.#running !== null) {
      this.#again = true;
      return;
    }
    this.#running = this.sweep()
      .then(() => undefined)
      .catch((error: unknown) => this.#log.error({ err: error }, 'escalation sweep failed'))
      .finally(() => {
        this.#running = null;
        if (this.#again && !this.#stopping.signal.aborted) {
          this.#again = false;
          this.kick();
        }
      });
  }

  /** Sends every pending step this process claims; returns how many it handled. */
  async sweep(): Promise<number> {
    const { store, clock } = this.#deps;
    let handled = 0;
    for (const step of await store.onCall.pending(100)) {
      if (this.#stopping.signal.aborted) break;
      const mine = await store.onCall.claim(step.alert_id, step.step, clock());
      if (!mine) continue;
      const outcome = await this.#send(mine).catch((error: unknown): Outcome => {
        this.#log.error({ err: error, alertId: step.alert_id, step: step.step }, 'escalation step failed');
        return { status: 'failed', attempts: 0, error: 'internal error' };
      });
      await store.onCall.finish(step.alert_id, step.step, { ...outcome, finished_at: clock() });
      this.counts[outcome.status]++;
      await this.#record(mine, outcome);
      handled++;
    }
    return handled;
  }

  async #send(step: EscalationStepRow): Promise<Outcome> {
    const { store } = this.#deps;
    const alert = await store.alerts.byId(step.alert_id);
    if (!alert) return { status: 'failed', attempts: 0, error: 'alert not found' };
    if (!stillNeeded(alert, step.step)) return { status: 'skipped', attempts: 0, error: null };
    const entry = step.on_call_id ? await store.onCall.entry(step.estate_id, step.on_call_id) : undefined;
    if (!entry) return { status: 'failed', attempts: 0, error: 'roster entry removed' };
    let to: Destination;
    if (entry.channel === 'webhook') {
      const hook = entry.webhook_id ? await store.webhooks.get(step.estate_id, entry.webhook_id) : undefined;
      if (!hook?.enabled) return { status: 'failed', attempts: 0, error: 'webhook removed or disabled' };
      to = hook;
    } else {
      if (!entry.robot_url) return { status: 'failed', attempts: 0, error: 'no robot address' };
      to = { id: entry.id, format: entry.channel, url: entry.robot_url, secret: entry.robot_secret ?? '' };
    }
    const payload = await this.#payload(alert, step);
    // Through an estate webhook, the step shows in that webhook's delivery log too.
    const logged = entry.channel === 'webhook' ? randomUUID() : null;
    if (logged)
      await store.webhooks.insertDelivery({
        id: logged,
        webhook_id: to.id,
        estate_id: step.estate_id,
        event: 'alert.escalation',
        subject_id: alert.id,
        status: 'pending',
        attempts: 0,
        response_status: null,
        error: null,
        created_at: this.#deps.clock(),
        finished_at: null,
      });
    let last: Attempt = { outcome: 'fail', status: null, error: 'not attempted' };
    let attempts = 0;
    while (attempts < this.#options.maxAttempts && !this.#stopping.signal.aborted) {
      attempts++;
      last = await this.#deps.dispatcher.sendOnce(to, payload);
      if (last.outcome !== 'retry') break;
      if (attempts < this.#options.maxAttempts) await this.#backoff(attempts);
    }
    if (logged)
      await store.webhooks.updateDelivery(logged, {
        status: last.outcome === 'ok' ? 'delivered' : 'failed',
        attempts,
        response_status: last.status,
        error: last.error,
        finished_at: this.#deps.clock(),
      });
    return last.outcome === 'ok'
      ? { status: 'sent', attempts, error: null }
      : { status: 'failed', attempts, error: last.error };
  }

  async #payload(alert: AlertTable, step: EscalationStepRow): Promise<WebhookPayload> {
    const { directory, store, clock } = this.#deps;
    const estate = directory.estate(alert.estate_id);
    const elevator = directory.elevator(alert.elevator_id);
    const where = [
      estate?.name ?? alert.estate_id,
      elevator ? `${elevator.buildingName} ${elevator.name}` : alert.elevator_id,
    ].join(' ');
    const names = new Map<string, string>();
    for (const username of [step.username, alert.acknowledged_by].filter((u): u is string => !!u)) {
      names.set(username, (await store.users.get(username))?.display_name ?? username);
    }
    const nameOf = (u: string) => names.get(u) ?? u;
    const own = await store.onCall.policy(alert.estate_id);
    const labelZh = ALERT_CATALOGUE[alert.code as keyof typeof ALERT_CATALOGUE]?.zh ?? '告警';
    const link = `${this.#deps.publicBaseUrl.replace(/\/+$/, '')}/app/#/elevator/${encodeURIComponent(alert.elevator_id)}`;
    const now = clock();
    return {
      event: 'alert.escalation',
      // Stable per step: a receiver can drop a repeat even if one ever came.
      delivery_id: `${alert.id}:${step.step}`,
      sent_at: now,
      estate: { id: alert.estate_id, name: estate?.name ?? alert.estate_id, name_en: estate?.nameEn ?? null },
      elevator: elevator
        ? {
            id: elevator.id,
            name: elevator.name,
            building: elevator.buildingName,
            registration_code: elevator.registrationCode,
          }
        : null,
      alert: {
        id: alert.id,
        code: alert.code,
        label_zh: labelZh,
        label_en: ALERT_CATALOGUE[alert.code as keyof typeof ALERT_CATALOGUE]?.en ?? alert.code,
        severity: alert.severity,
        state: alert.state,
        opened_at: alert.opened_at,
        last_seen_at: alert.last_seen_at,
      },
      escalation: {
        step: step.step,
        step_words: escalationStepWords(step.step, 'zh'),
        to: { username: step.username, display_name: step.username ? nameOf(step.username) : null },
        link,
        text: escalationLines({
          alert,
          step: step.step,
          labelZh,
          where,
          to: step.username ? nameOf(step.username) : null,
          nameOf,
          ackWithinMs: own ? own.ack_within_s * 1000 : this.#options.ackWithinMs,
          arriveWithinMs: own ? own.arrive_within_s * 1000 : this.#options.arriveWithinMs,
          link,
          now,
        }),
      },
    };
  }

  /** The domain event in the log and the audit row: who was told of which alert, and how it went. */
  async #record(step: EscalationStepRow, outcome: Outcome): Promise<void> {
    const fields = {
      event: outcome.status === 'failed' ? 'alert.escalation_failed' : 'alert.escalated',
      alertId: step.alert_id,
      estateId: step.estate_id,
      step: step.step,
      to: step.username,
      status: outcome.status,
      attempts: outcome.attempts,
      error: outcome.error,
    };
    if (outcome.status === 'failed') this.#log.warn(fields, 'escalation step not delivered');
    else
      this.#log.info(fields, outcome.status === 'sent' ? 'escalation step sent' : 'escalation step skipped');
    await this.#deps.store.audit.record(this.#deps.clock(), {
      actor: 'system',
      role: null,
      action: 'alert.escalate',
      targetType: 'alert',
      targetId: step.alert_id,
      estateId: step.estate_id,
      ip: null,
      detail: { step: step.step, to: step.username, status: outcome.status, attempts: outcome.attempts },
    });
  }

  #backoff(attempt: number): Promise<void> {
    return waitUnlessAborted(backoffMs(attempt, this.#options.retryBaseMs), this.#stopping.signal);
  }
}

/** A duty step matters while nobody acknowledged; a manager step while nobody is on site. */
function stillNeeded(alert: AlertTable, step: string): boolean {
  if (alert.state === 'resolved') return false;
  if (step.startsWith('duty:')) return alert.state === 'open';
  return onSiteAt(alert) === null;
}
