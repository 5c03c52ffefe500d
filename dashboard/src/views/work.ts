/**
 * The technician's phone (issue 15): #/work lists the open work orders (alarms, resident
 * reports) and the lifts of the technician's company; #/work/{elevatorId} is the car: 签到
 * (with the phone's location when it gives one), 到场 on the car's open alarms, the TSG T5002
 * checklist of the visit class with photos, 签退. Everything goes through the offline queue
 * (field-queue.ts) and is drawn from what this phone did, so the screen works in a shaft
 * without signal; "待同步 N 项" says what is still to be sent. The visit's verdict is the
 * server's, judged from the lift's data, shown once it exists.
 */
import type { Static } from '@sinclair/typebox';
import type {
  FieldVisit as FieldVisitSchema,
  Work as WorkSchema,
} from '../../../protocol/field-visit-http.ts';
import {
  MAINTENANCE_PLACE_WORDS,
  type MaintenanceItem,
  maintenanceItemsFor,
} from '../../../protocol/maintenance-items.ts';
import type { VisitKind } from '../../../protocol/messages.ts';
import { api } from '../api.ts';
import { h, mount } from '../dom.ts';
import {
  adoptVisit,
  droppedActions,
  enqueue,
  type FieldAction,
  newKey,
  onFieldQueue,
  pendingCount,
  startFieldQueue,
  visitIdOf,
} from '../field-queue.ts';
import { formatTime, type Key, lang, t, tCode } from '../i18n.ts';
import { reportCategoryWord } from '../reports-live.ts';
import { store } from '../store.ts';
import { loading, severityBadge } from '../ui.ts';
import { splitHash } from '../url-state.ts';

type Work = Static<typeof WorkSchema>;
type ServerVisit = Static<typeof FieldVisitSchema>;

/** This phone's view of a visit: what it did, whether or not the server has heard yet. */
interface LocalVisit {
  ref: string;
  kind: VisitKind;
  checkInAt: number;
  accuracy: number | null;
  located: boolean;
  items: number[];
  photos: number;
  arrived: Record<string, number>;
  checkOutAt: number | null;
}

const CLASSES: VisitKind[] = ['half_monthly', 'quarterly', 'half_yearly', 'yearly'];
/**
 * What the technician picked in the page's selects, kept outside the page because the page is
 * drawn again whenever the queue syncs: a redraw between picking the item and taking the photo
 * must not file the photo under no item.
 */
const picked = { visitClass: CLASSES[0] as VisitKind, photoItem: new Map<string, number>() };
const PHOTO_MAX_SIDE = 1280;

const ACTION_WORDS: Record<FieldAction['type'], Key> = {
  check_in: 'workActCheckIn',
  items: 'workActItems',
  photo: 'workActPhoto',
  check_out: 'workActCheckOut',
  arrive: 'workActArrive',
};

function userKey(what: string): string {
  return `lw.field.${store.me?.username ?? ''}.${what}`;
}

function readLocal<T>(what: string, fallback: T): T {
  try {
    const text = localStorage.getItem(userKey(what));
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

function writeLocal(what: string, value: unknown): void {
  localStorage.setItem(userKey(what), JSON.stringify(value));
}

const localVisits = () => readLocal<Record<string, LocalVisit>>('local', {});
function saveVisit(elevatorId: string, visit: LocalVisit): void {
  writeLocal('local', { ...localVisits(), [elevatorId]: visit });
}

/** The work list: fresh from the server, or the last one this phone saw when offline. */
async function loadWork(): Promise<Work | null> {
  try {
    const work = await api.get<Work>('/work');
    writeLocal('work', work);
    return work;
  } catch {
    return readLocal<Work | null>('work', null);
  }
}

/** The phone's position, if it has one within a few seconds; a visit is not held up without it. */
function locate(): Promise<GeolocationPosition | null> {
  if (!('geolocation' in navigator)) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(resolve, () => resolve(null), {
      enableHighAccuracy: true,
      timeout: 5_000,
      maximumAge: 60_000,
    });
  });
}

/** A phone photo scaled down to a JPEG of at most PHOTO_MAX_SIDE px, as a data URL the queue can keep. */
async function shrinkPhoto(file: File): Promise<string> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/jpeg', 0.75);
}

function syncLine(): HTMLElement {
  const n = pendingCount();
  const offline = !navigator.onLine;
  return h(
    'div',
    { class: `work-sync${n > 0 ? ' pending' : ''}`, role: 'status', 'aria-live': 'polite' },
    h('strong', { 'data-testid': 'sync-state' }, n > 0 ? t('workPending', { n }) : t('workSynced')),
    offline ? h('p', { class: 'muted' }, t('workOffline')) : null,
    droppedActions().map((d) =>
      h('p', { class: 'error' }, t('workDropped', { what: t(ACTION_WORDS[d.type]), msg: d.message })),
    ),
  );
}

function listPage(host: HTMLElement, work: Work | null, redraw: () => void): void {
  if (!work) {
    mount(host, syncLine(), h('p', { class: 'state-msg' }, t('workOffline')));
    return;
  }
  const liftName = (id: string) => {
    const lift = work.lifts.find((l) => l.id === id);
    return lift ? `${lift.estate} ${lift.name}` : '';
  };
  const orders = [
    ...work.alerts.map((a) =>
      h(
        'li',
        { class: 'work-order' },
        h(
          'a',
          { href: `#/work/${encodeURIComponent(a.elevator_id)}` },
          severityBadge(a.severity),
          ' ',
          t('workAlertOrder', { what: lang() === 'zh' ? a.label_zh : a.label_en }),
        ),
        h('div', { class: 'muted' }, liftName(a.elevator_id), ' · ', formatTime(a.opened_at)),
      ),
    ),
    ...work.reports.map((r) =>
      h(
        'li',
        { class: 'work-order' },
        h(
          'a',
          { href: `#/work/${encodeURIComponent(r.elevator_id)}` },
          t('workReportOrder', { what: reportCategoryWord(r.category) }),
        ),
        h('div', { class: 'muted' }, liftName(r.elevator_id), ' · ', formatTime(r.created_at)),
        h('div', {}, r.description),
      ),
    ),
  ];
  const local = localVisits();
  const scanInput = h('input', {
    type: 'text',
    inputmode: 'url',
    'aria-label': t('workScanHint'),
    placeholder: t('workScanHint'),
  });
  const scanError = h('p', { class: 'error', role: 'alert' });
  const openScanned = (event?: Event) => {
    event?.preventDefault();
    const text = scanInput.value.trim();
    const token = /\/e\/([^/?#]+)/.exec(text)?.[1] ?? text;
    const lift = findByToken(work, decodeURIComponent(token));
    if (!lift) {
      scanError.textContent = t('workScanUnknown');
      return;
    }
    location.hash = `#/work/${encodeURIComponent(lift)}`;
  };
  mount(
    host,
    h('h1', {}, t('workTitle')),
    syncLine(),
    h('h2', {}, t('workOrders')),
    orders.length > 0
      ? h('ul', { class: 'work-list', 'data-testid': 'work-orders' }, orders)
      : h('p', { class: 'muted' }, t('workNoOrders')),
    h(
      'form',
      { class: 'work-scan', onsubmit: openScanned },
      h('label', {}, t('workScan'), scanInput),
      h('button', { type: 'submit', class: 'primary' }, t('workScanGo')),
      cameraScan((text) => {
        scanInput.value = text;
        openScanned();
      }),
      scanError,
    ),
    h('h2', {}, t('workLifts')),
    h(
      'ul',
      { class: 'work-list', 'data-testid': 'work-lifts' },
      work.lifts.map((l) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: `#/work/${encodeURIComponent(l.id)}` },
            `${l.estate} ${l.name}`,
            l.open_visit_id || (local[l.id] && local[l.id]!.checkOutAt === null)
              ? h('span', { class: 'badge c-maintenance' }, t('workOpenVisit'))
              : null,
          ),
        ),
      ),
    ),
  );
  void redraw;
}

/** The browser's QR reader (Chrome on Android has one); absent elsewhere, where pasting remains. */
interface QrDetector {
  detect(image: ImageBitmap): Promise<{ rawValue: string }[]>;
}
type QrDetectorClass = new (options: { formats: string[] }) => QrDetector;

/** A camera button that reads the sticker's QR code from a photo, when the browser can. */
function cameraScan(found: (text: string) => void): HTMLElement | null {
  const Detector = (globalThis as { BarcodeDetector?: QrDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  const read = async (event: Event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const codes = await new Detector({ formats: ['qr_code'] }).detect(await createImageBitmap(file));
    found(codes[0]?.rawValue ?? '');
  };
  return h(
    'label',
    { class: 'button' },
    t('workScanCamera'),
    h('input', {
      type: 'file',
      accept: 'image/*',
      capture: 'environment',
      class: 'visually-hidden',
      onchange: (e: Event) => void read(e),
    }),
  );
}

/** The scanned sticker's lift, from the work list this phone holds (so a scan works offline). */
function findByToken(work: Work, token: string): string | undefined {
  const lift = work.lifts.find((l) => l.qr_token === token);
  if (lift) sessionStorage.setItem(userKey('scanned'), lift.id);
  return lift?.id;
}

function carPage(host: HTMLElement, work: Work | null, elevatorId: string, redraw: () => void): void {
  const lift = work?.lifts.find((l) => l.id === elevatorId);
  let visit = localVisits()[elevatorId];
  const serverOpen = work?.open_visits.find((v) => v.elevator_id === elevatorId);
  const ownCheckOut =
    visit !== undefined && serverOpen !== undefined && visitIdOf(visit.ref) === serverOpen.id;
  if ((!visit || visit.checkOutAt !== null) && serverOpen && !ownCheckOut) {
    // Checked in elsewhere (another phone): continue that visit. (Our own check-out still
    // waiting in the queue is not that: the server just has not heard of it yet.)
    visit = {
      ref: adoptVisit(serverOpen.id),
      kind: serverOpen.kind as VisitKind,
      checkInAt: serverOpen.check_in_at,
      accuracy: serverOpen.location?.accuracy ?? null,
      located: serverOpen.location !== null,
      items: serverOpen.items,
      photos: serverOpen.photos.length,
      arrived: {},
      checkOutAt: null,
    };
    saveVisit(elevatorId, visit);
  }
  const alerts = work?.alerts.filter((a) => a.elevator_id === elevatorId) ?? [];
  const reports = work?.reports.filter((r) => r.elevator_id === elevatorId) ?? [];
  const title = lift ? `${lift.estate} ${lift.name}` : elevatorId;
  const active = visit && visit.checkOutAt === null ? visit : null;

  const update = (next: LocalVisit) => {
    saveVisit(elevatorId, next);
    redraw();
  };

  const kindSelect = h(
    'select',
    {
      'aria-label': t('workVisitClass'),
      onchange: (e: Event) => {
        picked.visitClass = (e.target as HTMLSelectElement).value as VisitKind;
      },
    },
    CLASSES.map((k) => h('option', { value: k, selected: k === picked.visitClass }, tCode(k))),
  );
  const status = h('p', { class: 'muted', role: 'status' });

  async function checkIn(): Promise<void> {
    status.textContent = t('workLocating');
    const position = await locate();
    const key = newKey();
    const at = Date.now();
    const kind = picked.visitClass;
    // Opened by scanning this car's sticker: the check-in says so (method 'qr').
    const scanned = sessionStorage.getItem(userKey('scanned')) === elevatorId ? lift?.qr_token : undefined;
    enqueue({
      key,
      type: 'check_in',
      elevatorId,
      body: {
        kind,
        elevator_id: elevatorId,
        at,
        ...(scanned ? { qr: scanned } : {}),
        ...(position
          ? {
              lat: position.coords.latitude,
              lng: position.coords.longitude,
              accuracy: Math.round(position.coords.accuracy),
            }
          : {}),
      },
    });
    update({
      ref: key,
      kind,
      checkInAt: at,
      accuracy: position ? Math.round(position.coords.accuracy) : null,
      located: position !== null,
      items: [],
      photos: 0,
      arrived: {},
      checkOutAt: null,
    });
  }

  function arrive(alertId: string): void {
    if (!active) return;
    enqueue({ key: newKey(), type: 'arrive', alertId });
    update({ ...active, arrived: { ...active.arrived, [alertId]: Date.now() } });
  }

  function tick(item: number, done: boolean): void {
    if (!active) return;
    const items = done
      ? [...new Set([...active.items, item])].sort((a, b) => a - b)
      : active.items.filter((i) => i !== item);
    enqueue({ key: newKey(), type: 'items', visitRef: active.ref, items });
    update({ ...active, items });
  }

  const chosenItem = active ? picked.photoItem.get(active.ref) : undefined;
  const photoItem = h(
    'select',
    {
      'aria-label': t('workPhotoItem'),
      onchange: (e: Event) => {
        if (!active) return;
        const value = (e.target as HTMLSelectElement).value;
        if (value) picked.photoItem.set(active.ref, Number(value));
        else picked.photoItem.delete(active.ref);
      },
    },
    h('option', { value: '' }, t('workPhotoNone')),
    active
      ? maintenanceItemsFor(active.kind).map((i) =>
          h(
            'option',
            { value: String(i.number), selected: i.number === chosenItem },
            `${i.number}. ${i.name}`,
          ),
        )
      : [],
  );
  async function addPhoto(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file || !active) return;
    const dataUrl = await shrinkPhoto(file);
    enqueue({
      key: newKey(),
      type: 'photo',
      visitRef: active.ref,
      // Read now, not from this drawing's select: the page may have been drawn again meanwhile.
      item: picked.photoItem.get(active.ref) ?? null,
      dataUrl,
      at: Date.now(),
    });
    input.value = '';
    update({ ...active, photos: active.photos + 1 });
  }

  function checkOut(): void {
    if (!active || !window.confirm(t('workCheckOutConfirm'))) return;
    const at = Date.now();
    enqueue({ key: newKey(), type: 'check_out', visitRef: active.ref, at });
    update({ ...active, checkOutAt: at });
  }

  const checklist = active ? checklistOf(active, tick) : null;
  const judged = visit ? judgedLine(visit) : null;

  mount(
    host,
    h('a', { href: '#/work', class: 'work-back' }, t('workBack')),
    h('h1', {}, title),
    syncLine(),
    alerts.length > 0 || reports.length > 0
      ? h(
          'ul',
          { class: 'work-list' },
          alerts.map((a) =>
            h(
              'li',
              { class: 'work-order' },
              severityBadge(a.severity),
              ' ',
              t('workAlertOrder', { what: lang() === 'zh' ? a.label_zh : a.label_en }),
              h('div', { class: 'muted' }, formatTime(a.opened_at)),
              a.arrived_at || active?.arrived[a.id]
                ? h('div', {}, t('workArrived', { when: formatTime(a.arrived_at ?? active!.arrived[a.id]!) }))
                : active
                  ? h(
                      'button',
                      { type: 'button', class: 'primary', onclick: () => arrive(a.id) },
                      t('workArrive'),
                    )
                  : null,
            ),
          ),
          reports.map((r) =>
            h(
              'li',
              { class: 'work-order' },
              t('workReportOrder', { what: reportCategoryWord(r.category) }),
              h('div', {}, r.description),
            ),
          ),
        )
      : null,
    active
      ? h(
          'section',
          { class: 'work-visit' },
          h(
            'p',
            { 'data-testid': 'checked-in' },
            tCode(active.kind),
            ' · ',
            t('workCheckedIn', { when: formatTime(active.checkInAt) }),
            ' · ',
            active.located && active.accuracy !== null
              ? t('workWithLocation', { m: active.accuracy })
              : t('workNoLocation'),
          ),
          checklist,
          h(
            'div',
            { class: 'work-photo' },
            h('label', {}, t('workPhotoItem'), photoItem),
            h(
              'label',
              { class: 'button' },
              t('workPhoto'),
              h('input', {
                type: 'file',
                accept: 'image/*',
                capture: 'environment',
                class: 'visually-hidden',
                'data-testid': 'photo-input',
                onchange: (e: Event) => void addPhoto(e),
              }),
            ),
            h('span', { class: 'muted' }, t('workPhotos', { n: active.photos })),
          ),
          h('button', { type: 'button', class: 'primary work-wide', onclick: checkOut }, t('workCheckOut')),
        )
      : h(
          'section',
          { class: 'work-visit' },
          visit?.checkOutAt
            ? h(
                'p',
                { 'data-testid': 'checked-out' },
                t('workCheckedOut', { when: formatTime(visit.checkOutAt) }),
              )
            : null,
          judged,
          h('label', {}, t('workVisitClass'), kindSelect),
          h(
            'button',
            { type: 'button', class: 'primary work-wide', onclick: () => void checkIn() },
            t('workCheckIn'),
          ),
          status,
        ),
  );
}

function checklistOf(visit: LocalVisit, tick: (item: number, done: boolean) => void): HTMLElement {
  const items = maintenanceItemsFor(visit.kind);
  const groups = new Map<MaintenanceItem['place'], MaintenanceItem[]>();
  for (const item of items) groups.set(item.place, [...(groups.get(item.place) ?? []), item]);
  const done = new Set(visit.items);
  return h(
    'fieldset',
    { class: 'work-checklist' },
    h('legend', {}, t('workChecklist', { done: done.size, all: items.length })),
    [...groups].map(([place, list]) =>
      h(
        'div',
        {},
        h('h3', {}, MAINTENANCE_PLACE_WORDS[place][lang()]),
        list.map((item) =>
          h(
            'label',
            { class: 'work-item' },
            h('input', {
              type: 'checkbox',
              checked: done.has(item.number),
              onchange: (e: Event) => tick(item.number, (e.target as HTMLInputElement).checked),
            }),
            ` ${item.number}. ${item.name}`,
          ),
        ),
      ),
    ),
  );
}

/** The verdict the server judged from the lift's data, once the visit is stored. */
function judgedLine(visit: LocalVisit): HTMLElement | null {
  const id = visitIdOf(visit.ref);
  if (!id) return null;
  const line = h('p', { class: 'muted' });
  void api
    .get<ServerVisit>(`/field-visits/${encodeURIComponent(id)}`)
    .then((v) => {
      if (v.judged?.verdict) line.textContent = t('workJudged', { verdict: tCode(v.judged.verdict) });
    })
    .catch(() => {});
  return line;
}

export function workView(host: HTMLElement, param: string | undefined): () => void {
  startFieldQueue(store.me?.username ?? '');
  let work: Work | null = null;
  let stopped = false;
  const draw = () => {
    if (stopped) return;
    if (param) carPage(host, work, param, draw);
    else listPage(host, work, draw);
  };
  mount(host, loading());
  void loadWork().then((w) => {
    work = w;
    // Came from the sticker's resident page (`#/work?qr=token`): straight to that car's check-in,
    // in place of this entry so Back does not bounce here again.
    const token = param ? null : splitHash()[1].get('qr');
    const lift = w && token ? findByToken(w, token) : undefined;
    if (lift) location.replace(`#/work/${encodeURIComponent(lift)}`);
    else draw();
  });
  const stopQueue = onFieldQueue(() => {
    // When the queue drains, refresh from the server (the alarm's arrival, the open visits).
    if (pendingCount() === 0)
      void loadWork().then((w) => {
        work = w;
        draw();
      });
    else draw();
  });
  const onNetwork = () => draw();
  window.addEventListener('online', onNetwork);
  window.addEventListener('offline', onNetwork);
  return () => {
    stopped = true;
    stopQueue();
    window.removeEventListener('online', onNetwork);
    window.removeEventListener('offline', onNetwork);
  };
}
