import { describe, expect, it } from 'vitest';
import { evidenceInWords } from '../../api/resident/evidence-words.ts';
import { pickLang } from '../../api/resident/i18n.ts';
import { esc } from '../../api/resident/render.ts';
import { deriveCondition, type ElevatorState } from '../../api/state-source.ts';
import { alertFixture } from '../helpers/alerts.ts';
import { telemetrySample } from '../helpers/fixtures.ts';

const base: ElevatorState = {
  elevatorId: 'e',
  online: true,
  lastHeardAt: 1000,
  telemetry: telemetrySample(),
  lastEvent: null,
  openAlerts: new Map(),
  openVisit: null,
};
const alert = (code: string, severity: string) =>
  new Map([[code, alertFixture({ id: 'a', elevator_id: 'e', code, severity })]]);

describe('deriveCondition', () => {
  const cases: [string, ElevatorState | undefined, number, string][] = [
    ['never heard', undefined, 1000, 'offline'],
    ['healthy', base, 1000, 'normal'],
    ['silent too long', base, 1000 + 120_001, 'offline'],
    ['Last Will', { ...base, online: false }, 1000, 'offline'],
    ['inspection mode', { ...base, telemetry: telemetrySample({ mode: 'inspection' }) }, 1000, 'maintenance'],
    ['checked in', { ...base, openVisit: { id: 'v' } }, 1000, 'maintenance'],
    ['trapped passenger', { ...base, openAlerts: alert('passenger_trapped', 'critical') }, 1000, 'fault'],
    [
      'door held open is not a stop',
      { ...base, openAlerts: alert('long_door_open', 'minor') },
      1000,
      'normal',
    ],
    ...(['maintenance_overdue', 'maintenance_suspect', 'maintenance_fake', 'impossible_travel'] as const).map(
      (code): [string, ElevatorState, number, string] => [
        `a running car with ${code} open reads normal (a paperwork problem does not stop it)`,
        { ...base, telemetry: telemetrySample({ moving: true }), openAlerts: alert(code, 'major') },
        1000,
        'normal',
      ],
    ),
    [
      'an alarm press alone is not a stop',
      { ...base, openAlerts: alert('alarm_button', 'major') },
      1000,
      'normal',
    ],
    [
      'a door close fault stops the car',
      { ...base, openAlerts: alert('door_close_fault', 'major') },
      1000,
      'fault',
    ],
    [
      'safety circuit open',
      { ...base, telemetry: telemetrySample({ safety_circuit: false }) },
      1000,
      'fault',
    ],
    ['out of service', { ...base, telemetry: telemetrySample({ mode: 'out_of_service' }) }, 1000, 'fault'],
  ];
  for (const [name, state, now, expected] of cases) {
    it(name, () => expect(deriveCondition(state, now, 120_000)).toBe(expected));
  }
});

describe('pickLang', () => {
  it.each([
    [undefined, undefined, 'zh'],
    [undefined, 'en-US,en;q=0.9', 'en'],
    [undefined, 'fr,en;q=0.8,zh;q=0.9', 'zh'],
    [undefined, 'de', 'zh'],
    ['en', 'zh-CN', 'en'],
    ['xx', 'en', 'en'],
  ])('query %s, header %s → %s', (query, header, expected) => {
    expect(pickLang(query, header)).toBe(expected);
  });
});

describe('evidenceInWords', () => {
  it('puts a genuine visit in plain words', () => {
    expect(
      evidenceInWords(
        { inspection_minutes: 52.4, shaft_coverage: 0.97, pit_stop_tests: 1, car_top_stop_tests: 2 },
        'en',
      ),
    ).toEqual(['52 min in inspection mode', 'whole shaft travelled', 'pit and car-top stop switches tested']);
  });
  it('reads the ingest VisitEvidence fields', () => {
    expect(
      evidenceInWords(
        {
          inspectionMin: 41,
          shaftCoverage: 1,
          stopSwitchPit: 1,
          stopSwitchCarTop: 1,
          doorCycleFloors: [1, 2, 3],
          passengerTrips: 0,
        },
        'en',
      ),
    ).toEqual([
      '41 min in inspection mode',
      'whole shaft travelled',
      'pit and car-top stop switches tested',
      'doors checked at 3 landings',
    ]);
  });
  it('says what a paper visit lacks', () => {
    expect(
      evidenceInWords(
        { inspection_minutes: 3, shaft_coverage: 0.2, pit_stop_tests: 0, normal_trips: 40 },
        'zh',
      ),
    ).toEqual(['检修模式 3 分钟', '走过 20% 井道', '未见急停开关测试', '期间仍有 40 次载客运行']);
  });
});

it('escapes HTML', () => {
  expect(esc('<a href="x">&\'')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
});
