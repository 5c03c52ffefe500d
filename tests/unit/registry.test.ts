import { afterEach, describe, expect, it } from 'vitest';
import { parseFleet } from '../../fleet/fleet-file.ts';
import type { LiftWatchError } from '../../lib/errors.ts';
import { generateFleet } from '../../simulators/demo-fleet.ts';
import { hashMachineSecret, hashUserPassword, verifySecret } from '../../store/passwords.ts';
import { createFleetRepository } from '../../store/repositories/fleet.ts';
import { storeOver } from '../../store/store.ts';
import { loadFleet, registryWithFleet, smallFleet } from '../helpers/fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('passwords', () => {
  it('verifies both hash formats and refuses wrong secrets', () => {
    for (const hash of [hashUserPassword('correct horse'), hashMachineSecret('correct horse')]) {
      expect(verifySecret('correct horse', hash)).toBe(true);
      expect(verifySecret('correct horsf', hash)).toBe(false);
    }
    expect(verifySecret('x', 'plain$text')).toBe(false);
  });
});

describe('fleet file', () => {
  it('accepts the generated demo fleet', () => {
    const fleet = parseFleet(JSON.stringify(generateFleet()));
    expect(fleet.estates).toHaveLength(3);
    expect(fleet.elevators.length).toBeGreaterThanOrEqual(40);
  });

  it('names broken references', () => {
    const fleet = smallFleet();
    fleet.buildings[0]!.estate_id = 'nowhere';
    expect(() => parseFleet(JSON.stringify(fleet))).toThrowError(
      /building tb1 refers to unknown id 'nowhere'/,
    );
  });

  it('rejects schema violations with a coded error', () => {
    const fleet = smallFleet() as unknown as { elevators: { id: string }[] };
    fleet.elevators[0]!.id = 'Bad Id';
    try {
      parseFleet(JSON.stringify(fleet));
      expect.unreachable();
    } catch (error) {
      expect((error as LiftWatchError).code).toBe('FLEET_INVALID');
    }
  });

  it('loads idempotently: same rows, same QR tokens, same hashes', async () => {
    const fleet = smallFleet(3);
    const { db, cleanup } = await registryWithFleet(fleet);
    cleanups.push(cleanup);
    const before = await db.selectFrom('elevators').select(['id', 'public_token']).orderBy('id').execute();
    const hashes = await db
      .selectFrom('device_credentials')
      .select('password_hash')
      .orderBy('username')
      .execute();
    await loadFleet(db, fleet);
    expect(await db.selectFrom('elevators').select(['id', 'public_token']).orderBy('id').execute()).toEqual(
      before,
    );
    expect(
      await db.selectFrom('device_credentials').select('password_hash').orderBy('username').execute(),
    ).toEqual(hashes);
    expect(before).toHaveLength(3);
    expect(new Set(before.map((r) => r.public_token)).size).toBe(3);
    expect((await createFleetRepository(db).snapshot()).elevators[0]).toMatchObject({
      id: 't-e1',
      estateId: 'te',
      ratedSpeedMps: 1.75,
    });
  });

  it('authenticates devices and services, and nobody else', async () => {
    const { db, cleanup } = await registryWithFleet(smallFleet());
    cleanups.push(cleanup);
    expect(
      await storeOver(db).credentials.authenticateMachine('dev-t-e1', 'device-secret-1-0123456789'),
    ).toEqual({
      kind: 'device',
      username: 'dev-t-e1',
      elevatorId: 't-e1',
    });
    expect(
      await storeOver(db).credentials.authenticateMachine('dev-t-e1', 'device-secret-2-0123456789'),
    ).toBeNull();
    expect(
      await storeOver(db).credentials.authenticateMachine('svc-test', 'service-secret-0123456789'),
    ).toMatchObject({
      kind: 'service',
    });
    expect(await storeOver(db).credentials.authenticateMachine('nobody', 'x')).toBeNull();
  });
});
