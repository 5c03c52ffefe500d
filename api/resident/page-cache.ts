/**
 * Rendered QR pages, per elevator and language, reused while nothing they show has changed:
 * the same card (visits, incidents), the same condition and the same "last heard" words.
 * A QR hit then costs a few map lookups instead of building 10 KB of HTML. Day-granular
 * words ("12 days since maintenance") are covered by `maxAgeMs`.
 * A page is kept as the bytes sent (encoded once, not per request) with a strong ETag
 * of its content, so a repeat scan of an unchanged page is answered 304 with no body.
 */
import { createHash } from 'node:crypto';
import type { ElevatorCondition } from '../state-source.ts';
import type { ResidentCard } from './card.ts';

export interface PageVersion {
  card: ResidentCard;
  condition: ElevatorCondition;
  heard: string;
}

/** A page ready to send. */
export interface RenderedPage {
  body: Buffer;
  etag: string;
}

interface Entry extends PageVersion, RenderedPage {
  renderedAt: number;
}

export class ResidentPageCache {
  readonly #pages = new Map<string, Entry>();
  readonly #maxAgeMs: number;
  readonly #maxEntries: number;

  constructor(options: { maxAgeMs: number; maxEntries: number }) {
    this.#maxAgeMs = options.maxAgeMs;
    this.#maxEntries = options.maxEntries;
  }

  /** The cached page when every part of `version` is unchanged and it is young enough. */
  get(key: string, version: PageVersion, now: number): RenderedPage | undefined {
    const hit = this.#pages.get(key);
    if (!hit) return undefined;
    if (
      hit.card !== version.card ||
      hit.condition !== version.condition ||
      hit.heard !== version.heard ||
      now - hit.renderedAt >= this.#maxAgeMs
    )
      return undefined;
    return hit;
  }

  set(key: string, version: PageVersion, html: string, now: number): RenderedPage {
    // Bounded: a full cache drops its oldest page (Map keeps insertion order).
    if (this.#pages.size >= this.#maxEntries && !this.#pages.has(key))
      this.#pages.delete(this.#pages.keys().next().value!);
    // Its own allocation, not a slice of Node's shared 8 KB pool: a long-lived page must
    // not keep a neighbour's slab alive after that page is replaced.
    const body = Buffer.allocUnsafeSlow(Buffer.byteLength(html));
    body.write(html, 'utf8');
    const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
    const entry: Entry = { ...version, body, etag, renderedAt: now };
    this.#pages.set(key, entry);
    return entry;
  }
}

/** If-None-Match against one strong ETag (a list, weak forms and `*` included, RFC 9110 §13.1.2). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch === etag || ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return (t.startsWith('W/') ? t.slice(2) : t) === etag;
  });
}
