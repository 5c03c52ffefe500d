/**
 * Console accounts and what proves who is asking: users, their browser sessions and their
 * API tokens. Sessions and tokens are stored by the SHA-256 of their value (the caller
 * hashes; the value itself never reaches the database). Removing a user ends their
 * sessions and tokens in the same transaction.
 */
import type { RegistryDb } from '../db.ts';
import type { UserTable } from '../schema.ts';

/** A user as the API reads it: never the password hash. */
export type UserRow = Omit<UserTable, 'password_hash'>;

/** The scope a role needs, by the column that names it on the user's row. */
export type ScopeColumn = 'property_firm_id' | 'estate_id' | 'company_id';

const SCOPE_TABLE = {
  property_firm_id: 'property_firms',
  estate_id: 'estates',
  company_id: 'maintenance_companies',
} as const;

const USER_COLUMNS = [
  'users.username',
  'users.display_name',
  'users.role',
  'users.property_firm_id',
  'users.estate_id',
  'users.company_id',
] as const;

export interface NewSession {
  idHash: string;
  username: string;
  createdAt: number;
  expiresAt: number;
  ip: string | null;
}

export interface NewApiToken {
  id: string;
  tokenHash: string;
  username: string;
  name: string;
  createdAt: number;
}

export interface ApiTokenSummary {
  id: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface UserRepository {
  list(): Promise<UserRow[]>;
  get(username: string): Promise<UserRow | undefined>;
  /** With the password hash, for the login check only. */
  withPasswordHash(username: string): Promise<UserTable | undefined>;
  /** False when the username is taken (the row is left as it was). */
  create(row: UserTable): Promise<boolean>;
  /** False when there is no such user. */
  update(
    username: string,
    changes: Partial<Pick<UserTable, 'display_name' | 'password_hash'>>,
  ): Promise<boolean>;
  /** Ends the user's sessions and tokens with the account; false when there is no such user. */
  remove(username: string): Promise<boolean>;
  /** Whether the firm, estate or company a scope column names exists. */
  scopeExists(column: ScopeColumn, id: string): Promise<boolean>;

  createSession(session: NewSession): Promise<void>;
  /** The session's user with the session's expiry; undefined for an unknown session. */
  userBySession(idHash: string): Promise<(UserRow & { expires_at: number }) | undefined>;
  deleteSession(idHash: string): Promise<void>;

  createToken(token: NewApiToken): Promise<void>;
  /** The user of a live (not revoked) token, marking it used at `now`. */
  userByToken(tokenHash: string, now: number): Promise<UserRow | undefined>;
  tokensOf(username: string): Promise<ApiTokenSummary[]>;
  /** Revokes one of the user's own live tokens; false when there is none such. */
  revokeToken(input: { id: string; username: string; now: number }): Promise<boolean>;
}

export function userRepository(db: RegistryDb): UserRepository {
  const get = (username: string) =>
    db.selectFrom('users').select(USER_COLUMNS).where('username', '=', username).executeTakeFirst();
  return {
    list: () => db.selectFrom('users').select(USER_COLUMNS).orderBy('username').execute(),
    get,
    withPasswordHash: (username) =>
      db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst(),
    async create(row) {
      const result = await db
        .insertInto('users')
        .values(row)
        .onConflict((oc) => oc.column('username').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async update(username, changes) {
      const result = await db
        .updateTable('users')
        .set(changes)
        .where('username', '=', username)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async remove(username) {
      const removed = await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('api_sessions').where('username', '=', username).execute();
        await trx.deleteFrom('api_tokens').where('username', '=', username).execute();
        return trx.deleteFrom('users').where('username', '=', username).executeTakeFirst();
      });
      return Number(removed.numDeletedRows) > 0;
    },
    async scopeExists(column, id) {
      const row = await db
        .selectFrom(SCOPE_TABLE[column])
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst();
      return row !== undefined;
    },

    async createSession(s) {
      await db
        .insertInto('api_sessions')
        .values({
          id_hash: s.idHash,
          username: s.username,
          created_at: s.createdAt,
          expires_at: s.expiresAt,
          ip: s.ip,
        })
        .execute();
    },
    userBySession: (idHash) =>
      db
        .selectFrom('api_sessions')
        .innerJoin('users', 'users.username', 'api_sessions.username')
        .select([...USER_COLUMNS, 'api_sessions.expires_at'])
        .where('api_sessions.id_hash', '=', idHash)
        .executeTakeFirst(),
    async deleteSession(idHash) {
      await db.deleteFrom('api_sessions').where('id_hash', '=', idHash).execute();
    },

    async createToken(t) {
      await db
        .insertInto('api_tokens')
        .values({
          id: t.id,
          token_hash: t.tokenHash,
          username: t.username,
          name: t.name,
          created_at: t.createdAt,
        })
        .execute();
    },
    async userByToken(tokenHash, now) {
      const row = await db
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.username', 'api_tokens.username')
        .select(USER_COLUMNS)
        .where('api_tokens.token_hash', '=', tokenHash)
        .where('api_tokens.revoked_at', 'is', null)
        .executeTakeFirst();
      if (!row) return undefined;
      await db
        .updateTable('api_tokens')
        .set({ last_used_at: now })
        .where('token_hash', '=', tokenHash)
        .execute();
      return row;
    },
    tokensOf: (username) =>
      db
        .selectFrom('api_tokens')
        .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
        .where('username', '=', username)
        .orderBy('created_at', 'desc')
        .execute(),
    async revokeToken(input) {
      const result = await db
        .updateTable('api_tokens')
        .set({ revoked_at: input.now })
        .where('id', '=', input.id)
        .where('username', '=', input.username)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}
