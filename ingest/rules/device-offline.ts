/**
 * device_offline: the one wall-clock rule. No message of any channel for deviceOfflineS
 * (default 120 s, two missed minute heartbeats). Pure in (lastSeen, now); the ingest calls
 * it through the detector's onTick. Any message afterwards clears it.
 */
import type { Thresholds } from './thresholds.ts';

export function isDeviceOffline(
  lastSeenMs: number,
  nowMs: number,
  limits: Pick<Thresholds, 'deviceOfflineS'>,
): boolean {
  return nowMs - lastSeenMs > limits.deviceOfflineS * 1000;
}
