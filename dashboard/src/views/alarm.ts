/**
 * The alarm that cannot be missed: while any critical alert is unacknowledged, a red
 * banner sits above every screen with the alert, its SLA clocks and an Acknowledge
 * button; a beep repeats every 3 s and the tab title flashes. It stops only when every
 * such alert is acknowledged. The banner says what the sound does, for anyone inspecting
 * the page and for the browser tests: `data-sound` is playing, blocked (the browser waits
 * for a click) or off, and `data-beeps` counts the beeps of this alarm that really played.
 * Only those who answer the alarm hear it (`hearsAlarm`): the owners' committee sees the
 * banner, without controls and without the sound (the firm's duty officer handles it).
 */
import { h, mount } from '../dom.ts';
import { t } from '../i18n.ts';
import { elevatorFullLabel } from '../names.ts';
import { isUnacknowledgedCritical } from '../sla.ts';
import { beep } from '../sound.ts';
import { store } from '../store.ts';
import type { Alert } from '../types.ts';
import { acknowledgeAlert } from './alert-actions.ts';
import { sourceBadges } from './alert-sources.ts';
import { slaChips } from './sla-chip.ts';

const TITLE = document.title;
let timer: ReturnType<typeof setInterval> | null = null;
let flash = false;
let beeps = 0;

function pending(): Alert[] {
  return [...store.liveAlerts.values()]
    .filter(isUnacknowledgedCritical)
    .sort((a, b) => a.opened_at - b.opened_at);
}

function label(a: Alert): string {
  return document.documentElement.lang === 'en' ? a.label_en : a.label_zh;
}

/** Whoever can acknowledge the alarm hears it; a reader (the committee, a regulator) is not called. */
export function hearsAlarm(): boolean {
  return store.canWrite();
}

export function renderAlarm(host: HTMLElement): void {
  const alerts = pending();
  if (alerts.length === 0 || !hearsAlarm()) stopAlarm(host);
  if (alerts.length === 0) {
    mount(host);
    host.hidden = true;
    return;
  }
  host.hidden = false;
  mount(
    host,
    h('p', { class: 'alarm-count' }, t('criticalCount', { n: alerts.length })),
    h(
      'ul',
      {},
      alerts.map((a) =>
        h(
          'li',
          { 'data-alert-id': a.id },
          h(
            'a',
            { href: `#/elevator/${encodeURIComponent(a.elevator_id)}` },
            t('criticalBanner', { label: label(a), elevator: elevatorFullLabel(a.elevator_id) }),
          ),
          sourceBadges(a),
          slaChips(a, store.arrivals.get(a.id) ?? null),
          store.canWrite()
            ? h(
                'button',
                { type: 'button', class: 'primary', onclick: () => void acknowledgeAlert(a) },
                t('acknowledge'),
              )
            : // The owners' committee sees the alarm but does not silence it: the firm's duty officer does.
              h('span', { class: 'muted', 'data-testid': 'alarm-firm-handles' }, t('alarmFirmHandles')),
        ),
      ),
    ),
  );
  if (hearsAlarm()) startAlarm(host);
}

function sound(host: HTMLElement): void {
  const playing = beep(() => host.setAttribute('data-beeps', String(++beeps)));
  host.setAttribute('data-sound', playing ? 'playing' : 'blocked');
}

function startAlarm(host: HTMLElement): void {
  if (timer) return;
  beeps = 0;
  host.setAttribute('data-beeps', '0');
  sound(host);
  timer = setInterval(() => {
    sound(host);
    flash = !flash;
    document.title = flash ? `(!) ${t('critical')} — ${TITLE}` : TITLE;
  }, 3000);
}

function stopAlarm(host: HTMLElement): void {
  if (timer) clearInterval(timer);
  timer = null;
  host.setAttribute('data-sound', 'off');
  document.title = TITLE;
}
