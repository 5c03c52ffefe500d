/**
 * The process-level policy (lib/crash-policy.ts) in real processes: an error nothing caught
 * is logged once as fatal with the part and its origin, and the process exits non-zero so a
 * supervisor restarts it; a coded error exits 1 with its code and message.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface Outcome {
  code: number | null;
  lines: Record<string, unknown>[];
}

/** Runs `body` in a fresh Node process that installed the policy as the mains do. */
function runWithPolicy(body: string): Promise<Outcome> {
  const script = `
import { installCrashPolicy } from './lib/crash-policy.ts';
import { LiftWatchError } from './lib/errors.ts';
import { createLogger } from './lib/logger.ts';
installCrashPolicy(createLogger('info'), { part: 'ingest' });
${body}`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: process.cwd(), timeout: 30_000 },
      (error, stdout) => {
        const code = error ? ((error as { code?: number }).code ?? null) : 0;
        const lines = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ code, lines });
      },
    );
  });
}

describe('crash policy', () => {
  it('an exception thrown from a callback: one fatal line with context, exit 70', async () => {
    const { code, lines } = await runWithPolicy(
      `setTimeout(() => { throw new RangeError('Maximum call stack size exceeded'); }, 1);`,
    );
    expect(code).toBe(70);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 60,
      part: 'ingest',
      origin: 'uncaughtException',
      err: { type: 'RangeError', message: 'Maximum call stack size exceeded' },
    });
  });

  it('a rejected promise nobody awaited: exit 70, origin unhandledRejection', async () => {
    const { code, lines } = await runWithPolicy(`void Promise.reject(new Error('influx gone'));`);
    expect(code).toBe(70);
    expect(lines[0]).toMatchObject({ origin: 'unhandledRejection', err: { message: 'influx gone' } });
  });

  it('a coded error reaching the top exits 1 with its code and message', async () => {
    const { code, lines } = await runWithPolicy(
      `setTimeout(() => { throw new LiftWatchError('CONFIG_INVALID', 'set INGEST_MQTT_USERNAME'); }, 1);`,
    );
    expect(code).toBe(1);
    expect(lines[0]).toMatchObject({ code: 'CONFIG_INVALID', msg: 'set INGEST_MQTT_USERNAME' });
  });
});
