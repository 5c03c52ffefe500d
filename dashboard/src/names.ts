/**
 * How the console names places: an elevator always with its estate ("莲花花园 · 2栋1号梯"),
 * because two estates of one firm may both have a "2栋1号梯" and a duty officer acting on
 * the wrong one sends a technician to the wrong estate. Search matches the estate too.
 */
import { lang } from './i18n.ts';
import { store } from './store.ts';
import type { Estate } from './types.ts';

export function estateLabel(e: Estate): string {
  return lang() === 'en' && e.name_en ? e.name_en : e.name;
}

/** The estate's name in the console's language; its id only when the fleet does not know it. */
export function estateName(id: string): string {
  const e = store.estates.find((x) => x.id === id);
  return e ? estateLabel(e) : id;
}

/** Estate, building and car: the name every banner, card, dialog and header uses. */
export function elevatorFullLabel(id: string): string {
  const e = store.elevators.get(id);
  return e ? `${estateName(e.estate_id)} · ${store.elevatorLabel(id)}` : id;
}

/** Whether a search typed by the officer hits this elevator: its names, codes or its estate. */
export function elevatorMatches(id: string, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const e = store.elevators.get(id);
  const estate = e ? store.estates.find((x) => x.id === e.estate_id) : undefined;
  return [
    id,
    store.elevatorLabel(id),
    e?.name,
    e?.building_name,
    e?.registration_code,
    estate?.name,
    estate?.name_en,
  ].some((s) => typeof s === 'string' && s.toLowerCase().includes(q));
}
