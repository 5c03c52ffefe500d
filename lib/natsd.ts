/**
 * Starts and stops a real Debian `nats-server` with JetStream in a directory of its own (file
 * storage), on a port of our choosing: the main command uses it when NATS_URL is unset, the
 * tests start one each on a free port with a temp store. Readiness is awaited on JetStream
 * answering (a file store that is recovering answers TCP before it serves streams), not on a sleep.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { freePort, startChildServer } from './child-server.ts';
import { LiftWatchError } from './errors.ts';

/** Debian's package installs it here; scripts/setup.sh installs it when missing. */
export const NATS_SERVER_BINARY = ['/usr/sbin/nats-server', '/usr/bin/nats-server'];

export interface NatsServerHandle {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartNatsServerOptions {
  /** JetStream's store directory (`-sd`). */
  dir: string;
  port?: number;
  /** Where nats-server's own output goes; default: discarded. */
  logFile?: string;
  readyTimeoutMs?: number;
}

/** True when a NATS server answers at `url` with JetStream enabled. */
export async function jetStreamAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  let nc: Awaited<ReturnType<typeof connect>> | null = null;
  try {
    nc = await connect({ servers: url, timeout: timeoutMs, reconnect: false });
    const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
    await jsm.getAccountInfo();
    return true;
  } catch {
    return false;
  } finally {
    await nc?.close().catch(() => undefined);
  }
}

function binary(): string {
  const found = NATS_SERVER_BINARY.find((path) => existsSync(path));
  if (!found) {
    throw new LiftWatchError(
      'LOG_UNREACHABLE',
      `nats-server is missing (${NATS_SERVER_BINARY.join(' or ')}): run 'npm run setup' (it installs Debian's nats-server) or set NATS_URL`,
    );
  }
  return found;
}

export async function startNatsServer(options: StartNatsServerOptions): Promise<NatsServerHandle> {
  const command = binary();
  const port = options.port ?? (await freePort());
  mkdirSync(options.dir, { recursive: true });
  const url = `nats://127.0.0.1:${port}`;
  const server = await startChildServer({
    name: `nats-server on port ${port}`,
    command,
    // Loopback only: the local server is this machine's log, not a cluster member.
    args: ['-js', '-sd', options.dir, '-p', String(port), '-a', '127.0.0.1'],
    answers: () => jetStreamAnswers(url, 500),
    errorCode: 'LOG_UNREACHABLE',
    logFile: options.logFile,
    readyTimeoutMs: options.readyTimeoutMs,
  });
  return { url, port, dir: options.dir, ...server };
}
