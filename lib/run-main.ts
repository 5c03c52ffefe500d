/**
 * The one way a Lift Watch process runs (`main.ts`, `broker/main.ts`, `ingest/main.ts`,
 * `api/main.ts`): read the configuration once, create the logger, install the crash policy,
 * start the components in order, and on SIGINT or SIGTERM stop the ones that started in
 * reverse order, each stop bounded and logged. A main only says which components it runs.
 *
 * Exit codes: 0 after a clean stop; 1 when the configuration is invalid, a component could
 * not start (logged as fatal with its code, after stopping what had started) or a stop failed
 * or timed out; 128 + the signal's number when a second signal cuts a slow stop short;
 * 70 for an error nothing caught (lib/crash-policy.ts).
 */
import { constants } from 'node:os';
import type { Component } from './component.ts';
import { type Config, loadConfig } from './config.ts';
import { EXIT_CODED, installCrashPolicy } from './crash-policy.ts';
import { LiftWatchError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';

/** How long one component's stop may take before it is logged and left behind. */
export const STOP_TIMEOUT_MS = 15_000;
/**
 * A signal this soon after the first is the same Ctrl-C arriving twice, not the operator
 * asking again: a terminal signals the whole process group, and a wrapper in it (npm, tsx)
 * relays the signal to its child as well, some milliseconds later.
 */
export const SIGNAL_ECHO_MS = 1000;

export interface MainContext {
  config: Config;
  log: Logger;
}

export interface RunMainOptions {
  /** Which process this is, in every log line and the crash policy's: `lift-watch`, `broker`, … */
  part: string;
  /**
   * The components in start order. Building does no I/O (a throw here is a start failure
   * with nothing to stop); each component opens, listens or connects in its `start()`.
   */
  build(context: MainContext): Component[] | Promise<Component[]>;
  /** Default STOP_TIMEOUT_MS. */
  stopTimeoutMs?: number;
  /** Default SIGNAL_ECHO_MS. */
  signalEchoMs?: number;
}

type StopOutcome = { kind: 'stopped' } | { kind: 'failed'; error: unknown } | { kind: 'timeout' };

/** Runs a main; resolves once every component started (a failed start exits instead). */
export async function runMain(options: RunMainOptions): Promise<void> {
  const { part } = options;
  const stopTimeoutMs = options.stopTimeoutMs ?? STOP_TIMEOUT_MS;
  const signalEchoMs = options.signalEchoMs ?? SIGNAL_ECHO_MS;

  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    // No logger level to honour yet: the default one says why, with every problem listed.
    refuseToStart(createLogger('info'), part, 'config', error);
  }
  const log = createLogger(config.LOG_LEVEL);
  installCrashPolicy(log, { part });

  const started: Component[] = [];
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  let signalled: NodeJS.Signals | null = null;
  let signalledAt = 0;

  const stopAllAndExit = async (code: number): Promise<never> => {
    phase = 'stopping';
    let clean = true;
    for (const component of started.splice(0).reverse()) {
      log.info({ part, component: component.name }, 'stopping');
      const began = performance.now();
      const outcome = await bounded(() => component.stop(), stopTimeoutMs);
      const ms = Math.round(performance.now() - began);
      if (outcome.kind === 'stopped') {
        log.info({ part, component: component.name, ms }, 'stopped');
      } else if (outcome.kind === 'failed') {
        clean = false;
        log.error({ part, component: component.name, err: outcome.error, ms }, 'stop failed; going on');
      } else {
        clean = false;
        log.error(
          { part, component: component.name, timeoutMs: stopTimeoutMs },
          'stop timed out; going on without it',
        );
      }
    }
    const exitCode = code === 0 && !clean ? EXIT_CODED : code;
    log.info({ part, exitCode }, 'exiting');
    process.exit(exitCode);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled && performance.now() - signalledAt < signalEchoMs) {
      log.info({ part, signal }, 'signal repeated (the same stop request, relayed); already stopping');
      return;
    }
    if (signalled) {
      // The operator asked twice: a stop is hanging. Leave now, and say it was not clean.
      const exitCode = 128 + (constants.signals[signal] ?? 0);
      log.warn({ part, signal, exitCode }, 'second signal: exiting without waiting for the stops');
      process.exit(exitCode);
    }
    signalled = signal;
    signalledAt = performance.now();
    log.info({ part, signal }, 'signal received; stopping in reverse order');
    // While starting, the start loop stops everything once the component it waits on is up.
    if (phase === 'running') void stopAllAndExit(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let current = 'build';
  try {
    const components = await options.build({ config, log });
    for (const component of components) {
      if (signalled) break;
      current = component.name;
      log.debug({ part, component: component.name }, 'starting');
      await component.start();
      started.push(component);
    }
  } catch (error) {
    reportStartFailure(log, part, current, error);
    await stopAllAndExit(EXIT_CODED);
  }
  if (signalled) await stopAllAndExit(0);
  phase = 'running';
  log.info({ part, components: started.map((c) => c.name) }, 'started');
}

function reportStartFailure(log: Logger, part: string, component: string, error: unknown): void {
  const coded = error instanceof LiftWatchError;
  log.fatal(
    {
      part,
      component,
      err: error,
      ...(coded ? { code: error.code, ...(error.details ? { details: error.details } : {}) } : {}),
    },
    coded ? error.message : `${component} could not start`,
  );
  // The JSON line is for the log collector; a person at a terminal reads this one.
  const reason = coded ? `${error.code}: ${error.message}` : String(error);
  process.stderr.write(`\n${part} could not start (${component}): ${reason}\n`);
}

function refuseToStart(log: Logger, part: string, component: string, error: unknown): never {
  reportStartFailure(log, part, component, error);
  process.exit(EXIT_CODED);
}

async function bounded(stop: () => Promise<void>, timeoutMs: number): Promise<StopOutcome> {
  let timer: NodeJS.Timeout | undefined;
  // Not unref'd: a stop waiting on nothing must still reach its timeout, not end the process.
  const timeout = new Promise<StopOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(stop)
        .then(
          (): StopOutcome => ({ kind: 'stopped' }),
          (error: unknown): StopOutcome => ({ kind: 'failed', error }),
        ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
