/**
 * The console's HTTP client: same-origin fetch with the session cookie, JSON in and out,
 * and every failure turned into an ApiError carrying the API's catalogue code, so a
 * view can tell "log in again" (401) from "not there yet" (404 No route) from "offline".
 */
import type { Page } from './types.ts';

export const API = '/api/v1';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The API's finer reason (the ledger's INSUFFICIENT_FUNDS), when it gave one. */
    readonly reason?: string,
  ) {
    super(message);
  }

  /** A route the API does not have yet (another part still being built), not a missing id. */
  get routeMissing(): boolean {
    return this.status === 404 && this.message.startsWith('No route');
  }
}

type Query = Record<string, string | number | undefined | null>;
let onUnauthenticated: () => void = () => {};

/** The app decides what a 401 means (back to the login screen). */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(API + path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      // A Blob (an uploaded file) goes as it is, with the type the caller put in headers.
      body: body === undefined ? null : body instanceof Blob ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server does not answer');
  }
  if (res.status === 204) return null as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (data ?? {}) as { code?: string; message?: string; reason?: string };
    const error = new ApiError(res.status, e.code ?? 'HTTP', e.message ?? res.statusText, e.reason);
    if (res.status === 401 && !path.startsWith('/auth/login')) onUnauthenticated();
    throw error;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body: unknown = {}, headers?: Record<string, string>) =>
    request<T>('POST', path, body, headers),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: (path: string) => request<null>('DELETE', path),
  /** A file as the raw request body (the fund's quotes and invoices), sent with its own type. */
  upload: <T>(path: string, file: Blob, query?: Query, headers: Record<string, string> = {}) =>
    request<T>('POST', withQuery(path, query), file, { ...headers, 'content-type': file.type }),
  /** Follows next_offset until the end; for lists that must be whole (the fleet board). */
  async all<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    let offset: number | null = 0;
    while (offset !== null) {
      const page: Page<T> = await request<Page<T>>('GET', withQuery(path, { ...query, limit: 200, offset }));
      items.push(...page.items);
      offset = page.next_offset;
    }
    return items;
  },
};

/** The download links (CSV/JSON exports) go through the browser, with the same cookie. */
export function apiUrl(path: string, query?: Query): string {
  return API + withQuery(path, query);
}
