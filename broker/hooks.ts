/**
 * Adapts the pure policy (`policy.ts`) to Aedes' hooks. The principal found at CONNECT is
 * kept per client object, so later decisions never go back to the registry.
 */
import type {
  AedesOptions,
  AedesPublishPacket,
  AuthenticateError,
  Client,
  ConnectPacket,
  PublishPacket,
  Subscription,
} from 'aedes';
import type { Logger } from '../lib/logger.ts';
import {
  CONNACK,
  type ConnackRefusal,
  checkConnect,
  mayPublish,
  mayRead,
  mayRetain,
  maySubscribe,
  type Principal,
} from './policy.ts';

export interface PolicyDeps {
  log: Logger;
  authenticate(username: string, password: string): Promise<Principal | null>;
}

export type PolicyHooks = Required<
  Pick<
    AedesOptions,
    'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'
  >
> & {
  /** The principal a connected client authenticated as; null before or without CONNECT. */
  principalOf(client: Client): Principal | null;
  /** Publishes refused since start, by reason: a topic not granted, a retain flag not allowed. */
  readonly publishesRefused: Readonly<Record<PublishRefusal, number>>;
};

export type PublishRefusal = 'topic' | 'retain';

/** Why a connected client's publish is refused, or null when it is allowed. */
function publishRefusal(principal: Principal | null, packet: PublishPacket): PublishRefusal | null {
  if (!principal || !mayPublish(principal, packet.topic)) return 'topic';
  if (packet.retain && !mayRetain(packet.topic)) return 'retain';
  return null;
}

function refusal(returnCode: ConnackRefusal, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export function createPolicyHooks(deps: PolicyDeps): PolicyHooks {
  const log = deps.log;
  const principals = new WeakMap<Client, Principal>();
  // Aedes hands the Will to preConnect but not to authenticate, where the principal is known.
  const wills = new WeakMap<Client, { topic: string; retain: boolean }>();
  const publishesRefused: Record<PublishRefusal, number> = { topic: 0, retain: 0 };

  function preConnect(client: Client, packet: ConnectPacket, done: (e: Error | null, ok: boolean) => void) {
    if (packet.will) wills.set(client, { topic: packet.will.topic, retain: packet.will.retain === true });
    done(null, true);
  }

  function authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ) {
    const will = wills.get(client);
    wills.delete(client);
    const willTopic = will?.topic;
    if (username === undefined || password === undefined) {
      log.warn({ clientId: client.id }, 'anonymous connect refused');
      done(refusal(CONNACK.notAuthorized, 'credentials required'), false);
      return;
    }
    deps.authenticate(username, password.toString('utf8')).then(
      (principal) => {
        if (!principal) {
          log.warn({ clientId: client.id, username }, 'bad credentials');
          done(refusal(CONNACK.badUsernameOrPassword, 'bad username or password'), false);
          return;
        }
        const verdict = checkConnect(principal, client.id, willTopic, will?.retain);
        if (!verdict.ok) {
          log.warn({ clientId: client.id, username, willTopic, reason: verdict.reason }, 'connect refused');
          done(refusal(verdict.returnCode, verdict.reason), false);
          return;
        }
        principals.set(client, principal);
        done(null, true);
      },
      (err: unknown) => {
        log.error({ err, clientId: client.id, username }, 'credential lookup failed');
        done(refusal(CONNACK.serverUnavailable, 'credential lookup failed'), false);
      },
    );
  }

  function authorizePublish(client: Client | null, packet: PublishPacket, done: (e?: Error | null) => void) {
    // A null client is a Will replayed from persistence; it was authorised at CONNECT.
    if (client === null) {
      done(packet.topic.startsWith('$') ? new Error('$ topics are reserved') : null);
      return;
    }
    const principal = principals.get(client) ?? null;
    const refused = publishRefusal(principal, packet);
    if (refused === null) {
      done(null);
      return;
    }
    publishesRefused[refused] += 1;
    log.warn(
      { clientId: client.id, username: principal?.username, topic: packet.topic, reason: refused },
      'publish refused',
    );
    // [MQTT-3.3.5-2] 3.1.1 has no negative PUBACK: Aedes closes the connection. Nothing is
    // stored or forwarded, a retained message included.
    done(
      new Error(
        refused === 'topic'
          ? `publish to ${packet.topic} not allowed`
          : `retain on ${packet.topic} not allowed`,
      ),
    );
  }

  function authorizeSubscribe(
    client: Client,
    subscription: Subscription,
    done: (e: Error | null, s?: Subscription | null) => void,
  ) {
    const principal = principals.get(client);
    if (principal && maySubscribe(principal, subscription.topic)) {
      done(null, subscription);
      return;
    }
    log.warn(
      { clientId: client.id, username: principal?.username, filter: subscription.topic },
      'subscribe refused',
    );
    // null grants QoS 128 (failure) [MQTT-3.9.3] and keeps the connection.
    done(null, null);
  }

  function authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const principal = principals.get(client);
    return principal && mayRead(principal, packet.topic) ? packet : null;
  }

  return {
    preConnect,
    authenticate,
    authorizePublish,
    authorizeSubscribe,
    authorizeForward,
    principalOf: (client) => principals.get(client) ?? null,
    publishesRefused,
  };
}
