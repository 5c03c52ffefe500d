/**
 * Sessions, bearer tokens and password checks. Secrets are random 256-bit values; only
 * their SHA-256 is stored. The password check is scrypt run off the event loop, so a
 * burst of logins does not stall the QR pages.
 */
import { createHash, randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import type { RegistryDb } from '../../store/db.ts';
import type { UserRow } from './tenancy.ts';

const TOKEN_PREFIX = 'lw_';

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function scryptAsync(password: string, salt: Buffer, keylen: number, options: object): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Same format as store/passwords.ts; false for anything malformed. */
export async function verifyUserPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt' || parts.length !== 6) return false;
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64url');
  const N = Number(n);
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N,
    r: Number(r),
    p: Number(p),
    maxmem: 256 * N * Number(r) + 1024 * 1024,
  });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Spent on unknown usernames so their answer takes as long as a wrong password. */
const DUMMY_HASH = `scrypt$16384$8$1$${randomBytes(16).toString('base64url')}$${randomBytes(32).toString('base64url')}`;

const USER_COLUMNS = [
  'users.username',
  'users.display_name',
  'users.role',
  'users.property_firm_id',
  'users.estate_id',
  'users.company_id',
] as const;

export async function checkLogin(
  db: RegistryDb,
  username: string,
  password: string,
): Promise<UserRow | null> {
  const user = await db
    .selectFrom('users')
    .select([...USER_COLUMNS, 'users.password_hash'])
    .where('username', '=', username)
    .executeTakeFirst();
  const ok = await verifyUserPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !ok) return null;
  const { password_hash: _, ...row } = user;
  return row;
}

export async function createSession(
  db: RegistryDb,
  input: { username: string; ip: string | null; now: number; ttlMs: number },
): Promise<{ value: string; expiresAt: number }> {
  const value = newSecret();
  const expiresAt = input.now + input.ttlMs;
  await db
    .insertInto('api_sessions')
    .values({
      id_hash: sha256(value),
      username: input.username,
      created_at: input.now,
      expires_at: expiresAt,
      ip: input.ip,
    })
    .execute();
  return { value, expiresAt };
}

export async function userBySession(db: RegistryDb, value: string, now: number): Promise<UserRow | null> {
  const row = await db
    .selectFrom('api_sessions')
    .innerJoin('users', 'users.username', 'api_sessions.username')
    .select([...USER_COLUMNS, 'api_sessions.expires_at'])
    .where('api_sessions.id_hash', '=', sha256(value))
    .executeTakeFirst();
  if (!row || row.expires_at <= now) return null;
  const { expires_at: _, ...user } = row;
  return user;
}

export async function deleteSession(db: RegistryDb, value: string): Promise<void> {
  await db.deleteFrom('api_sessions').where('id_hash', '=', sha256(value)).execute();
}

export async function createApiToken(
  db: RegistryDb,
  input: { username: string; name: string; now: number },
): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  const token = TOKEN_PREFIX + newSecret();
  await db
    .insertInto('api_tokens')
    .values({
      id,
      token_hash: sha256(token),
      username: input.username,
      name: input.name,
      created_at: input.now,
    })
    .execute();
  return { id, token };
}

export async function userByApiToken(db: RegistryDb, token: string, now: number): Promise<UserRow | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const hash = sha256(token);
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.username', 'api_tokens.username')
    .select(USER_COLUMNS)
    .where('api_tokens.token_hash', '=', hash)
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('token_hash', '=', hash).execute();
  return row;
}

export async function listApiTokens(db: RegistryDb, username: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
    .where('username', '=', username)
    .orderBy('created_at', 'desc')
    .execute();
}

/** Revokes one of the user's own tokens; false when there is no such token of theirs. */
export async function revokeApiToken(db: RegistryDb, input: { id: string; username: string; now: number }) {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: input.now })
    .where('id', '=', input.id)
    .where('username', '=', input.username)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
