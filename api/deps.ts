/**
 * What `buildApi` needs, in one explicit object: the store's repositories, a logger, the API's part
 * of the configuration, the elevator state source and optional probes and metrics from
 * the other parts. Nothing here reads the environment.
 */
import type { AlertLifecycle } from '../alerts/lifecycle.ts';
import type { FleetDirectory } from '../fleet/directory.ts';
import type { FleetReload } from '../fleet/service.ts';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import type { MaintenanceMessage } from '../protocol/index.ts';
import type { Store } from '../store/store.ts';
import type { RegulatorPushOptions } from './regulator/push.ts';
import type { SharedRedis } from './shared-redis.ts';
import type { ElevatorStateSource } from './state-source.ts';
import type { WebhookOptions } from './webhooks/dispatcher.ts';
import type { EscalationSenderOptions } from './webhooks/escalations.ts';

export type ApiConfig = Pick<
  Config,
  | 'API_TRUST_PROXY'
  | 'API_BODY_LIMIT_BYTES'
  | 'API_RATE_LIMIT_PER_MIN'
  | 'API_LOGIN_RATE_PER_MIN'
  | 'API_REPORT_RATE_MAX'
  | 'API_REPORT_RATE_WINDOW_S'
  | 'API_SESSION_TTL_H'
  | 'API_QR_CACHE_TTL_S'
  | 'API_HISTORY_MAX_POINTS'
  | 'STICKER_FONT_FILE'
  | 'STICKER_FONT_NAME'
  | 'DEVICE_OFFLINE_AFTER_S'
  | 'WEBHOOK_ALLOW_HOSTS'
>;

/** True when the dependency answers; a throw or a timeout counts as not ready. */
export type ReadinessProbe = () => boolean | Promise<boolean>;

/** The ingest (or any part in the process) hands its counters to `/metrics` this way. */
export type { MetricSample, MetricsProvider } from '../lib/prometheus.ts';

import type { MetricsProvider } from '../lib/prometheus.ts';

/**
 * Acknowledge / arrive / resolve, and a resident's trapped report: the one alert lifecycle (alerts/lifecycle.ts), which stores the
 * transition and publishes it on alerts/{id}; the API's state source hears of it from there.
 */
export type AlertActions = Pick<AlertLifecycle, 'acknowledge' | 'arrive' | 'resolve' | 'raiseFromResident'>;

/**
 * Where a technician's check-in and check-out from the phone go: the same maintenance message a
 * car's NFC reader or app sends on its device channel, so the ingest opens, closes and judges
 * the visit from telemetry as it does for any other. Absent, the field record is kept in the
 * store only (a test building the API alone).
 */
export interface VisitClaims {
  claim(elevatorId: string, message: MaintenanceMessage): Promise<void>;
}

export interface ApiDeps {
  /** The repositories; the API never sees the query builder (store/store.ts). */
  store: Store;
  log: Logger;
  /**
   * The process's fleet directory, loaded. Without one (a test building the API alone) the
   * API loads its own over the fleet repository.
   */
  directory?: FleetDirectory;
  /** Re-reads the configured fleet file (POST /api/v1/fleet/reload); null: no file configured. */
  fleetReload?: { reload(): Promise<FleetReload> } | null;
  config: ApiConfig;
  stateSource: ElevatorStateSource;
  /** Base of the links printed on QR stickers, e.g. https://lift.example.cn */
  publicBaseUrl: string;
  clock?: () => number;
  /** Checked by /readyz besides the database, e.g. { broker, influx }. */
  readiness?: Record<string, ReadinessProbe>;
  metrics?: MetricsProvider[];
  /** The alert lifecycle people's acknowledgements and resolutions go through. */
  alertActions: AlertActions;
  /** Hands the phone's check-ins and check-outs to the ingest (see VisitClaims). */
  visitClaims?: VisitClaims;
  /** InfluxDB 1.x the ingest writes to; without it the history route answers 503. */
  influx?: { url: string; database: string };
  /** Retry and timeout of outbound webhooks; defaults in webhooks/dispatcher.ts. */
  webhooks?: Partial<WebhookOptions>;
  /** Poll period, retries and default windows of the escalation sender; defaults in webhooks/escalations.ts. */
  escalations?: Partial<EscalationSenderOptions>;
  /**
   * Redis shared by the API nodes (api/shared-redis.ts): socket.io pushes reach every node's
   * browsers, rate limits count across nodes. Without it both stay in this process. The caller
   * connects and closes it.
   */
  sharedRedis?: SharedRedis;
  /** Push the GB/T 24476 data sets to a regulator's platform (api/regulator/push.ts); off without it. */
  regulatorPush?: Pick<RegulatorPushOptions, 'url' | 'secret' | 'platformId' | 'outboxDir'> &
    Partial<RegulatorPushOptions>;
}
