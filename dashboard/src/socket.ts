/**
 * The live feed: socket.io on the API's own server, authenticated by the session cookie,
 * typed by the protocol's event map (protocol/socket.ts) as the server is. Alerts and visits
 * arrive whole, so nothing pushed is fetched again. A lost connection is shown at once; on
 * reconnect everything that could have been missed (the fleet and the live alerts) is
 * loaded again, since events are not replayed.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/socket.ts';
import { formatFen, t } from './i18n.ts';
import { elevatorFullLabel } from './names.ts';
import { applyAlertToReports, applyReport, loadOpenReports, reportCategoryWord } from './reports-live.ts';
import { store } from './store.ts';
import { toast } from './ui.ts';

let socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;

export function connectLive(onUnauthenticated: () => void): void {
  disconnectLive();
  store.setConnection('connecting');
  const s: Socket<ServerToClientEvents, ClientToServerEvents> = io({
    path: '/socket.io',
    withCredentials: true,
    reconnectionDelayMax: 5000,
  });
  socket = s;
  let everConnected = false;

  s.on('connect', () => {
    const recovering = everConnected;
    everConnected = true;
    store.setConnection('live');
    if (recovering)
      void Promise.all([store.loadFleet(), store.loadLiveAlerts(), loadOpenReports()]).catch(() => {});
  });
  s.on('disconnect', (reason: string) => {
    store.setConnection('lost');
    // socket.io retries by itself except after a server-side disconnect (a restart, a kick).
    if (reason === 'io server disconnect') setTimeout(() => socket === s && s.connect(), 1000);
  });
  s.on('connect_error', (error: Error) => {
    store.setConnection('lost');
    // The session expired or was logged out elsewhere: retrying will not help.
    if (error.message === 'UNAUTHENTICATED') {
      disconnectLive();
      onUnauthenticated();
    }
  });
  s.on('alert', (alert) => {
    store.applyAlert(alert);
    applyAlertToReports(alert);
  });
  s.on('elevator:state', (event) => store.applyState(event));
  // A resident's report, filed or moved along: the reports screen and the nav badge follow.
  s.on('report', (report) => {
    // A trapped passenger is the alarm banner's (its alert is pushed too); the rest get a toast.
    if (applyReport(report) && report.category !== 'trapped')
      toast(
        t('newReport', {
          category: reportCategoryWord(report.category),
          elevator: elevatorFullLabel(report.elevator_id),
        }),
      );
  });
  // The committee sees an emergency expenditure the moment the firm proposes or pays it.
  s.on('fund:emergency', (event) => {
    const vars = { amount: formatFen(event.amount_fen), purpose: event.purpose };
    toast(t(event.event === 'paid' ? 'emergencyPaidPush' : 'emergencyProposedPush', vars), 'error');
    store.emit('fund');
  });
  s.on('visit', (visit) => {
    // A check-in may be the arrival a critical alert's clock waits for.
    store.applyVisit(visit);
    void store.refreshElevator(visit.elevator_id).catch(() => {});
  });
}

export function disconnectLive(): void {
  socket?.removeAllListeners();
  socket?.disconnect();
  socket = null;
}
