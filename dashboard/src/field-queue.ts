/**
 * The technician's offline queue (issue 15): a lift shaft has no signal, so every action on the
 * phone (check-in, 到场, checklist, photo, check-out) goes into a queue kept in localStorage with
 * the key the server applies it by, and is sent in order when the phone is online (at once, on
 * the `online` event, and with growing retries). A replay after a lost answer is harmless: the
 * server answers the first result. An action the server refuses for good (4xx) is dropped and
 * reported, so one bad action cannot hold the rest back. Per user, so a shared phone does not
 * send one technician's actions as another's.
 */
import { ApiError, api } from './api.ts';
import { errorText } from './i18n.ts';

export type FieldAction =
  | {
      key: string;
      type: 'check_in';
      elevatorId: string;
      body: {
        kind: string;
        elevator_id: string;
        qr?: string;
        lat?: number;
        lng?: number;
        accuracy?: number;
        at: number;
      };
    }
  | { key: string; type: 'items'; visitRef: string; items: number[] }
  | { key: string; type: 'photo'; visitRef: string; item: number | null; dataUrl: string; at: number }
  | { key: string; type: 'check_out'; visitRef: string; at: number }
  | { key: string; type: 'arrive'; alertId: string };

/** What the server answers for a visit; kept so the page can show the judged verdict. */
export interface ServerVisit {
  id: string;
  elevator_id: string;
  check_out_at: number | null;
  judged: { status: string; verdict: string | null; evidence_score: number | null } | null;
}

export interface Dropped {
  type: FieldAction['type'];
  message: string;
}

const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 30_000;

let user = '';
let queue: FieldAction[] = [];
/** Check-in key (or `srv:{id}` for a visit opened elsewhere) → the server's visit id. */
let visitIds: Record<string, string> = {};
let sending = false;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let retryMs = FIRST_RETRY_MS;
const dropped: Dropped[] = [];
const listeners = new Set<() => void>();

const storageKey = (what: string) => `lw.field.${user}.${what}`;

function read<T>(what: string, fallback: T): T {
  try {
    const text = localStorage.getItem(storageKey(what));
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

function save(): void {
  localStorage.setItem(storageKey('queue'), JSON.stringify(queue));
  localStorage.setItem(storageKey('visits'), JSON.stringify(visitIds));
}

function emit(): void {
  for (const listener of listeners) listener();
}

/** A key the server has never seen: the action's identity across retries. */
export function newKey(): string {
  return crypto.randomUUID();
}

/** Loads this user's queue and starts sending; call once after login. */
export function startFieldQueue(username: string): void {
  if (user === username) return;
  user = username;
  queue = read<FieldAction[]>('queue', []);
  visitIds = read<Record<string, string>>('visits', {});
  dropped.length = 0;
  emit();
  void flush();
}

export function onFieldQueue(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function pendingCount(): number {
  return queue.length;
}

export function droppedActions(): readonly Dropped[] {
  return dropped;
}

export function visitIdOf(ref: string): string | undefined {
  return visitIds[ref];
}

/** A visit opened elsewhere (another phone, before a reinstall): known by its server id. */
export function adoptVisit(id: string): string {
  const ref = `srv:${id}`;
  if (visitIds[ref] !== id) {
    visitIds[ref] = id;
    save();
  }
  return ref;
}

export function enqueue(action: FieldAction): void {
  const last = queue.at(-1);
  // Ticking five boxes offline is one checklist, not five: the newest list replaces a waiting one.
  if (
    action.type === 'items' &&
    last?.type === 'items' &&
    last.visitRef === action.visitRef &&
    (queue.length > 1 || !sending)
  ) {
    queue[queue.length - 1] = { ...action, key: last.key };
  } else {
    queue.push(action);
  }
  save();
  emit();
  void flush();
}

function photoBlob(dataUrl: string): Blob {
  const [head, data = ''] = dataUrl.split(',');
  const type = /data:([^;]+)/.exec(head ?? '')?.[1] ?? 'image/jpeg';
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type });
}

async function send(action: FieldAction): Promise<void> {
  if (action.type === 'arrive') {
    await api.post(`/alerts/${encodeURIComponent(action.alertId)}/arrive`, {});
    return;
  }
  if (action.type === 'check_in') {
    const visit = await api.post<ServerVisit>('/field-visits', { key: action.key, ...action.body });
    visitIds[action.key] = visit.id;
    return;
  }
  const id = visitIds[action.visitRef];
  // The check-in ahead of it was refused: nothing to attach this to.
  if (!id) throw new ApiError(404, 'NOT_FOUND', 'visit not checked in');
  const path = `/field-visits/${encodeURIComponent(id)}`;
  if (action.type === 'items') await api.post(`${path}/items`, { key: action.key, items: action.items });
  else if (action.type === 'photo')
    await api.upload(`${path}/photos`, photoBlob(action.dataUrl), {
      key: action.key,
      item: action.item,
      at: action.at,
    });
  else await api.post(`${path}/check-out`, { key: action.key, at: action.at });
}

/** Worth sending again later: no answer, the server busy or failing, or the session lapsed. */
function retryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status === 401 || error.status === 429 || error.status >= 500;
}

function retryLater(): void {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => void flush(), retryMs);
  retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
}

/** Sends the queue in order until it is empty or the network fails (then retries later). */
export async function flush(): Promise<void> {
  if (sending || !user) return;
  sending = true;
  try {
    while (queue.length > 0) {
      const action = queue[0]!;
      try {
        await send(action);
      } catch (error) {
        if (retryable(error)) {
          retryLater();
          return;
        }
        dropped.push({ type: action.type, message: errorText(error) });
      }
      queue.shift();
      retryMs = FIRST_RETRY_MS;
      save();
      emit();
    }
  } finally {
    sending = false;
  }
}

globalThis.addEventListener?.('online', () => {
  retryMs = FIRST_RETRY_MS;
  void flush();
});
