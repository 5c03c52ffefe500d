/**
 * InfluxDB's raw write capacity on this machine: batched line protocol straight to
 * /write, two requests in flight, telemetry-shaped points over 10,000 series. This is
 * the yardstick the ingest's throughput is divided by (`ratio` in the benchmark).
 */

export interface RawWriteResult {
  points: number;
  seconds: number;
  pointsPerSecond: number;
}

function telemetryLine(elevator: number, ts: number, seq: number): string {
  const estate = elevator % 20;
  return (
    `telemetry,estate=load-${estate},building=load-${estate}-b${elevator % 125},elevator=load-e${elevator} ` +
    `mode="normal",moving=true,direction="up",floor=${(seq % 30) + 1}i,position_m=${(seq % 90) + 0.5},` +
    `speed_mps=1.5,door_zone=false,door_closed=true,occupied=true,safety_circuit=true,door_lock=true,` +
    `up_limit=false,down_limit=false,power="mains",run_count=${seq}i,seq=${seq}i ${ts}`
  );
}

export async function measureInfluxRawWrites(
  url: string,
  options: { seconds?: number; batchSize?: number; inFlight?: number; database?: string } = {},
): Promise<RawWriteResult> {
  const seconds = options.seconds ?? 10;
  const batchSize = options.batchSize ?? 5000;
  const database = options.database ?? 'bench_raw';
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
        lines[i] = telemetryLine(seq % 10000, baseTs + Math.floor(seq / 10000), seq);
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
