/**
 * Shared pieces of every screen: the loading, empty, error and "awaiting API" states,
 * badges that carry text as well as colour, the note dialog used by every action, and a
 * list's export links.
 */
import { ApiError, apiUrl } from './api.ts';
import { h } from './dom.ts';
import { errorText, type Key, t, tCode } from './i18n.ts';
import type { Condition } from './types.ts';

export function loading(): HTMLElement {
  return h('p', { class: 'state-msg', role: 'status', 'aria-live': 'polite' }, t('loading'));
}

export function empty(): HTMLElement {
  return h('p', { class: 'state-msg empty' }, t('empty'));
}

export function errorBox(error: unknown, retry?: () => void): HTMLElement {
  const msg = errorText(error);
  return h(
    'div',
    { class: 'state-msg error', role: 'alert' },
    h('span', {}, t('errorLoad', { msg })),
    retry ? h('button', { type: 'button', onclick: () => retry() }, t('retry')) : null,
  );
}

/** For screens whose API another engineer is still building: say so, show nothing made up. */
export function awaiting(text: string): HTMLElement {
  return h(
    'div',
    { class: 'state-msg awaiting', role: 'note', 'data-testid': 'awaiting-api' },
    h('strong', {}, t('awaitingApi', { what: '' })),
    ' ',
    text,
  );
}

export function isRouteMissing(error: unknown): boolean {
  return error instanceof ApiError && error.routeMissing;
}

export function conditionBadge(condition: Condition): HTMLElement {
  return h('span', { class: `badge c-${condition}` }, t(condition));
}

export function severityBadge(severity: string): HTMLElement {
  return h('span', { class: `badge sev-${severity}` }, tCode(severity));
}

export function stateBadge(state: string): HTMLElement {
  return h('span', { class: `badge st-${state}` }, tCode(state));
}

/** A labelled <select> from [value, label] pairs. */
export function select(
  label: string,
  value: string,
  options: [string, string][],
  onchange: (value: string) => void,
): HTMLElement {
  const el = h(
    'select',
    { onchange: (e: Event) => onchange((e.target as HTMLSelectElement).value) },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
  return h('label', { class: 'field' }, h('span', {}, label), el);
}

export interface NoteDialogOptions {
  title: string;
  label?: Key;
  confirm: string;
  required?: boolean;
  danger?: boolean;
}

/** A required choice asked above the note: radio buttons, none chosen until the user picks. */
export interface DialogChoice<V extends string> {
  name: string;
  legend: string;
  options: readonly (readonly [value: V, label: string])[];
}

/**
 * A modal <dialog> for the note an action needs: the browser traps focus, Esc cancels,
 * and the note survives list re-renders because the dialog lives outside the list.
 */
export function askNote(options: NoteDialogOptions): Promise<string | null> {
  return noteDialog(options, null).then((answer) => answer?.note ?? null);
}

/**
 * The note dialog with a required choice first (what a resolved alert was): the browser
 * refuses to submit until one is picked, so null means cancelled.
 */
export function askChoiceAndNote<V extends string>(
  options: NoteDialogOptions,
  choice: DialogChoice<V>,
): Promise<{ choice: V; note: string } | null> {
  return noteDialog(options, choice).then((answer) =>
    answer && answer.choice !== null ? { choice: answer.choice, note: answer.note } : null,
  );
}

function noteDialog<V extends string>(
  options: NoteDialogOptions,
  choice: DialogChoice<V> | null,
): Promise<{ note: string; choice: V | null } | null> {
  return new Promise((resolve) => {
    const area = h('textarea', {
      name: 'note',
      rows: 3,
      maxlength: 2000,
      required: options.required !== false,
      placeholder: t('notePlaceholder'),
    });
    const radios = (choice?.options ?? []).map(([value]) =>
      h('input', { type: 'radio', name: choice?.name, value, required: true }),
    );
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', {}, options.title),
      choice
        ? h(
            'fieldset',
            { class: 'picks choice', 'data-choice': choice.name },
            h('legend', {}, choice.legend),
            choice.options.map(([, label], i) =>
              h('label', { class: 'pick' }, radios[i], h('span', {}, label)),
            ),
          )
        : null,
      h('label', { class: 'field block' }, h('span', {}, t(options.label ?? 'note')), area),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', value: 'cancel', onclick: () => dialog.close('cancel') }, t('cancel')),
        h(
          'button',
          { type: 'submit', value: 'ok', class: options.danger ? 'danger' : 'primary' },
          options.confirm,
        ),
      ),
    );
    const dialog = h('dialog', { class: 'note-dialog', 'aria-label': options.title }, form);
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok';
      dialog.remove();
      const picked = radios.find((r) => r.checked)?.value as V | undefined;
      resolve(ok ? { note: area.value.trim(), choice: picked ?? null } : null);
    });
    document.body.append(dialog);
    dialog.showModal();
    (radios[0] ?? area).focus();
  });
}

/** A short message for the result of an action, read out by screen readers. */
export function toast(text: string, kind: 'ok' | 'error' = 'ok'): void {
  const el = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}

/**
 * A list's "导出 CSV" and "导出 Excel" (GET /api/v1/<list>.csv and .xlsx): `point` keeps
 * both on the list's current filters, so the files hold what the screen lists.
 */
export function exportLinks(list: string): {
  links: HTMLElement;
  point(query?: Parameters<typeof apiUrl>[1]): void;
} {
  const link = (format: 'csv' | 'xlsx') =>
    h(
      'a',
      { class: 'button export', download: '', 'data-testid': `export-${format}` },
      t(format === 'csv' ? 'exportCsv' : 'exportXlsx'),
    );
  const csv = link('csv');
  const xlsx = link('xlsx');
  const point = (query?: Parameters<typeof apiUrl>[1]) => {
    csv.setAttribute('href', apiUrl(`/${list}.csv`, query));
    xlsx.setAttribute('href', apiUrl(`/${list}.xlsx`, query));
  };
  point();
  return { links: h('span', { class: 'exports' }, csv, ' ', xlsx), point };
}
