/**
 * Acknowledge, "到场" (someone on site; the note optional) and resolve, each with its note; resolving also asks what the alert was (a
 * real fault, handled, or a false alarm), with nothing chosen until the officer picks.
 * The live list is updated from the answer.
 */
import { api } from '../api.ts';
import { errorText, lang, t } from '../i18n.ts';
import { elevatorFullLabel } from '../names.ts';
import { personName } from '../people.ts';
import { store } from '../store.ts';
import type { Alert, ResolveBody } from '../types.ts';
import { askChoiceAndNote, askNote, toast } from '../ui.ts';

async function post(
  alert: Alert,
  action: 'acknowledge' | 'arrive' | 'resolve',
  body: object,
): Promise<Alert | null> {
  try {
    const updated = await api.post<Alert>(`/alerts/${encodeURIComponent(alert.id)}/${action}`, body);
    store.putAlert(updated);
    store.emit('alerts');
    // A decision someone else took first answers 200 with their result (the API never
    // overwrites it): say so, rather than "done".
    const by =
      action === 'acknowledge'
        ? (updated.acknowledged_by ?? updated.resolved_by)
        : action === 'arrive'
          ? (updated.arrived_by ?? updated.resolved_by)
          : updated.resolved_by;
    if (by && store.me && by !== store.me.username) toast(t('alreadyHandled', { who: personName(by) }));
    else toast(t('done'));
    return updated;
  } catch (error) {
    toast(t('actionFailed', { msg: errorText(error) }), 'error');
    return null;
  }
}

/** The alert's name in the console's language and where it is, for the dialog's title. */
const label = (alert: Alert) =>
  `${lang() === 'en' ? alert.label_en : alert.label_zh} · ${elevatorFullLabel(alert.elevator_id)}`;

export async function acknowledgeAlert(alert: Alert): Promise<Alert | null> {
  const note = await askNote({ title: `${t('acknowledge')}: ${label(alert)}`, confirm: t('acknowledge') });
  if (note === null || note === '') return null;
  return post(alert, 'acknowledge', { note });
}

/** "到场": someone is on site; the 30-minute arrival clock stops here. */
export async function arriveAlert(alert: Alert): Promise<Alert | null> {
  const note = await askNote({
    title: `${t('arriveTitle')}: ${label(alert)}`,
    confirm: t('arrive'),
    required: false,
  });
  if (note === null) return null;
  return post(alert, 'arrive', note ? { note } : {});
}

export async function resolveAlert(alert: Alert): Promise<Alert | null> {
  const answer = await askChoiceAndNote<ResolveBody['resolution']>(
    { title: `${t('resolve')}: ${label(alert)}`, confirm: t('resolve') },
    {
      name: 'resolution',
      legend: t('resolutionLegend'),
      options: [
        ['fault', t('resolveAsFault')],
        ['false_alarm', t('resolveAsFalseAlarm')],
      ],
    },
  );
  if (answer === null || answer.note === '') return null;
  const body: ResolveBody = { resolution: answer.choice, note: answer.note };
  return post(alert, 'resolve', body);
}
