/**
 * What happens live in the demo, so the console comes alive in its first minute: the
 * simulator's injections (a trapped passenger every few minutes, the first right after the
 * devices connect, stuck between landings so the detector's shorter threshold (30 s, outside
 * the door zone) applies: its alarm opens about 40 s after they connect; a maintenance visit
 * every half hour, every other one fake) and a resident's report through the QR page's own
 * form every few minutes (the first at 50 s).
 */
import type { Injection } from '../simulators/scenario.ts';

export const TRAPPED_EVERY_S = 240;
/** Seconds after the devices connect (the plain traffic's device time starts there). */
export const FIRST_TRAPPED_S = 5;
/**
 * About when that first alarm opens, seconds after the devices connect: the injection, the
 * car stopping between landings, then 30 s (tests/unit/demo-live.test.ts measures it).
 */
export const FIRST_ALARM_ABOUT_S = 40;
export const VISIT_EVERY_S = 1800;
export const REPORT_EVERY_S = 180;
export const FIRST_REPORT_S = 50;

/** Cars of both firms' estates, so each duty officer sees alarms. */
const TRAPPED_CARS = [
  'lianhua-b4-e2',
  'longgang-b2-e2',
  'xiangmi-b2-e1',
  'lianhua-b5-e1',
  'longgang-b6-e1',
  'xiangmi-b5-e2',
];
/** Visits on other cars than the trapped ones: a script runs one at a time per car. */
const VISIT_CARS = [
  { elevator: 'lianhua-b2-e2', technician: 'tech-wang' },
  { elevator: 'longgang-b3-e1', technician: 'tech-zhao' },
  { elevator: 'xiangmi-b3-e1', technician: 'tech-li' },
  { elevator: 'longgang-b4-e2', technician: 'tech-zhao' },
];

/** The live injections for `hours` of device time from the simulator's start. */
export function demoLiveInjections(hours = 72): Injection[] {
  const out: Injection[] = [];
  const end = hours * 3600;
  for (let at = FIRST_TRAPPED_S, n = 0; at < end; at += TRAPPED_EVERY_S, n++) {
    out.push({
      at_s: at,
      elevator: TRAPPED_CARS[n % TRAPPED_CARS.length]!,
      fault: 'passenger_trapped',
      // The first outside the door zone (30 s to the alarm, not 60), then alternating.
      inside_door_zone: n % 2 === 1,
      duration_s: 150,
    });
  }
  for (let at = 120, n = 0; at < end; at += VISIT_EVERY_S, n++) {
    const car = VISIT_CARS[n % VISIT_CARS.length]!;
    out.push({
      at_s: at,
      elevator: car.elevator,
      visit: {
        visit_id: `live-${n + 1}`,
        kind: 'half_monthly',
        pattern: n % 2 === 0 ? 'no_inspection' : 'genuine',
        technician_id: car.technician,
        method: 'app',
      },
    });
  }
  return out;
}

const REPORTS = [
  { category: 'door', description: '电梯门关得很慢，有时关到一半又打开' },
  { category: 'noise', description: '运行时轿厢里有咔咔的异响' },
  { category: 'lighting', description: '轿厢照明一闪一闪的' },
  { category: 'other', description: '按钮12楼不亮，按了没反应' },
] as const;

/** The n-th live report (rotating), for the QR page's form. */
export function demoReport(n: number): { category: string; description: string } {
  return REPORTS[n % REPORTS.length]!;
}

export interface ReportSender {
  start(): void;
  stop(): void;
}

/**
 * Posts a resident's report to the QR page's form (`POST /e/:token/reports`) every
 * REPORT_EVERY_S, as a phone would; `tokens` are the public tokens of the cars reported on.
 */
export function demoReports(
  baseUrl: string,
  tokens: readonly string[],
  onError: (error: unknown) => void,
): ReportSender {
  let timer: NodeJS.Timeout | null = null;
  let n = 0;
  const send = async () => {
    const token = tokens[n % tokens.length];
    const report = demoReport(n++);
    if (!token) return;
    const res = await fetch(`${baseUrl}/e/${encodeURIComponent(token)}/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...report, lang: 'zh' }).toString(),
      redirect: 'manual',
    });
    if (res.status !== 303) throw new Error(`report form answered ${res.status}`);
  };
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      send()
        .catch(onError)
        .finally(() => {
          if (timer) schedule(REPORT_EVERY_S * 1000);
        });
    }, ms);
    timer.unref();
  };
  return {
    start: () => schedule(FIRST_REPORT_S * 1000),
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
