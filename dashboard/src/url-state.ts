/**
 * A screen's filters live in the URL (`#/alerts?severity=critical&estate=lianhua`), so a
 * reload, a bookmark or a link sent to a colleague shows the same list. Values equal to
 * the screen's defaults are left out; writing uses replaceState, which fires no
 * hashchange, so the screen is not redrawn from scratch on every keystroke.
 */

/** The route part of the hash (`alerts`, `elevator/x`) and its query. */
export function splitHash(hash: string = location.hash): [path: string, query: URLSearchParams] {
  const raw = hash.replace(/^#\/?/, '');
  const at = raw.indexOf('?');
  return at < 0 ? [raw, new URLSearchParams()] : [raw.slice(0, at), new URLSearchParams(raw.slice(at + 1))];
}

/** The filters in the URL, over the defaults; a key the screen does not know is ignored. */
export function readFilters<T extends Record<string, string>>(defaults: T): T {
  const [, query] = splitHash();
  const out: Record<string, string> = { ...defaults };
  for (const key of Object.keys(defaults)) {
    const value = query.get(key);
    if (value !== null) out[key] = value;
  }
  return out as T;
}

export function writeFilters<T extends Record<string, string>>(filters: T, defaults: T): void {
  const [path] = splitHash();
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== defaults[key]) query.set(key, value);
  const qs = query.toString();
  const next = `#/${path}${qs ? `?${qs}` : ''}`;
  if (next !== location.hash) history.replaceState(history.state, '', next);
}
