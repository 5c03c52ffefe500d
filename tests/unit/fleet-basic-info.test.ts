/**
 * The GB/T 24476 basic information's optional fleet-file fields (issue 16): manufacturer and
 * install date. A date must match YYYY-MM-DD, exist on the calendar and not lie in the
 * future; every bad one is reported at once, and a fleet file without them still loads.
 */
import { describe, expect, it } from 'vitest';
import { installDateProblem, parseFleet } from '../../fleet/fleet-file.ts';
import type { LiftWatchError } from '../../lib/errors.ts';
import { smallFleet } from '../helpers/fixtures.ts';

const NOW = Date.UTC(2026, 11, 2);

describe('install date', () => {
  it.each([
    ['2015-06-30', null],
    ['2024-02-29', null],
    ['2023-02-29', 'not a calendar date'],
    ['2023-04-31', 'not a calendar date'],
    ['2027-01-01', 'in the future'],
  ])('%s → %s', (date, problem) => {
    expect(installDateProblem(date, NOW)).toBe(problem);
  });

  it('a fleet file names them or not; a bad date or an empty maker fails the load with every problem', () => {
    const fleet = smallFleet(3);
    expect(() => parseFleet(JSON.stringify(fleet))).not.toThrow();
    fleet.elevators[0]!.manufacturer = '日立电梯（中国）有限公司';
    fleet.elevators[0]!.install_date = '2015-06-30';
    expect(parseFleet(JSON.stringify(fleet)).elevators[0]).toMatchObject({ install_date: '2015-06-30' });

    fleet.elevators[1]!.install_date = '2015-6-30';
    expect(() => parseFleet(JSON.stringify(fleet))).toThrow(/install_date/);
    fleet.elevators[1]!.install_date = '2023-02-29';
    fleet.elevators[2]!.install_date = '2999-01-01';
    try {
      parseFleet(JSON.stringify(fleet));
      expect.unreachable();
    } catch (error) {
      const e = error as LiftWatchError;
      expect(e.code).toBe('FLEET_INVALID');
      expect(e.message).toContain('2023-02-29: not a calendar date');
      expect(e.message).toContain('2999-01-01: in the future');
    }
    fleet.elevators[1]!.install_date = '2015-06-30';
    fleet.elevators[2]!.install_date = '2015-06-30';
    fleet.elevators[2]!.manufacturer = '';
    expect(() => parseFleet(JSON.stringify(fleet))).toThrow(/manufacturer/);
    fleet.elevators[2]!.manufacturer = '日立电梯（中国）有限公司';
    // The inspection certificate's date lies ahead or has lapsed: only the calendar is checked.
    fleet.elevators[0]!.inspection_due = '2031-03-31';
    fleet.elevators[1]!.inspection_due = '2020-01-31';
    expect(parseFleet(JSON.stringify(fleet)).elevators[0]).toMatchObject({ inspection_due: '2031-03-31' });
    fleet.elevators[1]!.inspection_due = '2027-02-30';
    expect(() => parseFleet(JSON.stringify(fleet))).toThrow(/inspection_due 2027-02-30: not a calendar date/);
  });
});
