/**
 * Rendered QR pages, per elevator and language, reused while nothing they show has changed:
 * the same card (visits, incidents), the same condition and the same "last heard" words.
 * A QR hit then costs a few map lookups instead of building 10 KB of HTML. Day-granular
 * words ("12 days since maintenance") are covered by `maxAgeMs`.
 */
import type { ElevatorCondition } from '../state-source.ts';
import type { ResidentCard } from './card.ts';

export interface PageVersion {
  card: ResidentCard;
  condition: ElevatorCondition;
  heard: string;
}

interface Entry extends PageVersion {
  html: string;
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
  get(key: string, version: PageVersion, now: number): string | undefined {
    const hit = this.#pages.get(key);
    if (!hit) return undefined;
    if (
      hit.card !== version.card ||
      hit.condition !== version.condition ||
      hit.heard !== version.heard ||
      now - hit.renderedAt >= this.#maxAgeMs
    )
      return undefined;
    return hit.html;
  }

  set(key: string, version: PageVersion, html: string, now: number): void {
    // Bounded: a full cache drops its oldest page (Map keeps insertion order).
    if (this.#pages.size >= this.#maxEntries && !this.#pages.has(key))
      this.#pages.delete(this.#pages.keys().next().value!);
    this.#pages.set(key, { ...version, html, renderedAt: now });
  }
}
