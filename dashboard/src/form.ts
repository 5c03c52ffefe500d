/**
 * Pieces of the fund's forms: labelled fields, the message line next to the form (where
 * the API's 4xx message lands), and a submit that cannot run twice. Native controls only,
 * so every form works from the keyboard and with a screen reader.
 */
import { ApiError } from './api.ts';
import { h } from './dom.ts';
import { errorText, t } from './i18n.ts';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

let nextId = 0;

/**
 * A labelled control. The label holds only its words (the control and the hint sit beside
 * it), so a screen reader names the field by them alone; the hint is its description.
 */
export function field(label: string, control: Control, hint?: string): HTMLElement {
  if (!control.id) control.id = `f-${++nextId}`;
  const hintEl = hint ? h('small', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field block' }, h('label', { for: control.id }, label), control, hintEl);
}

/** The form's message line: errors are announced at once, confirmations politely. */
export function messageLine(testid: string): HTMLParagraphElement {
  return h('p', { class: 'form-error', role: 'alert', 'aria-live': 'assertive', 'data-testid': testid });
}

export function showError(line: HTMLElement, text: string, control?: Control): void {
  line.className = 'form-error';
  line.textContent = text;
  if (control) {
    control.setAttribute('aria-invalid', 'true');
    control.focus();
    // Fixed by the user: the mark and the message go with the next edit.
    const clear = () => {
      control.removeAttribute('aria-invalid');
      if (line.textContent === text) line.textContent = '';
    };
    control.addEventListener('input', clear, { once: true });
    control.addEventListener('change', clear, { once: true });
  }
}

export function showDone(line: HTMLElement, text: string): void {
  line.className = 'form-done';
  line.textContent = text;
}

/** What the API said, for the line next to the form: the catalogue's words for its code. */
export function apiMessage(error: unknown): string {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500)
    return t('apiRefused', { status: error.status, msg: errorText(error) });
  return t('actionFailed', { msg: errorText(error) });
}

/**
 * Runs the form's action on submit: the buttons are disabled while it runs (no double
 * post), earlier marks are cleared, and anything thrown is shown on the line.
 */
export function onSubmit(form: HTMLFormElement, line: HTMLElement, run: () => Promise<void>): void {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const buttons = [...form.querySelectorAll<HTMLButtonElement>('button[type=submit]')];
    for (const b of buttons) b.disabled = true;
    form.setAttribute('aria-busy', 'true');
    line.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    try {
      await run();
    } catch (error) {
      showError(line, apiMessage(error));
    } finally {
      for (const b of buttons) b.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
}

/** The file a file input holds, refused early when the API would not take its type. */
export function chosenFile(input: HTMLInputElement, types: readonly string[]): File | null | 'bad-type' {
  const file = input.files?.[0];
  if (!file) return null;
  return types.includes(file.type) ? file : 'bad-type';
}

/** The current month as YYYY-MM in the browser's time zone. */
export function thisMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}
