/**
 * The embedded MQTT broker: Aedes behind a TCP server, with the access policy plugged in
 * as hooks and a byte bound on packets. Building it does no I/O; `start()` listens and
 * `stop()` closes clients, then the server. No `process.*` here: `main.ts` owns that.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AedesOptions, type Client, type PublishPacket } from 'aedes';
import type { MQEmitter } from 'mqemitter';
import type { Config } from '../lib/config.ts';
import { LiftWatchError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { parseDeviceTopic } from '../protocol/index.ts';
import { guardSocket } from './frame-guard.ts';
import { createPolicyHooks, type PublishRefusal } from './hooks.ts';
import { InflowGate } from './inflow-gate.ts';
import { createMessageBus } from './message-bus.ts';
import { IndexedMemoryPersistence } from './persistence.ts';
import type { Principal } from './policy.ts';

export interface BrokerOptions {
  port: number;
  host: string;
  /** Largest packet accepted, fixed header included; a bigger one closes the connection. */
  maxPacketBytes: number;
  /** How long a new connection may take to send CONNECT. */
  connectTimeoutMs: number;
  /** Messages in delivery at once; default DELIVERY_CONCURRENCY. */
  deliveryConcurrency?: number;
  /** Inflow gate thresholds (queued bus messages); defaults INFLOW_HIGH and INFLOW_LOW. */
  inflowHigh?: number;
  inflowLow?: number;
}

/** What the broker's flow looks like now, for /metrics and tests. */
export interface BrokerMetrics {
  clientsConnected: number;
  /** Messages acknowledged to their publisher and waiting in the bus for delivery. */
  busQueued: number;
  /** Device publishes held at the inflow gate now (not yet acknowledged). */
  inflowWaiting: number;
  /** Device publishes ever held at the gate. */
  inflowHeldTotal: number;
  /** Publishes refused (connection closed), by reason: topic not granted, retain not allowed. */
  publishesRefused: Readonly<Record<PublishRefusal, number>>;
  /** Device publishes waiting for the log to store them (not yet acknowledged). */
  logWaiting?: number;
  /** Appends to the log that failed (each is tried again while its device stays connected). */
  logAppendFailures?: number;
}

/** The broker's options from the validated config (lib/config.ts). */
export function brokerOptionsFrom(
  config: Pick<
    Config,
    | 'MQTT_PORT'
    | 'MQTT_HOST'
    | 'MQTT_MAX_PACKET_BYTES'
    | 'MQTT_CONNECT_TIMEOUT_MS'
    | 'MQTT_INFLOW_HIGH'
    | 'MQTT_INFLOW_LOW'
  >,
): BrokerOptions {
  return {
    port: config.MQTT_PORT,
    host: config.MQTT_HOST,
    maxPacketBytes: config.MQTT_MAX_PACKET_BYTES,
    connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
    inflowHigh: config.MQTT_INFLOW_HIGH,
    inflowLow: config.MQTT_INFLOW_LOW,
  };
}

export interface BrokerDeps {
  log: Logger;
  authenticate(username: string, password: string): Promise<Principal | null>;
  /**
   * The durable log (log/publisher.ts `append`): resolves once the message is stored there.
   * With it, a device's publish is acknowledged (PUBACK) only after that; without it, as soon
   * as the broker has taken the message.
   */
  handOff?: (topic: string, payload: Buffer) => Promise<void>;
}

export interface Broker {
  /** Listens; with `port: 0` the port the system chose is returned. */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  readonly aedes: Aedes;
  metrics(): BrokerMetrics;
}

/**
 * Messages in delivery at once; the rest wait in the bus's queue. Aedes' default of 100 caps
 * deliveries per event-loop turn, and a turn that also reads 10,000 device sockets is long:
 * the ingest's share of the loop, not its speed, then sets the broker's throughput.
 */
const DELIVERY_CONCURRENCY = 1000;

/**
 * Queued messages (beyond those in delivery) above which device publishes wait at the gate,
 * and below which they go on: about a tenth of a second of the ingest's throughput, so a
 * congested broker adds that much latency at most, not seconds.
 */
const INFLOW_HIGH = 1000; // = MQTT_INFLOW_HIGH's default
const INFLOW_LOW = 500; // = MQTT_INFLOW_LOW's default

/** CONNACK 1 [MQTT-3.1.2-2]: Aedes 1.x accepts protocol levels 3 (3.1) and 4 (3.1.1) only. */
const CONNACK_UNACCEPTABLE_PROTOCOL = 1;

export function createBroker(options: BrokerOptions, deps: BrokerDeps): Broker {
  const log = deps.log.child({ module: 'broker' });
  // mqemitter counts its queue in `length` (untyped upstream).
  let bus: (MQEmitter & { length?: number }) | null = null;
  const gate = new InflowGate({
    backlog: () => bus?.length ?? 0,
    high: options.inflowHigh ?? INFLOW_HIGH,
    low: options.inflowLow ?? INFLOW_LOW,
  });
  bus = createMessageBus(options.deliveryConcurrency ?? DELIVERY_CONCURRENCY, () => gate.release());
  const hooks = createPolicyHooks({ log, authenticate: deps.authenticate });
  /** The connected client per client id (Aedes keeps one too, untyped), to see a takeover coming. */
  const sessions = new Map<string, Client>();
  const aedes = new Aedes({
    ...hooks,
    // A client id already connected is taken over once this CONNECT is authenticated: Aedes
    // closes the older session [MQTT-3.1.4-2]. Logged, as an operator looks for a device
    // connecting twice (a cloned SIM, two boards with one id) or a service restarted while
    // its old connection still stood.
    authenticate(client, username, password, done) {
      hooks.authenticate(client, username, password, (error, success) => {
        const previous = success ? sessions.get(client.id) : undefined;
        if (previous && previous !== client) logTakeover(client, previous);
        done(error, success);
      });
    },
    // Policy first; an allowed device publish then passes the inflow gate, then (with the
    // log) waits until the log stored it. Aedes writes a QoS 1 PUBACK right after this hook
    // calls back, before it delivers the message (aedes lib/handlers/publish.js
    // enqueuePublish), and reads the client's next packets only once this one is done: so
    // the PUBACK means "in the log", and a device waits while the log is away.
    // A device's Will goes through this hook too, so an offline status reaches the log. So
    // does what a service may write on a car's channel (the technician's phone check-in and
    // check-out, relayed by the API on `elevators/{id}/maintenance`): the ingest reads the
    // device channels from the log alone.
    authorizePublish(client, packet, done) {
      hooks.authorizePublish(client, packet, (error) => {
        const toLog =
          client !== null &&
          (hooks.principalOf(client)?.kind === 'device' || parseDeviceTopic(packet.topic) !== null);
        if (error || !client || !toLog) done(error);
        else gate.admit(() => (deps.handOff ? appendThenAck(client, packet, done) : done(null)));
      });
    },
    persistence: new IndexedMemoryPersistence() as unknown as AedesOptions['persistence'],
    mq: bus as unknown as AedesOptions['mq'],
    connectTimeout: options.connectTimeoutMs,
    // A device's client id is its username, which may be longer than MQTT 3.1's 23 characters.
    maxClientsIdLength: 256,
  });
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let stopping = false;
  const logState = { waiting: 0, failures: 0, failing: false };

  /**
   * Calls `done` (the PUBACK) once the log stored the message. A failed append is tried again
   * after a backoff while the device stays connected; once it is gone (or the broker stops)
   * the message is left unacknowledged, so the device still holds it and sends it again
   * [MQTT-4.4.0-1]. Never an acknowledgement for something not stored.
   */
  function appendThenAck(client: Client, packet: PublishPacket, done: (error?: Error | null) => void): void {
    const handOff = deps.handOff!;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    logState.waiting += 1;
    const attempt = (backoffMs: number): void => {
      handOff(packet.topic, payload).then(
        () => {
          logState.waiting -= 1;
          if (logState.failing) {
            logState.failing = false;
            log.info('the log stores device messages again');
          }
          done(null);
        },
        (error: unknown) => {
          logState.failures += 1;
          if (!logState.failing) {
            logState.failing = true;
            log.warn(
              { err: error },
              'the log did not store a device message; holding its PUBACK and retrying',
            );
          }
          if (stopping || client.closed) {
            logState.waiting -= 1;
            return;
          }
          setTimeout(() => attempt(Math.min(backoffMs * 2, 2000)), backoffMs).unref();
        },
      );
    };
    attempt(100);
  }
  let releaseTimer: NodeJS.Timeout | null = null;

  function logTakeover(client: Client, previous: Client): void {
    const principal = hooks.principalOf(client);
    log.warn(
      {
        event: 'session.taken_over',
        clientId: client.id,
        username: principal?.username,
        kind: principal?.kind,
        remoteAddress: (client.conn as Partial<Socket> | undefined)?.remoteAddress,
        previousRemoteAddress: (previous.conn as Partial<Socket> | undefined)?.remoteAddress,
      },
      principal?.kind === 'device' ? 'device session taken over' : 'service session taken over',
    );
  }

  aedes.on('clientReady', (client) => {
    sessions.set(client.id, client);
    log.debug({ clientId: client.id, username: hooks.principalOf(client)?.username }, 'client connected');
  });
  aedes.on('clientDisconnect', (client) => {
    if (sessions.get(client.id) === client) sessions.delete(client.id);
    log.debug({ clientId: client.id }, 'client disconnected');
  });
  aedes.on('clientError', (client, err) =>
    log.debug({ clientId: client.id, err: err.message }, 'client error'),
  );
  aedes.on('connectionError', (client, err) => {
    // Refused before authentication, so no other log names it: a device set up for MQTT 5.
    if ((err as { errorCode?: number }).errorCode === CONNACK_UNACCEPTABLE_PROTOCOL) {
      log.warn(
        { remoteAddress: (client.conn as Partial<Socket> | undefined)?.remoteAddress },
        'connection refused: MQTT 5 is not supported, use 3.1.1',
      );
    } else log.debug({ clientId: client.id, err: err.message }, 'connection refused');
  });

  function acceptConnection(socket: Socket): void {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
    guardSocket(socket, options.maxPacketBytes, (reason) =>
      log.warn({ remoteAddress: socket.remoteAddress, reason }, 'oversized packet, closing'),
    );
  }

  async function start(): Promise<{ port: number }> {
    if (server) throw new Error('broker already started');
    await aedes.listen();
    const listening = createServer(acceptConnection);
    try {
      await listen(listening, options.port, options.host);
    } catch (err) {
      await closeAedes(aedes);
      throw asListenError(err, options);
    }
    server = listening;
    // The bus releases held publishes as its queue shrinks; this only guards against a stall.
    releaseTimer = setInterval(() => gate.release(), 100);
    releaseTimer.unref();
    const address = listening.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    log.info({ port, host: options.host }, 'MQTT broker listening');
    return { port };
  }

  async function stop(): Promise<void> {
    const closing = server;
    if (!closing) return;
    server = null;
    stopping = true;
    if (releaseTimer) clearInterval(releaseTimer);
    // Publishes still held at the gate were never acknowledged: their devices keep them.
    const serverClosed = new Promise<void>((resolve) => closing.close(() => resolve()));
    await closeAedes(aedes);
    // Connections that never sent CONNECT are not Aedes clients yet: close them too.
    for (const socket of sockets) socket.destroy();
    await serverClosed;
    log.info('MQTT broker stopped');
  }

  const metrics = (): BrokerMetrics => ({
    clientsConnected: aedes.connectedClients,
    busQueued: bus?.length ?? 0,
    inflowWaiting: gate.waiting,
    inflowHeldTotal: gate.heldTotal,
    publishesRefused: { ...hooks.publishesRefused },
    ...(deps.handOff ? { logWaiting: logState.waiting, logAppendFailures: logState.failures } : {}),
  });

  return { start, stop, aedes, metrics };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeAedes(aedes: Aedes): Promise<void> {
  return new Promise((resolve) => aedes.close(() => resolve()));
}

function asListenError(err: unknown, options: BrokerOptions): unknown {
  if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') return err;
  return new LiftWatchError(
    'PORT_IN_USE',
    `MQTT port ${options.port} on ${options.host} is already in use (by another MQTT broker such as Mosquitto?). ` +
      'Set MQTT_PORT to a free port for the embedded broker, ' +
      'or set MQTT_URL (e.g. mqtt://127.0.0.1:1883) to use the broker already listening there.',
    { cause: err },
  );
}
