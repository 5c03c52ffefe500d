/**
 * The admin's user API: list, create, change (name, password) and remove accounts beside
 * the fleet file. Admin only; every write is audited. A user's scope must match the role
 * (a property manager belongs to a firm, a committee member to an estate, a technician to
 * a company) so tenancy can never be left open by a half-filled account. Removing a user
 * also ends their sessions and revokes their API tokens.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from '@sinclair/typebox';
import { LiftWatchError } from '../../../lib/errors.ts';
import { ROLES } from '../../../protocol/index.ts';
import { hashUserPassword } from '../../../store/passwords.ts';
import { userRow } from '../../../store/users.ts';
import { notFound, requireRole } from '../../data/tenancy.ts';
import { replies } from '../../schemas.ts';

const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9._-]*$' });
const Password = Type.String({ minLength: 10, maxLength: 256, description: 'At least 10 characters' });
const ScopeId = Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]));

const User = Type.Object({
  username: Type.String(),
  display_name: Type.String(),
  role: Type.String(),
  property_firm_id: Type.Union([Type.String(), Type.Null()]),
  estate_id: Type.Union([Type.String(), Type.Null()]),
  company_id: Type.Union([Type.String(), Type.Null()]),
});

const NewUser = Type.Object(
  {
    username: Username,
    display_name: Type.String({ minLength: 1, maxLength: 128 }),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    password: Password,
    property_firm_id: ScopeId,
    estate_id: ScopeId,
    company_id: ScopeId,
  },
  { additionalProperties: false },
);

const UserChange = Type.Object(
  {
    display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    password: Type.Optional(Password),
  },
  { additionalProperties: false, minProperties: 1 },
);

const UsernameParams = Type.Object({ username: Username });
const USER_COLUMNS = [
  'username',
  'display_name',
  'role',
  'property_firm_id',
  'estate_id',
  'company_id',
] as const;

/** The scope column each role needs, and the table its id must exist in. */
const SCOPE = {
  admin: null,
  property_manager: { column: 'property_firm_id', table: 'property_firms' },
  committee_member: { column: 'estate_id', table: 'estates' },
  technician: { column: 'company_id', table: 'maintenance_companies' },
} as const;

const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  async function checkScope(body: Static<typeof NewUser>): Promise<void> {
    const scope = SCOPE[body.role];
    const given = (['property_firm_id', 'estate_id', 'company_id'] as const).filter((c) => body[c]);
    if (!scope) {
      if (given.length) throw new LiftWatchError('BAD_REQUEST', 'An admin has no firm, estate or company');
      return;
    }
    const id = body[scope.column];
    if (!id || given.length !== 1) {
      throw new LiftWatchError('BAD_REQUEST', `A ${body.role} needs ${scope.column} and nothing else`);
    }
    const exists = await app.db.selectFrom(scope.table).select('id').where('id', '=', id).executeTakeFirst();
    if (!exists) throw new LiftWatchError('BAD_REQUEST', `${scope.column} '${id}' does not exist`);
  }

  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Every account (admin)',
        response: replies({ 200: Type.Array(User) }),
      },
    },
    async (request) => {
      requireRole(request.principal, ['admin']);
      return app.db.selectFrom('users').select(USER_COLUMNS).orderBy('username').execute();
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create an account (admin); the scope must match the role',
        body: NewUser,
        response: replies({ 201: User }),
      },
    },
    async (request, reply) => {
      requireRole(request.principal, ['admin']);
      const body = request.body;
      await checkScope(body);
      const taken = await app.db
        .selectFrom('users')
        .select('username')
        .where('username', '=', body.username)
        .executeTakeFirst();
      if (taken) throw new LiftWatchError('CONFLICT', `User '${body.username}' exists already`);
      const row = userRow(body, hashUserPassword(body.password));
      await app.db.insertInto('users').values(row).execute();
      await app.audit(request, {
        action: 'user.create',
        estateId: body.estate_id ?? null,
        targetType: 'user',
        targetId: body.username,
        detail: { role: body.role },
      });
      const { password_hash: _secret, ...user } = row;
      return reply.code(201).send(user);
    },
  );

  app.patch(
    '/users/:username',
    {
      schema: {
        tags: ['users'],
        summary: "Change an account's display name or password (admin)",
        params: UsernameParams,
        body: UserChange,
        response: replies({ 200: User }),
      },
    },
    async (request) => {
      requireRole(request.principal, ['admin']);
      const { username } = request.params;
      const changes = {
        ...(request.body.display_name ? { display_name: request.body.display_name } : {}),
        ...(request.body.password ? { password_hash: hashUserPassword(request.body.password) } : {}),
      };
      const updated = await app.db
        .updateTable('users')
        .set(changes)
        .where('username', '=', username)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) throw notFound('User');
      await app.audit(request, {
        action: 'user.update',
        estateId: null,
        targetType: 'user',
        targetId: username,
        detail: { fields: Object.keys(request.body) },
      });
      return app.db
        .selectFrom('users')
        .select(USER_COLUMNS)
        .where('username', '=', username)
        .executeTakeFirstOrThrow();
    },
  );

  app.delete(
    '/users/:username',
    {
      schema: {
        tags: ['users'],
        summary: 'Remove an account (admin): its sessions end and its API tokens are revoked',
        params: UsernameParams,
        response: { 204: Type.Null(), ...replies({}) },
      },
    },
    async (request, reply) => {
      const admin = requireRole(request.principal, ['admin']);
      const { username } = request.params;
      if (username === admin.username)
        throw new LiftWatchError('CONFLICT', 'An admin cannot remove their own account');
      const removed = await app.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('api_sessions').where('username', '=', username).execute();
        await trx.deleteFrom('api_tokens').where('username', '=', username).execute();
        return trx.deleteFrom('users').where('username', '=', username).executeTakeFirst();
      });
      if (Number(removed.numDeletedRows) === 0) throw notFound('User');
      await app.audit(request, {
        action: 'user.delete',
        targetType: 'user',
        targetId: username,
        estateId: null,
      });
      return reply.code(204).send(null);
    },
  );
};

export default userRoutes;
