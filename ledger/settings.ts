/**
 * The ledger's settings from the one config module (lib/config.ts, LEDGER_* keys). The
 * API's deps type names only the API's keys; main.ts passes the whole frozen config, so
 * the ledger keys are read when present and the ledger's own defaults apply otherwise.
 */
import type { Config } from '../lib/config.ts';
import { DEFAULT_LEDGER_CONFIG, type LedgerConfig } from './types.ts';

type LedgerKeys = Pick<
  Config,
  | 'LEDGER_VOTE_THRESHOLD_FEN'
  | 'LEDGER_RATIFICATION_DAYS'
  | 'LEDGER_MAX_ATTACHMENT_BYTES'
  | 'LEDGER_FILES_DIR'
>;

export interface LedgerSettings {
  ledger: LedgerConfig;
  /** Null: no directory configured, the files stay in SQLite. */
  filesDir: string | null;
}

export function ledgerSettings(apiConfig: object): LedgerSettings {
  const c = apiConfig as Partial<LedgerKeys>;
  return {
    ledger: {
      ...DEFAULT_LEDGER_CONFIG,
      voteThresholdFen: c.LEDGER_VOTE_THRESHOLD_FEN ?? DEFAULT_LEDGER_CONFIG.voteThresholdFen,
      emergencyRatificationDays:
        c.LEDGER_RATIFICATION_DAYS ?? DEFAULT_LEDGER_CONFIG.emergencyRatificationDays,
      maxAttachmentBytes: c.LEDGER_MAX_ATTACHMENT_BYTES ?? DEFAULT_LEDGER_CONFIG.maxAttachmentBytes,
    },
    filesDir: c.LEDGER_FILES_DIR ?? null,
  };
}
