/**
 * Starts and stops a real Debian `influxd` (1.x) in a directory of its own, on ports of
 * our choosing: the main command uses it when INFLUX_URL is unset, the tests and the
 * benchmark start one each on free ports. Readiness is awaited on /ping, not on a sleep.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { LiftWatchError } from './errors.ts';

export const INFLUXD_BINARY = '/usr/bin/influxd';

export interface InfluxdHandle {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
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
  const child = spawn(INFLUXD_BINARY, ['-config', configFile], {
    stdio: ['ignore', 'ignore', options.logFile ? 'pipe' : 'ignore'],
  });
  if (options.logFile && child.stderr) {
    const { createWriteStream } = await import('node:fs');
    child.stderr.pipe(createWriteStream(options.logFile, { flags: 'a' }));
  }
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30000);
  while (!(await influxAnswers(url, 500))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LiftWatchError('INFLUX_UNREACHABLE', `influxd did not become ready on port ${port}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    dir: options.dir,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exit;
      clearTimeout(timer);
    },
  };
}
