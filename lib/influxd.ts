/**
 * Starts and stops a real Debian `influxd` (1.x) in a directory of its own, on ports of
 * our choosing: the main command uses it when INFLUX_URL is unset, the tests and the
 * benchmark start one each on free ports. Readiness is awaited on /ping, not on a sleep.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startChildServer } from './child-server.ts';
import { LiftWatchError } from './errors.ts';

/** Where the tests and the parts have always found it. */
export { freePort };

export const INFLUXD_BINARY = '/usr/bin/influxd';

export interface InfluxdHandle {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** True when something answers InfluxDB's /ping at `url`. */
export async function influxAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const response = await fetch(new URL('/ping', url), { signal: AbortSignal.timeout(timeoutMs) });
    return response.status === 204;
  } catch {
    return false;
  }
}

export interface StartInfluxdOptions {
  dir: string;
  port?: number;
  /** Where influxd's own output goes; default: discarded. */
  logFile?: string;
  readyTimeoutMs?: number;
}

export async function startInfluxd(options: StartInfluxdOptions): Promise<InfluxdHandle> {
  if (!existsSync(INFLUXD_BINARY)) {
    throw new LiftWatchError(
      'INFLUX_UNREACHABLE',
      `${INFLUXD_BINARY} is missing: run 'npm run setup' (it installs Debian's influxdb) or set INFLUX_URL`,
    );
  }
  const port = options.port ?? (await freePort());
  const rpcPort = await freePort();
  mkdirSync(options.dir, { recursive: true });
  const configFile = join(options.dir, 'influxd.conf');
  // The RPC (backup) port defaults to 8088 and would clash between instances.
  writeFileSync(
    configFile,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${join(options.dir, 'meta')}"`,
      '[data]',
      `  dir = "${join(options.dir, 'data')}"`,
      `  wal-dir = "${join(options.dir, 'wal')}"`,
      '  query-log-enabled = false',
      '  cache-max-memory-size = "1g"',
      '[coordinator]',
      '  log-queries-after = "0s"',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '  max-body-size = 0',
      '[continuous_queries]',
      '  enabled = true',
      '  run-interval = "10s"',
      '[monitor]',
      '  store-enabled = false',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  const server = await startChildServer({
    name: `influxd on port ${port}`,
    command: INFLUXD_BINARY,
    args: ['-config', configFile],
    answers: () => influxAnswers(url, 500),
    errorCode: 'INFLUX_UNREACHABLE',
    logFile: options.logFile,
    readyTimeoutMs: options.readyTimeoutMs,
  });
  return { url, port, dir: options.dir, ...server };
}
