/**
 * The error catalogue: every error a user can meet has a stable code, a message that
 * says what to do, and (for the API) an HTTP status. Throw `new LiftWatchError(code, …)`.
 */

export const ERRORS = {
  CONFIG_INVALID: { status: 500, message: 'Configuration is invalid; fix the environment variables listed' },
  PORT_IN_USE: { status: 500, message: 'The port is already in use' },
  FLEET_INVALID: {
    status: 400,
    message: 'The fleet file does not match its schema (docs/schemas/fleet.schema.json)',
  },
  FLEET_REFERENCE: { status: 400, message: 'The fleet file refers to an id it does not define' },
  FLEET_FILE_UNSET: {
    status: 409,
    message: 'This process has no fleet file to reload: start it with FLEET_FILE set',
  },
  INFLUX_UNREACHABLE: {
    status: 503,
    message: 'InfluxDB does not answer; check INFLUX_URL or install influxdb',
  },
  INFLUX_REJECTED: { status: 500, message: 'InfluxDB refused the points' },
  MQTT_UNREACHABLE: { status: 503, message: 'The MQTT broker does not answer; check MQTT_URL' },
  LOG_UNREACHABLE: {
    status: 503,
    message: "NATS (the log) does not answer; check NATS_URL, or run 'npm run setup' to install nats-server",
  },
  LOG_LAYOUT_CHANGED: {
    status: 500,
    message:
      'The log on this NATS server was laid out with other partitions or streams (LOG_PARTITIONS, LOG_STREAMS, or an older version) and still holds unread messages: run the previous settings until the ingest has read them, or start with a fresh DATA_DIR',
  },
  REDIS_UNREACHABLE: {
    status: 503,
    message:
      'Redis does not answer at REDIS_URL; start it, fix the address, or unset REDIS_URL to run one API node alone',
  },
  DETECTION_UNCOMMITTED: {
    status: 503,
    message:
      'Alert findings could not be stored yet; the log keeps their messages unacknowledged and the ingest retries (check the database)',
  },
  LEASE_LOST: {
    status: 503,
    message: 'This ingest worker no longer owns the partition; another worker took it over and replays it',
  },
  DATABASE_UNREACHABLE: {
    status: 503,
    message:
      "PostgreSQL does not answer at DATABASE_URL; check its host and port, and start it (bash scripts/setup.sh --postgres starts the machine's own), or unset DATABASE_URL to use SQLite",
  },
  DATABASE_REFUSED: {
    status: 503,
    message:
      'PostgreSQL refused the connection at DATABASE_URL (wrong user or password, or no such database); fix the credentials or create the database',
  },
  DATABASE_AHEAD: {
    status: 500,
    message:
      'The database was migrated by a newer Lift Watch than this one; run the newer version, or point DATABASE_URL / DATABASE_FILE at a database of this version',
  },
  STICKER_FONT_MISSING: {
    status: 503,
    message:
      'The CJK font for sticker PDFs is missing at STICKER_FONT_FILE; install fonts-noto-cjk (apt-get install fonts-noto-cjk, or bash scripts/setup.sh) or point STICKER_FONT_FILE / STICKER_FONT_NAME at a Chinese font',
  },
  NOT_FOUND: { status: 404, message: 'Not found' },
  BAD_REQUEST: { status: 400, message: 'The request is invalid' },
  UNAUTHENTICATED: { status: 401, message: 'Log in first' },
  FORBIDDEN: { status: 403, message: 'Your role does not allow this' },
  CROSS_SITE_REFUSED: {
    status: 403,
    message:
      "Refused: a change made with the session cookie must come from Lift Watch's own pages (the Origin header does not match)",
  },
  LOGIN_FAILED: { status: 401, message: 'Wrong username or password' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; wait a moment and try again' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Send JSON (application/json); only the resident report and login take a form',
  },
  DESTINATION_NOT_ALLOWED: {
    status: 400,
    message:
      'Webhooks may only point at public addresses: loopback, private, link-local and cloud metadata addresses are refused unless the operator allow-lists the host (WEBHOOK_ALLOW_HOSTS)',
  },
  CONFLICT: { status: 409, message: 'The resource is not in a state that allows this' },
  REPORT_FOLLOWS_ALERT: {
    status: 409,
    message:
      'This report is handled through its linked alert: acknowledge, mark on site or resolve the alert, and the report follows',
  },
  INTERNAL_ERROR: { status: 500, message: 'Something went wrong on our side; it has been logged' },
  NOT_READY: { status: 503, message: 'A dependency is not reachable yet' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class LiftWatchError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; details?: unknown }) {
    super(message ?? ERRORS[code].message, options?.cause ? { cause: options.cause } : undefined);
    this.name = 'LiftWatchError';
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.details = options?.details;
  }
}
