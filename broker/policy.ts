/**
 * The broker's access policy as pure decisions: who may connect with which client id and
 * Will, publish where, subscribe to what, and be forwarded what. No sockets, no Aedes
 * types: `hooks.ts` adapts these to Aedes, the unit tests read them as tables.
 */
import {
  isElevatorId,
  parseDeviceTopic,
  SERVICE_ROLES,
  type ServiceRole,
  topics,
} from '../protocol/index.ts';
import type { MachinePrincipal as Principal } from '../store/repositories/credentials.ts';

export type { MachinePrincipal as Principal } from '../store/repositories/credentials.ts';

interface RoleGrant {
  /** Topic filters the role may subscribe to (or any narrower filter they cover). */
  subscribe: readonly string[];
  /** Topics the role may publish, one per elevator. */
  publish: readonly ((elevatorId: string) => string)[];
  /** Fleet-wide service topics the role may publish (and read). */
  services?: readonly string[];
}

const READ_ONLY_FILTERS = [topics.allDevices, topics.allAlerts, topics.allVisits] as const;

export const ROLE_GRANTS: Readonly<Record<ServiceRole, RoleGrant>> = {
  ingest: {
    subscribe: [
      topics.allDevices,
      topics.elevatorTree,
      topics.allAlerts,
      topics.allVisits,
      topics.fleetChanged,
    ],
    publish: [topics.alert, topics.visit],
    services: [topics.fleetChanged],
  },
  api: {
    subscribe: [...READ_ONLY_FILTERS, topics.fleetChanged],
    // Alert transitions, and a technician's check-in/out from the phone on the car's own
    // maintenance channel, so the ingest opens and judges that visit like any other.
    publish: [topics.alert, topics.maintenance],
    services: [topics.fleetChanged],
  },
  monitor: { subscribe: READ_ONLY_FILTERS, publish: [] },
};

/** CONNACK return codes used when refusing a CONNECT [MQTT-3.2.2.3]. */
export const CONNACK = {
  identifierRejected: 2,
  serverUnavailable: 3,
  badUsernameOrPassword: 4,
  notAuthorized: 5,
} as const;
export type ConnackRefusal = (typeof CONNACK)[keyof typeof CONNACK];

export type ConnectVerdict = { ok: true } | { ok: false; returnCode: ConnackRefusal; reason: string };

function grantOf(principal: Principal): RoleGrant | null {
  if (principal.kind !== 'service') return null;
  return (SERVICE_ROLES as readonly string[]).includes(principal.role)
    ? ROLE_GRANTS[principal.role as ServiceRole]
    : null;
}

/**
 * Checks what an authenticated CONNECT asks for beyond its credentials. A device's client
 * id is its username, so it can never take over another session (the ingest's fixed id
 * included); its Will must be a publish it could make itself (aedes#211): its topic, and
 * retained only where a retained publish is allowed.
 */
export function checkConnect(
  principal: Principal,
  clientId: string,
  willTopic: string | undefined,
  willRetain = false,
): ConnectVerdict {
  if (principal.kind === 'device' && clientId !== principal.username) {
    return {
      ok: false,
      returnCode: CONNACK.identifierRejected,
      reason: 'device client id must be its username',
    };
  }
  if (willTopic !== undefined && !mayPublish(principal, willTopic)) {
    return { ok: false, returnCode: CONNACK.notAuthorized, reason: 'will topic not allowed' };
  }
  if (willTopic !== undefined && willRetain && !mayRetain(willTopic)) {
    return { ok: false, returnCode: CONNACK.notAuthorized, reason: 'retained will only on status' };
  }
  return { ok: true };
}

/**
 * Whether a publish to `topic` may carry the retain flag: only a device's `status` is kept for
 * later subscribers (docs/protocol.md, Topics). A retained reading, event, visit or alert would
 * be handed to every new subscriber as if it had just happened [MQTT-3.3.1-6].
 */
export function mayRetain(topic: string): boolean {
  return parseDeviceTopic(topic)?.channel === 'status';
}

export function mayPublish(principal: Principal, topic: string): boolean {
  // [MQTT-4.7.2-1] `$` topics are the server's; Aedes' own $SYS must not be spoofed.
  if (topic.startsWith('$')) return false;
  if (principal.kind === 'device') {
    return parseDeviceTopic(topic)?.elevatorId === principal.elevatorId;
  }
  const grant = grantOf(principal);
  if (!grant) return false;
  if (grant.services?.includes(topic)) return true;
  const elevatorId = topic.split('/')[1];
  if (elevatorId === undefined || !isElevatorId(elevatorId)) return false;
  return grant.publish.some((topicOf) => topicOf(elevatorId) === topic);
}

/** A filter is allowed when every topic it can match is one the principal may read. */
export function maySubscribe(principal: Principal, filter: string): boolean {
  const grant = grantOf(principal);
  return grant?.subscribe.some((granted) => filterCovers(granted, filter)) ?? false;
}

/** Whether a message on `topic` may be delivered to the principal (retained ones included). */
export function mayRead(principal: Principal, topic: string): boolean {
  const grant = grantOf(principal);
  return grant?.subscribe.some((filter) => topicMatches(filter, topic)) ?? false;
}

/** MQTT topic matching [MQTT-4.7.1]; wildcards at the first level never match `$` topics. */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i]!;
    // [MQTT-4.7.1-2] `#` also matches the parent level: `a/#` matches `a`.
    if (level === '#') return true;
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/** True when every topic matched by `requested` is also matched by `granted`. */
export function filterCovers(granted: string, requested: string): boolean {
  if (requested.startsWith('$') && (granted.startsWith('+') || granted.startsWith('#'))) return false;
  const grantedLevels = granted.split('/');
  const requestedLevels = requested.split('/');
  for (let i = 0; i < grantedLevels.length; i++) {
    const level = grantedLevels[i]!;
    if (level === '#') return true;
    const asked = requestedLevels[i];
    if (asked === undefined || asked === '#') return false;
    if (level !== '+' && level !== asked) return false;
  }
  return grantedLevels.length === requestedLevels.length;
}
