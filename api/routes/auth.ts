/**
 * Accounts: login (rate-limited, scrypt; JSON or a form) issuing an HttpOnly SameSite
 * session cookie, logout, who-am-I, and personal bearer tokens for API clients that can be
 * revoked.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { LiftWatchError } from '../../lib/errors.ts';
import { checkLogin, createApiToken, createSession, deleteSession } from '../data/credentials.ts';
import { type Principal, principalOf } from '../data/tenancy.ts';
import { SESSION_COOKIE } from '../plugins/auth.ts';
import { IdParams, Me, replies } from '../schemas.ts';

function meOf(p: Principal) {
  return {
    username: p.username,
    display_name: p.displayName,
    role: p.role,
    property_firm_id: p.propertyFirmId,
    estate_id: p.estateId,
    company_id: p.companyId,
    estate_ids: p.estateIds === null ? null : [...p.estateIds].sort(),
  };
}

const ApiToken = Type.Object({
  id: Type.String(),
  name: Type.String(),
  created_at: Type.Integer(),
  last_used_at: Type.Union([Type.Integer(), Type.Null()]),
  revoked_at: Type.Union([Type.Integer(), Type.Null()]),
});

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const secure = app.publicBaseUrl.startsWith('https://');

  // Login is a form too (a page without script can post it): the only console route that
  // parses form bodies. A foreign Origin is refused, so another site cannot sign a browser
  // in to an account of its choosing; a client that sends no Origin (a script) may log in.
  const formRoutes: FastifyPluginAsyncTypebox = async (form) => {
    await app.acceptForms(form);
    form.post(
      '/login',
      {
        config: { rateLimit: { max: app.apiConfig.API_LOGIN_RATE_PER_MIN, timeWindow: 60_000 } },
        schema: {
          tags: ['accounts'],
          summary: 'Log in; sets the session cookie',
          body: Type.Object({
            username: Type.String({ minLength: 1, maxLength: 128 }),
            password: Type.String({ minLength: 1, maxLength: 256 }),
          }),
          response: replies({ 200: Me }),
        },
      },
      async (request, reply) => {
        if (app.sameOrigin(request) === false) throw new LiftWatchError('CROSS_SITE_REFUSED');
        const user = await checkLogin(app.store.users, request.body.username, request.body.password);
        if (!user) {
          request.log.warn({ username: request.body.username }, 'login failed');
          throw new LiftWatchError('LOGIN_FAILED');
        }
        const now = app.clock();
        const ttlMs = app.apiConfig.API_SESSION_TTL_H * 3_600_000;
        const session = await createSession(app.store.users, {
          username: user.username,
          ip: request.ip,
          now,
          ttlMs,
        });
        request.principal = principalOf(user, 'session', app.directory);
        await app.audit(request, {
          action: 'auth.login',
          targetType: 'session',
          targetId: null,
          estateId: null,
        });
        reply.setCookie(SESSION_COOKIE, session.value, {
          httpOnly: true,
          sameSite: 'lax',
          secure,
          path: '/',
          expires: new Date(session.expiresAt),
        });
        return meOf(request.principal);
      },
    );
  };
  await app.register(formRoutes);

  const signedInRoutes: FastifyPluginAsyncTypebox = async (signedIn) => {
    signedIn.addHook('onRequest', async (request) => {
      await app.authenticate(request);
    });

    signedIn.post(
      '/logout',
      {
        schema: {
          tags: ['accounts'],
          summary: 'End this browser session',
          response: replies({ 204: Type.Null() }),
        },
      },
      async (request, reply) => {
        const session = request.cookies[SESSION_COOKIE];
        if (session) await deleteSession(app.store.users, session);
        await app.audit(request, {
          action: 'auth.logout',
          targetType: 'session',
          targetId: null,
          estateId: null,
        });
        return reply.clearCookie(SESSION_COOKIE, { path: '/' }).code(204).send(null);
      },
    );

    signedIn.get(
      '/me',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Who am I, and which estates I see',
          response: replies({ 200: Me }),
        },
      },
      async (request) => meOf(request.principal!),
    );

    signedIn.get(
      '/tokens',
      {
        schema: {
          tags: ['accounts'],
          summary: 'My API tokens',
          response: replies({ 200: Type.Array(ApiToken) }),
        },
      },
      async (request) => app.store.users.tokensOf(request.principal!.username),
    );

    signedIn.post(
      '/tokens',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Create a bearer token; it is shown only in this answer',
          body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }),
          response: replies({
            201: Type.Object({ id: Type.String(), name: Type.String(), token: Type.String() }),
          }),
        },
      },
      async (request, reply) => {
        const p = request.principal!;
        const created = await createApiToken(app.store.users, {
          username: p.username,
          name: request.body.name,
          now: app.clock(),
        });
        await app.audit(request, {
          action: 'token.create',
          targetType: 'api_token',
          targetId: created.id,
          estateId: null,
        });
        return reply.code(201).send({ id: created.id, name: request.body.name, token: created.token });
      },
    );

    signedIn.delete(
      '/tokens/:id',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Revoke one of my tokens',
          params: IdParams,
          response: replies({ 204: Type.Null() }),
        },
      },
      async (request, reply) => {
        const p = request.principal!;
        const revoked = await app.store.users.revokeToken({
          id: request.params.id,
          username: p.username,
          now: app.clock(),
        });
        if (!revoked) throw new LiftWatchError('NOT_FOUND', 'Token not found');
        await app.audit(request, {
          action: 'token.revoke',
          targetType: 'api_token',
          targetId: request.params.id,
          estateId: null,
        });
        return reply.code(204).send(null);
      },
    );
  };
  await app.register(signedInRoutes);
};

export default authRoutes;
