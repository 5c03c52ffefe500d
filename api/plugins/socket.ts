/**
 * Live pushes over socket.io on the API's own server. A connection authenticates like
 * an HTTP request (session cookie or bearer token) and joins one room per estate it may
 * see (admins: `all`; technicians: their company's room, for visit verdicts), so a
 * firm's browser receives only its own alerts, verdicts and state changes. A handshake
 * carrying the cookie from another origin (Origin or Referer) is refused. With REDIS_URL the
 * Redis adapter carries a route's push to the browsers of every API node.
 */

import { createAdapter } from '@socket.io/redis-adapter';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/socket.ts';
import type { Principal } from '../data/tenancy.ts';
import type { StateChange } from '../state-source.ts';

/** Per-connection data: the principal the handshake authenticated. */
interface SocketData {
  principal: Principal;
}

/** The server typed by the protocol's event map (protocol/socket.ts), which the console shares. */
export type LiveServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;

declare module 'fastify' {
  interface FastifyInstance {
    io: LiveServer;
  }
}

const ALL = 'all';
const estateRoom = (id: string) => `estate:${id}`;

/** The rooms that hear about one estate: its own, and admins'. Routes push to these. */
export function estateAudience(estateId: string): string[] {
  return [ALL, estateRoom(estateId)];
}
const companyRoom = (id: string) => `company:${id}`;

export function roomsOf(p: Principal): string[] {
  if (p.role === 'admin') return [ALL];
  if (p.role === 'technician') return p.companyId ? [companyRoom(p.companyId)] : [];
  return [...(p.estateIds ?? [])].map(estateRoom);
}

/**
 * The whole alert or visit as the lifecycle published it: browsers never fetch what was pushed.
 * To this node's own browsers only (`io.local`): every API node hears every change itself (its
 * state source reads the transitions from the log or MQTT), so sending it through the Redis
 * adapter as well would deliver it once per node.
 */
function push(app: FastifyInstance, io: LiveServer, change: StateChange): void {
  const elevator = app.directory.elevator(change.elevatorId);
  if (!elevator) return;
  const rooms = estateAudience(elevator.estateId);
  switch (change.kind) {
    case 'alert':
      io.local.to(rooms).emit('alert', change.alert);
      return;
    case 'visit':
      rooms.push(companyRoom(change.visit.company_id));
      io.local.to(rooms).emit('visit', change.visit);
      return;
    case 'state':
      io.local.to(rooms).emit('elevator:state', {
        elevator_id: elevator.id,
        estate_id: elevator.estateId,
        condition: change.condition,
        previous: change.previous,
      });
      return;
  }
}

export default fp(
  async (app) => {
    const io: LiveServer = new Server(app.server, { serveClient: false, path: '/socket.io' });
    // Pushes a route makes (a resident's report, a fund emergency) reach the browsers of every node.
    const redis = app.sharedRedis;
    if (redis)
      io.adapter(createAdapter(redis.commands, redis.subscriber, { key: `${redis.keyPrefix}socket.io` }));
    io.use((socket, next) => {
      const { headers, auth } = socket.handshake;
      // A page on another origin of the same site (another port) gets our SameSite=Lax
      // cookie on a WebSocket, which CORS does not guard: such a handshake is refused. A
      // same-origin polling handshake may carry no Origin at all, so only a foreign one counts.
      const cookieOnly = !headers.authorization && typeof auth?.['token'] !== 'string';
      const context = {
        headers: { origin: headers.origin, referer: headers.referer },
        protocol: (socket.request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
        host: headers.host ?? '',
      };
      if (cookieOnly && app.sameOrigin(context) === false) return next(new Error('CROSS_SITE_REFUSED'));
      app
        .principalFrom({
          cookie: headers.cookie,
          authorization: headers.authorization,
          token: typeof auth?.['token'] === 'string' ? auth['token'] : undefined,
        })
        .then((principal) => {
          if (!principal) return next(new Error('UNAUTHENTICATED'));
          socket.data.principal = principal;
          // Joining before `next()` so the first push already reaches the rooms; a returned promise
          // (an adapter that joins remotely) is chained, its failure refusing the handshake.
          return Promise.resolve(socket.join(roomsOf(principal))).then(() => next());
        })
        .catch(next);
    });
    const listener = (change: StateChange) => push(app, io, change);
    app.stateSource.on('change', listener);
    app.decorate('io', io);
    app.addHook('preClose', async () => {
      app.stateSource.off('change', listener);
      io.local.disconnectSockets(true);
    });
    app.addHook('onClose', async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
    });
  },
  { name: 'lift-socket', dependencies: ['lift-context', 'lift-auth'] },
);
