/**
 * The demo's technician (issue 15): 王师傅 (tech-wang) works a car as the phone does, through
 * the same API (`POST /api/v1/field-visits`, its checklist items, its check-out, each with a
 * phone key), so the console shows a live field visit and the ingest judges it from the car's
 * telemetry like any other. The first check-in comes a little after the first alarm and the
 * first report; a visit stays open for FIELD_VISIT_OPEN_S, then the next one follows on the
 * schedule. The cars are in 莲花花园 only, like the simulator's own visits by tech-wang, so one
 * technician is never in two estates at once (which the impossible-travel check would flag);
 * they are cars residents report on (demo/components.ts), so the visit answers a work order.
 * The cars never leave passenger service in the demo, so these visits are judged "fake": the
 * technician's ticks do not override the car's data, which is what the product shows.
 */

/** Seconds after the demo's services run: after the first alarm (~40 s) and report (50 s). */
export const FIRST_FIELD_VISIT_S = 75;
export const FIELD_VISIT_EVERY_S = 1800;
/** The checklist is ticked this long after the check-in. */
export const FIELD_ITEMS_AFTER_S = 60;
/** How long a visit stays open on the console before the check-out. */
export const FIELD_VISIT_OPEN_S = 480;
export const FIELD_TECHNICIAN = 'tech-wang';
export const FIELD_VISIT_CARS = ['lianhua-b1-e2', 'lianhua-b3-e1'] as const;
/** 莲花花园's coordinates (simulators/demo-fleet.ts): where the phone says it is. */
const LIANHUA = { lat: 22.5535, lng: 114.0556, accuracy: 20 };
/** The half-monthly items 王师傅 ticks (TSG T5002 appendix A, items 1–31). */
const HALF_MONTHLY_ITEMS = Array.from({ length: 31 }, (_, i) => i + 1);

export type FieldStep =
  | { at_s: number; visit: number; elevator: string; action: 'check_in' }
  | { at_s: number; visit: number; elevator: string; action: 'items'; items: number[] }
  | { at_s: number; visit: number; elevator: string; action: 'check_out' };

/** The technician's steps for `hours` from the demo's start, in time order. */
export function demoFieldSteps(hours = 72): FieldStep[] {
  const out: FieldStep[] = [];
  for (let at = FIRST_FIELD_VISIT_S, n = 0; at < hours * 3600; at += FIELD_VISIT_EVERY_S, n++) {
    const elevator = FIELD_VISIT_CARS[n % FIELD_VISIT_CARS.length]!;
    out.push(
      { at_s: at, visit: n, elevator, action: 'check_in' },
      { at_s: at + FIELD_ITEMS_AFTER_S, visit: n, elevator, action: 'items', items: HALF_MONTHLY_ITEMS },
      { at_s: at + FIELD_VISIT_OPEN_S, visit: n, elevator, action: 'check_out' },
    );
  }
  return out.sort((a, b) => a.at_s - b.at_s);
}

/** The phone's side of the API for one technician: signs in once, again when the session ends. */
export interface FieldPhone {
  /** Applies one step; the same step twice is applied once (the keys are the step's). */
  perform(step: FieldStep): Promise<void>;
}

export function demoFieldPhone(options: {
  baseUrl: string;
  password: string;
  /** Makes the phone keys unique per demo run (a restarted demo keeps its store). */
  runId: string;
}): FieldPhone {
  const { baseUrl, password, runId } = options;
  let cookie: string | null = null;
  const visitIds = new Map<number, string>();

  async function login(): Promise<string> {
    const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseUrl },
      body: JSON.stringify({ username: FIELD_TECHNICIAN, password }),
    });
    if (res.status !== 200) throw new Error(`demo technician login answered ${res.status}`);
    const session = res.headers.getSetCookie().find((c) => c.startsWith('lw_session='));
    if (!session) throw new Error('demo technician login set no session');
    return session.split(';')[0]!;
  }

  async function post(path: string, body: object): Promise<{ id: string }> {
    for (let attempt = 0; ; attempt++) {
      cookie ??= await login();
      const res = await fetch(`${baseUrl}/api/v1${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, origin: baseUrl },
        body: JSON.stringify(body),
      });
      if (res.status === 401 && attempt === 0) {
        cookie = null;
        continue;
      }
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { id: string };
    }
  }

  return {
    async perform(step) {
      const key = `demo-${runId}-${step.visit}-${step.action}`;
      if (step.action === 'check_in') {
        const visit = await post('/field-visits', {
          key,
          elevator_id: step.elevator,
          kind: 'half_monthly',
          ...LIANHUA,
        });
        visitIds.set(step.visit, visit.id);
        return;
      }
      const id = visitIds.get(step.visit);
      // Its check-in failed (logged): nothing to add to.
      if (!id) return;
      if (step.action === 'items') await post(`/field-visits/${id}/items`, { key, items: step.items });
      else {
        await post(`/field-visits/${id}/check-out`, { key });
        visitIds.delete(step.visit);
      }
    },
  };
}

export interface FieldSchedule {
  start(): void;
  stop(): void;
}

/** Runs the steps on their schedule from `start()`, each after the one before it. */
export function demoFieldSchedule(
  phone: FieldPhone,
  onError: (error: unknown, step: FieldStep) => void,
  steps: FieldStep[] = demoFieldSteps(),
): FieldSchedule {
  let timer: NodeJS.Timeout | null = null;
  let startedAt = 0;
  let next = 0;
  const schedule = () => {
    const step = steps[next];
    if (!step) return;
    timer = setTimeout(
      () => {
        next++;
        phone
          .perform(step)
          .catch((error: unknown) => onError(error, step))
          .finally(() => {
            if (timer) schedule();
          });
      },
      Math.max(0, startedAt + step.at_s * 1000 - Date.now()),
    );
    timer.unref();
  };
  return {
    start() {
      startedAt = Date.now();
      schedule();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
