/** Acknowledge and resolve, each with its note; the live list is updated from the answer. */
import { api } from '../api.ts';
import { t } from '../i18n.ts';
import { store } from '../store.ts';
import type { Alert } from '../types.ts';
import { askNote, toast } from '../ui.ts';

async function act(alert: Alert, action: 'acknowledge' | 'resolve'): Promise<Alert | null> {
  const note = await askNote({ title: `${t(action)}: ${alert.code}`, confirm: t(action) });
  if (note === null || note === '') return null;
  try {
    const updated = await api.post<Alert>(`/alerts/${encodeURIComponent(alert.id)}/${action}`, { note });
    store.putAlert(updated);
    store.emit('alerts');
    toast(t('done'));
    return updated;
  } catch (error) {
    toast(t('actionFailed', { msg: error instanceof Error ? error.message : String(error) }), 'error');
    return null;
  }
}

export const acknowledgeAlert = (alert: Alert) => act(alert, 'acknowledge');
export const resolveAlert = (alert: Alert) => act(alert, 'resolve');
