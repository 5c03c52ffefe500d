/**
 * Sends an estate's webhooks when one of its alerts changes state or a maintenance visit
 * gets its verdict: the same state-source events the socket plugin pushes. Each delivery is
 * a row in webhook_deliveries; network errors, timeouts, 429 and 5xx are retried with
 * exponential backoff up to `maxAttempts`, other answers are final. `stop()` cancels the
 * waits and lets in-flight deliveries record how far they got.
 *
 * Every request goes through the egress guard (lib/egress.ts): public addresses only,
 * unless the operator allow-lists the host; a refused destination is final and logged as
 * `refused: destination not allowed`, a connection that fails as `delivery failed` (the
 * log a manager reads must not map the network behind us). The reasons go to the server log.
 */
import { randomUUID } from 'node:crypto';
import type { Directory } from '../../fleet/directory.ts';
import { backoffMs, waitUnlessAborted } from '../../lib/backoff.ts';
import {
  createEgressGuard,
  type EgressGuard,
  EgressRefusedError,
  FAILED,
  parseAllowList,
} from '../../lib/egress.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Webhook, WebhookRepository } from '../../store/repositories/webhooks.ts';
import type { WebhookEvent } from '../../store/schema.ts';
import type { ElevatorStateSource, StateChange, StateListener } from '../state-source.ts';
import { buildRequest, robotOutcome, type WebhookPayload } from './formats.ts';

export interface WebhookOptions {
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs: number;
}

export const WEBHOOK_DEFAULTS: WebhookOptions = {
  maxAttempts: 5,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
  timeoutMs: 5000,
};

/** Enough to remember every open alert of a large fleet; older entries are forgotten first. */
const SENT_MEMORY = 50_000;

export interface WebhookDispatcherDeps {
  webhooks: WebhookRepository;
  directory: Directory;
  stateSource: ElevatorStateSource;
  clock: () => number;
  log: Logger;
  options?: Partial<WebhookOptions>;
  /** Where requests may go; default: public addresses only. */
  egress?: EgressGuard;
}

export type Attempt = { outcome: 'ok' | 'retry' | 'fail'; status: number | null; error: string | null };

/** Where one request goes: a webhook, or a person's own robot (an on-call entry). */
export type Destination = Pick<Webhook, 'id' | 'format' | 'url' | 'secret'>;

export class WebhookDispatcher {
  readonly #deps: WebhookDispatcherDeps;
  readonly #options: WebhookOptions;
  readonly #log: Logger;
  readonly #egress: EgressGuard;
  readonly #inFlight = new Set<Promise<void>>();
  /** The alert state or visit verdict last sent per subject: the ingest republishes unchanged ones. */
  readonly #sent = new Map<string, string>();
  #stopping = new AbortController();
  /** Deliveries finished since start, by outcome (`/metrics`). */
  readonly counts = { delivered: 0, failed: 0 };
  readonly #listener: StateListener = (change) => this.#onChange(change);

  constructor(deps: WebhookDispatcherDeps) {
    this.#deps = deps;
    this.#options = { ...WEBHOOK_DEFAULTS, ...deps.options };
    this.#log = deps.log.child({ module: 'webhooks' });
    this.#egress = deps.egress ?? createEgressGuard({ allow: parseAllowList('').allow });
  }

  /**
   * At registration: throws EgressRefusedError when the URL's host is or resolves to an
   * address webhooks may not reach. A name that does not resolve yet is let through (the
   * delivery checks again).
   */
  async checkDestination(url: string): Promise<void> {
    try {
      await this.#egress.check(new URL(url));
    } catch (error) {
      if (error instanceof EgressRefusedError) throw error;
    }
  }

  start(): void {
    this.#stopping = new AbortController();
    this.#deps.stateSource.on('change', this.#listener);
  }

  async stop(): Promise<void> {
    this.#deps.stateSource.off('change', this.#listener);
    this.#stopping.abort();
    await this.settled();
  }

  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** A test message to one webhook; returns the delivery id to look up in its log. */
  ping(hook: Webhook): string {
    const estate = this.#deps.directory.estate(hook.estate_id);
    const payload = this.#payload('ping', hook.estate_id, null);
    if (estate) payload.estate = { id: estate.id, name: estate.name, name_en: estate.nameEn };
    this.#track(this.#deliver(hook, payload, hook.id));
    return payload.delivery_id;
  }

  #onChange(change: StateChange): void {
    if (change.kind === 'state') return;
    const elevator = this.#deps.directory.elevator(change.elevatorId);
    if (!elevator) return;
    let event: WebhookEvent;
    let subject: string;
    let payload: WebhookPayload;
    if (change.kind === 'alert') {
      const a = change.alert;
      if (!this.#firstTime(`alert:${a.id}`, a.state)) return;
      event = 'alert.transition';
      subject = a.id;
      payload = this.#payload(event, elevator.estateId, elevator.id);
      payload.alert = {
        id: a.id,
        code: a.code,
        label_zh: a.label_zh,
        label_en: a.label_en,
        severity: a.severity,
        state: a.state,
        opened_at: a.opened_at,
        last_seen_at: a.last_seen_at,
      };
    } else {
      const v = change.visit;
      // Check-ins are not news to the firm; the verdict is.
      if (v.verdict === null || !this.#firstTime(`visit:${v.id}`, v.verdict)) return;
      event = 'visit.verdict';
      subject = v.id;
      payload = this.#payload(event, elevator.estateId, elevator.id);
      payload.visit = {
        id: v.id,
        status: v.status,
        verdict: v.verdict,
        evidence_score: v.evidence_score,
        kind: v.kind,
        company_id: v.company_id,
      };
    }
    this.#track(this.#fanOut(elevator.estateId, event, subject, payload));
  }

  #firstTime(key: string, value: string): boolean {
    if (this.#sent.get(key) === value) return false;
    this.#sent.delete(key);
    this.#sent.set(key, value);
    if (this.#sent.size > SENT_MEMORY) this.#sent.delete(this.#sent.keys().next().value!);
    return true;
  }

  #payload(event: WebhookPayload['event'], estateId: string, elevatorId: string | null): WebhookPayload {
    const { directory } = this.#deps;
    const estate = directory.estate(estateId);
    const elevator = elevatorId ? directory.elevator(elevatorId) : undefined;
    return {
      event,
      delivery_id: randomUUID(),
      sent_at: this.#deps.clock(),
      estate: { id: estateId, name: estate?.name ?? estateId, name_en: estate?.nameEn ?? null },
      elevator: elevator
        ? {
            id: elevator.id,
            name: elevator.name,
            building: elevator.buildingName,
            registration_code: elevator.registrationCode,
          }
        : null,
    };
  }

  async #fanOut(estateId: string, event: WebhookEvent, subject: string, payload: WebhookPayload) {
    const hooks = await this.#deps.webhooks.subscribedTo(estateId, event);
    // Each webhook gets its own delivery id, so receivers can deduplicate per endpoint.
    await Promise.all(
      hooks.map((hook, i) =>
        this.#deliver(hook, i === 0 ? payload : { ...payload, delivery_id: randomUUID() }, subject),
      ),
    );
  }

  async #deliver(hook: Webhook, payload: WebhookPayload, subject: string): Promise<void> {
    const { webhooks, clock } = this.#deps;
    const id = payload.delivery_id;
    await webhooks.insertDelivery({
      id,
      webhook_id: hook.id,
      estate_id: hook.estate_id,
      event: payload.event,
      subject_id: subject,
      status: 'pending',
      attempts: 0,
      response_status: null,
      error: null,
      created_at: clock(),
      finished_at: null,
    });
    const { maxAttempts } = this.#options;
    let last: Attempt = { outcome: 'fail', status: null, error: 'not attempted' };
    let attempts = 0;
    while (attempts < maxAttempts && !this.#stopping.signal.aborted) {
      attempts++;
      last = await this.#attempt(hook, payload);
      await webhooks.updateDelivery(id, { attempts, response_status: last.status, error: last.error });
      if (last.outcome !== 'retry') break;
      if (attempts < maxAttempts) await this.#backoff(attempts);
    }
    if (this.#stopping.signal.aborted && last.outcome === 'retry') last.error = `stopped: ${last.error}`;
    const status = last.outcome === 'ok' ? 'delivered' : 'failed';
    this.counts[status]++;
    await webhooks.updateDelivery(id, { status, finished_at: clock() });
    this.#log[status === 'delivered' ? 'debug' : 'warn'](
      {
        // The domain event operators search for when a firm says "we heard nothing".
        ...(status === 'failed' ? { event: 'webhook.delivery_failed' } : {}),
        webhookId: hook.id,
        estateId: hook.estate_id,
        deliveryId: id,
        attempts,
        status: last.status,
        error: last.error,
      },
      `webhook ${status}`,
    );
  }

  /** One request to a destination through the egress guard (the escalation sender's retries are its own). */
  sendOnce(to: Destination, payload: WebhookPayload): Promise<Attempt> {
    return this.#attempt(to, payload);
  }

  async #attempt(hook: Destination, payload: WebhookPayload): Promise<Attempt> {
    // A fresh timestamp per attempt: receivers may refuse old ones as replays.
    const request = buildRequest(hook.format, hook.url, hook.secret, payload, this.#deps.clock());
    try {
      const { status, body } = await this.#egress.send(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.any([this.#stopping.signal, AbortSignal.timeout(this.#options.timeoutMs)]),
      });
      if (status >= 500 || status === 429) return { outcome: 'retry', status, error: `HTTP ${status}` };
      if (status < 200 || status >= 300) return { outcome: 'fail', status, error: `HTTP ${status}` };
      const outcome = robotOutcome(hook.format, body);
      return { outcome, status, error: outcome === 'ok' ? null : `robot answered ${body.slice(0, 200)}` };
    } catch (error) {
      const refused = error instanceof EgressRefusedError;
      this.#log.warn(
        { webhookId: hook.id, reason: refused ? error.reason : undefined, err: refused ? undefined : error },
        refused ? 'webhook destination refused' : 'webhook request failed',
      );
      // Not retried: the destination will not become allowed by waiting.
      if (refused) return { outcome: 'fail', status: null, error: error.message };
      return { outcome: 'retry', status: null, error: FAILED };
    }
  }

  /** base · 2^(n-1), capped, with ±20% jitter so many failing hooks do not retry in step. */
  #backoff(attempt: number): Promise<void> {
    const { retryBaseMs, retryMaxMs } = this.#options;
    return waitUnlessAborted(backoffMs(attempt, retryBaseMs, retryMaxMs), this.#stopping.signal);
  }

  #track(work: Promise<void>): void {
    const tracked = work
      .catch((error) => this.#log.error({ err: error }, 'webhook dispatch failed'))
      .finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }
}
