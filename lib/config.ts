/**
 * The one configuration module. Every setting has a schema, a default and a
 * description; `loadConfig(env)` converts strings, applies defaults, reports *all*
 * errors at once and returns a frozen, typed object. Nothing else reads process.env.
 */
import { resolve } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value, ValuePointer } from '@sinclair/typebox/value';
import { INFLUX_DEFAULT_DATABASE } from '../protocol/influx.ts';
import { parseAllowList } from './egress.ts';
import { LiftWatchError } from './errors.ts';

const Port = (def: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 65535, default: def, description });

export const ConfigSchema = Type.Object({
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  DATA_DIR: Type.String({
    default: '.data',
    description: 'Where SQLite, the spill file and a local influxd live',
  }),
  DATABASE_FILE: Type.Optional(
    Type.String({ description: 'SQLite file; default DATA_DIR/lift-watch.sqlite' }),
  ),
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description:
        'PostgreSQL instead of SQLite (postgres://user:password@host:5432/database); unset: the SQLite file DATABASE_FILE',
    }),
  ),
  FLEET_FILE: Type.Optional(
    Type.String({
      description:
        'Fleet file to load at start and on SIGHUP or POST /api/v1/fleet/reload; default: the generated demo fleet',
    }),
  ),
  FLEET_REFRESH_S: Type.Integer({
    minimum: 0,
    default: 60,
    description:
      'Safety-net period of every process re-reading the fleet from the store (changes announced on fleet/changed arrive at once); 0 = never',
  }),

  MQTT_PORT: Port(1883, 'Port of the embedded broker'),
  MQTT_HOST: Type.String({ default: '0.0.0.0', description: 'Address the embedded broker binds' }),
  MQTT_URL: Type.Optional(
    Type.String({
      pattern: '^mqtts?://',
      description: 'External broker for the ingest (skips the embedded one)',
    }),
  ),
  MQTT_MAX_PACKET_BYTES: Type.Integer({ minimum: 1024, default: 65536 }),
  MQTT_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10000 }),
  // Defaults equal broker/broker.ts's INFLOW_HIGH / INFLOW_LOW (a broker built without config).
  MQTT_INFLOW_HIGH: Type.Integer({
    minimum: 1,
    default: 1000,
    description: "Messages queued in the broker above which devices' publishes wait before their PUBACK",
  }),
  MQTT_INFLOW_LOW: Type.Integer({
    minimum: 0,
    default: 500,
    description: 'Queued messages below which waiting publishes go on (at most MQTT_INFLOW_HIGH)',
  }),
  BROKER_METRICS_PORT: Type.Optional(
    Port(0, 'A standalone broker serves Prometheus /metrics here (unset: not served)'),
  ),

  INGEST_MQTT_USERNAME: Type.Optional(
    Type.String({ description: 'Service credential of a standalone ingest' }),
  ),
  INGEST_MQTT_PASSWORD: Type.Optional(Type.String()),
  INGEST_CLIENT_ID: Type.String({
    default: 'lift-watch-ingest',
    description: 'Fixed, for a persistent session',
  }),
  INGEST_BATCH_SIZE: Type.Integer({ minimum: 1, default: 5000, description: 'Points per InfluxDB write' }),
  INGEST_BATCH_MAX_AGE_MS: Type.Integer({
    minimum: 1,
    default: 100,
    description: 'Longest a point waits before its batch is written',
  }),
  INGEST_WRITES_IN_FLIGHT: Type.Integer({ minimum: 1, maximum: 16, default: 2 }),
  INGEST_BUFFER_MAX_POINTS: Type.Integer({
    minimum: 1000,
    default: 200000,
    description: 'Points held in memory during an outage before spilling to disk',
  }),
  INGEST_KEYFRAME_S: Type.Integer({
    minimum: 1,
    default: 300,
    description: 'Telemetry is written by exception; every field at least this often (device time)',
  }),
  INGEST_METRICS_PORT: Type.Optional(
    Port(0, 'A standalone ingest serves Prometheus /metrics here (unset: not served)'),
  ),
  DETECTION: Type.Boolean({
    default: true,
    description: 'Run the fault and maintenance rules in the ingest',
  }),
  HEALTH: Type.Boolean({
    default: true,
    description:
      'Health signals per lift in the ingest (condition-based maintenance): a health_daily point per lift and device day',
  }),
  INGEST_SPILL_MAX_BYTES: Type.Integer({
    minimum: 0,
    default: 1073741824,
    description: 'Disk cap for the spill',
  }),

  LOG_ENABLED: Type.Boolean({
    default: true,
    description:
      "The durable log: a device's QoS 1 publish is acknowledged only once NATS JetStream stored it, and the ingest consumes from there (acknowledging after the InfluxDB write) instead of subscribing over MQTT. On by default, so a PUBACK means stored; false: the ingest subscribes over MQTT and a PUBACK means only received (for a part run apart without NATS)",
  }),
  NATS_URL: Type.Optional(
    Type.String({
      pattern: '^(nats|tls)://',
      description:
        'NATS server(s) with JetStream for the log, comma-separated for a cluster; unset: start a local nats-server under DATA_DIR',
    }),
  ),
  // Not NATS's 4222: a machine's own NATS there (this one has it) holds other streams; the
  // local server keeps the product's log apart, under DATA_DIR.
  NATS_PORT: Port(14222, 'Port of the local nats-server started when NATS_URL is unset'),
  LOG_PARTITIONS: Type.Integer({
    minimum: 1,
    maximum: 1024,
    default: 64,
    description:
      'Partitions of the log (by elevator id); fixed for the life of a stream: changing it moves elevators between partitions',
  }),
  LOG_STREAMS: Type.Integer({
    minimum: 1,
    maximum: 1024,
    default: 8,
    description:
      'JetStream streams the partitions are spread over (partition p in LW_IN_{p mod LOG_STREAMS}); at most LOG_PARTITIONS, fixed like it. More streams spread the work over more server threads and cluster leaders; a partition consumer then filters fewer foreign messages',
  }),
  LOG_REPLICAS: Type.Integer({
    minimum: 1,
    maximum: 5,
    default: 1,
    description: 'Copies of the log kept by a NATS cluster (3 on a 3-node cluster; 1 for a single server)',
  }),
  LOG_MAX_AGE_H: Type.Integer({
    minimum: 1,
    default: 168,
    description: 'Hours the log keeps messages, acknowledged or not',
  }),
  LOG_MAX_BYTES: Type.Integer({
    minimum: 1048576,
    default: 8589934592,
    description:
      'Bytes the log keeps on disk; when full, new device publishes are refused (no PUBACK), old ones are kept',
  }),
  LOG_MAX_ACK_PENDING: Type.Integer({
    minimum: 1,
    default: 2000,
    description: 'Messages per partition delivered to the ingest and not yet acknowledged (written) at most',
  }),
  LOG_ACK_WAIT_S: Type.Integer({
    minimum: 1,
    default: 30,
    description:
      'A message delivered to an ingest that neither acknowledged it nor said it is still working on it is delivered again after this long (a worker that died)',
  }),
  LOG_CHECKPOINT_S: Type.Integer({
    minimum: 1,
    maximum: 300,
    default: 10,
    description:
      "How often an ingest worker checkpoints its partitions' per-elevator state with the log position it covers; a partition's next owner starts from it and replays the log after it, so this bounds the replay (acknowledgements do not wait for it)",
  }),
  LOG_LEASE_S: Type.Integer({
    minimum: 2,
    maximum: 300,
    default: 10,
    description:
      "How long an ingest worker's lease on a log partition lives without renewal (renewed every third of it): a worker that died or stalled longer loses its partitions to the others",
  }),

  INFLUX_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'InfluxDB 1.x; unset: start a local influxd' }),
  ),
  INFLUX_PORT: Port(8086, 'Port of the local influxd started when INFLUX_URL is unset'),
  INFLUX_DATABASE: Type.String({ default: INFLUX_DEFAULT_DATABASE }),
  INFLUX_RAW_RETENTION: Type.String({ default: '30d', pattern: '^[0-9]+[hdw]$|^INF$' }),

  API_PORT: Port(8080, 'HTTP port of the API and dashboard'),
  API_HOST: Type.String({ default: '0.0.0.0' }),
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://', description: 'Base of QR links' })),
  API_TRUST_PROXY: Type.Boolean({
    default: false,
    description: 'Take the client address from X-Forwarded-For (behind a reverse proxy)',
  }),
  API_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 65536, description: 'Largest request body' }),
  API_RATE_LIMIT_PER_MIN: Type.Integer({
    minimum: 1,
    default: 6000,
    description: 'Requests per minute per client address, all routes',
  }),
  API_LOGIN_RATE_PER_MIN: Type.Integer({
    minimum: 1,
    default: 10,
    description: 'Login attempts per minute per address',
  }),
  API_REPORT_RATE_MAX: Type.Integer({
    minimum: 1,
    default: 5,
    description: 'Resident reports per address per API_REPORT_RATE_WINDOW_S',
  }),
  API_REPORT_RATE_WINDOW_S: Type.Integer({ minimum: 1, default: 600 }),
  API_SESSION_TTL_H: Type.Number({
    exclusiveMinimum: 0,
    default: 12,
    description: 'Browser session lifetime',
  }),
  API_QR_CACHE_TTL_S: Type.Integer({
    minimum: 0,
    default: 60,
    description: 'How long a QR page keeps its visits and incidents before re-reading SQLite',
  }),
  STICKER_FONT_FILE: Type.String({
    default: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
    description:
      "CJK font embedded (as a subset) in the sticker PDFs, so they print without the reader's Chinese font pack: a .ttf, .otf or .ttc (Debian: fonts-noto-cjk)",
  }),
  STICKER_FONT_NAME: Type.String({
    default: 'NotoSansCJKsc-Regular',
    description: 'PostScript name of the face to use when STICKER_FONT_FILE is a collection (.ttc)',
  }),
  API_HISTORY_MAX_POINTS: Type.Integer({
    minimum: 10,
    maximum: 20000,
    default: 2000,
    description: 'Most points one history answer carries; wider buckets keep a long range under it',
  }),
  WEBHOOK_ALLOW_HOSTS: Type.String({
    default: '',
    description:
      'Comma-separated hosts (exact names), IP addresses or networks (CIDR) that webhooks and other outbound pushes may reach although they are not public (loopback, private, link-local); empty: public addresses only',
  }),
  REGULATOR_PUSH_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description:
        'The government platform that receives the GB/T 24476 data sets (api/regulator/push.ts); unset: no push. Non-public hosts must be in WEBHOOK_ALLOW_HOSTS',
    }),
  ),
  REGULATOR_PUSH_SECRET: Type.Optional(
    Type.String({ minLength: 16, description: 'Shared secret of the push signature (HMAC-SHA256)' }),
  ),
  REGULATOR_PLATFORM_ID: Type.String({
    default: 'liftwatch',
    description: 'This enterprise platform’s id at the regulator, sent in every document',
  }),
  REGULATOR_STATUS_INTERVAL_S: Type.Integer({
    minimum: 5,
    default: 60,
    description: 'Seconds between running-status pushes',
  }),
  API_MQTT_USERNAME: Type.Optional(
    Type.String({ description: 'Service credential (role api) the API subscribes with' }),
  ),
  API_MQTT_PASSWORD: Type.Optional(Type.String()),
  API_MQTT_CLIENT_ID: Type.String({ default: 'lift-watch-api' }),
  API_NODE_ID: Type.String({
    pattern: '^[A-Za-z0-9_-]{1,64}$',
    default: 'api',
    description:
      "This API node's name, unique among the nodes (with LOG_ENABLED: its durable consumer of alert and visit transitions, api-{id}, keeps its read position across restarts)",
  }),
  REDIS_URL: Type.Optional(
    Type.String({
      pattern: '^rediss?://',
      description:
        'Redis shared by the API nodes: socket.io pushes across nodes (@socket.io/redis-adapter) and the request rate limits; unset: both stay in this process',
    }),
  ),
  REDIS_KEY_PREFIX: Type.String({
    pattern: '^[A-Za-z0-9_:.-]{1,64}$',
    default: 'liftwatch:',
    description: 'Prefix of every Redis key and channel Lift Watch uses (several deployments on one Redis)',
  }),

  LEDGER_VOTE_THRESHOLD_FEN: Type.Integer({
    minimum: 0,
    default: 5_000_000,
    description: "Fund expenditures strictly above this (fen) need a passed owners' vote",
  }),
  LEDGER_RATIFICATION_DAYS: Type.Integer({
    minimum: 1,
    maximum: 90,
    default: 7,
    description: 'Days the committee has to ratify an emergency fund payment',
  }),
  LEDGER_MAX_ATTACHMENT_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 104857600,
    default: 10485760,
    description: 'Largest quote or invoice file a fund accepts',
  }),
  LEDGER_FILES_DIR: Type.Optional(
    Type.String({ description: 'Where quote and invoice files are kept; default DATA_DIR/ledger-files' }),
  ),

  SIMULATE: Type.Boolean({ default: true, description: 'npm start also runs the demo fleet simulator' }),
  SIM_SPEEDUP: Type.Number({ exclusiveMinimum: 0, default: 1 }),
  DEVICE_OFFLINE_AFTER_S: Type.Integer({ minimum: 1, default: 120 }),
});

export type Config = Readonly<Static<typeof ConfigSchema>> & {
  readonly DATABASE_FILE: string;
  readonly FLEET_FILE: string | undefined;
  readonly LEDGER_FILES_DIR: string;
};

/** Reads the settings this schema knows from `env`; lists every problem in one error. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const known: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') known[key] = value;
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, known));
  const problems = [...Value.Errors(ConfigSchema, converted)].map(
    (e) =>
      `${e.path.slice(1) || '(root)'}=${JSON.stringify(ValuePointer.Get(converted, e.path))}: ${e.message}`,
  );
  const settings = converted as Partial<Static<typeof ConfigSchema>>;
  if ((settings.MQTT_INFLOW_LOW ?? 0) > (settings.MQTT_INFLOW_HIGH ?? Number.POSITIVE_INFINITY)) {
    problems.push(
      `MQTT_INFLOW_LOW=${settings.MQTT_INFLOW_LOW}: must not exceed MQTT_INFLOW_HIGH=${settings.MQTT_INFLOW_HIGH}`,
    );
  }
  if (typeof settings.WEBHOOK_ALLOW_HOSTS === 'string')
    for (const problem of parseAllowList(settings.WEBHOOK_ALLOW_HOSTS).problems)
      problems.push(`WEBHOOK_ALLOW_HOSTS=${JSON.stringify(settings.WEBHOOK_ALLOW_HOSTS)}: ${problem}`);
  if (settings.REGULATOR_PUSH_URL !== undefined && settings.REGULATOR_PUSH_SECRET === undefined)
    problems.push('REGULATOR_PUSH_SECRET: must be set when REGULATOR_PUSH_URL is (pushes are signed)');
  if (problems.length > 0) {
    throw new LiftWatchError('CONFIG_INVALID', `Invalid configuration:\n  ${problems.join('\n  ')}`, {
      details: problems,
    });
  }
  const config = converted as Static<typeof ConfigSchema>;
  const dataDir = resolve(config.DATA_DIR);
  return Object.freeze({
    ...config,
    DATA_DIR: dataDir,
    DATABASE_FILE: config.DATABASE_FILE
      ? resolve(config.DATABASE_FILE)
      : resolve(dataDir, 'lift-watch.sqlite'),
    FLEET_FILE: config.FLEET_FILE ? resolve(config.FLEET_FILE) : undefined,
    LEDGER_FILES_DIR: config.LEDGER_FILES_DIR
      ? resolve(config.LEDGER_FILES_DIR)
      : resolve(dataDir, 'ledger-files'),
  });
}
