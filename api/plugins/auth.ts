/**
 * Who is calling: a session cookie (browsers) or a bearer token (API clients), resolved
 * to a Principal with its tenancy. Routes never parse credentials themselves; a subtree
 * puts `app.authenticate` in one onRequest hook (routes/console/autohooks.ts).
 *
 * A write (POST, PUT, PATCH, DELETE) authenticated by the session cookie must also say it
 * comes from our own pages (`app.sameOrigin`: Origin, or Referer without one): SameSite=Lax
 * still sends the cookie from a page on the same site but another port or subdomain, and
 * from top-level form posts in some browsers. Missing both headers is refused too; the
 * dashboard's fetches always send Origin. Bearer tokens are not sent by browsers on their
 * own, so token writes are not checked.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { LiftWatchError } from '../../lib/errors.ts';
import { userByApiToken, userBySession } from '../data/credentials.ts';
import { type Principal, principalOf } from '../data/tenancy.ts';
import { UNSAFE_METHODS } from './security.ts';

export const SESSION_COOKIE = 'lw_session';

declare module 'fastify' {
  interface FastifyInstance {
    /** Sets request.principal or throws UNAUTHENTICATED. */
    authenticate(request: FastifyRequest): Promise<Principal>;
    /** For socket.io handshakes: the same rules from raw headers. */
    principalFrom(credentials: {
      cookie?: string;
      authorization?: string;
      token?: string;
    }): Promise<Principal | null>;
  }
}

function bearerOf(authorization: string | undefined): string | undefined {
  const match = authorization ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  return match?.[1];
}

export default fp(
  async (app) => {
    async function principalFrom(c: {
      cookie?: string;
      session?: string;
      authorization?: string;
      token?: string;
    }) {
      const now = app.clock();
      const token = c.token ?? bearerOf(c.authorization);
      if (token) {
        const user = await userByApiToken(app.store.users, token, now);
        return user ? principalOf(user, 'token', app.directory) : null;
      }
      const session = c.session ?? (c.cookie ? app.parseCookie(c.cookie)[SESSION_COOKIE] : undefined);
      if (session) {
        const user = await userBySession(app.store.users, session, now);
        return user ? principalOf(user, 'session', app.directory) : null;
      }
      return null;
    }

    app.decorate('principalFrom', principalFrom);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const principal = await principalFrom({
        authorization: request.headers.authorization,
        session: request.cookies[SESSION_COOKIE],
      });
      if (!principal) throw new LiftWatchError('UNAUTHENTICATED');
      if (
        principal.via === 'session' &&
        UNSAFE_METHODS.has(request.method) &&
        app.sameOrigin(request) !== true
      ) {
        request.log.warn(
          { username: principal.username, origin: request.headers.origin, referer: request.headers.referer },
          'cross-site write refused',
        );
        throw new LiftWatchError('CROSS_SITE_REFUSED');
      }
      request.principal = principal;
      return principal;
    });
  },
  { name: 'lift-auth', dependencies: ['lift-context', 'lift-security'] },
);
