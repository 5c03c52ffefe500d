/**
 * A part of the system as a child process, started as its `npm run start:*` script starts it
 * (`node --import tsx <part>/main.ts`), so a test can `kill -9` it mid-stream and start it
 * again. Output goes to a log file in the test's temp dir (read it when a test fails).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface ChildPart {
  readonly name: string;
  /** Resolves once the part printed a line containing `text` (its "running" log line). */
  printed(text: string, timeoutMs?: number): Promise<void>;
  /** SIGKILL (kill -9) and resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 15 s; resolves once it is gone. */
  stop(): Promise<void>;
  /** Sends a signal (SIGSTOP / SIGCONT: pause and resume it, as a stalled machine would). */
  signal(name: NodeJS.Signals): void;
  /** How many times `text` occurs in what it printed so far. */
  count(text: string): number;
}

export function startChildPart(
  name: string,
  script: string,
  env: Record<string, string>,
  logDir: string,
): ChildPart {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  let output = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    file.write(chunk);
    output += chunk.toString('utf8');
    for (const check of waiters) check();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;

  return {
    name,
    printed(text, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`${name} did not print "${text}" within ${timeoutMs} ms:\n${output.slice(-2000)}`),
          );
        }, timeoutMs);
        const check = () => {
          if (output.includes(text)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          } else if (!running()) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`${name} exited before printing "${text}":\n${output.slice(-2000)}`));
          }
        };
        waiters.add(check);
        void exited.then(check);
        check();
      });
    },
    signal(name) {
      if (running()) child.kill(name);
    },
    count(text) {
      return output.split(text).length - 1;
    },
    async kill() {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (running()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      file.end();
    },
  };
}
