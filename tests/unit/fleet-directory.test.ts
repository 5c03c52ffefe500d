/**
 * The fleet directory over the real fleet repository (a SQLite or PostgreSQL store): what a
 * refresh reports as added, changed and removed, that an unchanged elevator keeps its
 * object, that refreshes asked for during one are folded into one more read, and that a
 * listener that throws does not keep the others from hearing. Also the fleet-changed
 * message's validator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type FleetChanges, FleetDirectory, type FleetSource } from '../../fleet/directory.ts';
import type { FleetSnapshot } from '../../fleet/types.ts';
import { silentLogger } from '../../lib/logger.ts';
import { parseFleetChanged } from '../../protocol/index.ts';
import { createFleetRepository } from '../../store/repositories/fleet.ts';
import { registryWithFleet, smallFleet } from '../helpers/fixtures.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function storeWith(count: number) {
  const registry = await registryWithFleet(smallFleet(count));
  cleanups.push(registry.cleanup);
  return createFleetRepository(registry.db);
}

/** The repository's read, counting calls, with elevators hidden to model a removal. */
function counting(source: FleetSource, hidden: Set<string> = new Set()) {
  const counter = {
    reads: 0,
    async snapshot(): Promise<FleetSnapshot> {
      counter.reads += 1;
      const snapshot = await source.snapshot();
      return { ...snapshot, elevators: snapshot.elevators.filter((e) => !hidden.has(e.id)) };
    },
  };
  return counter;
}

const ids = (changes: FleetChanges) => ({
  added: changes.added.map((e) => e.id),
  changed: changes.changed.map((e) => e.id),
  removed: changes.removed.map((e) => e.id),
});

describe('fleet directory', () => {
  it('reports added, changed and removed elevators, and keeps the object of an unchanged one', async () => {
    const repository = await storeWith(2);
    const hidden = new Set<string>();
    const directory = new FleetDirectory({ source: counting(repository, hidden), log: silentLogger });
    await directory.start();
    expect([...directory.elevators()].map((e) => e.id)).toEqual(['t-e1', 't-e2']);
    expect(directory.estate('te')).toMatchObject({ lat: 22.5, lon: 114, companyName: 'MC' });
    expect(directory.estateOf('t-e2')).toBe('te');
    const second = directory.elevator('t-e2');

    const heard: string[] = [];
    directory.on('elevatorAdded', (e) => heard.push(`added ${e.id}`));
    directory.on('elevatorChanged', (e, before) => heard.push(`changed ${e.id} ${before.name}→${e.name}`));
    directory.on('elevatorRemoved', (e) => heard.push(`removed ${e.id}`));

    const fleet = smallFleet(3);
    fleet.elevators[0]!.name = 'Renamed car';
    fleet.elevators[0]!.thresholds = { deviceOfflineS: 30 };
    await repository.load(fleet);
    const changes = await directory.refresh();
    expect(ids(changes)).toEqual({ added: ['t-e3'], changed: ['t-e1'], removed: [] });
    expect(heard).toEqual(['added t-e3', 'changed t-e1 Test car 1→Renamed car']);
    expect(directory.elevator('t-e2')).toBe(second);
    expect(directory.elevator('t-e1')?.thresholds).toEqual({ deviceOfflineS: 30 });
    expect(directory.elevatorByToken(directory.elevator('t-e3')!.publicToken)?.id).toBe('t-e3');

    hidden.add('t-e2');
    expect(ids(await directory.refresh())).toEqual({ added: [], changed: [], removed: ['t-e2'] });
    expect(heard.at(-1)).toBe('removed t-e2');
    expect(directory.elevator('t-e2')).toBeUndefined();
    expect(directory.elevatorByToken(second!.publicToken)).toBeUndefined();

    // Nothing changed: no event at all.
    let changedEvents = 0;
    directory.on('changed', () => {
      changedEvents += 1;
    });
    expect(ids(await directory.refresh())).toEqual({ added: [], changed: [], removed: [] });
    expect(changedEvents).toBe(0);
    await directory.stop();
  });

  it('folds refreshes asked for during one into one more read, which sees the latest store', async () => {
    const repository = await storeWith(1);
    const source = counting(repository);
    const directory = new FleetDirectory({ source, log: silentLogger });
    await directory.start();
    expect(source.reads).toBe(1);
    await repository.load(smallFleet(2));
    // The second and third calls arrive while the first reads: one more read serves both.
    const [a, b, c] = await Promise.all([directory.refresh(), directory.refresh(), directory.refresh()]);
    expect(source.reads).toBe(3);
    expect(b).toBe(c);
    expect(ids(a)).toEqual({ added: ['t-e2'], changed: [], removed: [] });
    expect(ids(b)).toEqual({ added: [], changed: [], removed: [] });
    expect(directory.size).toBe(2);
  });

  it('tells every listener even when one throws', async () => {
    const repository = await storeWith(1);
    const directory = new FleetDirectory({ source: repository, log: silentLogger });
    await directory.start();
    const heard: string[] = [];
    directory.on('elevatorAdded', () => {
      throw new Error('a broken part');
    });
    directory.on('elevatorAdded', (e) => heard.push(e.id));
    await repository.load(smallFleet(2));
    await directory.refresh();
    expect(heard).toEqual(['t-e2']);
  });
});

describe('fleet-changed message', () => {
  const valid = { origin: 'api-1', at: 1, reason: 'fleet_file', added: ['t-e3'], changed: [], removed: [] };
  it('accepts a well-formed announcement', () => {
    expect(parseFleetChanged(JSON.stringify(valid))).toEqual({ ok: true, message: valid });
  });
  it.each([
    ['not JSON', '{'],
    ['unknown reason', JSON.stringify({ ...valid, reason: 'whim' })],
    ['extra field', JSON.stringify({ ...valid, sql: 'drop' })],
    ['missing origin', JSON.stringify({ ...valid, origin: undefined })],
    ['ids not strings', JSON.stringify({ ...valid, added: [1] })],
    ['more ids than a packet should carry', JSON.stringify({ ...valid, added: Array(501).fill('e') })],
  ])('refuses %s', (_name, payload) => {
    expect(parseFleetChanged(payload).ok).toBe(false);
  });
});
