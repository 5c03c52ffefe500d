/**
 * The health scenarios (issue 16): degrading lifts and their healthy twins. Edit here; the
 * eval (`npm run eval`, health part) and tests/unit/health-eval.test.ts run them.
 * Specs span a 30-storey tower and a 7-storey walk-up: each is judged against itself.
 */
import { type HealthPlan, visitsEvery14 } from '../health-scenario.ts';

const TOWER = { floors: 30, floorHeightM: 3, ratedSpeedMps: 2.5, ratedLoadKg: 1350 };
const MID = { floors: 18, floorHeightM: 3, ratedSpeedMps: 1.75, ratedLoadKg: 1000 };
const WALKUP = { floors: 7, floorHeightM: 2.9, ratedSpeedMps: 1, ratedLoadKg: 630 };
const DAYS = 120;

/** 120 days from Monday 2025-09-01: four worn components, four healthy twins. */
export const HEALTH_PLAN: HealthPlan = {
  name: 'health-120d',
  start: '2025-09-01T00:00:00+08:00',
  days: DAYS,
  seed: 1616,
  lifts: [
    {
      id: 'tower-door',
      spec: TOWER,
      wear: { component: 'door_operator', startDay: 45, faultDay: 95 },
      visits: visitsEvery14(3, DAYS),
    },
    { id: 'tower-twin', spec: TOWER, wear: null, movingIn: true, visits: visitsEvery14(3, DAYS) },
    {
      id: 'walkup-level',
      spec: WALKUP,
      wear: { component: 'levelling', startDay: 50, faultDay: 100 },
      visits: visitsEvery14(6, DAYS),
    },
    { id: 'walkup-twin', spec: WALKUP, wear: null, visits: visitsEvery14(6, DAYS, [34, 48]) },
    {
      id: 'mid-brake',
      spec: MID,
      wear: { component: 'brake', startDay: 40, faultDay: 90 },
      visits: visitsEvery14(9, DAYS),
    },
    { id: 'mid-twin', spec: MID, wear: null, movingIn: true, visits: visitsEvery14(9, DAYS) },
    {
      id: 'mid-door-fast',
      spec: MID,
      wear: { component: 'door_operator', startDay: 70, faultDay: 100 },
      visits: visitsEvery14(1, DAYS),
    },
    { id: 'mid-twin-2', spec: MID, wear: null, visits: visitsEvery14(1, DAYS) },
  ],
};

/** A short version for the unit test: 60 days at half the demand, a worn door and a worn brake, one healthy twin with a moving-in week. */
export const HEALTH_PLAN_SHORT: HealthPlan = {
  name: 'health-60d',
  start: '2025-09-01T00:00:00+08:00',
  days: 60,
  seed: 1617,
  trafficScale: 0.5,
  lifts: [
    {
      id: 'mid-door',
      spec: MID,
      wear: { component: 'door_operator', startDay: 24, faultDay: 54 },
      visits: visitsEvery14(3, 60),
    },
    {
      id: 'walkup-brake',
      spec: WALKUP,
      wear: { component: 'brake', startDay: 22, faultDay: 54 },
      visits: visitsEvery14(5, 60),
    },
    { id: 'mid-twin', spec: MID, wear: null, movingIn: true, visits: visitsEvery14(3, 60) },
  ],
};
