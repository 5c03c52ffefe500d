/**
 * `InfluxWriter.settled()`, what the log's consumer acknowledges by, against a real influxd:
 * it answers for the lines accepted before the call, without waiting for the writer to go
 * idle, so a stream that never pauses (devices keep publishing) does not hold acks back; and
 * when it answers, every one of those lines is in InfluxDB. While InfluxDB cannot be reached
 * it answers false (tests/integration/log-ingest.test.ts: nothing acknowledged meanwhile).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureInfluxSchema, influxClient } from '../../ingest/influx-schema.ts';
import { InfluxWriter } from '../../ingest/influx-writer.ts';
import { freePort } from '../../lib/influxd.ts';
import { silentLogger } from '../../lib/logger.ts';
import { startTestInflux, tempDir } from '../helpers/fixtures.ts';
import { TEST_DATABASE } from '../helpers/ingest-harness.ts';

let influx: Awaited<ReturnType<typeof startTestInflux>>;
const dir = tempDir('liftwatch-settled-');
const T0 = Date.now() - 60_000;

beforeAll(async () => {
  influx = await startTestInflux();
  await ensureInfluxSchema({ url: influx.url, database: TEST_DATABASE, rawRetention: '30d' }, silentLogger);
});

afterAll(async () => {
  await influx?.cleanup();
  dir.remove();
});

async function storedUpTo(elevator: string, seq: number): Promise<number> {
  const rows = await influxClient(influx.url, TEST_DATABASE).query<{ count: number }>(
    `SELECT count("seq") AS count FROM "raw"."telemetry" WHERE "elevator" = '${elevator}' AND "seq" <= ${seq}`,
  );
  return rows[0]?.count ?? 0;
}

describe('the writer answers for what it was given, not for an idle moment', () => {
  it('answers for the lines accepted before the call, with newer lines still waiting', async () => {
    // An open batch that never ages out during the test: only a seal sends it.
    const writer = new InfluxWriter(
      { url: influx.url, database: TEST_DATABASE, spillDir: `${dir.path}/mark`, batchMaxAgeMs: 60_000 },
      { log: silentLogger },
    );
    writer.start();
    try {
      for (let n = 1; n <= 100; n++) writer.write(`telemetry,elevator=mark seq=${n}i ${T0 + n}`);
      writer.seal();
      const answer = writer.settled(10_000);
      writer.write(`telemetry,elevator=mark seq=101i ${T0 + 101}`);
      expect(await answer).toBe(true);
      expect(await storedUpTo('mark', 100)).toBe(100);
      // The newer line was not waited for (waiting for an idle writer would have sent it first).
      expect(writer.stats().buffered).toBe(1);
      expect(await storedUpTo('mark', 101)).toBe(100);
    } finally {
      await writer.close();
    }
  });

  it('settles, round after round, while new lines keep arriving, every line it answered for stored', async () => {
    const writer = new InfluxWriter(
      { url: influx.url, database: TEST_DATABASE, spillDir: `${dir.path}/stream`, batchMaxAgeMs: 20 },
      { log: silentLogger },
    );
    writer.start();
    let seq = 0;
    const line = (n: number) => `telemetry,elevator=stream seq=${n}i ${T0 + n}`;
    // Lines every couple of milliseconds, from before the first call until after the last answer.
    const feed = setInterval(() => {
      for (let i = 0; i < 5; i++) writer.write(line(++seq));
    }, 2);
    try {
      for (let round = 0; round < 5; round++) {
        while (seq < (round + 1) * 400) await new Promise((resolve) => setImmediate(resolve));
        const accepted = seq;
        expect(await writer.settled(10_000)).toBe(true);
        expect(await storedUpTo('stream', accepted)).toBe(accepted);
      }
    } finally {
      clearInterval(feed);
      await writer.close();
    }
  });

  it('answers false while InfluxDB cannot be reached, and keeps the lines', async () => {
    const writer = new InfluxWriter(
      {
        url: `http://127.0.0.1:${await freePort()}`,
        database: TEST_DATABASE,
        spillDir: `${dir.path}/away`,
        retryInitialMs: 20,
        retryMaxMs: 50,
      },
      { log: silentLogger },
    );
    writer.start();
    for (let n = 1; n <= 10; n++) writer.write(`telemetry,elevator=away seq=${n}i ${T0 + n}`);
    expect(await writer.settled(500)).toBe(false);
    expect(writer.stats().written).toBe(0);
    expect(writer.stats().buffered).toBe(10);
    await writer.close(100);
  });
});
