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
  /** The firm's or company's name (from the fleet directory); null for an estate scope or none. */
  scope_name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
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

/** The scope column each role needs (its id must exist in the firm, estate or company table). */
const SCOPE = {
  admin: null,
  property_manager: 'property_firm_id',
  committee_member: 'estate_id',
  technician: 'company_id',
  regulator: null,
} as const;

const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  async function checkScope(body: Static<typeof NewUser>): Promise<void> {
    const column = SCOPE[body.role];
    const given = (['property_firm_id', 'estate_id', 'company_id'] as const).filter((c) => body[c]);
    if (!column) {
      if (given.length)
        throw new LiftWatchError('BAD_REQUEST', `A ${body.role} has no firm, estate or company`);
      return;
    }
    const id = body[column];
    if (!id || given.length !== 1) {
      throw new LiftWatchError('BAD_REQUEST', `A ${body.role} needs ${column} and nothing else`);
    }
    if (!(await app.store.users.scopeExists(column, id)))
      throw new LiftWatchError('BAD_REQUEST', `${column} '${id}' does not exist`);
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
      // Names, not ids, for the accounts screen: a firm's or a company's name from any of its estates.
      const firms = new Map<string, string>();
      const companies = new Map<string, string>();
      for (const e of app.directory.estates()) {
        firms.set(e.propertyFirmId, e.firmName);
        companies.set(e.maintenanceCompanyId, e.companyName);
      }
      return (await app.store.users.list()).map((u) => ({
        ...u,
        scope_name: u.property_firm_id
          ? (firms.get(u.property_firm_id) ?? null)
          : u.company_id
            ? (companies.get(u.company_id) ?? null)
            : null,
      }));
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
      const row = userRow(body, hashUserPassword(body.password));
      // One statement decides, so two admins creating the same name at once get one 201, one 409.
      if (!(await app.store.users.create(row)))
        throw new LiftWatchError('CONFLICT', `User '${body.username}' exists already`);
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
      if (!(await app.store.users.update(username, changes))) throw notFound('User');
      await app.audit(request, {
        action: 'user.update',
        estateId: null,
        targetType: 'user',
        targetId: username,
        detail: { fields: Object.keys(request.body) },
      });
      // Removed between the update and this read: as missing as if it had never been there.
      const user = await app.store.users.get(username);
      if (!user) throw notFound('User');
      return user;
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
      if (!(await app.store.users.remove(username))) throw notFound('User');
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
