/**
 * The InfluxDB writer against a real influxd, fed raw lines: batches mixing good points with
 * lines InfluxDB refuses (unparsable, beyond the retention policy, a field type conflict).
 * InfluxDB 1.x names only one kind of refusal per answer, so whatever the mix, the writer must
 * store the good points, dead-letter every refused one with InfluxDB's reason, and count as
 * written exactly what InfluxDB holds, all of it by the time `settled()` answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationMs, ensureInfluxSchema, influxClient } from '../../ingest/influx-schema.ts';
import { InfluxWriter } from '../../ingest/influx-writer.ts';
import { silentLogger } from '../../lib/logger.ts';
import { startTestInflux, tempDir } from '../helpers/fixtures.ts';
import { TEST_DATABASE } from '../helpers/ingest-harness.ts';

const RETENTION = '30d';
const DAY_MS = 86_400_000;
// Field types are kept per shard (one a day under a 30-day policy): every recent point of the
// suite lands in today's, at noon UTC, where the seed made vibration_mg a float.
const NOON = Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS / 2;
const TOO_OLD = Date.now() - 40 * DAY_MS;

type Kind = 'good' | 'unparsable' | 'tooOld' | 'conflict';

const REASONS: Record<Exclude<Kind, 'good'>, RegExp> = {
  unparsable: /^unable to parse: invalid field format$/,
  tooOld: /points beyond retention policy/,
  conflict: /field type conflict: input field "vibration_mg" on measurement "telemetry" is type string/,
};

function lineOf(kind: Kind, elevator: string, n: number): string {
  const series = `telemetry,elevator=${elevator}`;
  switch (kind) {
    case 'good':
      return `${series} seq=${n}i,vibration_mg=1.5 ${NOON + n}`;
    case 'unparsable':
      return `${series} seq=${n}i,stray field=1i ${NOON + n}`;
    case 'tooOld':
      return `${series} seq=${n}i,vibration_mg=1.5 ${TOO_OLD + n}`;
    case 'conflict':
      return `${series} seq=${n}i,vibration_mg="n/a" ${NOON + n}`;
  }
}

type Mix = Partial<Record<Kind, number>>;

/** One batch: the mix's good points with the refused ones spread through them. */
function batchOf(elevator: string, mix: Mix): Map<string, Kind> {
  const bad = (['unparsable', 'tooOld', 'conflict'] as const).flatMap((kind) =>
    Array<Kind>(mix[kind] ?? 0).fill(kind),
  );
  const good = mix.good ?? 0;
  const kinds = new Map<string, Kind>();
  for (let n = 1, b = 0; n <= good + bad.length; n++) {
    const kind = (n % 10 === 5 || n > good) && b < bad.length ? bad[b++]! : 'good';
    kinds.set(lineOf(kind, elevator, n), kind);
  }
  return kinds;
}

const CASES: Array<[string, Mix]> = [
  ['unparsable lines', { good: 100, unparsable: 2 }],
  ['points beyond retention', { good: 100, tooOld: 3 }],
  ['type conflicts', { good: 100, conflict: 2 }],
  [
    'unparsable and beyond retention (the answer names only the retention)',
    { good: 100, unparsable: 1, tooOld: 2 },
  ],
  [
    'unparsable and type conflicts (the answer names only the conflict)',
    { good: 100, unparsable: 2, conflict: 1 },
  ],
  [
    'beyond retention and type conflicts (the answer names only the conflict)',
    { good: 100, tooOld: 2, conflict: 2 },
  ],
  ['all three kinds', { good: 100, unparsable: 2, tooOld: 3, conflict: 2 }],
  ['nothing parsable (InfluxDB refuses the whole request)', { unparsable: 3 }],
];

describe('InfluxDB writer: a refused point is dead-lettered, never counted as written', () => {
  let influx: Awaited<ReturnType<typeof startTestInflux>>;
  let dir: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    influx = await startTestInflux();
    dir = tempDir('liftwatch-refusals-');
    await ensureInfluxSchema(
      { url: influx.url, database: TEST_DATABASE, rawRetention: RETENTION },
      silentLogger,
    );
    const seed = await fetch(`${influx.url}/write?db=${TEST_DATABASE}&rp=raw&precision=ms`, {
      method: 'POST',
      body: `telemetry,elevator=seed vibration_mg=0.5 ${NOON}`,
    });
    expect(seed.status).toBe(204);
  });

  afterAll(async () => {
    await influx?.cleanup();
    dir?.remove();
  });

  async function stored(elevator: string): Promise<number> {
    const rows = await influxClient(influx.url, TEST_DATABASE).query<{ count: number }>(
      `SELECT count("seq") AS count FROM "raw"."telemetry" WHERE "elevator" = '${elevator}'`,
    );
    return rows[0]?.count ?? 0;
  }

  it.each(CASES.map(([name, mix], i) => [name, mix, `case-${i}`] as const))(
    '%s',
    async (_name, mix, elevator) => {
      const kinds = batchOf(elevator, mix);
      const lines = [...kinds.keys()];
      const writer = new InfluxWriter(
        {
          url: influx.url,
          database: TEST_DATABASE,
          spillDir: `${dir.path}/${elevator}`,
          retentionMs: durationMs(RETENTION),
          batchSize: 10_000,
          retryInitialMs: 10,
        },
        { log: silentLogger },
      );
      const refused = new Map<string, string>();
      writer.on('refused', (line, reason) => refused.set(line, reason));
      writer.start();
      for (const line of lines) writer.write(line);
      // What the log's consumer acknowledges by: every line accounted for once it says so,
      // through the splits and retries a refusal causes (checked before close, which drains).
      expect(await writer.settled(30_000)).toBe(true);

      const expectedRefused = [...kinds].filter(([, kind]) => kind !== 'good').map(([line]) => line);
      const good = lines.length - expectedRefused.length;
      expect(await stored(elevator)).toBe(good);
      expect(writer.stats().written).toBe(good);
      expect(writer.stats().refused).toBe(expectedRefused.length);
      expect([...refused.keys()].sort()).toEqual(expectedRefused.sort());
      for (const [line, reason] of refused) {
        expect(reason, line).toMatch(REASONS[kinds.get(line) as Exclude<Kind, 'good'>]);
      }
      await writer.close();
    },
  );
});
