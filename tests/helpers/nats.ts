/**
 * A real nats-server with JetStream for a suite: a free port, a temp store directory, ready
 * once JetStream answers (lib/natsd.ts). `kill()` is `kill -9` (for the crash tests);
 * `restart()` starts it again on the same port and store, as an operator's supervisor would.
 */
import type { NatsServerHandle } from '../../lib/natsd.ts';
import { startNatsServer } from '../../lib/natsd.ts';
import { tempDir } from './fixtures.ts';

export interface TestNats {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** SIGKILL, and resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store; resolves when JetStream answers. */
  restart(): Promise<void>;
  /** Stops it and removes the store. */
  cleanup(): Promise<void>;
}

export async function startTestNats(): Promise<TestNats> {
  const dir = tempDir('liftwatch-nats-');
  let handle: NatsServerHandle = await startNatsServer({ dir: dir.path });
  const port = handle.port;
  return {
    url: handle.url,
    port,
    dir: dir.path,
    async kill() {
      const child = handle.process;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    },
    async restart() {
      handle = await startNatsServer({ dir: dir.path, port });
    },
    async cleanup() {
      await handle.stop();
      dir.remove();
    },
  };
}
