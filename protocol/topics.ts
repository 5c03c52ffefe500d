/**
 * MQTT topic layout: the one place topics are spelled. Every part builds and parses
 * topics through these helpers so a rename is a one-line change.
 */

export const ELEVATOR_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,63}$';
const elevatorIdRegExp = new RegExp(ELEVATOR_ID_PATTERN);

/** The four device channels: what a device may publish, and nothing else. */
export const DEVICE_CHANNELS = ['telemetry', 'event', 'maintenance', 'status'] as const;
export type DeviceChannel = (typeof DEVICE_CHANNELS)[number];

export function isElevatorId(value: string): boolean {
  return elevatorIdRegExp.test(value);
}

export const topics = {
  telemetry: (elevatorId: string) => `elevators/${elevatorId}/telemetry`,
  event: (elevatorId: string) => `elevators/${elevatorId}/event`,
  maintenance: (elevatorId: string) => `elevators/${elevatorId}/maintenance`,
  status: (elevatorId: string) => `elevators/${elevatorId}/status`,
  device: (elevatorId: string, channel: DeviceChannel) => `elevators/${elevatorId}/${channel}`,
  /** Alert lifecycle transitions (service credentials only). */
  alert: (elevatorId: string) => `alerts/${elevatorId}`,
  /** Maintenance-visit verdicts (service credentials only). */
  visit: (elevatorId: string) => `visits/${elevatorId}`,
  /** The fleet changed in the store: every process's directory refreshes (protocol/fleet-changed.ts). */
  fleetChanged: 'fleet/changed',
  /** Subscriptions used by the ingest. */
  allDevices: 'elevators/+/+',
  /** Everything under `elevators/`, any depth: the ingest's catch-all (e.g. on an external broker). */
  elevatorTree: 'elevators/#',
  allAlerts: 'alerts/+',
  allVisits: 'visits/+',
  /** One device channel of every elevator: `elevators/+/{channel}`. */
  allOfChannel: (channel: DeviceChannel) => `elevators/+/${channel}`,
} as const;

/** The service messages' topic roots: `alerts/{elevatorId}`, `visits/{elevatorId}`. */
const SERVICE_ROOTS = { alerts: 'alert', visits: 'visit' } as const;
export type ServiceTopicKind = (typeof SERVICE_ROOTS)[keyof typeof SERVICE_ROOTS];

export interface ServiceTopic {
  kind: ServiceTopicKind;
  elevatorId: string;
}

/** Parses `alerts/{id}` or `visits/{id}`; returns null for anything else. */
export function parseServiceTopic(topic: string): ServiceTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 2) return null;
  const kind = SERVICE_ROOTS[parts[0] as keyof typeof SERVICE_ROOTS];
  const elevatorId = parts[1]!;
  if (kind === undefined || !Object.hasOwn(SERVICE_ROOTS, parts[0]!) || !isElevatorId(elevatorId))
    return null;
  return { kind, elevatorId };
}

export interface DeviceTopic {
  elevatorId: string;
  channel: DeviceChannel;
}

/** Parses `elevators/{id}/{channel}`; returns null for anything else. */
export function parseDeviceTopic(topic: string): DeviceTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== 'elevators') return null;
  const elevatorId = parts[1]!;
  const channel = parts[2]! as DeviceChannel;
  if (!isElevatorId(elevatorId) || !DEVICE_CHANNELS.includes(channel)) return null;
  return { elevatorId, channel };
}
