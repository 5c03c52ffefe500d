/**
 * Names for the usernames and technician ids the API answers with, loaded once after
 * login from GET /people, so screens say "安居值班员" and "王师傅", not "duty-anju" and
 * "tech-wang". Until they arrive (or for someone outside the caller's estates) the id shows.
 */
import { api } from './api.ts';
import { t } from './i18n.ts';

let names: { users: Record<string, string>; technicians: Record<string, string> } = {
  users: {},
  technicians: {},
};

export async function loadPeople(): Promise<void> {
  names = await api.get('/people');
}

/** A user's display name; 'auto' is the detector resolving an alert by itself. */
export function personName(username: string | null | undefined): string {
  if (!username) return '—';
  if (username === 'auto') return t('autoActor');
  return names.users[username] ?? username;
}

export function technicianName(id: string): string {
  return names.technicians[id] ?? id;
}

/** Every user the caller may meet (username, display name), by display name. */
export function peopleList(): Array<{ username: string; name: string }> {
  return Object.entries(names.users)
    .map(([username, name]) => ({ username, name }))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}
