/**
 * Residents' reports as they arrive: the open ones (received or being handled) by id, for
 * the nav's count badge, fed by the `report` socket push (protocol/socket.ts) so nothing is
 * reloaded. Loaded whole at start and after a reconnect (pushes are not replayed). The
 * reports screen redraws on `onReports`. A report that follows its linked alert moves with
 * the alert's pushes (`followAlert`): once the alert is resolved it no longer counts.
 */
import { alertStepOf, effectiveReportStatus, type ReportStatus } from '../../protocol/alert-steps.ts';
import { api } from './api.ts';
import { type Key, t } from './i18n.ts';
import type { Alert, ResidentReport } from './types.ts';

/** The QR form's categories (api/resident/i18n.ts), in the resident's own words. */
const CATEGORY: Record<string, Key> = {
  trapped: 'reportTrapped',
  door: 'reportDoor',
  noise: 'reportNoise',
  stopped: 'reportStopped',
  lighting: 'reportLighting',
  other: 'reportOther',
};

export function reportCategoryWord(category: string): string {
  return CATEGORY[category] ? t(CATEGORY[category]!) : category;
}

const open = new Map<string, ResidentReport>();
const listeners = new Set<(report: ResidentReport | null) => void>();

const isOpen = (r: ResidentReport) => r.status === 'received' || r.status === 'in_progress';

export function openReportCount(): number {
  return open.size;
}

/** `report` is the one pushed, or null after a reload. Returns how to stop listening. */
export function onReports(listener: (report: ResidentReport | null) => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

function emit(report: ResidentReport | null): void {
  for (const listener of listeners) listener(report);
}

export async function loadOpenReports(): Promise<void> {
  const [received, handling] = await Promise.all([
    api.all<ResidentReport>('/reports', { status: 'received' }),
    api.all<ResidentReport>('/reports', { status: 'in_progress' }),
  ]);
  open.clear();
  for (const r of [...received, ...handling]) open.set(r.id, r);
  emit(null);
}

/**
 * A report pushed live: filed, moved along, or confirmed or reopened by the resident.
 * True when it is a new one (just filed), which the socket announces.
 */
export function applyReport(report: ResidentReport): boolean {
  const isNew = !open.has(report.id) && report.status === 'received' && report.feedback === null;
  if (isOpen(report)) open.set(report.id, report);
  else open.delete(report.id);
  emit(report);
  return isNew;
}

/**
 * Moves a report that follows `alert` to where the alert got it (its step, and its status by
 * protocol/alert-steps.ts's rule, as the API answers it). True when the report changed.
 */
export function followAlert(report: ResidentReport, alert: Alert): boolean {
  if (report.alert_id !== alert.id || !report.follows_alert) return false;
  const status = effectiveReportStatus({ ...report, status: report.status as ReportStatus }, alert);
  const step = alertStepOf(alert);
  if (status === report.status && step === report.alert_step) return false;
  report.status = status;
  report.alert_step = step;
  return true;
}

/** An alert pushed live: the open reports following it move with it (a resolved one leaves the count). */
export function applyAlertToReports(alert: Alert): void {
  for (const report of [...open.values()]) {
    if (!followAlert(report, alert)) continue;
    if (!isOpen(report)) open.delete(report.id);
    emit(report);
  }
}

export function resetReports(): void {
  open.clear();
  emit(null);
}
