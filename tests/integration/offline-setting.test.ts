/**
 * One setting, one meaning: DEVICE_OFFLINE_AFTER_S is the silence after which the detector
 * opens `device_offline` and after which the console and QR page read "offline", and a fleet
 * file's per-elevator `deviceOfflineS` overrides both alike. Runs the whole system as main.ts
 * wires it (real broker, ingest with detection, API, influxd); two devices publish one
 * sample each and fall silent.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateChange } from '../../api/state-source.ts';
import type { Alert } from '../../protocol/index.ts';
import { topics } from '../../protocol/index.ts';
import { smallFleet, telemetrySample } from '../helpers/fixtures.ts';
import { type LiveSystem, startLiveSystem } from '../helpers/live-system.ts';

const OFFLINE_AFTER_S = 2;
/** The second car's fleet entry keeps it "online" through ten minutes of silence. */
const OWN_OFFLINE_AFTER_S = 600;

describe('DEVICE_OFFLINE_AFTER_S', () => {
  let system: LiveSystem;
  const devices: MqttClient[] = [];
  const fleet = smallFleet(2);
  const [quick, patient] = fleet.elevators as [
    (typeof fleet.elevators)[number],
    (typeof fleet.elevators)[number],
  ];
  patient.thresholds = { deviceOfflineS: OWN_OFFLINE_AFTER_S };

  beforeAll(async () => {
    system = await startLiveSystem(fleet, { DEVICE_OFFLINE_AFTER_S: String(OFFLINE_AFTER_S) });
  });

  afterAll(async () => {
    await Promise.all(devices.map((d) => d.endAsync()));
    await system?.close();
  });

  it('opens device_offline after the configured silence, and the API reads offline with it', async () => {
    const opened = new Promise<Alert>((resolve) => {
      system.api.stateSource.on('change', (change: StateChange) => {
        if (change.kind === 'alert' && change.alert.code === 'device_offline') resolve(change.alert);
      });
    });
    const heardAt = Date.now();
    for (const elevator of [quick, patient]) {
      const device = await connectAsync(system.mqttUrl, {
        clientId: elevator.device.username,
        username: elevator.device.username,
        password: elevator.device.password,
        reconnectPeriod: 0,
      });
      devices.push(device);
      const sample = telemetrySample({ ts: Date.now(), seq: 1 });
      await device.publishAsync(topics.telemetry(elevator.id), JSON.stringify(sample), { qos: 1 });
    }

    const alert = await opened;
    const silentS = (Date.now() - heardAt) / 1000;
    // Before the fix the detector waited its built-in 120 s whatever the setting said.
    expect(alert.elevator_id).toBe(quick.id);
    expect(silentS).toBeGreaterThanOrEqual(OFFLINE_AFTER_S);
    expect(silentS).toBeLessThan(30);
    const now = Date.now();
    expect(system.api.stateSource.conditionOf(quick.id, now)).toBe('offline');
    // The per-elevator value holds for both: no alert, and the console still reads it as running.
    expect(system.api.stateSource.get(patient.id)?.openAlerts.has('device_offline')).toBe(false);
    expect(system.api.stateSource.conditionOf(patient.id, now)).toBe('normal');
  });
});
