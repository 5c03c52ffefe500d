/**
 * The process-level policy for an error nothing caught: log it once, as fatal, with which
 * part of Lift Watch it stopped and where it came from, then exit non-zero so the
 * supervisor (systemd, the container runtime, `npm run demo`'s caller) starts a clean
 * process. Resuming after an uncaught exception runs on state that is unknown (Node's own
 * advice), and a process that keeps running with a broken part would look healthy.
 *
 * Per-message work never reaches this: the ingest guards each message and acknowledges it
 * whatever happens (ingest/ingest.ts `handle`), and the API guards its MQTT feed, so what
 * lands here is not working on a message the broker would deliver again after the restart.
 */
import { LiftWatchError } from './errors.ts';
import type { Logger } from './logger.ts';

/** EX_SOFTWARE (sysexits.h): an internal error. */
export const EXIT_UNCAUGHT = 70;
/** A coded error (a setting, a port in use) reaching the top: the operator has to act, a restart alone will not help. */
export const EXIT_CODED = 1;

export interface CrashPolicyOptions {
  /** Which process this is, for the log line: `lift-watch`, `ingest`, `broker`, `api`. */
  part: string;
  /** Replaced by tests; the mains leave it to process.exit. */
  exit?: (code: number) => void;
}

/** Installs the handlers once per process; the mains call it right after creating the logger. */
export function installCrashPolicy(log: Logger, options: CrashPolicyOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let exiting = false;
  const die = (error: unknown, origin: string) => {
    // A second error while exiting (a handler's own failure) must not log forever.
    if (exiting) return;
    exiting = true;
    const coded = error instanceof LiftWatchError;
    try {
      log.fatal(
        {
          err: error,
          ...(coded ? { code: error.code } : {}),
          origin,
          part: options.part,
          pid: process.pid,
          uptimeS: Math.round(process.uptime()),
        },
        coded ? error.message : 'uncaught error; exiting so the supervisor restarts the process',
      );
    } finally {
      exit(coded ? EXIT_CODED : EXIT_UNCAUGHT);
    }
  };
  process.on('uncaughtException', (error, origin) => die(error, origin));
  process.on('unhandledRejection', (reason) => die(reason, 'unhandledRejection'));
}
