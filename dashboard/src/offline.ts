/**
 * The technician's page without a network (issue 15): registers the service worker (sw.js,
 * which keeps this build's app shell), and remembers who the technician is so a reload in a
 * lift shaft can start #/work without asking the server (the queue and the work list are
 * already in localStorage). Only a technician is remembered, and logging out forgets it along
 * with the service worker's copy of the work list.
 */
import type { Me } from './types.ts';

const ME_KEY = 'lw.offline.me';
/** The service worker's cache of kept API answers (sw.js API_CACHE). */
const API_CACHE = 'lw-api';

/** Registers the service worker; `<html data-offline-ready>` once it controls this page. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  const mark = () => {
    if (navigator.serviceWorker.controller) document.documentElement.dataset['offlineReady'] = 'true';
  };
  navigator.serviceWorker.addEventListener('controllerchange', mark);
  mark();
  // The page works without it: a browser that refuses (private mode, no HTTPS) is only not offline.
  navigator.serviceWorker.register('./sw.js', { scope: './' }).catch(() => {});
}

export function rememberTechnician(me: Me): void {
  if (me.role === 'technician') localStorage.setItem(ME_KEY, JSON.stringify(me));
}

/** The technician this phone last started as, for a reload with no network. */
export function rememberedTechnician(): Me | null {
  try {
    const me = JSON.parse(localStorage.getItem(ME_KEY) ?? 'null') as Me | null;
    return me?.role === 'technician' ? me : null;
  } catch {
    return null;
  }
}

export function forgetTechnician(): void {
  localStorage.removeItem(ME_KEY);
  if ('caches' in globalThis) void caches.delete(API_CACHE).catch(() => {});
}
