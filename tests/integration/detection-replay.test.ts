/**
 * A partition's new owner reads again what the previous owner acknowledged after its last
 * checkpoint (log/consumer.ts hands those messages over as `replayed`). Their findings were
 * committed by the previous owner, so the detection stage (ingest/detection.ts, over a real
 * store: SQLite, or PostgreSQL in that pass) takes them into the detector's state and commits
 * nothing: a passenger trapped and released inside that stretch is one alert, not two.
 *
 * The control: the same messages handed again as new ones do open a second alert (what the
 * replay flag prevents), so the case can fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetDirectory } from '../../fleet/directory.ts';
import { createDetection, type Detection } from '../../ingest/detection.ts';
import type { DeviceMessage } from '../../protocol/index.ts';
import type { Store } from '../../store/store.ts';
import {
  capturingLogger,
  type registryWithFleet,
  smallFleet,
  storeWithDirectory,
  telemetrySample,
} from '../helpers/fixtures.ts';

const CAR = 't-e1';
let registry: Awaited<ReturnType<typeof registryWithFleet>>;
let store: Store;
let directory: FleetDirectory;
const stages: Detection[] = [];

/** A new owner's detection stage: empty state, as after a takeover with no checkpoint of this car. */
async function detectionStage(): Promise<Detection> {
  const stage = await createDetection(
    { tickMs: 0, escalationCheckMs: 0 },
    { store, log: capturingLogger('error').log, directory, publish: async () => {} },
  );
  stages.push(stage);
  return stage;
}

/** Trapped between floors for 35 s of device time, then released at a floor: raise and clear. */
function trappedThenReleased(t0: number): DeviceMessage[] {
  const messages: DeviceMessage[] = [];
  for (let s = 0; s <= 40; s++) {
    const released = s > 33;
    messages.push({
      channel: 'telemetry',
      elevatorId: CAR,
      payload: telemetrySample({
        seq: s + 1,
        ts: t0 + s * 1000,
        door_zone: released,
        door_closed: !released,
        occupied: !released,
        floor: 3,
      }),
      receivedAt: Date.now(),
    });
  }
  return messages;
}

async function trappedAlerts() {
  return registry.db
    .selectFrom('alerts')
    .select(['state', 'opened_at'])
    .where('elevator_id', '=', CAR)
    .where('code', '=', 'passenger_trapped')
    .orderBy('opened_at')
    .execute();
}

beforeAll(async () => {
  ({ registry, store, directory } = await storeWithDirectory(smallFleet(1)));
}, 60_000);

afterAll(async () => {
  for (const stage of stages) await stage.stop();
  await directory?.stop();
  await registry?.cleanup();
});

describe('replayed messages rebuild the detector state and commit nothing', () => {
  it('a stop raised and cleared by the previous owner is not opened again by the replay', async () => {
    const t0 = Date.now() - 10 * 60 * 1000;
    const messages = trappedThenReleased(t0);

    const previousOwner = await detectionStage();
    for (const message of messages) previousOwner.onMessage(message);
    await previousOwner.settled();
    expect((await trappedAlerts()).map((a) => a.state)).toEqual(['resolved']);

    const nextOwner = await detectionStage();
    for (const message of messages) nextOwner.onMessage(message, true);
    await nextOwner.settled();
    expect((await trappedAlerts()).map((a) => a.state)).toEqual(['resolved']);
    // The detector made the same findings as the previous owner (its state caught up) and
    // committed none of them.
    expect(previousOwner.counts.findings).toBeGreaterThanOrEqual(2);
    expect(nextOwner.counts.replayed).toBe(previousOwner.counts.findings);
    expect(nextOwner.counts.findings).toBe(0);

    // The control: handed as new, the same stop opens (and clears) a second alert.
    const unaware = await detectionStage();
    for (const message of messages) unaware.onMessage(message);
    await unaware.settled();
    expect((await trappedAlerts()).map((a) => a.state)).toEqual(['resolved', 'resolved']);
  });
});
