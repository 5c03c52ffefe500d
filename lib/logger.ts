/**
 * The one logger: pino (Fastify's own), JSON by default, credentials redacted.
 * Modules take a child: `log.child({ module: 'ingest' })`.
 */
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export const REDACT_PATHS = [
  'password',
  '*.password',
  'password_hash',
  '*.password_hash',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'token',
  '*.token',
];

/**
 * Query parameters that carry a credential (a robot's access token or key, a token or
 * secret a client put in a link): their values are cut wherever a URL is logged or shown.
 */
const SECRET_PARAMS = /([?&](?:access_token|token|key|secret|password|session|sign|signature)=)[^&#]+/gi;

/** `/x?token=abc&lang=zh` → `/x?token=…&lang=zh`. */
export function hideQuerySecrets(url: string): string {
  return url.replace(SECRET_PARAMS, '$1…');
}

export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'lift-watch' },
  });
}

/** A logger that writes nothing, for tests and benchmarks that count their own output. */
export const silentLogger: Logger = pino({ level: 'silent' });
