/**
 * Where the bytes of quotes and invoices live. The ledger records each file's SHA-256 in
 * the chain; the bytes are kept by whoever the ledger is given: on disk in production
 * (api/routes/fund/file-store.ts), in the table when no store is injected (tests, CLI).
 * Files are content-addressed, so a rolled-back upload leaves at most an unreferenced
 * file and an identical re-upload reuses it.
 */
export interface AttachmentFiles {
  /** Keeps `content` under its hash; writing the same hash twice is harmless. */
  put(sha256: string, content: Uint8Array): Promise<void>;
  /** The bytes stored under `sha256`; rejects when missing. */
  get(sha256: string): Promise<Uint8Array>;
}
