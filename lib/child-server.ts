/**
 * Runs a real server binary as a child process (influxd, nats-server): spawn it, wait until it
 * answers (polling a readiness check, never a sleep), stop it with SIGTERM and SIGKILL after a
 * grace period. lib/influxd.ts and lib/natsd.ts say which binary, which arguments and what
 * "answers" means; this module owns the process's life.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { type ErrorCode, LiftWatchError } from './errors.ts';

export interface ChildServerHandle {
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartChildServerOptions {
  /** What the server is, for the error message ("influxd", "nats-server"). */
  name: string;
  command: string;
  args: string[];
  /** True once the server serves what its users need (not merely once its port is open). */
  answers(): Promise<boolean>;
  /** The coded error a start that never became ready raises. */
  errorCode: ErrorCode;
  /** Where the server's stderr goes; default: discarded. */
  logFile?: string;
  readyTimeoutMs?: number;
}

/** A TCP port nothing listens on right now, on the loopback interface. */
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

export async function startChildServer(options: StartChildServerOptions): Promise<ChildServerHandle> {
  const child = spawn(options.command, options.args, {
    stdio: ['ignore', 'ignore', options.logFile ? 'pipe' : 'ignore'],
    // Its own process group: a terminal's Ctrl-C goes to the whole foreground group, and a
    // server that took it would be gone while the parts that write to it are still stopping
    // (the ingest flushing to InfluxDB, acking the log). stop() below ends it, last.
    detached: true,
  });
  if (options.logFile && child.stderr) child.stderr.pipe(createWriteStream(options.logFile, { flags: 'a' }));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!(await options.answers())) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LiftWatchError(
        options.errorCode,
        `${options.name} did not become ready (${options.command} ${options.args.join(' ')})`,
      );
    }
    // A pause between readiness polls, not a stand-in for one: the loop ends on the answer.
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
