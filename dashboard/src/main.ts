/**
 * The console's entry: find out who is logged in, then load the fleet and the live
 * alerts, open the socket and route by the URL hash (#/fleet, #/alerts, #/reports,
 * #/elevator/:id, #/fund; a technician only #/work, views/work.ts). Hash routes need no server
 * fallback under /app/.
 */
import { ApiError, api, whenUnauthenticated } from './api.ts';
import { byId, h, mount } from './dom.ts';
import { lang, onLangChange, setLang, t } from './i18n.ts';
import {
  forgetTechnician,
  registerServiceWorker,
  rememberedTechnician,
  rememberTechnician,
} from './offline.ts';
import { loadPeople } from './people.ts';
import { loadOpenReports, onReports, openReportCount, resetReports } from './reports-live.ts';
import { connectLive, disconnectLive } from './socket.ts';
import { blocked, unlock } from './sound.ts';
import { store } from './store.ts';
import type { Me } from './types.ts';
import { errorBox, loading } from './ui.ts';
import { splitHash } from './url-state.ts';
import { hearsAlarm, renderAlarm } from './views/alarm.ts';
import { alertsView } from './views/alerts.ts';
import { auditView } from './views/audit.ts';
import { elevatorView } from './views/elevator.ts';
import { fleetView } from './views/fleet.ts';
import { fundView } from './views/fund.ts';
import { healthView } from './views/health.ts';
import { loginView } from './views/login.ts';
import { onCallView } from './views/on-call.ts';
import { reportsView } from './views/reports.ts';
import { slaView } from './views/sla.ts';
import { startSlaTicker } from './views/sla-chip.ts';
import { stickersView } from './views/stickers.ts';
import { usersView } from './views/users.ts';
import { visitsView } from './views/visits.ts';
import { workView } from './views/work.ts';

/** A view draws into main and returns how to stop listening when the route changes. */
export type View = (host: HTMLElement, param: string | undefined) => (() => void) | undefined;

const ROUTES: Record<string, View> = {
  fleet: fleetView,
  alerts: alertsView,
  reports: reportsView,
  visits: visitsView,
  stickers: stickersView,
  users: usersView,
  elevator: elevatorView,
  fund: fundView,
  health: healthView,
  sla: slaView,
  oncall: onCallView,
  audit: auditView,
  work: workView,
};
const NAV = [
  ['work', 'navWork'],
  ['fleet', 'navFleet'],
  ['alerts', 'navAlerts'],
  ['reports', 'navReports'],
  ['sla', 'navSla'],
  ['health', 'navHealth'],
  ['visits', 'navVisits'],
  ['stickers', 'navStickers'],
  ['users', 'navUsers'],
  ['oncall', 'navOnCall'],
  ['audit', 'navAudit'],
  ['fund', 'navFund'],
] as const;

let cleanup: (() => void) | undefined;

/** Where a role lands: the owners' committee on its fund, a technician on their work, everyone else on the fleet board. */
function landing(): string {
  if (store.me?.role === 'technician') return 'work';
  return store.me?.role === 'committee_member' ? 'fund' : 'fleet';
}

/** A technician's phone has one screen (their work); the firm's screens are not theirs. */
const isTechnician = () => store.me?.role === 'technician';

function currentRoute(): [string, string | undefined] {
  // The query after '?' holds the screen's filters (url-state.ts), not part of the route.
  const [name = '', param] = splitHash()[0].split('/');
  const known = ROUTES[name] && (name === 'work') === isTechnician();
  return [known ? name : landing(), known && param ? decodeURIComponent(param) : undefined];
}

function renderRoute(): void {
  cleanup?.();
  cleanup = undefined;
  const main = byId('main');
  if (!store.me) return;
  const [name, param] = currentRoute();
  cleanup = ROUTES[name]!(main, param);
  renderHeader();
}

/** Accounts are the admin's; on-call and the audit log are for those who write (admins, property managers). */
function navAllowed(route: string, role: string): boolean {
  if ((route === 'work') !== (role === 'technician')) return false;
  if (route === 'users') return role === 'admin';
  if (route === 'oncall' || route === 'audit') return role === 'admin' || role === 'property_manager';
  return true;
}

function renderHeader(): void {
  const me = store.me;
  const [active] = currentRoute();
  const header = byId('top');
  mount(
    header,
    h('span', { class: 'brand' }, t('appName')),
    me
      ? h(
          'nav',
          { 'aria-label': 'main' },
          NAV.filter(([route]) => navAllowed(route, me.role)).map(([route, key]) =>
            h(
              'a',
              { href: `#/${route}`, 'aria-current': route === active ? 'page' : null },
              t(key),
              route === 'reports' ? reportsBadge() : null,
            ),
          ),
        )
      : null,
    h('span', { class: 'spacer' }),
    // Only those who hear the alarm are asked to let the browser play it.
    me && hearsAlarm() && blocked()
      ? h(
          'button',
          { type: 'button', class: 'sound', title: t('soundHint'), onclick: enableSound },
          t('soundOn'),
        )
      : null,
    h(
      'button',
      { type: 'button', class: 'lang', 'aria-label': t('languageLabel'), onclick: toggleLang },
      t('language'),
    ),
    me ? h('span', { class: 'who' }, me.display_name) : null,
    me ? h('button', { type: 'button', onclick: logout }, t('logout')) : null,
  );
}

/** The count of open resident reports on the nav, live from the socket (reports-live.ts). */
function reportsBadge(): HTMLElement | null {
  const n = openReportCount();
  return n > 0
    ? h('span', { class: 'nav-count', 'data-testid': 'reports-count', 'data-count': String(n) }, String(n))
    : null;
}

/** Technicians do not read the firm's report queue (their screens are elsewhere). */
function loadReportsIfReader(): Promise<void> {
  return store.me?.role === 'technician' ? Promise.resolve() : loadOpenReports();
}

function renderConnection(): void {
  const bar = byId('conn');
  bar.hidden = store.connection === 'live' || !store.me || isTechnician();
  bar.className = `conn conn-${store.connection}`;
  bar.textContent = store.connection === 'lost' ? t('lost') : t('connecting');
}

async function enableSound(): Promise<void> {
  await unlock();
  renderHeader();
}

function toggleLang(): void {
  setLang(lang() === 'zh' ? 'en' : 'zh');
}

async function logout(): Promise<void> {
  await api.post('/auth/logout').catch(() => {});
  forgetTechnician();
  showLogin();
}

function showLogin(): void {
  disconnectLive();
  cleanup?.();
  cleanup = undefined;
  store.reset();
  resetReports();
  renderHeader();
  renderConnection();
  renderAlarm(byId('alarm'));
  loginView(byId('main'), (me) => void start(me));
}

async function start(me: Me): Promise<void> {
  store.me = me;
  rememberTechnician(me);
  const main = byId('main');
  if (isTechnician()) {
    // The phone reads its own work list (views/work.ts) and works offline: no fleet board, no socket.
    renderConnection();
    renderRoute();
    return;
  }
  mount(main, loading());
  try {
    await Promise.all([store.loadFleet(), store.loadLiveAlerts(), loadPeople(), loadReportsIfReader()]);
  } catch (error) {
    mount(
      main,
      errorBox(error, () => void start(me)),
    );
    return;
  }
  connectLive(showLogin);
  renderConnection();
  renderAlarm(byId('alarm'));
  renderRoute();
}

async function boot(): Promise<void> {
  setLang(lang());
  whenUnauthenticated(showLogin);
  store.on('connection', renderConnection);
  store.on('alerts', () => renderAlarm(byId('alarm')));
  store.on('fleet', () => renderAlarm(byId('alarm')));
  onReports(() => store.me && renderHeader());
  onLangChange(() => {
    renderConnection();
    renderAlarm(byId('alarm'));
    if (store.me) renderRoute();
    else showLogin();
  });
  window.addEventListener('hashchange', renderRoute);
  // Any click may be the gesture the browser needs before the alarm can sound.
  document.addEventListener('click', () => void unlock().then(() => store.me && renderHeader()), {
    once: true,
  });
  startSlaTicker();
  registerServiceWorker();
  mount(byId('main'), loading());
  try {
    await start(await api.get<Me>('/auth/me'));
  } catch (error) {
    // No network (a lift shaft): the technician this phone last started as works on offline.
    const offline = error instanceof ApiError && error.status === 0 ? rememberedTechnician() : null;
    if (offline) await start(offline);
    else showLogin();
  }
}

void boot();
