/**
 * InfluxDB's raw write capacity on this machine: batched line protocol straight to
 * /write, two requests in flight, telemetry-shaped points over 10,000 series. This is
 * the yardstick the ingest's throughput is divided by (`ratio` in the benchmark).
 *
 * influxd's cost grows with the field values per point, so the shape is stated: `compact`
 * (4 fields: what a moving car's change point carries) is the higher figure and the one
 * `ratio` uses, so the ratio is never flattered; `full` (all 17 GB/T 24476 items) shows
 * what writing every item of every message would cost.
 */
export type PointShape = 'compact' | 'full';

export interface RawWriteResult {
  points: number;
  seconds: number;
  pointsPerSecond: number;
}

function telemetryLine(shape: PointShape, elevator: number, ts: number, seq: number): string {
  const estate = elevator % 20;
  const series = `telemetry,estate=load-${estate},building=load-${estate}-b${elevator % 125},elevator=load-e${elevator}`;
  const moving = `floor=${(seq % 30) + 1}i,position_m=${(seq % 90) + 0.5},speed_mps=1.5,seq=${seq}i`;
  if (shape === 'compact') return `${series} ${moving} ${ts}`;
  return (
    `${series} ${moving},mode="normal",moving=true,direction="up",door_zone=false,door_closed=true,` +
    `occupied=true,safety_circuit=true,door_lock=true,up_limit=false,down_limit=false,power="mains",` +
    `run_count=${seq}i ${ts}`
  );
}

export async function measureInfluxRawWrites(
  url: string,
  options: {
    seconds?: number;
    batchSize?: number;
    inFlight?: number;
    database?: string;
    shape?: PointShape;
  } = {},
): Promise<RawWriteResult> {
  const seconds = options.seconds ?? 10;
  const batchSize = options.batchSize ?? 5000;
  const shape = options.shape ?? 'compact';
  const database = options.database ?? `bench_raw_${shape}`;
  await fetch(new URL(`/query?q=${encodeURIComponent(`CREATE DATABASE ${database}`)}`, url), {
    method: 'POST',
  });
  const writeUrl = new URL(`/write?db=${database}&precision=ms`, url);
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  let points = 0;
  let seq = 0;
  const baseTs = Date.now() - 3600_000;
  const writer = async () => {
    while (Date.now() < deadline) {
      const lines: string[] = new Array(batchSize);
      for (let i = 0; i < batchSize; i++) {
        seq++;
        lines[i] = telemetryLine(shape, seq % 10000, baseTs + Math.floor(seq / 10000), seq);
      }
      const response = await fetch(writeUrl, { method: 'POST', body: lines.join('\n') });
      if (response.status !== 204)
        throw new Error(`raw write failed: ${response.status} ${await response.text()}`);
      points += batchSize;
    }
  };
  await Promise.all(Array.from({ length: options.inFlight ?? 2 }, writer));
  const elapsed = (Date.now() - started) / 1000;
  return { points, seconds: elapsed, pointsPerSecond: Math.round(points / elapsed) };
}
