/**
 * The latest known state of each elevator, kept in memory for the API and for detection:
 * last telemetry, last event, last maintenance message, online status, the sequence
 * bookkeeping and the last telemetry written (to write by exception). One record per registered elevator, created up front, so the hot path does a
 * single Map lookup and never allocates a record.
 */

import type { ElevatorInfo } from '../fleet/types.ts';
import type { DeviceEvent, DeviceStatus, MaintenanceMessage, Telemetry } from '../protocol/index.ts';
import { keyframeOffset, type TelemetryWriteState, tagSuffix } from './points.ts';
import { newSequenceState, type SequenceState } from './sequence.ts';

export interface ElevatorState {
  readonly info: ElevatorInfo;
  /** Line-protocol tag set, computed once. */
  readonly tags: string;
  telemetry: Telemetry | null;
  lastEvent: DeviceEvent | null;
  maintenance: MaintenanceMessage | null;
  status: DeviceStatus['state'] | 'unknown';
  /** Device time of the newest message, epoch ms. */
  lastTs: number;
  /** Wall-clock receive time of the newest message, epoch ms (offline detection). */
  lastReceivedAt: number;
  readonly sequence: SequenceState;
  /** The last telemetry point written and when the next keyframe is due (points.ts). */
  readonly telemetryWrite: TelemetryWriteState;
}

/** Default keyframe interval, device time (INGEST_KEYFRAME_S). */
export const DEFAULT_KEYFRAME_MS = 300_000;

export function newElevatorState(info: ElevatorInfo, keyframeMs = DEFAULT_KEYFRAME_MS): ElevatorState {
  return {
    info,
    tags: tagSuffix({ estate: info.estateId, building: info.buildingId, elevator: info.id }),
    telemetry: null,
    lastEvent: null,
    maintenance: null,
    status: 'unknown',
    lastTs: 0,
    lastReceivedAt: 0,
    sequence: newSequenceState(),
    telemetryWrite: {
      written: null,
      keyframeDueTs: 0,
      keyframeForced: false,
      keyframeOffsetMs: keyframeOffset(info.id, keyframeMs),
    },
  };
}

/** Keeps the records of elevators still registered, adds new ones, forgets removed ones. */
export function syncElevators(
  states: Map<string, ElevatorState>,
  elevators: readonly ElevatorInfo[],
  keyframeMs = DEFAULT_KEYFRAME_MS,
): void {
  const keep = new Set<string>();
  for (const info of elevators) {
    keep.add(info.id);
    const existing = states.get(info.id);
    if (!existing) states.set(info.id, newElevatorState(info, keyframeMs));
    else if (existing.info !== info) {
      // New tags may be a new series, which must start with a keyframe.
      existing.telemetryWrite.keyframeForced = true;
      states.set(info.id, { ...existing, ...newTags(info) });
    }
  }
  for (const id of states.keys()) if (!keep.has(id)) states.delete(id);
}

function newTags(info: ElevatorInfo): Pick<ElevatorState, 'info' | 'tags'> {
  return { info, tags: tagSuffix({ estate: info.estateId, building: info.buildingId, elevator: info.id }) };
}
