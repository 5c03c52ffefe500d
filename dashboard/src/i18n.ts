/**
 * Chinese or English for the console (words.ts holds the tables). The choice is kept in
 * localStorage and set on <html lang> so screen readers pick the right voice.
 */
import {
  CHECK_IN_METHOD_WORDS,
  errorWords,
  SERVICE_MODE_WORDS,
  VERDICT_WORDS,
  VISIT_KIND_WORDS,
  VISIT_STATUS_WORDS,
  wordOf,
} from '../../protocol/words.ts';
import { EN, type Key, ZH } from './words.ts';

export type { Key } from './words.ts';
export type Lang = 'zh' | 'en';

const TABLES: Record<Lang, Record<Key, string>> = { en: EN, zh: ZH };
let current: Lang = initialLang();
const listeners = new Set<() => void>();

function initialLang(): Lang {
  const saved = globalThis.localStorage?.getItem('lw.lang');
  if (saved === 'zh' || saved === 'en') return saved;
  return globalThis.navigator?.language?.toLowerCase().startsWith('zh') === false ? 'en' : 'zh';
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem('lw.lang', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): void {
  listeners.add(listener);
}

/** `t('openAlerts', { n: 3 })`; an unknown key cannot compile. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  return TABLES[current][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** The shared catalogue's tables for codes the console's own words do not cover. */
const CODE_TABLES = [
  VISIT_KIND_WORDS,
  VERDICT_WORDS,
  VISIT_STATUS_WORDS,
  SERVICE_MODE_WORDS,
  CHECK_IN_METHOD_WORDS,
];

/** Words for a code from the API (state, severity, verdict, visit kind, mode). */
export function tCode(code: string | null | undefined): string {
  if (!code) return '—';
  if (Object.hasOwn(EN, code)) return t(code as Key);
  for (const table of CODE_TABLES) {
    const word = wordOf(table, code, current);
    if (word !== undefined) return word;
  }
  return code;
}

/**
 * What went wrong, in the reader's language: the catalogue's words for the API's error
 * code (never the server's English message), or the browser's own when nothing answered.
 * A string is already our own words (a screen's explanation) and is shown as it is.
 */
export function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  const coded = (typeof error === 'object' && error ? error : {}) as { code?: unknown; reason?: unknown };
  const reason = typeof coded.reason === 'string' ? coded.reason : undefined;
  return errorWords(typeof coded.code === 'string' ? coded.code : 'HTTP', current, reason);
}

/** Beijing time, whatever the browser's zone: the exports, the QR pages and the webhooks say it. */
const BEIJING = 'Asia/Shanghai';

/**
 * "12月2日 20:22" this year, "2025年5月18日 12:00" before it, in Beijing time: an alert from
 * another year must not read as this year's.
 */
export function formatTime(ms: number, now = Date.now()): string {
  const year = (at: number) => new Date(at + 8 * 3_600_000).getUTCFullYear();
  return new Date(ms).toLocaleString(current === 'zh' ? 'zh-CN' : 'en-GB', {
    ...(year(ms) === year(now) ? {} : { year: 'numeric' }),
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: BEIJING,
  });
}

/** Fen → "¥1,234.56"; money is integer fen end to end (issue 5). */
export function formatFen(fen: number): string {
  const yuan = fen / 100;
  return yuan.toLocaleString(current === 'zh' ? 'zh-CN' : 'en-GB', { style: 'currency', currency: 'CNY' });
}
