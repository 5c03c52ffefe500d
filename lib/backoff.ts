/**
 * Waiting before a retry (webhook deliveries, escalation steps, the regulator's pushes): the
 * back-off delay, and a wait that a stop cuts short so a stopping part never hangs on a timer.
 */

/** base · 2^(attempt-1), capped at `maxMs`, with ±20% jitter so many failing targets do not retry in step. */
export function backoffMs(attempt: number, baseMs: number, maxMs = Number.POSITIVE_INFINITY): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(30, attempt - 1)) * (0.8 + Math.random() * 0.4);
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function waitUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
