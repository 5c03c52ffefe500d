/**
 * The servers Lift Watch starts for itself (nats-server here, influxd alike: lib/child-server.ts)
 * live in their own process group. A terminal's Ctrl-C signals the whole foreground group; a
 * server in it died at once while the ingest was still flushing to it, and `npm run demo`
 * ended with a stop that timed out and exit code 1. Checked on a real nats-server: its
 * process group is its own, not ours, and it answers until Lift Watch stops it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetStreamAnswers, type NatsServerHandle, startNatsServer } from '../../lib/natsd.ts';
import { tempDir } from '../helpers/fixtures.ts';

/** Field 5 of /proc/<pid>/stat (after the parenthesised command name) is the process group. */
function processGroupOf(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

describe('a server started by Lift Watch', () => {
  const dir = tempDir();
  let nats: NatsServerHandle;

  beforeAll(async () => {
    nats = await startNatsServer({ dir: join(dir.path, 'nats') });
  });
  afterAll(async () => {
    await nats?.stop();
    dir.remove();
  });

  it('runs in its own process group, so Ctrl-C to ours does not stop it before its users', async () => {
    const ours = processGroupOf('self');
    const its = processGroupOf(nats.process.pid!);
    expect(its).not.toBe(ours);
    expect(its).toBe(nats.process.pid);
    expect(await jetStreamAnswers(nats.url, 2_000)).toBe(true);
  });

  it('still stops when Lift Watch stops it', async () => {
    await nats.stop();
    expect(nats.process.exitCode !== null || nats.process.signalCode !== null).toBe(true);
    expect(await jetStreamAnswers(nats.url, 500)).toBe(false);
  });
});
