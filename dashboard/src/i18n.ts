/**
 * Chinese or English for the console (words.ts holds the tables). The choice is kept in
 * localStorage and set on <html lang> so screen readers pick the right voice.
 */
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

/** Words that come from the API as codes (state, severity, verdict) when we have them. */
export function tCode(code: string | null | undefined): string {
  if (!code) return '—';
  return code in EN ? t(code as Key) : code;
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString(current === 'zh' ? 'zh-CN' : 'en-GB', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** Fen → "¥1,234.56"; money is integer fen end to end (issue 5). */
export function formatFen(fen: number): string {
  const yuan = fen / 100;
  return yuan.toLocaleString(current === 'zh' ? 'zh-CN' : 'en-GB', { style: 'currency', currency: 'CNY' });
}
