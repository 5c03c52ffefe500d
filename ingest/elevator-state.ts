/**
 * The latest known state of each elevator, kept in memory by the ingest: last telemetry,
 * status, the sequence bookkeeping and the last telemetry written (to write by exception). One
 * record per registered elevator, created up front, so the hot path does a single Map lookup
 * and never allocates a record. The API keeps its own view (api/state-source.ts); the last
 * event and maintenance message and the receive time are not kept here: nothing in the ingest
 * read them (the detector keeps its own last-seen times), and each cost heap per car.
 */

import type { ElevatorInfo } from '../fleet/types.ts';
import type { DeviceStatus, Telemetry } from '../protocol/index.ts';
import { keyframeOffset, type TelemetryWriteState, tagSuffix } from './points.ts';
import { newSequenceState, type SequenceState } from './sequence.ts';

/**
 * The record is also the elevator's telemetry write state (points.ts: the last point written,
 * when the next keyframe is due): its fields are kept here rather than in an object of its own
 * per car.
 */
export interface ElevatorState extends TelemetryWriteState {
  readonly info: ElevatorInfo;
  /** Line-protocol tag set, computed once. */
  readonly tags: string;
  /** The newest telemetry sample (the same object the write state and the rules hold: no copy). */
  telemetry: Telemetry | null;
  status: DeviceStatus['state'] | 'unknown';
  /** Device time of the newest message, epoch ms (an older status does not overwrite a newer one). */
  lastTs: number;
  readonly sequence: SequenceState;
}

/** Default keyframe interval, device time (INGEST_KEYFRAME_S). */
export const DEFAULT_KEYFRAME_MS = 300_000;

export function newElevatorState(info: ElevatorInfo, keyframeMs = DEFAULT_KEYFRAME_MS): ElevatorState {
  return {
    info,
    tags: tagSuffix({ estate: info.estateId, building: info.buildingId, elevator: info.id }),
    telemetry: null,
    status: 'unknown',
    lastTs: 0,
    sequence: newSequenceState(),
    written: null,
    keyframeDueTs: 0,
    keyframeForced: false,
    keyframeOffsetMs: keyframeOffset(info.id, keyframeMs),
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
      states.set(info.id, { ...existing, ...newTags(info), keyframeForced: true });
    }
  }
  for (const id of states.keys()) if (!keep.has(id)) states.delete(id);
}

function newTags(info: ElevatorInfo): Pick<ElevatorState, 'info' | 'tags'> {
  return { info, tags: tagSuffix({ estate: info.estateId, building: info.buildingId, elevator: info.id }) };
}
