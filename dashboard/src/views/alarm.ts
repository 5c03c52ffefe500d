/**
 * The alarm that cannot be missed: while any critical alert is unacknowledged, a red
 * banner sits above every screen with the alert, its SLA clocks and an Acknowledge
 * button; a beep repeats every 3 s and the tab title flashes. It stops only when every
 * such alert is acknowledged.
 */
import { h, mount } from '../dom.ts';
import { t } from '../i18n.ts';
import { isUnacknowledgedCritical } from '../sla.ts';
import { beep } from '../sound.ts';
import { store } from '../store.ts';
import type { Alert } from '../types.ts';
import { acknowledgeAlert } from './alert-actions.ts';
import { slaChips } from './sla-chip.ts';

const TITLE = document.title;
let timer: ReturnType<typeof setInterval> | null = null;
let flash = false;

function pending(): Alert[] {
  return [...store.liveAlerts.values()]
    .filter(isUnacknowledgedCritical)
    .sort((a, b) => a.opened_at - b.opened_at);
}

function label(a: Alert): string {
  return document.documentElement.lang === 'en' ? a.label_en : a.label_zh;
}

export function renderAlarm(host: HTMLElement): void {
  const alerts = pending();
  if (alerts.length === 0) {
    mount(host);
    host.hidden = true;
    stopAlarm();
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
            t('criticalBanner', { label: label(a), elevator: store.elevatorLabel(a.elevator_id) }),
          ),
          slaChips(a, store.arrivals.get(a.id) ?? null),
          store.canWrite()
            ? h(
                'button',
                { type: 'button', class: 'primary', onclick: () => void acknowledgeAlert(a) },
                t('acknowledge'),
              )
            : null,
        ),
      ),
    ),
  );
  startAlarm();
}

function startAlarm(): void {
  if (timer) return;
  beep();
  timer = setInterval(() => {
    beep();
    flash = !flash;
    document.title = flash ? `(!) ${t('critical')} — ${TITLE}` : TITLE;
  }, 3000);
}

function stopAlarm(): void {
  if (timer) clearInterval(timer);
  timer = null;
  document.title = TITLE;
}
